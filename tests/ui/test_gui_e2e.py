"""A front-desk day, end to end: the real application on a throwaway data folder, the reference
server behind the fault proxy, an operator at the keyboard.

Sign in through the sign-in dialog, record a complaint by keyboard, save (Ctrl+S), save its
receipt as PDF, lose the network, record two more, see them waiting in the status bar, get
the network back, Sync now (F5), see them sent, and, once the national desk's clock has
moved on, see the national status arrive in the complaint's timeline. Every wait is on a
signal; the server's clock is moved, not waited for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from lapor_desktop.domain.roles import Role
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import translate
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import system_clock
from lapor_desktop.services.intake import SaveOutcome
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.validation.nik import mask_nik
from sync.engine import Backoff
from sync.faultproxy import FaultPlan, FaultProxy, OutageSchedule
from sync.reference_server import RunningServer
from sync.runner import RunnerConfig
from tests.support import accounts
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE, OFFICE_NAME
from tests.ui.desk_window import settle
from tests.ui.modal import when_modal
from tests.ui.sync_desk import PASS_TIMEOUT_MS, point_at
from ui import app as gui
from ui.detail_data import DetailPage
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.receipt_dialog import ReceiptDialog
from ui.sign_in import SignInDialog
from ui.sync_controller import SyncController
from ui.sync_state import Connection

CLERK = "ani"
CTRL = Qt.KeyboardModifier.ControlModifier
DEAD_LINK = FaultPlan(outage=OutageSchedule(period_s=3600.0, online_s=0.0))
"""The island's link is down: new connections refused, open ones reset."""
SYNC = RunnerConfig(
    idle_interval=3600.0,
    nudge_delay=0.0,
    probe_backoff=Backoff(base_seconds=3600.0, cap_seconds=3600.0),
)
"""A save is sent at once; no timer or probe runs during the test: only saves and F5 sync."""
VERIFIED_TEXT = "Laporan Anda telah diverifikasi"


@dataclasses.dataclass(frozen=True)
class Citizen:
    name: str
    nik: str
    phone: str
    title: str


CITIZENS = (
    Citizen("Siti Aminah", "2104014508900001", "0812 3456 7890", "Jalan rusak di Daik"),
    Citizen("Budi Santoso", "2104011203850002", "0813 1111 2222", "Lampu jalan padam"),
    Citizen("Rina Marlina", "2104016107920003", "0852 7777 8888", "Sampah tidak diangkut"),
)


class ServerClock:
    """The national desk's clock: the real time, plus however far the test moved it."""

    def __init__(self) -> None:
        self.ahead = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.ahead


@pytest.fixture
def server_clock() -> ServerClock:
    return ServerClock()


@pytest.fixture
def server(tmp_path: Path, server_clock: ServerClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=server_clock) as running:
        yield running


@pytest.fixture
def proxy(server: RunningServer) -> Iterator[FaultProxy]:
    port = int(server.url.rsplit(":", 1)[1])
    with FaultProxy("127.0.0.1", port) as running:
        yield running


@pytest.fixture
def data_dir(tmp_path: Path, server: RunningServer, proxy: FaultProxy) -> Path:
    """A desk set up by IT staff: the office, the server behind the proxy, a front-desk account."""
    paths = DataPaths(tmp_path / "desk").ensure()
    office = OfficeSettings(office_code=OFFICE_CODE, office_name=OFFICE_NAME)
    desk = accounts.initialise_desk(paths, office, system_clock)
    try:
        point_at(desk, proxy.url, server.public_key_text, server.tokens[OFFICE_CODE])
        accounts.add_user(desk, accounts.sign_in_supervisor(desk), CLERK, Role.FRONT_DESK)
    finally:
        desk.close()
    return paths.root


