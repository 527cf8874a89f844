"""User-visible text shared by the core and the GUI, translated with gettext.

The core cannot use Qt's translator, so every layer renders text through
this module. Source strings (msgids) are English; the Indonesian catalogue
lives in ``lapor_desktop/locale/id/LC_MESSAGES/lapor.po`` (compiled ``.mo``
beside it). Indonesian is the default language of the desk.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DOMAIN = "lapor"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return msgid


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue for a language; English (the msgids) when none exists."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def translate(msgid: str, language: str = DEFAULT_LANGUAGE) -> str:
    return translations(language).gettext(msgid)


@dataclass(frozen=True)
class Message:
    """A user-visible text kept untranslated until it is shown.

    ``template`` is an English msgid with ``str.format`` fields; the
    parameters are inserted after translation, so one message renders in
    any language.
    """

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        params = {
            name: value.render(language) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        return translate(self.template, language).format(**params)

    def bilingual(self) -> str:
        """Indonesian first, then English: for logs and the command line."""
        indonesian, english = self.render("id"), self.render("en")
        return indonesian if indonesian == english else f"{indonesian} / {english}"

    def __str__(self) -> str:
        return self.bilingual()
