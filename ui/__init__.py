"""The PySide6 desktop GUI (see the GUI issue)."""
