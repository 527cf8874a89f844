"""The complaint list: a model Qt accepts, rows read by position, search, filters, sync state."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import translate
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.storage.models import AuditEntry
from tests.support import samples
from tests.support.clock import FakeClock
from tests.ui.desk_window import settle
from ui.complaint_list import ComplaintList
from ui.complaint_model import (
    OVERDUE_COLOURS,
    PLACEHOLDER,
    SORT_COLUMN,
    STATUS_COLUMN,
    SYNC_COLUMN,
    UUID_ROLE,
    ComplaintTableModel,
    LookupSource,
)
from ui.i18n import Language, Texts
from ui.main_window import MainWindow
from ui.style import sync_colours
from ui.tasks import TaskRunner

ROOT = QModelIndex()
OTHER_NIK = "2104015203850002"
OTHER_PHONE = "081377788899"


def record(desk: Desk, actor: Actor, count: int) -> list[str]:
    titles = [f"Keluhan nomor {n} di Daik" for n in range(count)]
    for title in titles:
        outcome = desk.intake.submit(samples.valid_form(title=title), actor=actor)
        assert outcome.queued
    return titles


def paged_model(
    qtbot: QtBot,
    desk: Desk,
    actor: Actor,
    runner: TaskRunner,
    language: Language,
    *,
    kept_pages: int = 40,
) -> ComplaintTableModel:
    model = ComplaintTableModel(
        LookupSource(desk.lookup, actor),
        runner,
        language,
        desk.context.office.timezone,
        page_size=2,
        kept_pages=kept_pages,
    )
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.set_query(ComplaintQuery())
    return model


def is_read(model: ComplaintTableModel, row: int) -> bool:
    try:
        model.summary(row)
    except LookupError:
        return False
    return True


def read_row(qtbot: QtBot, model: ComplaintTableModel, row: int) -> None:
    """Show a row as a view would, and wait for its page when it has not been read."""
    if not is_read(model, row):
        with qtbot.waitSignal(model.rows_loaded, timeout=10_000):
            model.data(model.index(row, 0))


def read_all(qtbot: QtBot, model: ComplaintTableModel) -> list[str]:
    for row in range(model.rowCount(ROOT)):
        read_row(qtbot, model, row)
    return titles_in(model)


def titles_in(model: ComplaintTableModel) -> list[str]:
    return [model.summary(row).title for row in range(model.rowCount(ROOT))]


def test_the_table_model_passes_qts_model_tester(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    runner: TaskRunner,
    language: Language,
) -> None:
    titles = record(sqlite_desk, sqlite_clerk, 5)
    model = paged_model(qtbot, sqlite_desk, sqlite_clerk, runner, language)

    qtmodeltester.check(model)  # stays connected: it also checks the changes below
    assert read_all(qtbot, model) == titles[::-1]
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.reload()


def test_the_table_has_every_row_and_reads_a_page_when_a_row_is_shown(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, runner: TaskRunner, language: Language
) -> None:
    titles = record(sqlite_desk, sqlite_clerk, 5)
    model = paged_model(qtbot, sqlite_desk, sqlite_clerk, runner, language)
    assert model.rowCount(ROOT) == 5
    assert [is_read(model, row) for row in range(5)] == [True, True, False, False, False]
    assert model.data(model.index(4, 1)) is None
    assert model.data(model.index(4, 0), UUID_ROLE) is None

    with qtbot.waitSignal(model.rows_loaded, timeout=10_000) as arrived:
        assert model.data(model.index(4, 0)) == PLACEHOLDER

    assert arrived.args == [4, 4]
    assert model.summary(4).title == titles[0]
    assert not is_read(model, 2)
    assert read_all(qtbot, model) == titles[::-1]


def test_memory_stays_flat_only_the_pages_last_shown_are_kept(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, runner: TaskRunner, language: Language
) -> None:
    titles = record(sqlite_desk, sqlite_clerk, 9)
    model = paged_model(qtbot, sqlite_desk, sqlite_clerk, runner, language, kept_pages=2)

    for row in (8, 4, 6):
        read_row(qtbot, model, row)

    assert model.pages_kept == 2
    assert [is_read(model, row) for row in (0, 4, 6, 8)] == [False, True, True, False]
    read_row(qtbot, model, 0)  # read again when shown again
    assert model.summary(0).title == titles[-1]


def test_a_late_answer_or_page_of_an_older_query_is_dropped(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, runner: TaskRunner, language: Language
) -> None:
    titles = record(sqlite_desk, sqlite_clerk, 5)
    model = paged_model(qtbot, sqlite_desk, sqlite_clerk, runner, language)
    arrived: list[tuple[int, int]] = []
    model.rows_loaded.connect(lambda first, last: arrived.append((first, last)))
    answers: list[int] = []
    model.page_loaded.connect(lambda: answers.append(model.rowCount(ROOT)))

    model.data(model.index(4, 0))  # its page is being read ...
    model.set_query(ComplaintQuery(text="tidakada"))  # ... when a search replaces the list
    model.set_query(ComplaintQuery(ascending=True))  # and another replaces that
    settle(qtbot, runner)

    assert arrived == []
    assert answers == [5]
    assert [model.summary(row).title for row in (0, 1)] == titles[:2]
    assert not is_read(model, 4)


def test_each_row_shows_its_sync_state_in_words_and_colour(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, runner: TaskRunner, language: Language
) -> None:
    record(sqlite_desk, sqlite_clerk, 1)
    model = paged_model(qtbot, sqlite_desk, sqlite_clerk, runner, language)
    cell = model.index(0, SYNC_COLUMN)

    assert model.data(cell) == translate(SyncState.PENDING.label, "id")
    fill = model.data(cell, Qt.ItemDataRole.BackgroundRole)
    assert isinstance(fill, QBrush)
    assert fill.color().name() == sync_colours(SyncState.PENDING.value)[0]


def test_a_new_complaint_appears_in_the_list_and_the_search_box_finds_it(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    record(sqlite_desk, sqlite_clerk, 2)
    assert window.intake is not None
    window.intake.form.load(samples.valid_form(title="Lampu jalan mati di Dabo"), anonim=False)
    window.intake.form.rahasia.set_value(False)
    with qtbot.waitSignals([window.model.page_loaded, window.receipt_shown], timeout=10_000):
        window.intake.save()
    assert window.model.rowCount(ROOT) == 3
    assert window.model.summary(0).title == "Lampu jalan mati di Dabo"
    assert window.receipt_dialog is not None
    window.receipt_dialog.accept()
    with qtbot.waitActive(window):
        window.activateWindow()  # a window manager would; the offscreen platform has none

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.list.search.hasFocus()
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        qtbot.keyClicks(window.list.search, "lampu")

    assert titles_in(window.model) == ["Lampu jalan mati di Dabo"]
    assert window.list.count.text() == "1 pengaduan"


def test_the_status_filter_shows_only_drafts(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    record(sqlite_desk, sqlite_clerk, 2)
    sqlite_desk.intake.save_draft(samples.valid_form(title="Belum selesai"), actor=sqlite_clerk)
    combo = window.list.status_filter
    combo.setCurrentIndex(combo.findData(Status.DRAFT.value))

    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.list.apply_filters()

    assert titles_in(window.model) == ["Belum selesai"]


def test_ctrl_end_jumps_to_the_last_row_and_opens_it_when_its_page_arrives(
    qtbot: QtBot,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    runner: TaskRunner,
    language: Language,
) -> None:
    titles = record(sqlite_desk, sqlite_clerk, 30)
    oldest = sqlite_desk.lookup.find(ComplaintQuery(ascending=True, limit=1), actor=sqlite_clerk)
    model = ComplaintTableModel(
        LookupSource(sqlite_desk.lookup, sqlite_clerk),
        runner,
        language,
        sqlite_desk.context.office.timezone,
        page_size=5,
    )
    view = ComplaintList(Texts(language, runner), model)
    qtbot.addWidget(view)
    view.resize(900, 200)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.set_query(ComplaintQuery())
    settle(qtbot, runner)
    assert model.rowCount(ROOT) == 30
    assert view.count.text() == "30 pengaduan"
    view.table.setFocus()

    with qtbot.waitSignal(view.opened, timeout=10_000) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)

    assert opened.args == [oldest[0].uuid]
    assert model.summary(29).title == titles[0]
    assert view.table.currentIndex().row() == 29
    assert not any(is_read(model, row) for row in range(10, 20))  # the middle was skipped


def test_a_returning_citizen_is_found_by_nik_and_enter_opens_the_single_match(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    record(sqlite_desk, sqlite_clerk, 1)
    mine = sqlite_desk.intake.submit(
        samples.valid_form(title="Air PDAM keruh", nik=OTHER_NIK, phone=OTHER_PHONE),
        actor=sqlite_clerk,
    )
    window.show_list()

    with qtbot.waitSignal(window.detail_shown, timeout=10_000) as shown:
        qtbot.keyClicks(window.list.search, "2104 0152 0385 0002")
        qtbot.keyClick(window.list.search, Qt.Key.Key_Return)

    assert titles_in(window.model) == ["Air PDAM keruh"]
    assert shown.args[0].detail.summary.uuid == mine.uuid
    with sqlite_desk.database.read() as session:
        searched = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "identity.searched")
        ).all()
    assert searched and searched[-1] == {"by": "nik", "complaints": 1}
    assert OTHER_NIK not in str(searched)


def test_the_phone_finds_the_citizen_but_not_a_confidential_complaint_at_the_front_desk(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    sqlite_desk.intake.submit(samples.valid_form(title="Terbuka"), actor=sqlite_clerk)
    sqlite_desk.intake.submit(samples.valid_form(title="Rahasia", rahasia=True), actor=sqlite_clerk)
    window.list.search.setText("0812-3456-7890")

    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.list.apply_filters()

    assert titles_in(window.model) == ["Terbuka"]


def test_kind_and_overdue_filters_and_the_overdue_badge(
    qtbot: QtBot,
    window: MainWindow,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    clock: FakeClock,
) -> None:
    sqlite_desk.intake.submit(samples.valid_form(title="Lama sekali"), actor=sqlite_clerk)
    clock.advance(days=10)
    sqlite_desk.intake.submit(
        samples.valid_form(title="Baru saja", classification="aspirasi"), actor=sqlite_clerk
    )
    window.list.today = lambda: sqlite_desk.context.office_today()
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.list.apply_filters()
    assert titles_in(window.model) == ["Baru saja", "Lama sekali"]
    status = window.model.index(1, STATUS_COLUMN)
    assert window.model.data(status).endswith(translate("{status}, overdue", "id").split("}")[1])
    fill = window.model.data(status, Qt.ItemDataRole.BackgroundRole)
    assert fill.color().name() == OVERDUE_COLOURS[0]
    assert (
        window.model.data(window.model.index(0, STATUS_COLUMN), Qt.ItemDataRole.BackgroundRole)
        is None
    )

    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.list.overdue_filter.setChecked(True)
    assert titles_in(window.model) == ["Lama sekali"]

    window.list.overdue_filter.setChecked(False)
    kind = window.list.classification_filter
    kind.setCurrentIndex(kind.findData("aspirasi"))
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.list.apply_filters()
    assert titles_in(window.model) == ["Baru saja"]


def test_the_recorded_column_sorts_oldest_first_to_the_last_row(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    runner: TaskRunner,
    language: Language,
) -> None:
    titles = record(sqlite_desk, sqlite_clerk, 5)
    model = paged_model(qtbot, sqlite_desk, sqlite_clerk, runner, language)
    qtmodeltester.check(model)

    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.sort(SORT_COLUMN, Qt.SortOrder.AscendingOrder)

    assert read_all(qtbot, model) == titles
    model.sort(1, Qt.SortOrder.DescendingOrder)  # by title: not offered, nothing happens
    assert not model.loading
