"""The "Bundel" page: offline bundles carried by USB stick or phone (docs/bundles.md).

The same steps as ``lapor-desktop bundle``, in its words: make a bundle of what waits (for
LAPOR!, or for the parent office on a district desk), import one (relay it, take a district's
hand-over, or record a return), copy the return bundles a relay received, and on a parent
desk write a district's answer.
Sealing and reading a bundle of tens of megabytes runs on the database worker, so the
window never freezes; a refused bundle shows why and changes nothing, and the size and
the checkbox the operator chose stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import office_peers
from lapor_desktop.services.bundle_outbox import bundle_overview
from lapor_desktop.services.bundle_records import BundleRow
from lapor_desktop.services.bundle_views import in_transit, waiting_complaints
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.context import Actor
from sync.bundles.carry_back import Copied, copy_returns
from sync.bundles.export import Exported, export_bundle
from sync.bundles.handover import Answered, answer_district
from sync.bundles.incoming import Imported, ImportResult, import_bundle
from sync.bundles.problems import BundleProblem
from ui.bundle_choosers import (
    DistrictChooser,
    FilesChooser,
    FolderChooser,
    choose_district_with_dialog,
    choose_files_with_dialog,
    choose_folder_with_dialog,
    number_locale,
)
from ui.bundle_table import BundleTable
from ui.fields import FieldError, set_role
from ui.i18n import Texts
from ui.tasks import TaskRunner

MAY_NOT_CARRY = N_(
    "Only a supervisor or IT staff may make, import or copy bundles; you can see them here."
)
WRITTEN = N_(
    "Bundle {sequence} written: {complaints} complaints, {attachments} files, "
    "{follow_ups} follow-ups in {volumes} file(s):"
)
CARRY_ALL = N_(
    "Carry every file to a desk with a connection. They stay waiting here too: if the "
    "network comes back first, they are sent as usual and nothing is sent twice."
)
RELAY_QUEUED = N_(
    "Bundle {sequence} of office {office} is on the relay lane: the next sync sends it to "
    "LAPOR! and writes the return bundle for the trip back (Copy return bundles...)."
)
ALREADY_HERE = N_("Bundle {sequence} of office {office} was already here: nothing was added.")
RETURN_RECORDED = N_(
    "Return bundle for bundle {sequence} recorded: {sent} received by LAPOR!, "
    "{already} known before, {conflicts} conflicts, {rejected} refused, "
    "{attachments} files, {follow_ups} follow-ups, {changes} status changes."
)
TAKEN_IN = N_("Bundle {sequence} of office {office} was taken in.")
COPIED = N_("{count} return bundle file(s) copied.")
ANSWERED = N_(
    "Return bundle for office {office} written: {sent} complaints with a tracking ID, "
    "{waiting} still waiting:"
)
WHICH_DISTRICT = N_("Answer which district office?")
WORKING = N_("Working on the bundle… the window stays usable.")
BUNDLE_FILES = N_("Bundles (*.laporbundle)")


class BundlePage(QWidget):
    """``shown`` with the rows read; ``exported``/``imported``/``copied``/``answered`` with each
    answer (a BundleProblem when refused), for tests and tours; ``transit`` with the sentences."""

    shown = Signal(object)
    exported = Signal(object)
    imported = Signal(object)
    copied = Signal(object)
    answered = Signal(object)
    transit = Signal(object)

    def __init__(
        self,
        texts: Texts,
        desk: Desk,
        actor: Actor,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.texts, self._desk, self._actor, self._runner = texts, desk, actor, runner
        language = texts.language
        self.choose_folder: FolderChooser = lambda parent, title: choose_folder_with_dialog(
            parent, title, language
        )
        self.choose_files: FilesChooser = lambda parent, title, kinds: choose_files_with_dialog(
            parent, title, kinds, language
        )
        self.choose_district: DistrictChooser = lambda parent, title, offices: (
            choose_district_with_dialog(parent, title, offices, texts.text(WHICH_DISTRICT))
        )
        self.may_carry = allows(actor.role, Permission.CARRY_BUNDLES)
        self.in_transit = set_role(QLabel(), "heading")
        self.table = BundleTable(texts, desk.context.office.timezone)
        self.max_mb = QDoubleSpinBox()
        self.again, self.to_parent = QCheckBox(), QCheckBox()
        self.make_button, self.import_button = QPushButton(), QPushButton()
        self.copy_button, self.answer_button = QPushButton(), QPushButton()
        self._districts: tuple[str, ...] = ()
        self.result = QLabel()
        self.problem = FieldError()
        self._transit: tuple[Message, ...] = ()
        self._said: tuple[tuple[Message, ...], tuple[str, ...]] = ((), ())
        self._lay_out()
        self.make_button.clicked.connect(self.make_bundle)
        self.import_button.clicked.connect(self.import_bundle)
        self.copy_button.clicked.connect(self.copy_returns)
        self.answer_button.clicked.connect(self.answer_district)
        texts.language.changed.connect(lambda _code: self._render())
        texts.language.changed.connect(self._follow_language)
        self._follow_language(texts.language.code)

    # -- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        database = self._desk.database

        def read() -> tuple[list[BundleRow], dict[str, int], str | None, tuple[str, ...]]:
            with database.read() as session:
                rows = bundle_overview(session)
                parent = office_peers.parent(session)
                districts = tuple(p.office_code for p in office_peers.trusted_districts(session))
            office = parent.office_code if parent is not None else None
            return rows, waiting_complaints(database), office, districts

        self._runner.run(read, lambda answer: self._show(*answer))

    def show_changes(self, changes: DeskChanges) -> None:
        """A bundle was made, taken in, relayed or answered (here or by a sync pass)."""
        if changes.bundles or changes.everything:
            self.reload()

    def focus(self) -> None:
        first = self.make_button if self.may_carry else self.table
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- the three steps, each on the worker --------------------------------------------

    def make_bundle(self) -> None:
        folder = self.choose_folder(self, self.texts.text(N_("Where to write the bundle")))
        if folder is None:
            return
        megabytes = self.max_mb.value()
        limit = int(megabytes * 1024 * 1024) if megabytes > 0 else None
        again, context, actor = self.again.isChecked(), self._desk.context, self._actor
        to_parent = self.to_parent.isVisibleTo(self) and self.to_parent.isChecked()

        def work() -> Exported:
            return export_bundle(
                context,
                folder,
                actor=actor,
                max_volume_bytes=limit,
                again=again,
                to_parent=to_parent,
            )

        self._start(work, self._exported, self.exported)

    def import_bundle(self) -> None:
        title = self.texts.text(N_("Every file of one bundle"))
        files = self.choose_files(self, title, self.texts.text(BUNDLE_FILES))
        if not files:
            return
        desk, actor = self._desk, self._actor
        context = desk.context

        def work() -> ImportResult:
            return import_bundle(
                context, context.office.national, desk.paths.root, files, actor=actor
            )

        self._start(work, self._imported, self.imported)

    def copy_returns(self) -> None:
        folder = self.choose_folder(self, self.texts.text(N_("Where to copy the return bundles")))
        if folder is None:
            return
        context, root, actor = self._desk.context, self._desk.paths.root, self._actor

        def work() -> Copied:
            return copy_returns(context, root, folder, actor=actor)

        self._start(work, self._copied, self.copied)

    def answer_district(self) -> None:
        """On a parent desk: everything known of one district's complaints, for the trip back."""
        title = self.texts.text(N_("Answer a district office"))
        office = self.choose_district(self, title, self._districts)
        if office is None:
            return
        folder = self.choose_folder(self, self.texts.text(N_("Where to write the bundle")))
        if folder is None:
            return
        context, actor = self._desk.context, self._actor

        def work() -> Answered:
            return answer_district(context, office, folder, actor=actor)

        self._start(work, self._answered, self.answered)

    # -- answers, on the GUI thread ------------------------------------------------------

    def _start(
        self, work: Callable[[], object], done: Callable[[object], None], signal: SignalInstance
    ) -> None:
        self._set_working(True)
        self._say((Message(WORKING),))

        def failed(error: BaseException) -> None:
            self._set_working(False)
            if isinstance(error, BundleProblem):
                self._say(())
                self.texts.show("bundle-problem", self.problem.setText, error.message)
                signal.emit(error)
            else:
                self._say(())
                self._runner.failed.emit(error)

        def succeeded(answer: object) -> None:
            self._set_working(False)
            self.texts.show("bundle-problem", self.problem.setText, None)
            done(answer)
            self.reload()
            signal.emit(answer)

        self._runner.run(work, succeeded, failed)

    def _exported(self, made: object) -> None:
        assert isinstance(made, Exported)
        counts = {"sequence": made.sequence, "volumes": len(made.paths), **made.counts}
        written = (Message(WRITTEN, counts), Message(CARRY_ALL))
        self._say(written, tuple(f"  {path}" for path in made.paths))

    def _imported(self, taken: object) -> None:
        assert isinstance(taken, ImportResult)
        place = {"sequence": taken.sequence, "office": taken.origin_office}
        if taken.kind is Imported.RELAY:
            self._say((Message(RELAY_QUEUED, place),))
        elif taken.kind is Imported.RELAY_AGAIN:
            self._say((Message(ALREADY_HERE, place),))
        elif taken.kind is Imported.RETURN and taken.summary is not None:
            counts = {"sequence": taken.sequence, **taken.summary.counts()}
            self._say((Message(RETURN_RECORDED, counts),))
        else:
            self._say((Message(TAKEN_IN, place),))

    def _copied(self, copied: object) -> None:
        assert isinstance(copied, Copied)
        paths = copied.paths
        self._say((Message(COPIED, {"count": len(paths)}),), tuple(f"  {p}" for p in paths))

    def _answered(self, made: object) -> None:
        assert isinstance(made, Answered)
        counts = {"office": made.office, "sent": made.sent, "waiting": made.waiting}
        self._say((Message(ANSWERED, counts),), tuple(f"  {p}" for p in made.paths))

    def _show(
        self,
        rows: list[BundleRow],
        waiting: dict[str, int],
        parent: str | None,
        districts: tuple[str, ...],
    ) -> None:
        """The rows; the parent checkbox on a district desk, the answer button on a parent's."""
        if parent is not None and not self.to_parent.isVisibleTo(self):
            self.to_parent.setChecked(True)  # a district desk's usual way; it may choose LAPOR!
        self.to_parent.setVisible(parent is not None)
        self.to_parent.setToolTip(parent or "")
        self._districts = districts
        self.answer_button.setVisible(bool(districts))
        self.table.show_rows(rows)
        self._transit = in_transit(rows, waiting, self._desk.context.office.timezone)
        self._render()
        self.transit.emit(self._transit)
        self.shown.emit(rows)

    def _say(self, messages: Sequence[Message], lines: Sequence[str] = ()) -> None:
        self._said = (tuple(messages), tuple(lines))
        self._render()

    def _render(self) -> None:
        t = self.texts
        self.in_transit.setText("\n".join(t.render(m) for m in self._transit))
        messages, lines = self._said
        self.result.setText("\n".join([*(t.render(m) for m in messages), *lines]))
        self.result.setVisible(bool(messages or lines))

    def _follow_language(self, code: str) -> None:
        """Sizes in the desk's language: "20,0 MB" in Indonesian (a decimal comma)."""
        self.max_mb.setLocale(number_locale(code))

    def _set_working(self, working: bool) -> None:
        buttons = (self.make_button, self.import_button, self.copy_button, self.answer_button)
        for button in buttons:
            button.setEnabled(self.may_carry and not working)

    def showEvent(self, event: QShowEvent) -> None:
        """A sync pass may have relayed a bundle meanwhile."""
        super().showEvent(event)
        self.reload()

    def _lay_out(self) -> None:
        t = self.texts
        self.in_transit.setWordWrap(True)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        self.max_mb.setRange(0, 4096)
        self.max_mb.setDecimals(1)
        self.max_mb.setSuffix(" MB")
        size = QLabel()
        t.bind(size.setText, N_("&Largest file (0 = no limit)"))
        size.setBuddy(self.max_mb)
        t.bind(self.again.setText, N_("Also what earlier bundles &carry (a lost stick)"))
        t.bind(self.to_parent.setText, N_("For the &parent office (hand-over)"))
        t.bind(self.answer_button.setText, N_("A&nswer a district office..."))
        self.to_parent.hide()
        self.answer_button.hide()
        t.bind(self.make_button.setText, N_("Ma&ke bundle..."))
        t.bind(self.import_button.setText, N_("&Import bundle..."))
        t.bind(self.copy_button.setText, N_("Copy &return bundles..."))
        options = QHBoxLayout()
        for widget in (size, self.max_mb, self.again, self.to_parent):
            options.addWidget(widget)
        options.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.make_button, self.import_button, self.copy_button, self.answer_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.in_transit)
        if not self.may_carry:
            note = QLabel()
            note.setWordWrap(True)
            t.bind(note.setText, MAY_NOT_CARRY)
            layout.addWidget(note)
            for widget in (size, self.max_mb, self.again, self.to_parent):
                widget.setEnabled(False)
        layout.addLayout(options)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.result)
        layout.addWidget(self.table, 1)
        self._set_working(False)
