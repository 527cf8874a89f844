"""The handover panel: one started complaint, copied field by field into the LAPOR! website.

Above, what to copy (``website_fields``) and the files to upload; below, always in view,
"Buka situs LAPOR!", the tracking ID that LAPOR! shows (paste, Enter) and Cancel. A
submission left unfinished first asks the operator to look at LAPOR!. After the tracking ID
is recorded: the text for the citizen and the receipt with the tracking ID.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.website_handover import Handover
from lapor_desktop.services.website_records import Recorded
from ui.fields import FieldError, set_role
from ui.formatting import short_datetime
from ui.i18n import Texts
from ui.website_fields import FORM_KEYS, IDENTITY_KEYS, HandoverFields

UrlOpener = Callable[[QUrl], bool]

TYPING = N_("Typing complaint {registration_number} into LAPOR! (started {since})")
CHECK_FIRST = N_(
    "This complaint was started before and never finished: it may already be at LAPOR!. "
    "Look for it there first (search for its title), then say what you found."
)
NO_BROWSER = N_(
    "This PC could not open a browser. Open one yourself and go to {address} "
    "(the address is on the clipboard)."
)
NO_FOLDER = N_("The folder could not be opened; it is {folder}")
COPIED = N_("{field} is on the clipboard: paste it into LAPOR! (Ctrl+V).")
DONE = N_(
    "Recorded: complaint {registration_number} reached LAPOR! with tracking ID {tracking_id}."
)
NO_FILES = N_("No files to upload.")
NOT_SENT_NOTED = N_("Noted: it is not at LAPOR!. Type it in now.")


class WebsitePanel(QWidget):
    """Asks the page to record, cancel, confirm not sent or reprint; opens what it can itself.

    ``scope`` is the widget whose focus the copy keys follow (the whole page).
    """

    record_requested = Signal(str)
    cancel_requested = Signal()
    not_sent_confirmed = Signal()
    reprint_requested = Signal()
    back_requested = Signal()

    def __init__(
        self,
        texts: Texts,
        timezone: str,
        address: Callable[[], str],
        scope: QWidget,
        *,
        open_url: UrlOpener,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts, self._timezone, self._address = texts, timezone, address
        self.open_url = open_url
        self.handover: Handover | None = None
        self.recorded: Recorded | None = None
        self.stack = QStackedWidget()
        self.empty = set_role(QLabel(), "hint")
        self.heading = set_role(QLabel(), "heading")
        self.check_box = QWidget()
        self.check_text = set_role(QLabel(), "status-warn")
        self.found_button = QPushButton()
        self.not_sent_button = QPushButton()
        self.fields = HandoverFields(texts)
        self.files_list = QLabel()
        self.folder = QLabel()
        self.folder_button = QPushButton()
        self.open_site_button = QPushButton()
        self.site_problem = FieldError()
        self.tracking = QLineEdit()
        self.record_button = QPushButton()
        self.tracking_error = FieldError()
        self.cancel_button = QPushButton()
        self.status = set_role(QLabel(), "hint")
        self.done_text = set_role(QLabel(), "heading")
        self.citizen_text = QPlainTextEdit()
        self.copy_citizen_button = QPushButton()
        self.reprint_button = QPushButton()
        self.back_button = QPushButton()
        self._lay_out()
        self._connect(scope)
        texts.language.changed.connect(lambda _code: self._retranslate())
        self.show_empty()

    # -- what the page tells it ----------------------------------------------------------

    def show_empty(self, message: Message | None = None) -> None:
        self.handover = self.recorded = None
        self.fields.show_handover(None)
        hint = N_("Choose a complaint in the queue and press Enter to start typing it.")
        self._texts.show("website-empty", self.empty.setText, message or Message(hint))
        self.stack.setCurrentIndex(0)

    def show_handover(self, handover: Handover) -> None:
        """A new complaint clears the tracking field; the same one again keeps the typing."""
        same = self.handover is not None and self.handover.outbox_id == handover.outbox_id
        self.handover, self.recorded = handover, None
        if not same:
            self.tracking.clear()
            self.tracking_error.setText("")
            self.site_problem.setText("")
            self.status.setText("")
        self._render()
        self.stack.setCurrentIndex(1)
        focus = self.found_button if handover.check_first else self.fields.copy_buttons["title"]
        focus.setFocus()

    def show_refusal(self, message: Message) -> None:
        """Beside the tracking field, which keeps what was typed."""
        self._texts.show("website-refusal", self.tracking_error.setText, message)
        self.tracking.setFocus()

    def check_cleared(self) -> None:
        if self.handover is not None:
            self.handover = _not_check_first(self.handover)
            self._render()
            self._texts.show("website-status", self.status.setText, Message(NOT_SENT_NOTED))
            self.fields.copy_buttons["title"].setFocus()

    def show_recorded(self, recorded: Recorded) -> None:
        self.recorded = recorded
        params = {"registration_number": recorded.registration_number}
        message = Message(DONE, {**params, "tracking_id": recorded.tracking_id})
        self._texts.show("website-done", self.done_text.setText, message)
        self._texts.show("website-citizen", self.citizen_text.setPlainText, recorded.citizen_text)
        self.fields.show_handover(None)
        self.handover = None
        self._texts.show("website-status", self.status.setText, None)
        self.stack.setCurrentIndex(2)
        self.copy_citizen_button.setFocus()

    # -- actions -------------------------------------------------------------------------

    def open_site(self) -> None:
        """The office's address in the system browser, or the address to open by hand."""
        if self.handover is None:
            return
        address = self._address()
        if self.open_url(QUrl(address)):
            self.site_problem.setText("")
            return
        QGuiApplication.clipboard().setText(address)
        self._texts.show(
            "website-site", self.site_problem.setText, Message(NO_BROWSER, {"address": address})
        )

    def open_folder(self) -> None:
        handover = self.handover
        if handover is None or handover.folder is None:
            return
        if not self.open_url(QUrl.fromLocalFile(str(handover.folder))):
            problem = Message(NO_FOLDER, {"folder": str(handover.folder)})
            self._texts.show("website-status", self.status.setText, problem)

    def copy_citizen_text(self) -> None:
        if self.recorded is not None:
            QGuiApplication.clipboard().setText(self.citizen_text.toPlainText())
            copied = Message(COPIED, {"field": Message(N_("The text for the citizen"))})
            self._texts.show("website-status", self.status.setText, copied)

    def focus_tracking(self) -> None:
        if self.handover is not None:
            self.tracking.setFocus()
            self.tracking.selectAll()

    def _record(self) -> None:
        if self.handover is not None:
            self.record_requested.emit(self.tracking.text())

    def _copied(self, label: str) -> None:
        copied = Message(COPIED, {"field": Message(label)})
        self._texts.show("website-status", self.status.setText, copied)

    def _reprint(self) -> None:
        if self.recorded is not None:
            self.reprint_requested.emit()

    # -- construction --------------------------------------------------------------------

    def _render(self) -> None:
        handover = self.handover
        if handover is None:
            return
        t = self._texts
        since = short_datetime(handover.started_at, self._timezone, t.language.code)
        params = {"registration_number": handover.registration_number, "since": since}
        t.show("website-heading", self.heading.setText, Message(TYPING, params))
        self.check_box.setVisible(handover.check_first)
        self.fields.show_handover(handover)
        lines = [f.name for f in handover.files if f.path is not None]
        lines += [t.render(f.warning) for f in handover.files if f.warning is not None]
        self.files_list.setText("\n".join(lines) or t.text(NO_FILES))
        self.folder.setText(str(handover.folder) if handover.folder else "")
        self.folder.setVisible(handover.folder is not None)
        self.folder_button.setVisible(handover.folder is not None)

    def _retranslate(self) -> None:
        if self.handover is not None:
            self._render()

    def _lay_out(self) -> None:
        t = self._texts
        self.empty.setWordWrap(True)
        for label in (self.heading, self.check_text, self.files_list, self.done_text):
            label.setWordWrap(True)
        self.status.setWordWrap(True)
        self.folder.setWordWrap(True)
        t.bind(self.check_text.setText, CHECK_FIRST)
        t.bind(self.found_button.setText, N_("It is there: paste its tracking ID (Ctrl+T)"))
        t.bind(self.not_sent_button.setText, N_("It is not there: confirm it was not sent"))
        t.bind(self.folder_button.setText, N_("Open the folder (Ctrl+E)"))
        t.bind(self.open_site_button.setText, N_("Open the LAPOR! website (Ctrl+B)"))
        t.bind(self.record_button.setText, N_("Record (Enter)"))
        t.bind(self.cancel_button.setText, N_("Cancel: not sent, back to the queue"))
        t.bind(self.copy_citizen_button.setText, N_("Copy the text for the citizen (Ctrl+M)"))
        t.bind(self.reprint_button.setText, N_("Reprint the receipt with the tracking ID (Ctrl+P)"))
        t.bind(self.back_button.setText, N_("Back to the queue (Ctrl+W)"))
        t.bind(self.tracking.setPlaceholderText, N_("Paste the tracking ID that LAPOR! shows"))
        t.bind(self.tracking.setAccessibleName, N_("Tracking ID from LAPOR!"))
        self.citizen_text.setReadOnly(True)
        self.citizen_text.setMaximumHeight(110)

        check = QVBoxLayout(self.check_box)
        check.setContentsMargins(0, 0, 0, 0)
        check.addWidget(self.check_text)
        check_buttons = QHBoxLayout()
        check_buttons.addWidget(self.found_button)
        check_buttons.addWidget(self.not_sent_button)
        check_buttons.addStretch(1)
        check.addLayout(check_buttons)

        content = QWidget()
        body = QVBoxLayout(content)
        body.addWidget(self.fields)
        files_heading = set_role(QLabel(), "heading")
        t.bind(files_heading.setText, N_("Files to upload"))
        body.addWidget(files_heading)
        body.addWidget(self.files_list)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.folder_button)
        body.addLayout(folder_row)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)

        tracking_label = QLabel()
        t.bind(tracking_label.setText, N_("Tracking ID (Ctrl+T):"))
        tracking_label.setBuddy(self.tracking)
        tracking_row = QHBoxLayout()
        tracking_row.addWidget(tracking_label)
        tracking_row.addWidget(self.tracking, 1)
        tracking_row.addWidget(self.record_button)
        site_row = QHBoxLayout()
        site_row.addWidget(self.open_site_button)
        site_row.addStretch(1)
        site_row.addWidget(self.cancel_button)

        work = QWidget()
        working = QVBoxLayout(work)
        working.setContentsMargins(0, 0, 0, 0)
        working.addWidget(self.heading)
        working.addWidget(self.check_box)
        working.addWidget(scroll, 1)
        working.addLayout(site_row)
        working.addWidget(self.site_problem)
        working.addLayout(tracking_row)
        working.addWidget(self.tracking_error)

        done = QWidget()
        finished = QVBoxLayout(done)
        finished.setContentsMargins(0, 0, 0, 0)
        finished.addWidget(self.done_text)
        citizen_label = QLabel()
        t.bind(citizen_label.setText, N_("Text for the citizen (SMS or WhatsApp):"))
        finished.addWidget(citizen_label)
        finished.addWidget(self.citizen_text)
        for button in (self.copy_citizen_button, self.reprint_button, self.back_button):
            row = QHBoxLayout()
            row.addWidget(button)
            row.addStretch(1)
            finished.addLayout(row)
        finished.addStretch(1)

        self.stack.addWidget(self.empty)
        self.stack.addWidget(work)
        self.stack.addWidget(done)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)

    def _connect(self, scope: QWidget) -> None:
        self.fields.copied.connect(self._copied)
        self.found_button.clicked.connect(self.focus_tracking)
        self.not_sent_button.clicked.connect(self.not_sent_confirmed)
        self.folder_button.clicked.connect(self.open_folder)
        self.open_site_button.clicked.connect(self.open_site)
        self.tracking.returnPressed.connect(self._record)
        self.record_button.clicked.connect(self._record)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.copy_citizen_button.clicked.connect(self.copy_citizen_text)
        self.reprint_button.clicked.connect(self._reprint)
        self.back_button.clicked.connect(self.back_requested)
        self.shortcuts: list[QShortcut] = []
        for index, keys in enumerate(FORM_KEYS):
            self._key(scope, keys, functools.partial(self.fields.copy_form, index))
        for index, keys in enumerate(IDENTITY_KEYS):
            self._key(scope, keys, functools.partial(self.fields.copy_identity, index))
        for keys, action in (
            ("Ctrl+B", self.open_site),
            ("Ctrl+E", self.open_folder),
            ("Ctrl+T", self.focus_tracking),
            ("Ctrl+M", self.copy_citizen_text),
            ("Ctrl+P", self._reprint),
        ):
            self._key(scope, keys, action)

    def _key(self, scope: QWidget, keys: str, action: Callable[[], object]) -> None:
        """Bound to the page: Ctrl+1 copies here and nowhere else in the window."""
        shortcut = QShortcut(QKeySequence(keys), scope, action)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.shortcuts.append(shortcut)


def _not_check_first(handover: Handover) -> Handover:
    return replace(handover, check_first=False)
