"""The window's Session menu: lock now, sign out, quit, with keys that work anywhere in it.

A shared office PC: the operator who steps away locks the window (Ctrl+L)
instead of waiting for the idle lock; the next one signs out the last.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from lapor_desktop.i18n import N_
from ui.i18n import Texts

LOCK_KEYS = "Ctrl+L"
QUIT_KEYS = "Ctrl+Q"


def add_session_menu(
    bar: QMenuBar,
    texts: Texts,
    *,
    lock: Callable[[], None],
    sign_out: Callable[[], None],
    quit_desk: Callable[[], object],
) -> QMenu:
    """The menu with its texts bound to the window's language (its title has no mnemonic in
    Indonesian: every free letter is taken by the intake form)."""
    menu = bar.addMenu("")
    texts.bind(menu.setTitle, N_("&Session"))
    for msgid, keys, action in (
        (N_("&Lock now"), LOCK_KEYS, lock),
        (N_("Sign &out"), "", sign_out),
        (N_("&Quit"), QUIT_KEYS, quit_desk),
    ):
        item = menu.addAction("")
        texts.bind(item.setText, msgid)
        if keys:
            item.setShortcut(QKeySequence(keys))
        item.triggered.connect(action)
    return menu
