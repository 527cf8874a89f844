"""One complaint in full: fields, complainant (as the role may see), files, deadlines, follow-ups.

The identity shown is what the lookup service returned: for a role that
may not see it the service sends a placeholder, which is shown as is.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.complaint import Channel, Classification
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.drafts import DiscardOutcome
from lapor_desktop.services.follow_ups import FollowUpOutcome
from ui.attachments_view import AttachmentsView
from ui.complaint_model import OVERDUE_COLOURS
from ui.detail_data import DetailPage
from ui.detail_timeline import TimelineTable
from ui.draft_discard import DISCARDED, DraftDiscard
from ui.errors import explain
from ui.fields import FieldError, set_role
from ui.formatting import EMPTY, enum_label, long_date, long_datetime
from ui.i18n import Texts
from ui.list_query import CHOOSE_ONE
from ui.style import ERROR_TEXT, sync_colours
from ui.tasks import TaskRunner

FIELDS = (
    ("classification", N_("Classification")),
    ("recorded", N_("Recorded")),
    ("incident_date", N_("Incident date")),
    ("region", N_("Region")),
    ("location", N_("Location")),
    ("category", N_("Category")),
    ("agency", N_("Target agency")),
    ("channel", N_("Channel")),
    ("visibility", N_("Anonymous / confidential")),
    ("tracking_id", N_("LAPOR! tracking ID")),
    ("fingerprint", N_("Receipt fingerprint")),
)
IDENTITY = (
    ("full_name", N_("Full name")),
    ("nik", N_("NIK")),
    ("phone", N_("Phone")),
    ("email", N_("Email")),
    ("address", N_("Address")),
)
OVERDUE = N_("{date} (overdue by {days} days)")
OVERDUE_ONE_DAY = N_("{date} (overdue by 1 day)")
OVERDUE_BADGE = N_("Overdue")
NO_FOLLOW_UPS = N_("No follow-up notes yet.")
FOLLOW_UP_ADDED = N_("Follow-up note added; it goes to LAPOR! with the next sync.")


class DetailView(QWidget):
    """Shows a :class:`DetailPage`; asks for the receipt or to continue a draft by signals."""

    receipt_requested = Signal(object)
    resume_requested = Signal(object)
    follow_up_added = Signal(str)
    """The complaint's UUID, once a note is saved and the page shows it."""

    def __init__(
        self,
        texts: Texts,
        timezone: str,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts = texts
        self._timezone = timezone
        self._runner = runner if runner is not None else TaskRunner(self)
        self._page: DetailPage | None = None
        self._discarded = False
        """The page went because its draft was discarded here: say so until another opens."""
        self.heading = set_role(QLabel(), "heading")
        self.status = QLabel()
        self.sync = QLabel()
        self.overdue_badge = QLabel()
        self.attachments = AttachmentsView(texts, self._runner)
        self.follow_ups = QLabel()
        self.follow_up_text = QPlainTextEdit()
        self.follow_up_button = QPushButton()
        self.follow_up_error = FieldError()
        self.values = {key: QLabel() for key, _ in FIELDS}
        self.identity_values = {key: QLabel() for key, _ in IDENTITY}
        self.identity_hidden = set_role(QLabel(), "hint")
        self._identity_rows: dict[str, QWidget] = {}
        self.description = QLabel()
        self.deadlines = QLabel()
        self.timeline = TimelineTable(texts, timezone)
        self.discard_button = DraftDiscard(texts, self._runner)
        self.receipt_button = QPushButton()
        self.resume_button = QPushButton()
        self.placeholder = set_role(QLabel(), "hint")
        self._body = QWidget()
        self._scroll = QScrollArea()
        self._lay_out()
        texts.language.changed.connect(self._render)
        self.receipt_button.clicked.connect(lambda: self.receipt_requested.emit(self._page))
        self.resume_button.clicked.connect(self._resume_clicked)
        self.follow_up_button.clicked.connect(self.add_follow_up)
        self.discard_button.done.connect(self._discard_done)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.follow_up_text)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.add_follow_up)
        self.show_page(None)

    @property
    def page(self) -> DetailPage | None:
        return self._page

    def show_page(self, page: DetailPage | None, hint: Message | None = None) -> None:
        """A complaint, or nothing and why (``hint``; by default: choose one in the list)."""
        self._discarded = self._discarded and page is None
        if self._discarded and hint is None:
            hint = Message(DISCARDED)
        self._page = page
        self._texts.show("placeholder", self.placeholder.setText, hint or Message(CHOOSE_ONE))
        self._render()

    def timeline_texts(self) -> list[list[str]]:
        return self.timeline.texts()

    def add_follow_up(self) -> None:
        """Save the typed note through the core, then show the page again with it."""
        page = self._page
        if page is None or page.actions is None:
            return
        actions, text = page.actions, self.follow_up_text.toPlainText()
        self.follow_up_button.setEnabled(False)

        def work() -> tuple[FollowUpOutcome, DetailPage | None]:
            outcome = actions.add_follow_up(text)
            return outcome, actions.reload() if outcome.problem is None else None

        self._runner.run(work, lambda result: self._follow_up_done(*result), self._follow_up_failed)

    def _follow_up_done(self, outcome: FollowUpOutcome, page: DetailPage | None) -> None:
        self.follow_up_button.setEnabled(True)
        if outcome.problem is not None:
            self._texts.show("follow_up.error", self.follow_up_error.setText, outcome.problem)
            return
        self.follow_up_text.clear()
        if page is not None:
            self.show_page(page)
        set_role(self.follow_up_error, "status-ok")
        self._texts.show("follow_up.error", self.follow_up_error.setText, Message(FOLLOW_UP_ADDED))
        self.follow_up_added.emit(page.detail.summary.uuid if page else "")

    def _follow_up_failed(self, error: BaseException) -> None:
        self.follow_up_button.setEnabled(True)
        message, is_bug = explain(error)
        set_role(self.follow_up_error, "error")
        self._texts.show("follow_up.error", self.follow_up_error.setText, message)
        if is_bug:
            self._runner.failed.emit(error)

    def _discard_done(self, outcome: DiscardOutcome) -> None:
        if outcome.discarded:
            self._discarded = True
            self.show_page(None)

    def _resume_clicked(self) -> None:
        if self._page is not None:
            self.resume_requested.emit(self._page.detail)

    def _render(self) -> None:
        page = self._page
        self._scroll.setVisible(page is not None)
        self.placeholder.setVisible(page is None)
        if page is None:
            return
        t, detail = self._texts, page.detail
        summary = detail.summary
        lang = t.language.code
        number = summary.registration_number or t.text(N_("(draft)"))
        self.heading.setText(f"{number} · {summary.title}")
        self.status.setText(enum_label(Status, summary.status, lang))
        fill, ink = sync_colours(summary.sync_state)
        self.sync.setText(t.render(page.sync_label))
        self.sync.setStyleSheet(f"background: {fill}; color: {ink}; padding: 2px 6px;")
        ask = page.is_draft  # a draft's "no" may be a question not asked yet
        named = N_("with name or anonymous: ask again") if ask else N_("with name")
        public = N_("public or confidential: ask again") if ask else N_("public")
        visibility = [
            t.text(N_("anonymous")) if summary.anonim else t.text(named),
            t.text(N_("confidential")) if summary.rahasia else t.text(public),
        ]
        if detail.urgent:
            visibility.append(t.text(N_("urgent")))
        values = {
            "classification": enum_label(Classification, summary.classification, lang),
            "recorded": long_datetime(summary.created_at, self._timezone, lang),
            "incident_date": long_date(summary.incident_date, lang)
            if summary.incident_date
            else EMPTY,
            "region": page.view.region_name,
            "location": detail.location_text,
            "category": page.view.category_name,
            "agency": page.view.agency_name,
            "channel": enum_label(Channel, detail.channel, lang),
            "visibility": ", ".join(visibility),
            "tracking_id": summary.tracking_id or t.text(N_("not yet (not sent)")),
            "fingerprint": page.fingerprint or t.text(N_("not yet (no receipt from LAPOR!)")),
        }
        for key, label in self.values.items():
            label.setText(values[key] or EMPTY)
        self._render_identity(page)
        self.description.setText(detail.description or EMPTY)
        self.attachments.show_files(
            detail.attachments, page.actions, allowed=detail.identity_hidden is None
        )
        self._render_deadlines(page)
        self._render_follow_ups(page)
        self.timeline.show_events(page.detail.timeline)
        self.receipt_button.setVisible(not page.is_draft)
        self.discard_button.offer(page.actions.discard if page.actions else None)
        self.resume_button.setVisible(page.is_draft and detail.identity_hidden is None)

    def _render_identity(self, page: DetailPage) -> None:
        detail = page.detail
        hidden = detail.identity_hidden
        self.identity_hidden.setVisible(hidden is not None or detail.summary.anonim)
        if hidden is not None:
            self.identity_hidden.setText(self._texts.text(hidden))
        elif detail.summary.anonim:
            self.identity_hidden.setText(
                self._texts.text(N_("Anonymous: never print or pass on this identity."))
            )
        for key, label in self.identity_values.items():
            value = getattr(detail.identity, key) if hidden is None else ""
            label.setText(value or EMPTY)
            self._identity_rows[key].setVisible(hidden is None)

    def _render_follow_ups(self, page: DetailPage) -> None:
        t, lang = self._texts, self._texts.language.code
        notes = page.detail.follow_ups
        if not notes:
            self.follow_ups.setText(t.text(NO_FOLLOW_UPS))
        else:
            self.follow_ups.setText(
                "<br>".join(
                    f"<b>{html.escape(long_datetime(n.created_at, self._timezone, lang))} · "
                    f"{html.escape(n.author)}</b><br>" + html.escape(n.text).replace("\n", "<br>")
                    for n in notes
                )
            )
        self.follow_up_text.setVisible(page.actions is not None)
        self.follow_up_button.setVisible(page.actions is not None)
        if self.follow_up_error.property("role") == "error":
            self._texts.show("follow_up.error", self.follow_up_error.setText, None)

    def _render_deadlines(self, page: DetailPage) -> None:
        t, lang = self._texts, self._texts.language.code
        fill, ink = OVERDUE_COLOURS
        self.overdue_badge.setVisible(bool(page.view.missed))
        self.overdue_badge.setText(t.text(OVERDUE_BADGE))
        self.overdue_badge.setStyleSheet(
            f"background: {fill}; color: {ink}; padding: 2px 6px; font-weight: bold;"
        )
        if page.view.deadlines is None:
            self.deadlines.setText(t.text(N_("Deadlines start when the complaint is saved.")))
            return
        rows: list[str] = []
        for deadline in page.view.deadline_views:
            text = long_date(deadline.due_on, lang)
            if deadline.missed:
                late = OVERDUE_ONE_DAY if deadline.days_late == 1 else OVERDUE
                text = t.text(late, date=text, days=deadline.days_late)
                text = f"<b style='color:{ERROR_TEXT}'>{text}</b>"
            rows.append(f"{t.text(deadline.label)}: {text}")
        self.deadlines.setText("<br>".join(rows))

    def _lay_out(self) -> None:
        t = self._texts
        t.bind(self.receipt_button.setText, N_("&Receipt"))
        t.bind(self.resume_button.setText, N_("&Continue this draft"))
        wrapped = (*self.values.values(), *self.identity_values.values(), self.placeholder)
        for label in (*wrapped, self.description, self.deadlines, self.identity_hidden):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading.setWordWrap(True)
        badges = QHBoxLayout()
        badges.addWidget(self.status)
        badges.addWidget(self.sync)
        badges.addWidget(self.overdue_badge)
        badges.addStretch(1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.discard_button)
        actions.addWidget(self.resume_button)
        actions.addWidget(self.receipt_button)
        fields = QFormLayout()
        for key, msgid in FIELDS:
            fields.addRow(self._label(msgid), self.values[key])
        identity_box = QGroupBox()
        t.bind(identity_box.setTitle, N_("Complainant"))
        identity = QVBoxLayout(identity_box)
        identity.addWidget(self.identity_hidden)
        for key, msgid in IDENTITY:
            row = self._identity_rows[key] = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            name = self._label(msgid)
            name.setMinimumWidth(110)
            line.addWidget(name)
            line.addWidget(self.identity_values[key], 1)
            identity.addWidget(row)
        body = QVBoxLayout(self._body)
        body.addWidget(self.heading)
        body.addLayout(badges)
        body.addLayout(actions)
        body.addLayout(fields)
        body.addWidget(identity_box)
        t.bind(self.follow_up_text.setPlaceholderText, N_("A new note from the citizen"))
        t.bind(self.follow_up_button.setText, N_("A&dd follow-up (Ctrl+Enter)"))
        self.follow_up_text.setTabChangesFocus(True)
        self.follow_up_text.setMaximumHeight(80)
        self.follow_up_button.setAutoDefault(False)
        self.follow_ups.setWordWrap(True)
        self.follow_ups.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        follow_ups = QWidget()
        notes = QVBoxLayout(follow_ups)
        notes.setContentsMargins(0, 0, 0, 0)
        notes.addWidget(self.follow_ups)
        notes.addWidget(self.follow_up_text)
        add = QHBoxLayout()
        add.addWidget(self.follow_up_error, 1)
        add.addStretch(1)
        add.addWidget(self.follow_up_button)
        notes.addLayout(add)
        for msgid, widget in (
            (N_("What happened"), self.description),
            (N_("Attachments"), self.attachments),
            (N_("Deadlines"), self.deadlines),
            (N_("Follow-up notes"), follow_ups),
            (N_("Timeline"), self.timeline),
        ):
            box = QGroupBox()
            t.bind(box.setTitle, msgid)
            QVBoxLayout(box).addWidget(widget)
            body.addWidget(box)
        body.addStretch(1)
        self._scroll.setWidgetResizable(True)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._scroll.setWidget(self._body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self._scroll, 1)

    def _label(self, msgid: str) -> QLabel:
        label = QLabel()
        self._texts.bind(label.setText, msgid)
        return label