@pytest.fixture(autouse=True)
def _no_log_file_left_open() -> Iterator[None]:
    """The application logs into its data folder; the next test must not inherit that."""
    before = list(logging.getLogger().handlers)
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_and_tab(qtbot: QtBot, text: str) -> None:
    if text:
        qtbot.keyClicks(focused(), text)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def wait_until(qtbot: QtBot, signal: SignalInstance, condition: Callable[[], bool]) -> None:
    while not condition():
        with qtbot.waitSignal(signal, timeout=PASS_TIMEOUT_MS):
            pass


def settled(sync: SyncController, connection: Connection, *, pending: int) -> bool:
    """The status bar's view: no pass running, this connection, this many waiting."""
    view = sync.view
    status = view.status
    return (
        not view.running
        and view.connection is connection
        and status is not None
        and status.pending == pending
    )


def sign_in_by_keyboard(qtbot: QtBot, data_dir: Path) -> gui.Session:
    """The real start-up: the sign-in dialog is typed into while it runs modally."""
    typed: list[str] = []

    def type_credentials(dialog: SignInDialog) -> None:
        with qtbot.waitActive(dialog):
            pass
        assert focused() is dialog.username
        type_and_tab(qtbot, CLERK)
        qtbot.keyClicks(focused(), accounts.PASSWORD)
        typed.append(dialog.windowTitle())
        qtbot.keyClick(focused(), Qt.Key.Key_Return)

    steps = when_modal(SignInDialog, type_credentials)
    session = gui.start(DataPaths(data_dir), Language("id"), sync_config=SYNC)
    steps.raise_failure()
    assert isinstance(session, gui.Session), session
    assert typed == [translate("LAPOR! Desktop: sign in", "id")]
    qtbot.addWidget(session.window)
    qtbot.waitExposed(session.window)
    return session


def record_by_keyboard(qtbot: QtBot, window: MainWindow, citizen: Citizen) -> None:
    """One citizen at the desk: every field in the order of the conversation, then Ctrl+S."""
    page = window.intake
    assert page is not None
    assert focused() is page.form.classification
    incident = window.desk.context.office_today() - dt.timedelta(days=3)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # the first kind: pengaduan
    assert page.form.classification.currentData() == "pengaduan"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_and_tab(qtbot, citizen.title)
    type_and_tab(qtbot, f"{citizen.title}: dilaporkan warga sejak minggu lalu, belum ditangani.")
    type_and_tab(qtbot, incident.strftime("%d/%m/%Y"))
    qtbot.keyClicks(focused(), "daik")
    completer = page.form.region.completer()
    assert completer is not None
    popup = completer.popup()
    assert popup is not None and popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_and_tab(qtbot, "Jalan Pelabuhan, dekat pasar")
    type_and_tab(qtbot, "")  # no category
    type_and_tab(qtbot, "2104-DPUPR")
    type_and_tab(qtbot, "")  # channel: walk-in
    type_and_tab(qtbot, "")  # not urgent
    assert focused() is page.form.anonim.no
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_and_tab(qtbot, citizen.name)
    type_and_tab(qtbot, citizen.nik)
    type_and_tab(qtbot, citizen.phone)
    type_and_tab(qtbot, "")  # no email
    type_and_tab(qtbot, "Jl. Merdeka No. 5, Daik")
    assert focused() is page.form.rahasia.no
    qtbot.keyClick(focused(), Qt.Key.Key_Space)


