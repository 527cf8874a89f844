"""The device token: the bearer secret that identifies this desk to the national LAPOR! service.

It is kept where the machine key is kept. With an OS keyring it is a keyring
entry ("lapor-desktop", "device-token:<data folder id>"). Where the
administrator chose a machine key file instead (a headless server with no
keyring), it is sealed with AES-GCM under that machine key in a file in the
data folder. That file alone is useless: the machine key lives outside the
data folder (``LAPOR_MACHINE_KEY_FILE`` is refused inside it), so a copy of
the data folder or its backups does not carry the token. The token follows
the machine key's store so that the GUI and an unattended ``sync --watch`` on
the same workstation always find the same token.

The value never reaches a log, a repr or an exception text: ``DeviceToken``
prints as ``DeviceToken(****)`` and ``RedactSecrets`` (in ``token_redactor.py``,
re-exported here) scrubs registered secrets from log records.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn, Protocol

import keyring
import keyring.errors

from lapor_desktop import durable_files
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.fields import FieldCipher
from lapor_desktop.security.keys import DecryptionError, subkey
from lapor_desktop.security.machine_key import (
    KEYRING_SERVICE,
    KeyringMachineKeyStore,
    MachineKeyStore,
    data_dir_id,
    is_secure_keyring,
    machine_key_store,
)
from sync.token_redactor import MIN_TOKEN_LENGTH, REDACTED, REDACTOR, RedactSecrets

__all__ = [
    "MIN_TOKEN_LENGTH",
    "REDACTED",
    "REDACTOR",
    "TOKEN_FILE_NAME",
    "DeviceToken",
    "DeviceTokenError",
    "RedactSecrets",
    "forget_token",
    "load_token",
    "store_token",
]

TOKEN_FILE_NAME = "device-token.sealed"  # noqa: S105 -- a file name, not a secret
MAX_TOKEN_LENGTH = 4096
_TOKEN_KEY_INFO = b"lapor device token v1"
_MAX_TOKEN_FILE_BYTES = 16 * 1024
# RFC 6750 b64token: what may follow "Bearer " in an Authorization header.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


class DeviceTokenError(RuntimeError):
    """The device token cannot be stored or read; ``message`` tells IT staff what to do."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.bilingual())
        self.message = message


