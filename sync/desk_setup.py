"""First-run set-up as the wizard and ``init`` both do it: check everything, then write.

The core's :func:`lapor_desktop.desk.initialise` writes the office and the
first supervisor; this adds what only the sync side can check or keep: the
national service's address and keys, and this workstation's device token.
"""

from __future__ import annotations

import dataclasses

from lapor_desktop.desk import (
    AccountFactory,
    Desk,
    FirstSupervisor,
    SetupRefused,
    initialise,
)
from lapor_desktop.i18n import Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MachineKeyStore
from lapor_desktop.services.accounts import AccountService
from lapor_desktop.services.context import Clock, system_clock
from lapor_desktop.settings import (
    NationalServiceSettings,
    OfficeSettings,
    WebsiteLaneSettings,
    WorkstationSettings,
)
from sync.connection import national_problems
from sync.device_token import DeviceTokenError, store_token


def set_up(
    paths: DataPaths,
    office: OfficeSettings,
    *,
    supervisor: FirstSupervisor | None = None,
    device_token: str | None = None,
    training: bool = False,
    database_url: str | None = None,
    clock: Clock = system_clock,
    machine: MachineKeyStore | None = None,
    account_factory: AccountFactory = AccountService,
) -> Desk:
    """Check the supervisor and the national settings, then write them all.

    Writes the office settings (national service included), the first
    supervisor, this workstation's device token and, for "training only for
    now", the training mark. Raises :class:`SetupRefused` with the reason,
    before anything is written.
    """
    station = WorkstationSettings.load(paths.workstation_settings)
    training = training or (station is not None and station.training)
    problems: dict[str, Message] = {}
    if office.national != NationalServiceSettings() or device_token is not None:
        problems = national_problems(office.national, device_token, training=training)
    problem = (supervisor.problem() if supervisor else None) or next(iter(problems.values()), None)
    if problem is not None:
        raise SetupRefused(problem)
    if training:
        office = practice_website(office)
    desk = initialise(
        paths,
        office,
        supervisor=supervisor,
        database_url=database_url,
        clock=clock,
        machine=machine,
        account_factory=account_factory,
    )
    try:
        if training and not desk.context.station.training:
            desk.context.station = desk.context.station.training_copy()
            desk.context.station.save(paths.workstation_settings)
        if device_token is not None:
            _store_device_token(paths, device_token)
    except BaseException:
        desk.close()
        raise
    return desk


def practice_website(office: OfficeSettings) -> OfficeSettings:
    """A training desk's website lane opens its server's practice form, never the real LAPOR!.

    Only when the address is still the real one and a national server is set (the training
    reference server serves the form); an address an IT officer chose is kept.
    """
    from sync.reference_server.practice_form import PRACTICE_PATH  # training only: Flask's

    server = office.national.server_url
    if not server or office.website.address != WebsiteLaneSettings().address:
        return office
    website = dataclasses.replace(office.website, address=server.rstrip("/") + PRACTICE_PATH)
    return dataclasses.replace(office, website=website)


def _store_device_token(paths: DataPaths, token_text: str) -> None:
    try:
        store_token(paths.root, token_text)
    except DeviceTokenError as exc:
        raise SetupRefused(exc.message) from exc
