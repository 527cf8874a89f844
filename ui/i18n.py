"""The desk's language in the GUI: renders msgids and tells widgets when to re-translate.

Translation itself is the core's gettext catalogue (``lapor_desktop.i18n``),
so the GUI, the command line and the core speak with one voice; this object
adds the switch, so visible labels change language without a restart.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from lapor_desktop.i18n import DEFAULT_LANGUAGE, LANGUAGES, Message, translate

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
"""Each language named in itself, as language menus do; never translated."""


class Language(QObject):
    """The language shown now; widgets connect ``changed`` to their ``retranslate``."""

    changed = Signal(str)

    def __init__(self, code: str = DEFAULT_LANGUAGE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._code = code if code in LANGUAGES else DEFAULT_LANGUAGE

    @property
    def code(self) -> str:
        return self._code

    def switch(self, code: str) -> None:
        if code not in LANGUAGES:
            raise ValueError(f"unknown language: {code}")
        if code != self._code:
            self._code = code
            self.changed.emit(code)

    def text(self, msgid: str, **params: object) -> str:
        """A msgid (marked with ``N_``) in the current language, fields filled in after."""
        translated = translate(msgid, self._code)
        return translated.format(**params) if params else translated

    def render(self, message: Message) -> str:
        return message.render(self._code)


class Texts(QObject):
    """A widget's visible texts as msgids, set now and again whenever the language changes.

    Binding each text once (``texts.bind(label.setText, N_("Title"))``)
    means no label can be forgotten by a hand-written ``retranslate``.
    A child of its widget, so the bindings die with it.
    """

    def __init__(self, language: Language, owner: QObject) -> None:
        super().__init__(owner)
        self.language = language
        self._bindings: list[tuple[Callable[[str], object], str, dict[str, object]]] = []
        self._shown: dict[str, tuple[Callable[[str], object], Message | None]] = {}
        language.changed.connect(self._apply)

    def bind(self, setter: Callable[[str], object], msgid: str, **params: object) -> None:
        self._bindings.append((setter, msgid, params))
        setter(self.language.text(msgid, **params))

    def show(self, key: str, setter: Callable[[str], object], message: Message | None) -> None:
        """A text that changes (a status, an error): the latest one under ``key`` follows too."""
        self._shown[key] = (setter, message)
        setter(self.render(message) if message is not None else "")

    def text(self, msgid: str, **params: object) -> str:
        return self.language.text(msgid, **params)

    def render(self, message: Message) -> str:
        return self.language.render(message)

    @Slot(str)
    def _apply(self, _code: str = "") -> None:
        for setter, msgid, params in self._bindings:
            setter(self.language.text(msgid, **params))
        for setter, message in self._shown.values():
            setter(self.render(message) if message is not None else "")
