"""What the settings screen does on the worker: read the settings and the token state, save both.

Kept apart from the widgets so that it can be read (and tested) without a window: the
national-service checks come from the sync layer (``sync.connection``), and the
token is stored only once the office settings are saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.i18n import Message
from lapor_desktop.services.context import Actor
from lapor_desktop.services.settings_service import (
    SettingIssue,
    SettingsOutcome,
    SettingsRefused,
    SettingsService,
)
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings
from sync.connection import national_problems
from sync.device_token import DeviceTokenError, load_token, store_token


@dataclass(frozen=True)
class LoadedSettings:
    office: OfficeSettings
    token_set: bool
    token_problem: Message | None


@dataclass(frozen=True)
class SaveResult:
    outcome: SettingsOutcome
    token_set: bool
    token_problem: Message | None = None


PEM_BLOCK = re.compile(r"-----BEGIN [^-]+-----.*?-----END [^-]+-----", re.DOTALL)
NATIONAL_FIELD_NAMES = {"public_key": "public_keys"}
"""Where the national-service problems (``sync.connection``) are shown on this screen."""


def national_issues(
    national: NationalServiceSettings, token: str | None, *, training: bool
) -> list[SettingIssue]:
    """The sync layer's verdict on address, keys, CA file and a new token, field by field.

    A desk with no national service at all is simply not configured yet: nothing to check.
    """
    if national == NationalServiceSettings() and token is None:
        return []
    problems = national_problems(national, token, training=training)
    return [SettingIssue(NATIONAL_FIELD_NAMES.get(k, k), m) for k, m in problems.items()]


def split_keys(text: str) -> tuple[str, ...]:
    """Keys as pasted: PEM blocks whole, otherwise one base64 key per line."""
    if "-----BEGIN" in text:
        return tuple(block.strip() for block in PEM_BLOCK.findall(text))
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def load_settings(service: SettingsService, data_dir: Path) -> LoadedSettings:
    try:
        token_set, problem = load_token(data_dir) is not None, None
    except DeviceTokenError as exc:
        token_set, problem = False, exc.message
    return LoadedSettings(service.current(), token_set, problem)


def save_settings(
    service: SettingsService,
    actor: Actor,
    settings: OfficeSettings,
    token_text: str,
    data_dir: Path,
    *,
    training: bool,
) -> SaveResult:
    """Everything is checked first; the token is stored only once the office settings are saved."""
    token = token_text.strip() or None
    outcome = service.save(
        actor, settings, national_check=lambda n: national_issues(n, token, training=training)
    )
    if isinstance(outcome, SettingsRefused) or token is None:
        return SaveResult(outcome, token_set=False)
    try:
        service.change_device_token(actor, lambda: store_token(data_dir, token))
    except DeviceTokenError as exc:
        return SaveResult(outcome, token_set=False, token_problem=exc.message)
    return SaveResult(outcome, token_set=True)
