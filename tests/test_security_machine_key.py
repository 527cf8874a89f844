"""The machine key lives in the OS keyring, or in a chosen 0600 file outside the data folder."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from babel.messages.extract import extract_from_dir
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

import lapor_desktop.security
from lapor_desktop.i18n import Message
from lapor_desktop.security.machine_key import (
    KEYRING_SERVICE,
    FileMachineKeyStore,
    KeyringMachineKeyStore,
    MachineKeyError,
    NoSecureKeyStore,
    is_secure_keyring,
    machine_key_store,
)
from tests.support.keyrings import MemoryKeyring

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
PACKAGE = Path(lapor_desktop.security.__file__).parent
CATALOGUE = PACKAGE.parent / "locale" / "id" / "LC_MESSAGES" / "lapor.po"


@pytest.fixture
def use_keyring() -> Iterator[None]:
    """Restores keyring's process-wide backend after a test replaced it."""
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(use_keyring: object) -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keyring(use_keyring: object) -> None:
    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "secrets" / "machine.key"


def _indonesian(message: Message) -> str:
    """The Indonesian text; it must differ from the English one (i.e. be translated)."""
    rendered = message.render("id")
    assert rendered != message.render("en")
    return rendered


def test_a_keyring_backend_keeps_the_machine_key(
    memory_keyring: MemoryKeyring, data_dir: Path
) -> None:
    store = machine_key_store(data_dir, environ={})
    assert isinstance(store, KeyringMachineKeyStore)
    assert store.load() is None

    key = store.create()

    assert len(key) == 32
    assert store.load() == key
    assert machine_key_store(data_dir, environ={}).load() == key
    [(service, username)] = memory_keyring.secrets
    assert service == KEYRING_SERVICE == "lapor-desktop"
    assert username.startswith("machine-key:")
    assert len(username.removeprefix("machine-key:")) == 16
    assert base64.b64decode(memory_keyring.secrets[service, username]) == key


def test_two_data_folders_on_one_pc_get_separate_keys(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    first = KeyringMachineKeyStore(tmp_path / "office-a")
    second = KeyringMachineKeyStore(tmp_path / "office-b")

    assert first.create() != second.create()
    assert first.username != second.username
    assert KeyringMachineKeyStore(tmp_path / "office-a" / ".." / "office-a").load() == first.load()


def test_the_keyring_store_refuses_to_replace_a_key(
    memory_keyring: MemoryKeyring, data_dir: Path
) -> None:
    store = KeyringMachineKeyStore(data_dir)
    key = store.create()

    with pytest.raises(MachineKeyError):
        store.create()
    assert store.load() == key


def test_a_garbled_keyring_entry_is_refused(memory_keyring: MemoryKeyring, data_dir: Path) -> None:
    store = KeyringMachineKeyStore(data_dir)
    memory_keyring.set_password(KEYRING_SERVICE, store.username, "bm90IGEga2V5")

    with pytest.raises(MachineKeyError) as raised:
        store.load()
    assert "not a valid key" in raised.value.message.render("en")


def test_no_keyring_and_no_key_file_refuses_with_a_bilingual_message(
    no_keyring: None, data_dir: Path
) -> None:
    with pytest.raises(NoSecureKeyStore) as raised:
        machine_key_store(data_dir, environ={})

    english = raised.value.message.render("en")
    indonesian = _indonesian(raised.value.message)
    assert isinstance(raised.value, RuntimeError)
    for text in (english, indonesian):
        assert "LAPOR_MACHINE_KEY_FILE" in text
        assert "docs/security.md" in text
    assert "keyring" in english
    assert indonesian != english


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring()],
    ids=["fail", "null"],
)
def test_placeholder_keyrings_are_not_secure(backend: KeyringBackend) -> None:
    assert not is_secure_keyring(backend)


def test_a_chainer_with_nothing_to_chain_is_not_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])

    assert not is_secure_keyring(chainer.ChainerBackend())


