"""One warning box per situation: a failure that repeats (a scroll, a timer) says it once.

While the office database is away, every page of a long list the operator
scrolls to fails the same way; a box per page would bury the window. A box
saying the same thing that is still open is reused instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_once(parent: QWidget, text: str) -> QMessageBox:
    """A non-modal warning with ``text`` over ``parent``, or the one already open with it."""
    for box in parent.findChildren(QMessageBox):
        if box.isVisible() and box.text() == text:
            return box
    box = QMessageBox(QMessageBox.Icon.Warning, "LAPOR! Desktop", text)
    box.setParent(parent, box.windowFlags())
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
