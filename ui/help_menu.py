"""The window's Help menu: About LAPOR! Desktop on F1, one box at a time."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import N_
from ui.about_dialog import AboutDialog, AboutFacts, about_facts
from ui.i18n import Texts
from ui.tasks import TaskRunner


class AboutBox(QObject):
    """Opens the About box over ``window``; the facts are read on the worker (the schema
    revision is a query). ``dialog`` is the box while it is open."""

    def __init__(
        self, window: QWidget, desk: Desk, runner: TaskRunner, texts: Texts, *, training: bool
    ) -> None:
        super().__init__(window)
        self._window, self._desk, self._runner, self._texts = window, desk, runner, texts
        self._training = training
        self.dialog: AboutDialog | None = None

    def show(self) -> None:
        desk, training = self._desk, self._training
        self._runner.run(lambda: about_facts(desk, training=training), self._show)

    def _show(self, facts: AboutFacts) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog = AboutDialog(self._texts.language, facts, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()

    def _closed(self) -> None:
        self.dialog = None


def add_help_menu(bar: QMenuBar, texts: Texts, about: AboutBox) -> None:
    """Adds the menu with its texts bound to the window's language."""
    menu = bar.addMenu("")
    texts.bind(menu.setTitle, N_("&Help"))
    item = menu.addAction("")
    texts.bind(item.setText, N_("&About LAPOR! Desktop"))
    item.setShortcut(QKeySequence("F1"))
    item.triggered.connect(about.show)
