"""The machine key: what lets this workstation open the data key without a password.

Unattended sync and a desk that starts without every clerk typing a password
need a key that lives on the PC. It belongs in the operating system's keyring
(Windows Credential Manager, macOS Keychain, Secret Service), keyed per data
folder. Where no keyring exists the application refuses to start until an
administrator explicitly names a key file: it never falls back silently to
storing the key next to the data it protects.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from lapor_desktop import durable_files
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.keys import b64decode, b64encode

MACHINE_KEY_BYTES = 32
MACHINE_KEY_FILE_ENV = "LAPOR_MACHINE_KEY_FILE"
KEYRING_SERVICE = "lapor-desktop"
_MAX_KEY_FILE_BYTES = 1024


class MachineKeyError(RuntimeError):
    """The machine key cannot be used; ``message`` tells the administrator what to do."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.bilingual())
        self.message = message


class NoSecureKeyStore(MachineKeyError):
    """No OS keyring and no explicitly chosen key file: refuse rather than store insecurely."""

    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "No operating-system keyring was found to keep this workstation's machine "
                    "key. Set LAPOR_MACHINE_KEY_FILE to the path of a key file outside the data "
                    "folder to use a key file instead; see docs/security.md."
                ),
            )
        )


class MachineKeyStore(Protocol):
    description: str

    def load(self) -> bytes | None:
        """The stored key, or None when none was created yet."""
        ...

    def create(self) -> bytes:
        """Make and store a new random key; refuses to replace an existing one."""
        ...


def data_dir_id(data_dir: Path) -> str:
    """A stable id of a data folder, so two data folders on one PC get separate keys."""
    resolved = os.path.normcase(str(data_dir.expanduser().resolve()))
    return hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:16]


class KeyringMachineKeyStore:
    """The machine key in the OS keyring, base64, one entry per data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.username = "machine-key:" + data_dir_id(data_dir)
        self.description = f"OS keyring ({keyring.get_keyring().name}), {self.username}"

    def load(self) -> bytes | None:
        try:
            stored = keyring.get_password(KEYRING_SERVICE, self.username)
        except keyring.errors.KeyringError as exc:
            raise _keyring_refused(exc) from exc
        if stored is None:
            return None
        return _decode_key(stored, self.description)

    def create(self) -> bytes:
        if self.load() is not None:
            raise _already_exists(self.description)
        key = secrets.token_bytes(MACHINE_KEY_BYTES)
        try:
            keyring.set_password(KEYRING_SERVICE, self.username, b64encode(key))
        except keyring.errors.KeyringError as exc:
            raise _keyring_refused(exc) from exc
        if self.load() != key:
            raise MachineKeyError(
                Message(N_("The operating-system keyring did not keep the machine key."))
            )
        return key


class FileMachineKeyStore:
    """The documented fallback for headless servers: a key file named by LAPOR_MACHINE_KEY_FILE.

    Only used when an administrator sets the variable. The file must live on
    a different disk or volume than the database and its backups (or be
    protected by the OS, e.g. an encrypted volume or a root-only mount):
    whoever can read both can open the data. It is created with mode 0600,
    and a file other users can read is refused.
    """

    def __init__(self, path: Path, *, data_dir: Path) -> None:
        path = path.expanduser()
        if not path.is_absolute():
            raise MachineKeyError(
                Message(
                    N_("{variable} must be an absolute path; it is {path}."),
                    {"variable": MACHINE_KEY_FILE_ENV, "path": str(path)},
                )
            )
        self.path = path.resolve()
        data = data_dir.expanduser().resolve()
        if self.path == data or data in self.path.parents:
            raise MachineKeyError(
                Message(
                    N_(
                        "The machine key file {path} is inside the data folder {data_dir}. "
                        "A copy of the data folder would carry its own key: keep the key file "
                        "on another disk or volume."
                    ),
                    {"path": str(self.path), "data_dir": str(data)},
                )
            )
        self.description = f"key file {self.path}"

    def load(self) -> bytes | None:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _unreadable(self.path, exc) from exc
        with os.fdopen(fd, "rb") as handle:
            # fstat on the open file: the mode checked is the mode of what is read.
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise _unreadable(self.path, IsADirectoryError("not a regular file"))
            if os.name == "posix" and mode & 0o077:
                raise MachineKeyError(
                    Message(
                        N_(
                            "The machine key file {path} can be read or changed by other users "
                            "(mode {mode}). Make it accessible to its owner only: "
                            "chmod 600 {path}"
                        ),
                        {"path": str(self.path), "mode": f"{stat.S_IMODE(mode):04o}"},
                    )
                )
            try:
                raw = handle.read(_MAX_KEY_FILE_BYTES)
            except OSError as exc:
                raise _unreadable(self.path, exc) from exc
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        return _decode_key(text, self.description)

    def create(self) -> bytes:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_bytes(MACHINE_KEY_BYTES)
        try:
            # Whole or absent: a half-written key file would lose every wrap made with it.
            durable_files.create_bytes(
                self.path, (b64encode(key) + "\n").encode("ascii"), mode=0o600
            )
        except FileExistsError as exc:
            raise _already_exists(self.description) from exc
        return key


def machine_key_store(
    data_dir: Path, *, environ: Mapping[str, str] | None = None
) -> MachineKeyStore:
    """Where this workstation keeps its machine key.

    An explicit ``LAPOR_MACHINE_KEY_FILE`` wins; otherwise the OS keyring if
    a secure backend is available; otherwise ``NoSecureKeyStore``.
    """
    env = os.environ if environ is None else environ
    chosen = env.get(MACHINE_KEY_FILE_ENV, "").strip()
    if chosen:
        return FileMachineKeyStore(Path(chosen), data_dir=data_dir)
    if is_secure_keyring(keyring.get_keyring()):
        return KeyringMachineKeyStore(data_dir)
    raise NoSecureKeyStore()


def is_secure_keyring(backend: keyring.backend.KeyringBackend) -> bool:
    """Whether a keyring backend really protects secrets.

    Refused: the failing and null backends, a chainer with nothing to chain,
    and keyrings.alt (plaintext or password-prompting files, which are
    exactly the silent insecurity the key file must be chosen for).
    """
    if isinstance(backend, chainer.ChainerBackend):
        chained = list(backend.backends)
        return bool(chained) and all(is_secure_keyring(each) for each in chained)
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if type(backend).__module__.startswith("keyrings.alt"):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend whose priority check fails is not available
        return False


def _decode_key(text: str, where: str) -> bytes:
    try:
        key = b64decode(text.strip())
    except ValueError:
        key = b""
    if len(key) != MACHINE_KEY_BYTES:
        raise MachineKeyError(
            Message(
                N_(
                    "The stored machine key is not a valid key ({where}). Restore it from its "
                    "backup, or remove it and sign in with a password so that a new one is made."
                ),
                {"where": where},
            )
        )
    return key


def _already_exists(where: str) -> MachineKeyError:
    return MachineKeyError(
        Message(
            N_("A machine key already exists ({where}); it was not replaced."), {"where": where}
        )
    )


def _keyring_refused(exc: Exception) -> MachineKeyError:
    return MachineKeyError(
        Message(
            N_("The operating-system keyring refused access to the machine key: {reason}"),
            {"reason": str(exc) or type(exc).__name__},
        )
    )


def _unreadable(path: Path, exc: OSError) -> MachineKeyError:
    return MachineKeyError(
        Message(
            N_("The machine key file {path} cannot be read: {reason}"),
            {"path": str(path), "reason": exc.strerror or str(exc)},
        )
    )