def save_and_close_receipt(
    qtbot: QtBot, window: MainWindow, pdf: Path | None = None
) -> tuple[SaveOutcome, Path | None]:
    """Ctrl+S; a likely-duplicate warning is overridden; the receipt is saved as PDF if asked."""
    page = window.intake
    assert page is not None
    submitted: list[SaveOutcome] = []
    page.submitted.connect(lambda outcome, _print: submitted.append(outcome))
    page.duplicates_shown.connect(lambda warning: warning.accept())
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL)
    dialog = shown.args[0]
    assert isinstance(dialog, ReceiptDialog)
    saved = dialog.save_pdf(pdf) if pdf is not None else None
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    window.activateWindow()  # a window manager's job; offscreen there is none
    with qtbot.waitActive(window):  # the form has the keyboard again
        pass
    [outcome] = submitted
    return outcome, saved


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        return path.read_bytes().decode("latin-1")  # the registration number is still visible
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_front_desk_day_offline_and_online_reaches_lapor_and_brings_back_its_status(
    qtbot: QtBot,
    data_dir: Path,
    tmp_path: Path,
    server: RunningServer,
    proxy: FaultProxy,
    server_clock: ServerClock,
) -> None:
    session = sign_in_by_keyboard(qtbot, data_dir)
    window, sync = session.window, session.window.sync
    try:
        settle(qtbot, window.runner)
        wait_until(qtbot, sync.pass_finished, lambda: sync.passes >= 1)  # the first pass at start

        # Online: the first citizen's complaint, its receipt as PDF, sent at once.
        record_by_keyboard(qtbot, window, CITIZENS[0])
        first, pdf = save_and_close_receipt(qtbot, window, tmp_path / "tanda-terima.pdf")
        assert first.registration_number is not None and pdf is not None and pdf.is_file()
        text = pdf_text(pdf)
        assert first.registration_number in text
        if shutil.which("pdftotext") is not None:
            assert mask_nik(CITIZENS[0].nik) in text and CITIZENS[0].nik not in text
        wait_until(qtbot, sync.changed, lambda: server.state.store.copies_of(first.uuid) == 1)

        # The link goes down; two more citizens are served all the same.
        proxy.set_plan(DEAD_LINK)
        offline_after: list[SaveOutcome] = []
        for citizen in CITIZENS[1:]:
            record_by_keyboard(qtbot, window, citizen)
            offline_after.append(save_and_close_receipt(qtbot, window)[0])
        wait_until(qtbot, sync.changed, lambda: settled(sync, Connection.OFFLINE, pending=2))
        indicator = window.sync_bar.indicator.text()
        assert translate(Connection.OFFLINE.label, "id") in indicator
        assert " 2 " in indicator, indicator
        assert all(server.state.store.copies_of(o.uuid) == 0 for o in offline_after)

        # The link returns; the operator presses F5.
        proxy.set_plan(FaultPlan())
        passes = sync.passes
        qtbot.keyClick(window, Qt.Key.Key_F5)
        wait_until(
            qtbot,
            sync.changed,
            lambda: sync.passes > passes and settled(sync, Connection.ONLINE, pending=0),
        )
        assert all(server.state.store.copies_of(o.uuid) == 1 for o in offline_after)
        settle(qtbot, window.runner)
        model = window.model
        sent = translate(SyncState.SENT.label, "id")
        states = {model.summary(row).uuid: model.summary(row).sync_state for row in range(3)}
        assert states == {o.uuid: SyncState.SENT.value for o in (first, *offline_after)}
        row = model.row_of(first.uuid)
        assert row is not None
        assert model.index(row, 2).data() == sent

        # The national desk verifies the complaints: its clock moves past the verification step.
        qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
        with qtbot.waitSignal(window.detail_shown, timeout=10_000):
            window.open_complaint(first.uuid)
        server_clock.ahead = dt.timedelta(seconds=30)
        qtbot.keyClick(window, Qt.Key.Key_F5)

        def verified() -> bool:
            page: DetailPage | None = window.detail.page
            return page is not None and page.detail.summary.status == Status.VERIFIED.value

        wait_until(qtbot, window.detail_shown, verified)
        timeline = window.detail.timeline_texts()
        label = translate(Status.VERIFIED.label, "id")
        assert any(r[1] == label and r[3].startswith(VERIFIED_TEXT) for r in timeline), timeline
        assert window.detail.status.text() == label
        assert not (DataPaths(data_dir).root / "crash-reports").exists(), "no bug on the way"
    finally:
        session.close()