class DeviceToken:
    """The bearer token; its value is only reachable through ``reveal()``, never by printing."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not (MIN_TOKEN_LENGTH <= len(value) <= MAX_TOKEN_LENGTH and _B64TOKEN.fullmatch(value)):
            raise DeviceTokenError(
                Message(
                    N_(
                        "The device token is not valid. Paste it exactly as the national LAPOR! "
                        "service issued it: at least 8 letters, digits or - . _ ~ + / =, "
                        "without spaces."
                    )
                )
            )
        self._value = value

    def reveal(self) -> str:
        """The value, for the Authorization header and the secure store only."""
        return self._value

    def __repr__(self) -> str:
        return f"DeviceToken({REDACTED})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeviceToken):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((DeviceToken, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a DeviceToken is not pickled: it would leave the secure store")


class _TokenStore(Protocol):
    def load(self) -> str | None: ...

    def save(self, value: str) -> None: ...

    def delete(self) -> None: ...


class _KeyringTokenStore:
    def __init__(self, data_dir: Path) -> None:
        self.username = "device-token:" + data_dir_id(data_dir)

    def load(self) -> str | None:
        try:
            return keyring.get_password(KEYRING_SERVICE, self.username)
        except keyring.errors.KeyringError as exc:
            _keyring_refused(exc)

    def save(self, value: str) -> None:
        try:
            keyring.set_password(KEYRING_SERVICE, self.username, value)
        except keyring.errors.KeyringError as exc:
            _keyring_refused(exc)

    def delete(self) -> None:
        try:
            keyring.delete_password(KEYRING_SERVICE, self.username)
        except keyring.errors.PasswordDeleteError:
            return  # nothing stored: forgetting is done
        except keyring.errors.KeyringError as exc:
            _keyring_refused(exc)


class _SealedFileTokenStore:
    """The token sealed under the machine key, bound to this data folder."""

    def __init__(self, data_dir: Path, machine_keys: MachineKeyStore | None) -> None:
        self.path = data_dir / TOKEN_FILE_NAME
        self._machine_keys = machine_keys
        self._aad = "device-token:" + data_dir_id(data_dir)

    def _cipher(self) -> FieldCipher:
        key = self._machine_keys.load() if self._machine_keys is not None else None
        if key is None:
            raise DeviceTokenError(
                Message(
                    N_(
                        "This workstation has no machine key yet, so the device token cannot be "
                        "kept safely. Set up the workstation first (lapor-desktop init)."
                    )
                )
            )
        return FieldCipher(subkey(key, _TOKEN_KEY_INFO))

    def load(self) -> str | None:
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(_MAX_TOKEN_FILE_BYTES)
        except FileNotFoundError:
            return None
        except OSError as exc:
            _file_problem(self.path, exc)
        try:
            return self._cipher().decrypt(raw.decode("ascii").strip(), aad=self._aad)
        except (DecryptionError, UnicodeDecodeError) as exc:
            raise _unreadable_token() from exc

    def save(self, value: str) -> None:
        sealed = self._cipher().encrypt(value, aad=self._aad)
        try:
            durable_files.write_bytes(self.path, (sealed + "\n").encode("ascii"), mode=0o600)
        except OSError as exc:
            _file_problem(self.path, exc)

    def delete(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            _file_problem(self.path, exc)


def store_token(
    data_dir: Path, token_text: str, *, environ: Mapping[str, str] | None = None
) -> DeviceToken:
    """Keep the token issued by the national service (blanks around a paste are dropped)."""
    token = DeviceToken(token_text.strip())
    chosen, other = _stores(data_dir, environ)
    chosen.save(token.reveal())
    if other is not None:
        other.delete()  # an older copy in the store no longer used must not linger
    REDACTOR.register(token.reveal())
    return token


def load_token(data_dir: Path, *, environ: Mapping[str, str] | None = None) -> DeviceToken | None:
    """The stored token, or None when this desk has none yet."""
    chosen, _other = _stores(data_dir, environ)
    value = chosen.load()
    if value is None:
        return None
    try:
        token = DeviceToken(value)
    except DeviceTokenError as exc:
        raise _unreadable_token() from exc
    REDACTOR.register(token.reveal())
    return token


def forget_token(data_dir: Path) -> None:
    """Remove the token from every place it may be kept (keyring and sealed file).

    Needs no machine key, so a desk whose key is lost can still be cleared.
    """
    _SealedFileTokenStore(data_dir, None).delete()
    if is_secure_keyring(keyring.get_keyring()):
        _KeyringTokenStore(data_dir).delete()


def _stores(
    data_dir: Path, environ: Mapping[str, str] | None
) -> tuple[_TokenStore, _TokenStore | None]:
    """The store in use and, if reachable, the other one (to clear a stale copy)."""
    machine_keys = machine_key_store(data_dir, environ=environ)  # NoSecureKeyStore: refuse
    sealed_file = _SealedFileTokenStore(data_dir, machine_keys)
    if isinstance(machine_keys, KeyringMachineKeyStore):
        return _KeyringTokenStore(data_dir), sealed_file
    if is_secure_keyring(keyring.get_keyring()):
        return sealed_file, _KeyringTokenStore(data_dir)
    return sealed_file, None


def _unreadable_token() -> DeviceTokenError:
    return DeviceTokenError(
        Message(
            N_(
                "The stored device token cannot be opened: it is damaged, or it was sealed "
                "under another machine key. Enter the device token again."
            )
        )
    )


def _keyring_refused(exc: Exception) -> NoReturn:
    raise DeviceTokenError(
        Message(
            N_("The operating-system keyring refused access to the device token: {reason}"),
            {"reason": str(exc) or type(exc).__name__},
        )
    ) from exc


def _file_problem(path: Path, exc: OSError) -> NoReturn:
    raise DeviceTokenError(
        Message(
            N_("The device token file {path} cannot be read or written: {reason}"),
            {"path": str(path), "reason": exc.strerror or str(exc)},
        )
    ) from exc
