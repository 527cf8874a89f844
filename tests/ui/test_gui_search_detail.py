"""The detail pane shows only a complaint among the list's results, and the keys reach the list.

Issue 17, item 1: after a search with 0 or several results the pane kept another
citizen's complaint (an anonymous one, with the phone number), read out by mistake.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import translate
from lapor_desktop.services.context import Actor
from tests.support import samples
from tests.ui.desk_window import settle
from ui.list_query import NO_MATCH, ONE_MATCH, SEVERAL_MATCH
from ui.main_window import MainWindow

ANONYMOUS_PHONE = "081377788899"


def record(desk: Desk, actor: Actor) -> dict[str, str]:
    """Two road complaints and an anonymous one about the harbour, by title."""
    forms = {
        "Jalan rusak di Daik": samples.valid_form(title="Jalan rusak di Daik"),
        "Jalan berlubang di Dabo": samples.valid_form(title="Jalan berlubang di Dabo"),
        "Pungutan di pelabuhan": samples.valid_form(
            title="Pungutan di pelabuhan",
            description="Petugas meminta uang tambahan di loket tanpa kuitansi.",
            location_text="Pelabuhan Daik",
            anonim=True,
            phone=ANONYMOUS_PHONE,
        ),
    }
    return {title: desk.intake.submit(form, actor=actor).uuid for title, form in forms.items()}


def open_title(qtbot: QtBot, window: MainWindow, title: str) -> None:
    model = window.model
    [row] = [r for r in range(model.rowCount(QModelIndex())) if model.summary(r).title == title]
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.list.select_row(row)
    assert window.detail.page is not None
    assert window.detail.page.detail.summary.title == title


def search(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.list.search.setFocus()
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.list.search.setText(text)
        window.list.apply_filters()
    settle(qtbot, window.runner)


def shows_nothing(window: MainWindow) -> bool:
    detail = window.detail
    return detail.page is None and detail.placeholder.isVisible() and not detail._scroll.isVisible()


def test_a_search_that_finds_nothing_clears_the_complaint_shown_and_says_so(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    record(sqlite_desk, sqlite_clerk)
    window.show_list()
    window.model.reload()
    settle(qtbot, window.runner)
    open_title(qtbot, window, "Pungutan di pelabuhan")

    search(qtbot, window, "tidak ada yang cocok")

    assert window.model.rowCount(QModelIndex()) == 0
    assert shows_nothing(window)
    assert window.detail.placeholder.text() == translate(NO_MATCH, "id")
    assert ANONYMOUS_PHONE not in window.detail.identity_values["phone"].text() or not (
        window.detail.identity_values["phone"].isVisible()
    )


def test_several_results_without_the_one_shown_clear_it_and_down_moves_into_the_list(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    record(sqlite_desk, sqlite_clerk)
    window.show_list()
    window.model.reload()
    settle(qtbot, window.runner)
    open_title(qtbot, window, "Pungutan di pelabuhan")

    search(qtbot, window, "jalan")

    assert window.model.rowCount(QModelIndex()) == 2
    assert shows_nothing(window)
    assert window.detail.placeholder.text() == translate(SEVERAL_MATCH, "id").format(count=2)
    assert window.list.search.hasFocus()
    with qtbot.waitSignal(window.detail_shown, timeout=10_000) as shown:
        qtbot.keyClick(window.list.search, Qt.Key.Key_Down)
    assert window.list.table.hasFocus()
    assert shown.args[0].detail.summary.title == window.model.summary(0).title
    with qtbot.waitSignal(window.detail_shown, timeout=10_000) as second:
        qtbot.keyClick(window.list.table, Qt.Key.Key_Down)
    assert second.args[0].detail.summary.title == window.model.summary(1).title


def test_return_with_several_results_opens_the_first_in_the_list(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    record(sqlite_desk, sqlite_clerk)
    window.show_list()

    with qtbot.waitSignal(window.detail_shown, timeout=10_000) as shown:
        qtbot.keyClicks(window.list.search, "jalan")
        qtbot.keyClick(window.list.search, Qt.Key.Key_Return)

    assert window.model.rowCount(QModelIndex()) == 2
    assert window.list.table.hasFocus()
    assert shown.args[0].detail.summary.title == window.model.summary(0).title


def test_the_complaint_shown_stays_when_it_is_among_the_results(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    uuids = record(sqlite_desk, sqlite_clerk)
    window.show_list()
    window.model.reload()
    settle(qtbot, window.runner)
    open_title(qtbot, window, "Jalan rusak di Daik")

    search(qtbot, window, "jalan")

    page = window.detail.page
    assert page is not None and page.detail.summary.uuid == uuids["Jalan rusak di Daik"]
    selected = window.list.table.selectionModel().selectedRows()
    assert [window.model.summary(i.row()).title for i in selected] == ["Jalan rusak di Daik"]


def test_one_result_not_yet_opened_asks_for_enter(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    record(sqlite_desk, sqlite_clerk)
    window.show_list()
    window.model.reload()
    settle(qtbot, window.runner)
    open_title(qtbot, window, "Jalan rusak di Daik")

    search(qtbot, window, "pungutan")

    assert shows_nothing(window)
    assert window.detail.placeholder.text() == translate(ONE_MATCH, "id")


def test_a_complaint_opened_while_a_search_runs_is_not_shown_if_the_search_drops_it(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    """The old rows stay on screen until the answer: a click on one then must not linger."""
    record(sqlite_desk, sqlite_clerk)
    window.show_list()
    window.model.reload()
    settle(qtbot, window.runner)
    window.list.search.setText("tidak ada yang cocok")
    window.list.apply_filters()
    assert window.model.loading
    window.list.select_row(0)  # still the old answer's row

    settle(qtbot, window.runner)

    assert window.model.rowCount(QModelIndex()) == 0
    assert shows_nothing(window)
