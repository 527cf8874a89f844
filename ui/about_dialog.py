"""Help > About: what IT staff read out on a support call, and the credits owed.

Version, the schema revision this build expects and the one the database
is at, the data folder and the database; credits for the bundled region
codes and the libraries shipped in the installer. The facts are read by
:func:`about_facts` on the database worker (it asks the database for its
revision), then shown by :class:`AboutDialog`:

    runner.run(lambda: about_facts(desk, training=training),
               lambda facts: AboutDialog(language, facts, window).open())
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from lapor_desktop import __version__
from lapor_desktop.desk import Desk
from lapor_desktop.i18n import N_, Message
from lapor_desktop.storage import migrate
from ui.fields import set_role
from ui.i18n import Language, Texts
from ui.receipt import TRAINING_MARK

SCHEMA_UP_TO_DATE = N_("{current} (up to date)")
SCHEMA_BEHIND = N_("{current} (this version expects {head})")
CREDITS = N_(
    "Region codes: Kemendagri's kode wilayah (Kepmendagri 300.2.2-2138/2025, updated to "
    "300.2.2-2430/2025), from the MIT-licensed repository cahyadsn/wilayah, "
    "Copyright (c) 2017-2025 Cahya DSN."
)
BUILT_WITH = N_(
    "Built with Python, Qt for Python (PySide6, LGPL-3.0), SQLAlchemy, Alembic and "
    "other open-source libraries. LAPOR! Desktop is published under the MIT licence."
)


@dataclass(frozen=True)
class AboutFacts:
    version: str
    schema_head: str
    schema_current: str | None
    data_folder: Path
    database: str
    """The SQLite file, or the PostgreSQL URL with its password hidden."""
    training: bool

    def schema(self) -> Message:
        current = self.schema_current or "-"
        if current == self.schema_head:
            return Message(SCHEMA_UP_TO_DATE, {"current": current})
        return Message(SCHEMA_BEHIND, {"current": current, "head": self.schema_head})


def about_facts(desk: Desk, *, training: bool) -> AboutFacts:
    """What the dialog shows; queries the database, so run it on the worker."""
    database = desk.database
    if database.is_sqlite:
        where = str(desk.paths.database)
    else:
        where = make_url(database.url).render_as_string(hide_password=True)
    return AboutFacts(
        version=__version__,
        schema_head=migrate.head_revision(),
        schema_current=migrate.current_revision(database),
        data_folder=desk.paths.root,
        database=where,
        training=training,
    )


class AboutDialog(QDialog):
    """The facts as label/value rows (selectable, for copying), the credits, Copy and Close."""

    def __init__(
        self, language: Language, facts: AboutFacts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.facts = facts
        self._texts = texts = Texts(language, self)
        texts.bind(self.setWindowTitle, N_("About LAPOR! Desktop"))
        heading = set_role(QLabel(f"LAPOR! Desktop {facts.version}"), "heading")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        self.training_mark: QLabel | None = None
        if facts.training:
            self.training_mark = set_role(QLabel(TRAINING_MARK), "training")
            self.training_mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(self.training_mark)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        self._rows: list[tuple[QLabel, QLabel]] = []
        rows = (
            ("version", N_("Version"), facts.version),
            ("schema", N_("Database schema"), facts.schema()),
            ("data_folder", N_("Data folder"), str(facts.data_folder)),
            ("database", N_("Database"), facts.database),
        )
        for key, msgid, value in rows:
            label, shown = QLabel(), _selectable(QLabel())
            texts.bind(label.setText, msgid)
            if isinstance(value, Message):
                texts.show(key, shown.setText, value)
            else:
                shown.setText(value)  # a name or a path: never translated
            form.addRow(label, shown)
            self.values[key] = shown
            self._rows.append((label, shown))
        layout.addLayout(form)
        self.credits = _selectable(set_role(QLabel(), "hint"))
        self.built_with = _selectable(set_role(QLabel(), "hint"))
        for paragraph, msgid in ((self.credits, CREDITS), (self.built_with, BUILT_WITH)):
            paragraph.setWordWrap(True)
            texts.bind(paragraph.setText, msgid)
            layout.addWidget(paragraph)
        self.copy_button = QPushButton()
        self.close_button = QPushButton()
        texts.bind(self.copy_button.setText, N_("&Copy details"))
        texts.bind(self.close_button.setText, N_("C&lose"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.close_button)
        self.copy_button.setAutoDefault(False)
        self.close_button.setDefault(True)
        layout.addLayout(buttons)
        self.copy_button.clicked.connect(self.copy_details)
        self.close_button.clicked.connect(self.accept)
        self.resize(560, 0)

    def details(self) -> str:
        """The facts as plain text, in the shown language: pasted into a support message."""
        lines = [self.windowTitle(), f"LAPOR! Desktop {self.facts.version}"]
        if self.facts.training:
            lines.append(TRAINING_MARK)
        lines += [f"{label.text()}: {value.text()}" for label, value in self._rows]
        return "\n".join(lines)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details())


def _selectable(label: QLabel) -> QLabel:
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
