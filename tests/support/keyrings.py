"""An in-memory keyring backend: no OS keyring (Credential Manager, Secret Service) runs here."""

from __future__ import annotations

import keyring
import keyring.errors
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in a dict."""

    priority = 1  # type: ignore[assignment]
    viable = False  # never picked by keyring's own discovery, only by set_keyring()

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise keyring.errors.PasswordDeleteError(username)
        del self.secrets[(service, username)]
