"""The intake page's frame: the form scrolls, the status line and buttons stay in view.

On a 1366×768 laptop the form is taller than the window; only the form
scrolls, so the Save buttons and the status line are never below the edge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget


def lay_out_page(
    page: QWidget, form: QWidget, status: QLabel, buttons: Sequence[QPushButton]
) -> None:
    """The form in a frameless scroll area, below it the status (stretching) and the buttons."""
    for button in buttons:
        button.setAutoDefault(False)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(form)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    actions = QHBoxLayout()
    actions.addWidget(status, 1)
    for button in buttons:
        actions.addWidget(button)
    layout = QVBoxLayout(page)
    layout.addWidget(scroll, 1)
    layout.addLayout(actions)


def add_page_keys(
    page: QWidget,
    *,
    save: Callable[[], None],
    save_and_print: Callable[[], None],
    attach: Callable[[], None],
) -> None:
    """Ctrl+S, Ctrl+Enter and Ctrl+O from anywhere in the page."""
    context = Qt.ShortcutContext.WidgetWithChildrenShortcut
    for keys, action in (
        (QKeySequence(QKeySequence.StandardKey.Save), save),
        (QKeySequence("Ctrl+O"), attach),
        (QKeySequence("Ctrl+Return"), save_and_print),
        (QKeySequence("Ctrl+Enter"), save_and_print),
    ):
        shortcut = QShortcut(keys, page)
        shortcut.setContext(context)
        shortcut.activated.connect(action)
