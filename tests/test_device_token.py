"""The device token lives in the OS keyring, or sealed under the machine key; it is never shown."""

from __future__ import annotations

import base64
import logging
import os
import pickle
import re
import secrets
import stat
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from keyring.backends import fail

from lapor_desktop.i18n import Message
from lapor_desktop.security.machine_key import (
    KEYRING_SERVICE,
    FileMachineKeyStore,
    NoSecureKeyStore,
    data_dir_id,
)
from sync import device_token
from sync.device_token import (
    TOKEN_FILE_NAME,
    DeviceToken,
    DeviceTokenError,
    RedactSecrets,
    forget_token,
    load_token,
    store_token,
)
from tests.support.keyrings import MemoryKeyring

SYNC = Path(device_token.__file__).parent
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture
def use_keyring() -> Iterator[None]:
    """Restores keyring's process-wide backend after a test replaced it."""
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(use_keyring: None, monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """A desktop with a keyring: no key file is configured, so the keyring is used."""
    monkeypatch.delenv("LAPOR_MACHINE_KEY_FILE", raising=False)
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def headless(use_keyring: None, data_dir: Path, tmp_path: Path) -> FileMachineKeyStore:
    """A server with no keyring and a machine key file (conftest points the variable at it)."""
    keyring.set_keyring(fail.Keyring())
    store = FileMachineKeyStore(tmp_path / "keys" / "machine.key", data_dir=data_dir)
    store.create()
    return store


@pytest.fixture
def token_text() -> str:
    return "tok_" + secrets.token_urlsafe(32)


def test_the_token_goes_to_the_keyring_on_a_desktop(
    memory_keyring: MemoryKeyring, data_dir: Path, token_text: str
) -> None:
    stored = store_token(data_dir, token_text)

    [(service, username)] = memory_keyring.secrets
    assert service == KEYRING_SERVICE == "lapor-desktop"
    assert username == "device-token:" + data_dir_id(data_dir)
    assert memory_keyring.secrets[service, username] == token_text
    assert not (data_dir / TOKEN_FILE_NAME).exists()
    assert load_token(data_dir) == stored
    assert load_token(data_dir / ".." / "data") == stored


def test_two_data_folders_keep_separate_tokens(
    memory_keyring: MemoryKeyring, tmp_path: Path, token_text: str
) -> None:
    store_token(tmp_path / "office-a", token_text)

    assert load_token(tmp_path / "office-b") is None
    assert load_token(tmp_path / "office-a") == DeviceToken(token_text)


def test_forgetting_removes_the_token_from_the_keyring(
    memory_keyring: MemoryKeyring, data_dir: Path, token_text: str
) -> None:
    store_token(data_dir, token_text)

    forget_token(data_dir)
    forget_token(data_dir)  # forgetting twice is fine

    assert memory_keyring.secrets == {}
    assert load_token(data_dir) is None


def test_without_a_keyring_the_token_is_sealed_in_the_data_folder(
    headless: FileMachineKeyStore, data_dir: Path, token_text: str
) -> None:
    stored = store_token(data_dir, token_text)

    sealed = (data_dir / TOKEN_FILE_NAME).read_bytes()
    assert sealed.startswith(b"f1.")
    for form in (token_text, base64.b64encode(token_text.encode()).decode()):
        assert form.encode() not in sealed
    assert load_token(data_dir) == stored
    if os.name == "posix":
        assert stat.S_IMODE((data_dir / TOKEN_FILE_NAME).stat().st_mode) == 0o600
    assert sorted(p.name for p in data_dir.iterdir()) == [TOKEN_FILE_NAME]


def test_forgetting_removes_the_sealed_file(
    headless: FileMachineKeyStore, data_dir: Path, token_text: str
) -> None:
    store_token(data_dir, token_text)

    forget_token(data_dir)

    assert not (data_dir / TOKEN_FILE_NAME).exists()
    assert load_token(data_dir) is None


def test_a_new_token_replaces_the_old_one(
    headless: FileMachineKeyStore, data_dir: Path, token_text: str
) -> None:
    store_token(data_dir, "old-token-0001")

    store_token(data_dir, token_text)

    assert load_token(data_dir) == DeviceToken(token_text)


def test_a_sealed_file_copied_to_another_data_folder_does_not_open(
    headless: FileMachineKeyStore, data_dir: Path, tmp_path: Path, token_text: str
) -> None:
    store_token(data_dir, token_text)
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    (elsewhere / TOKEN_FILE_NAME).write_bytes((data_dir / TOKEN_FILE_NAME).read_bytes())

    with pytest.raises(DeviceTokenError) as raised:
        load_token(elsewhere)
    assert "Enter the device token again" in raised.value.message.render("en")


def test_a_damaged_sealed_file_is_reported(
    headless: FileMachineKeyStore, data_dir: Path, token_text: str
) -> None:
    store_token(data_dir, token_text)
    path = data_dir / TOKEN_FILE_NAME
    sealed = bytearray(path.read_bytes())
    sealed[10] ^= 0x01
    path.write_bytes(bytes(sealed))

    with pytest.raises(DeviceTokenError):
        load_token(data_dir)


def test_a_token_cannot_be_sealed_before_the_machine_key_exists(
    use_keyring: None, data_dir: Path, token_text: str
) -> None:
    keyring.set_keyring(fail.Keyring())

    with pytest.raises(DeviceTokenError) as raised:
        store_token(data_dir, token_text)

    assert "lapor-desktop init" in raised.value.message.render("en")
    assert not (data_dir / TOKEN_FILE_NAME).exists()


def test_no_keyring_and_no_key_file_refuses_to_keep_the_token(
    use_keyring: None, data_dir: Path, token_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAPOR_MACHINE_KEY_FILE")
    keyring.set_keyring(fail.Keyring())

    with pytest.raises(NoSecureKeyStore):
        store_token(data_dir, token_text)
    assert list(data_dir.iterdir()) == []


def test_storing_in_the_keyring_removes_an_older_sealed_copy(
    headless: FileMachineKeyStore,
    data_dir: Path,
    token_text: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store_token(data_dir, "old-token-0001")
    monkeypatch.delenv("LAPOR_MACHINE_KEY_FILE")
    backend = MemoryKeyring()
    keyring.set_keyring(backend)

    store_token(data_dir, token_text)

    assert not (data_dir / TOKEN_FILE_NAME).exists()
    assert list(backend.secrets.values()) == [token_text]


def test_a_pasted_token_loses_its_surrounding_blanks(
    memory_keyring: MemoryKeyring, data_dir: Path, token_text: str
) -> None:
    assert store_token(data_dir, f"  {token_text}\r\n").reveal() == token_text


@pytest.mark.parametrize(
    "bad",
    ["", "short", "has space inside", "line\nbreak-123456", "tanda-tangan-ü-1234", "a" * 5000],
)
def test_a_malformed_token_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(DeviceTokenError) as raised:
        DeviceToken(bad)

    english = raised.value.message.render("en")
    assert "not valid" in english
    if bad:
        assert bad not in english
        assert bad not in str(raised.value)


def test_the_token_never_shows_its_value(token_text: str) -> None:
    token = DeviceToken(token_text)

    for shown in (repr(token), str(token), f"{token}", f"{token!r}", repr([token])):
        assert token_text not in shown
    assert repr(token) == "DeviceToken(****)"
    assert token.reveal() == token_text
    with pytest.raises(TypeError):
        pickle.dumps(token)


def test_the_redaction_filter_scrubs_messages_arguments_and_tracebacks(
    token_text: str, caplog: pytest.LogCaptureFixture
) -> None:
    in_a_url = "Ab+cd/ef" + token_text + "=="
    redactor = RedactSecrets()
    redactor.register(token_text)
    redactor.register(in_a_url)
    logger = logging.getLogger("tests.device_token.redaction")
    logger.addFilter(redactor)
    caplog.set_level(logging.DEBUG, logger=logger.name)
    try:
        logger.debug("header Bearer %s", token_text)
        logger.info("url %s", "https://x/?t=" + urllib.parse.quote(in_a_url, safe=""))
        logger.warning(f"inline {token_text}")
        try:
            raise RuntimeError("failed with " + token_text)
        except RuntimeError:
            logger.exception("sync failed")
    finally:
        logger.removeFilter(redactor)

    assert token_text not in caplog.text
    assert urllib.parse.quote(in_a_url, safe="") not in caplog.text
    assert "?t=****" in caplog.text
    assert caplog.text.count("****") >= 4
    assert "header Bearer ****" in caplog.text


def test_a_secret_too_short_to_redact_safely_is_refused() -> None:
    with pytest.raises(ValueError):
        RedactSecrets().register("abc")


def _msgids(path: Path) -> list[str]:
    return [
        message
        for _line, message, _comments, _context in extract_from_file(
            "python", path, keywords={"N_": None}, comment_tags=()
        )
        if isinstance(message, str)
    ]


CATALOGUE = SYNC.parent / "lapor_desktop" / "locale" / "id" / "LC_MESSAGES" / "lapor.po"


def test_every_message_of_the_transport_has_an_indonesian_translation() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = {m.id: m.string for m in read_po(handle, locale="id") if m.id}
    transport = ("transport.py", "transport_problems.py", "device_token.py")
    msgids = [m for name in transport for m in _msgids(SYNC / name)]

    assert len(msgids) >= 14
    for msgid in msgids:
        translated = catalogue.get(msgid)
        assert isinstance(translated, str), msgid
        assert translated and translated != msgid, msgid
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(translated))
        assert Message(msgid, {"host": "h", "reason": "r", "url": "u", "path": "p"}).render("en")
