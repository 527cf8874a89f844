"""The "Bundel" page: an island desk seals its outbox by keyboard, a second desk relays it.

Real desks on SQLite files, real bundle files in a temporary "stick"; only the folder and
file choosers are replaced (as the recap test replaces its save dialog). The national
bundle key is given the way IT gives it to a desk that never went online
(``bundle keys --national-key``); the relay never opens the bundle, so no server is needed
until the relay syncs (tests/test_bundle_trip.py drives that part).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import translate
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import device_keys
from lapor_desktop.services.bundle_outbox import bundle_overview
from lapor_desktop.services.bundle_views import IN_BUNDLE, office_day
from lapor_desktop.services.context import Actor
from lapor_desktop.settings import OfficeSettings
from sync.bundles.incoming import Imported, ImportResult
from sync.bundles.problems import BundleProblem
from tests.support import accounts, samples
from tests.support.clock import FakeClock
from tests.support.reference_server import OTHER_OFFICE
from tests.ui.desk_window import open_window, settle
from ui.bundle_page import MAY_NOT_CARRY, BundlePage
from ui.bundle_tab import BUNDLES_TAB
from ui.complaint_model import SYNC_COLUMN
from ui.i18n import Language
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
TIMEOUT = 20_000


def national_key() -> str:
    """A national bundle key as IT would paste it (base64 of a raw X25519 public key)."""
    public = X25519PrivateKey.generate().public_key()
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


@pytest.fixture
def island(sqlite_desk: Desk, sqlite_clerk: Actor) -> Desk:
    """The island desk: three complaints waiting for a network that never comes."""
    with sqlite_desk.database.write() as session:
        assert (
            device_keys.set_national_bundle_key(
                session, national_key(), now=sqlite_desk.context.now()
            )
            is None
        )
    for title in ("Jembatan kayu di Desa Mentuda patah", "Lampu jalan mati di Dabo"):
        assert sqlite_desk.intake.submit(samples.valid_form(title=title), actor=sqlite_clerk).queued
    return sqlite_desk


@pytest.fixture
def boss(island: Desk) -> Actor:
    return accounts.sign_in_supervisor(island).actor


@pytest.fixture
def relay(tmp_path: Path, clock: FakeClock) -> Iterator[Desk]:
    """A desk of another office, with a connection (Karimun)."""
    paths = DataPaths(tmp_path / "relay").ensure()
    desk = accounts.initialise_desk(paths, OfficeSettings(OTHER_OFFICE, "Kabupaten Karimun"), clock)
    yield desk
    desk.close()


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "flashdisk"
    folder.mkdir()
    return folder


def cell(page: BundlePage, row: int, column: int) -> str:
    item = page.table.item(row, column)
    assert item is not None
    return item.text()


def press(qtbot: QtBot, page: BundlePage, button: object, signal: object) -> object:
    """Tab to ``button`` as the operator does and press Space; the page's answer."""
    button.setFocus(Qt.FocusReason.TabFocusReason)  # type: ignore[attr-defined]
    with qtbot.waitSignal(signal, timeout=TIMEOUT) as answered:
        qtbot.keyClick(button, Qt.Key.Key_Space)
    settle(qtbot, page._runner)
    return answered.args[0]


def make_bundle(qtbot: QtBot, window: MainWindow, stick: Path) -> list[Path]:
    page = window.bundles
    page.choose_folder = lambda _parent, _title: stick
    qtbot.keyClick(window, Qt.Key.Key_U, CTRL)
    assert window.tabs.currentWidget() is page
    assert QApplication.focusWidget() is page.make_button
    with qtbot.waitSignal(page.exported, timeout=TIMEOUT) as made:
        qtbot.keyClick(page.make_button, Qt.Key.Key_Space)
    settle(qtbot, window.runner)
    assert not isinstance(made.args[0], BundleProblem), made.args[0]
    return list(made.args[0].paths)


def test_a_supervisor_makes_a_bundle_by_keyboard_and_the_list_says_it_is_carried(
    qtbot: QtBot, island: Desk, boss: Actor, language: Language, stick: Path
) -> None:
    window = open_window(qtbot, island, boss, language)
    try:
        tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert translate(BUNDLES_TAB, "id") in tabs
        paths = make_bundle(qtbot, window, stick)
        page = window.bundles

        assert [p.name for p in paths] == ["LAPOR-2104-B0001-1dari1.laporbundle"]
        assert paths[0].is_file()
        assert "LAPOR-2104-B0001-1dari1.laporbundle" in page.result.text()
        assert page.table.rowCount() == 1
        assert cell(page, 0, 0) == "1"
        assert cell(page, 0, 1) == translate("made here", "id")
        assert cell(page, 0, 3) == translate("carried", "id")
        assert cell(page, 0, 5) == "2 / 0 / 0"
        assert "2" in page.in_transit.text() and page.in_transit.text().count("1") >= 1
        assert page.in_transit.text() in window.sync_panel.bundles.text()

        with island.database.read() as session:
            (row,) = bundle_overview(session)
        day = office_day(row.carried_since, island.context.office.timezone)
        carried = translate(IN_BUNDLE, "id").format(sequence=1, date=day)
        window.show_list()
        settle(qtbot, window.runner)
        model = window.model
        shown = {model.data(model.index(r, SYNC_COLUMN)) for r in range(model.rowCount())}
        assert shown == {carried}

        uuid = model.data(model.index(0, 0), Qt.ItemDataRole.UserRole)
        with qtbot.waitSignal(window.detail_shown, timeout=TIMEOUT):
            window.open_complaint(uuid)
        assert window.detail.sync.text() == carried

        qtbot.keyClick(window, Qt.Key.Key_U, CTRL)
        again = press(qtbot, page, page.make_button, page.exported)
        assert isinstance(again, BundleProblem), "what bundle 1 carries is not bundled twice"
        assert not page.problem.isHidden() and page.problem.text() == again.message.render("id")
        assert page.table.rowCount() == 1
    finally:
        window.close()


