"""Every path the application writes to, in one place.

Everything lives under one data folder: the platformdirs user data folder
by default, relocated by ``--data-dir`` or ``LAPOR_DATA_DIR``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from lapor_desktop.security.file_modes import private_folder

APP_NAME = "lapor-desktop"
DATA_DIR_ENV = "LAPOR_DATA_DIR"
DATABASE_URL_ENV = "LAPOR_DATABASE_URL"


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "lapor.sqlite3"

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def workstation_settings(self) -> Path:
        return self.root / "settings.json"

    def ensure(self) -> DataPaths:
        """Create the folders owner-only (0700), whatever the umask."""
        for folder in (self.root, self.attachments, self.logs, self.backups):
            private_folder(folder)
        return self

    def database_url(self) -> str:
        """PostgreSQL when ``LAPOR_DATABASE_URL`` is set, else the SQLite file here."""
        return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{self.database}"


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> DataPaths:
    """``--data-dir`` first, then ``LAPOR_DATA_DIR``, then the platform's folder."""
    if override:
        return DataPaths(Path(override).expanduser().resolve())
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return DataPaths(Path(env).expanduser().resolve())
    return DataPaths(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))