def test_an_explicit_key_file_wins_over_the_keyring(
    memory_keyring: MemoryKeyring, data_dir: Path, key_path: Path
) -> None:
    store = machine_key_store(data_dir, environ={"LAPOR_MACHINE_KEY_FILE": str(key_path)})

    assert isinstance(store, FileMachineKeyStore)
    assert memory_keyring.secrets == {}


def test_the_key_file_is_read_from_the_environment(
    no_keyring: None, data_dir: Path, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAPOR_MACHINE_KEY_FILE", str(key_path))

    store = machine_key_store(data_dir)

    assert isinstance(store, FileMachineKeyStore)
    assert store.path == key_path.resolve()


@posix_only
def test_the_key_file_is_created_0600(data_dir: Path, key_path: Path) -> None:
    store = FileMachineKeyStore(key_path, data_dir=data_dir)
    assert store.load() is None

    previous_umask = os.umask(0)
    try:
        key = store.create()
    finally:
        os.umask(previous_umask)

    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert key_path.read_text() == base64.b64encode(key).decode() + "\n"
    assert FileMachineKeyStore(key_path, data_dir=data_dir).load() == key


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_key_file_other_users_can_read_is_refused(
    data_dir: Path, key_path: Path, mode: int
) -> None:
    store = FileMachineKeyStore(key_path, data_dir=data_dir)
    store.create()
    key_path.chmod(mode)

    with pytest.raises(MachineKeyError) as raised:
        store.load()
    assert f"{mode:04o}" in raised.value.message.render("en")
    assert "chmod 600" in raised.value.message.render("en")


def test_the_key_file_store_refuses_to_replace_a_key(data_dir: Path, key_path: Path) -> None:
    store = FileMachineKeyStore(key_path, data_dir=data_dir)
    key = store.create()

    with pytest.raises(MachineKeyError):
        store.create()
    assert store.load() == key


@pytest.mark.parametrize("inside", ["machine.key", "sub/machine.key", "."])
def test_a_key_file_inside_the_data_folder_is_refused(data_dir: Path, inside: str) -> None:
    with pytest.raises(MachineKeyError) as raised:
        machine_key_store(data_dir, environ={"LAPOR_MACHINE_KEY_FILE": str(data_dir / inside)})

    assert "inside the data folder" in raised.value.message.render("en")


@posix_only
def test_a_key_file_reached_through_a_link_into_the_data_folder_is_refused(
    data_dir: Path, tmp_path: Path
) -> None:
    link = tmp_path / "looks-outside"
    link.symlink_to(data_dir, target_is_directory=True)

    with pytest.raises(MachineKeyError):
        FileMachineKeyStore(link / "machine.key", data_dir=data_dir)


def test_a_relative_key_file_path_is_refused(data_dir: Path) -> None:
    with pytest.raises(MachineKeyError) as raised:
        FileMachineKeyStore(Path("machine.key"), data_dir=data_dir)

    assert "absolute" in raised.value.message.render("en")


@posix_only
@pytest.mark.parametrize("content", [b"", b"short\n", b"\xff\xfe", b"A" * 2000])
def test_a_garbled_key_file_is_refused(data_dir: Path, key_path: Path, content: bytes) -> None:
    key_path.parent.mkdir()
    key_path.write_bytes(content)
    key_path.chmod(0o600)

    with pytest.raises(MachineKeyError) as raised:
        FileMachineKeyStore(key_path, data_dir=data_dir).load()
    assert "not a valid key" in raised.value.message.render("en")


def test_every_security_message_has_an_indonesian_translation_with_its_placeholders() -> None:
    msgids = [
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            PACKAGE, keywords={"N_": None}, comment_tags=()
        )
    ]
    assert msgids
    for msgid in msgids:
        assert isinstance(msgid, str)
        placeholders = {name: f"<{name}>" for name in ("path", "data_dir", "mode", "where")}
        placeholders |= {"reason": "<reason>", "variable": "<variable>", "count": "<count>"}
        placeholders |= {"paths": "<paths>", "more": "<more>"}
        translated = _indonesian(Message(msgid, placeholders))
        assert translated
        assert translated != Message(msgid, placeholders).render("en")
        for name in placeholders:
            assert (f"{{{name}}}" in msgid) == (f"<{name}>" in translated), (msgid, name)
