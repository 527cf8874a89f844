"""The Reports page inside the window: Ctrl+R counts it the first time, a late row opens the
complaint in the list, and only a supervisor gets the recap buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import translate
from lapor_desktop.services.reports.service import OfficeReport
from tests.support import accounts, samples
from tests.ui.desk_window import open_window, settle
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.reports_tab import REPORTS_TAB

CTRL = Qt.KeyboardModifier.ControlModifier


def test_ctrl_r_counts_the_reports_once_and_a_late_row_opens_the_complaint(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk
) -> None:
    page = window.reports
    tab_texts = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert translate(REPORTS_TAB, "id") in tab_texts
    assert page.xlsx_button.isHidden(), "the front desk reads the figures, makes no recap"

    with qtbot.waitSignal(page.shown, timeout=10_000) as shown:
        qtbot.keyClick(window, Qt.Key.Key_R, CTRL)
    assert window.tabs.currentWidget() is page
    assert isinstance(shown.args[0], OfficeReport)
    settle(qtbot, window.runner)

    with qtbot.assertNotEmitted(page.shown, wait=200):
        window.show_list()
        window.show_reports()

    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=window.actor)
    with qtbot.waitSignal(window.detail_shown, timeout=10_000) as opened:
        page.open_requested.emit(saved.uuid)
    assert window.tabs.currentWidget() is not page
    assert opened.args[0].detail.summary.uuid == saved.uuid


def test_a_supervisor_gets_the_recap_buttons(
    qtbot: QtBot, sqlite_desk: Desk, language: Language
) -> None:
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    main = open_window(qtbot, sqlite_desk, boss, language)
    try:
        assert not main.reports.xlsx_button.isHidden() and not main.reports.pdf_button.isHidden()
    finally:
        main.close()
