"""What frames the window's pages: the training banner and the status bar.

Built once, with every text bound to the window's language; kept out of
``ui/main_window.py`` so that the window reads as its pages and reactions.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QStatusBar, QWidget

from lapor_desktop.i18n import LANGUAGES, N_, Message
from lapor_desktop.services.context import Actor
from ui.fields import set_role
from ui.i18n import LANGUAGE_NAMES, Texts
from ui.receipt import TRAINING_MARK

SIGNED_IN_AS = N_("Signed in as {user} ({role})")


def training_banner(texts: Texts) -> QLabel:
    """The band above the pages of a practice desk: nobody mistakes it for the real one."""
    banner = set_role(QLabel(), "training")
    banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
    texts.bind(
        banner.setText,
        N_("{mark}: practice desk, nothing goes to the real LAPOR!"),
        mark=TRAINING_MARK,
    )
    return banner


def window_title(office_name: str, *, training: bool) -> str:
    title = f"LAPOR! Desktop · {office_name}"
    return f"{title} · {TRAINING_MARK}" if training else title


SIGNED_IN_LABEL = "signed-in-user"
"""The status bar's name of who is signed in (the spool's badge takes its place while shown)."""


def fill_status_bar(
    status: QStatusBar,
    texts: Texts,
    actor: Actor,
    permanent: Sequence[QWidget],
    language_choice: QComboBox,
) -> None:
    """Who is signed in (stretching), then ``permanent`` in order (the sync indicator, the
    website lane's count beside it, the office), and the language."""
    user = QLabel()
    user.setObjectName(SIGNED_IN_LABEL)
    params = {"user": actor.username, "role": Message(actor.role.label)}
    texts.show("user", user.setText, Message(SIGNED_IN_AS, params))
    status.addWidget(user, 1)
    for widget in permanent:
        status.addPermanentWidget(widget)
    for code in LANGUAGES:
        language_choice.addItem(LANGUAGE_NAMES[code], code)
    language_choice.setCurrentIndex(LANGUAGES.index(texts.language.code))
    status.addPermanentWidget(language_choice)