def test_a_relay_desk_queues_the_bundle_and_refuses_a_cut_file_changing_nothing(
    qtbot: QtBot,
    island: Desk,
    boss: Actor,
    relay: Desk,
    language: Language,
    stick: Path,
    tmp_path: Path,
) -> None:
    home = open_window(qtbot, island, boss, language)
    try:
        volumes = make_bundle(qtbot, home, stick)
    finally:
        home.close()
    relay_boss = accounts.sign_in_supervisor(relay).actor
    window = open_window(qtbot, relay, relay_boss, language)
    try:
        page = window.bundles
        qtbot.keyClick(window, Qt.Key.Key_U, CTRL)
        page.max_mb.setValue(5.0)
        page.again.setChecked(True)

        cut = tmp_path / "rusak" / volumes[0].name
        cut.parent.mkdir()
        cut.write_bytes(volumes[0].read_bytes()[:-7])
        page.choose_files = lambda _parent, _title, _filter: [cut]
        refused = press(qtbot, page, page.import_button, page.imported)
        assert isinstance(refused, BundleProblem)
        assert not page.problem.isHidden() and page.problem.text() == refused.message.render("id")
        assert page.table.rowCount() == 0
        assert (page.max_mb.value(), page.again.isChecked()) == (5.0, True), "choices stay"
        assert not (relay.paths.root / "relay").exists() or not any(
            (relay.paths.root / "relay").glob("*.envelope")
        )

        page.choose_files = lambda _parent, _title, _filter: volumes
        taken = press(qtbot, page, page.import_button, page.imported)
        assert isinstance(taken, ImportResult) and taken.kind is Imported.RELAY
        assert page.problem.isHidden()
        assert "2104" in page.result.text()
        assert page.table.rowCount() == 1
        assert cell(page, 0, 1) == translate("relayed", "id")
        assert cell(page, 0, 3) == translate("waiting to be sent", "id")

        twice = press(qtbot, page, page.import_button, page.imported)
        assert isinstance(twice, ImportResult) and twice.kind is Imported.RELAY_AGAIN
        assert page.table.rowCount() == 1
    finally:
        window.close()


def test_a_front_desk_officer_sees_the_bundles_but_may_not_carry_them(
    qtbot: QtBot, island: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    window = open_window(qtbot, island, sqlite_clerk, language)
    try:
        qtbot.keyClick(window, Qt.Key.Key_U, CTRL)
        page = window.bundles
        assert window.tabs.currentWidget() is page
        buttons = (page.make_button, page.import_button, page.copy_button)
        assert not any(b.isEnabled() for b in buttons)
        labels = [w.text() for w in page.findChildren(type(page.in_transit))]
        assert translate(MAY_NOT_CARRY, "id") in labels
    finally:
        window.close()


def test_the_guide_pictures_render_at_1366x768(
    qtbot: QtBot,
    island: Desk,
    boss: Actor,
    relay: Desk,
    language: Language,
    stick: Path,
    tmp_path: Path,
) -> None:
    """The pictures of docs/panduan.md section 7; refresh them with
    LAPOR_PANDUAN_SHOTS=docs/img/panduan pytest tests/ui/test_gui_bundles.py -k guide."""
    folder = Path(os.environ.get("LAPOR_PANDUAN_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)

    def shot(window: MainWindow, name: str) -> None:
        QApplication.processEvents()
        assert window.grab().save(str(folder / f"{name}.png"))

    def laptop(desk: Desk, actor: Actor) -> MainWindow:
        window = open_window(qtbot, desk, actor, language)
        window.place(QRect(0, 0, 1366, 728))
        window.resize(1366, 728)  # a 1366x768 laptop less its taskbar
        return window

    home = laptop(island, boss)
    try:
        page = home.bundles
        page.max_mb.setValue(20.0)
        volumes = make_bundle(qtbot, home, stick)
        shot(home, "bundel_dibuat")
        home.show_list()
        settle(qtbot, home.runner)
        uuid = home.model.data(home.model.index(0, 0), Qt.ItemDataRole.UserRole)
        with qtbot.waitSignal(home.detail_shown, timeout=TIMEOUT):
            home.open_complaint(uuid)
        settle(qtbot, home.runner)
        shot(home, "bundel_daftar")
    finally:
        home.close()
    window = laptop(relay, accounts.sign_in_supervisor(relay).actor)
    try:
        page = window.bundles
        qtbot.keyClick(window, Qt.Key.Key_U, CTRL)
        page.choose_files = lambda _parent, _title, _filter: volumes
        assert isinstance(press(qtbot, page, page.import_button, page.imported), ImportResult)
        shot(window, "bundel_titipan")
    finally:
        window.close()
