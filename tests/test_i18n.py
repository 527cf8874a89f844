"""Every user-visible text has its Indonesian translation, and the compiled catalogue is current."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from lapor_desktop.i18n import LOCALE_DIR, Message, translate

ROOT = Path(__file__).resolve().parent.parent
PO = LOCALE_DIR / "id" / "LC_MESSAGES" / "lapor.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _msgids_in_code() -> set[str]:
    found: set[str] = set()
    for package in ("lapor_desktop", "sync", "ui"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"N_": None, "_": None}, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue() -> dict[str, str]:
    with PO.open("rb") as handle:
        catalogue = read_po(handle, locale="id")
    return {m.id: m.string for m in catalogue if m.id and not m.fuzzy}  # type: ignore[misc]


def test_every_text_in_the_code_has_an_indonesian_translation() -> None:
    catalogue = _catalogue()
    missing = sorted(m for m in _msgids_in_code() if not catalogue.get(m))
    assert missing == []


def test_translations_keep_every_placeholder() -> None:
    wrong = {
        msgid: text
        for msgid, text in _catalogue().items()
        if text and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    }
    assert wrong == {}


def test_the_compiled_catalogue_matches_the_source() -> None:
    with MO.open("rb") as handle:
        compiled = read_mo(handle)
    compiled_pairs = {m.id: m.string for m in compiled if m.id and m.string}
    assert compiled_pairs == {k: v for k, v in _catalogue().items() if v}, (
        "run: .venv/bin/pybabel compile -d lapor_desktop/locale -D lapor"
    )


def test_a_message_renders_in_indonesian_by_default_and_in_english_on_request() -> None:
    message = Message("Draft")
    assert message.render() == translate("Draft", "id") == "Draf"
    assert message.render("en") == "Draft"
    assert message.bilingual() == "Draf / Draft"
