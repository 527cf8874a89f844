"""The window's Help menu: About LAPOR! Desktop on F1."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenuBar

from lapor_desktop.i18n import N_
from ui.i18n import Texts


def add_help_menu(bar: QMenuBar, texts: Texts, show_about: Callable[[], None]) -> None:
    """Adds the menu with its texts bound to the window's language."""
    menu = bar.addMenu("")
    texts.bind(menu.setTitle, N_("&Help"))
    about = menu.addAction("")
    texts.bind(about.setText, N_("&About LAPOR! Desktop"))
    about.setShortcut(QKeySequence("F1"))
    about.triggered.connect(show_about)
