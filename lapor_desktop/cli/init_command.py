"""``init``: set a desk up for an office, with its first supervisor account.

A new desk needs ``--supervisor``: every other command signs in, so the
first account is made here, and its password is checked against the policy
before anything is written. Running ``init`` again (an installer script
does) needs no password while it changes nothing; changing the office's
settings on a desk with accounts needs someone allowed to change settings.

The national service (``--server-url``, ``--public-key``, ``--device-token-file``)
is checked with everything else before anything is written. The device token
is read from a file or standard input, never from an argument (``ps`` would
show it). ``--training-only`` makes a practice desk: marked PELATIHAN on
every screen and receipt, and it talks to no server but one on this computer,
so no practice complaint can reach the real LAPOR!. Without either, the
desk is real and complaints wait in the outbox until the service is set.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.desk import FirstSupervisor, SetupRefused
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import permissions
from lapor_desktop.services.office import check_office_code, load_office
from lapor_desktop.services.passwords import check_password, check_username, normalise_username
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings, WorkstationSettings
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from sync.connection import national_problems
from sync.desk_setup import set_up

from . import credentials
from .exit_codes import DatabaseProblem, ExitCode, UsageError
from .opening import data_paths, open_existing_desk, uses_sqlite_file
from .output import Output
from .session import DEFAULT_TIMEZONE, accounts_exist, sign_in

OFFICE_NAME_MAX = 200
DISPLAY_NAME_MAX = 100
SECRET_FILE_MAX = 64 * 1024
STDIN = "-"

_UNREADABLE = N_("The file {path} cannot be read: {reason}")
_TOO_BIG = N_("The file {path} is larger than {maximum} bytes; is it the right file?")
_EMPTY_TOKEN = N_("No device token was found in {path}.")
_TOKEN_WITHOUT_SERVER = N_(
    "A device token needs the national service too: add --server-url URL and --public-key KEY "
    "(or --public-key-file FILE)."
)
_ALREADY_REAL = N_(
    "This desk is already set up as a real desk; it cannot become a practice desk. "
    "Set up a practice desk in another data folder (--data-dir)."
)


@dataclass(frozen=True)
class _Found:
    """What a data folder already holds, read without creating or migrating anything."""

    office: OfficeSettings | None
    has_accounts: bool


def init(args: argparse.Namespace, out: Output) -> int:
    """Set the desk up; again with the same code only updates the name and time zone."""
    code = args.office_code.strip().upper()
    problem = check_office_code(code)
    if problem is not None:
        raise UsageError(problem)
    name = " ".join(args.office_name.split())
    if not name or len(name) > OFFICE_NAME_MAX:
        raise UsageError(
            Message(
                N_("The office name must be 1 to {maximum} characters."),
                {"maximum": OFFICE_NAME_MAX},
            )
        )
    paths = data_paths(args)
    found = _look(paths)
    existing = found.office
    if existing is not None and existing.office_code != code and not args.force:
        raise UsageError(
            Message(
                N_(
                    "This desk is already set up for office {current}. To change it to {new}, "
                    "run init again with --force (recorded complaints keep their numbers)."
                ),
                {"current": existing.office_code, "new": code},
            )
        )
    if existing is None:
        settings = OfficeSettings(code, name, timezone=args.timezone or DEFAULT_TIMEZONE)
    else:
        settings = dataclasses.replace(
            existing,
            office_code=code,
            office_name=name,
            timezone=args.timezone or existing.timezone,
        )
    station = WorkstationSettings.load(paths.workstation_settings)
    already_training = station is not None and station.training
    if args.training_only and existing is not None and not already_training:
        raise UsageError(Message(_ALREADY_REAL))
    training = args.training_only or already_training
    settings = dataclasses.replace(settings, national=_national(args, settings.national))
    token = _device_token(args)
    _check_national(args, settings.national, token, training=training, out=out)
    changed = settings != existing or token is not None
    supervisor = None if found.has_accounts else _first_supervisor(args, out)
    if found.has_accounts and changed:
        _check_allowed_to_change(paths, args, out)
    try:
        desk = set_up(paths, settings, supervisor=supervisor, device_token=token, training=training)
    except SetupRefused as refused:
        raise DatabaseProblem(refused.message) from refused
    try:
        created = supervisor is not None and desk.accounts.has_users()
    finally:
        desk.close()
    _report(out, paths, settings, existing=existing, changed=changed)
    _report_national(out, settings.national, training=training, token_file=args.device_token_file)
    if supervisor is not None and not created:
        raise UsageError(
            Message(
                N_(
                    "The office settings were saved, but the first supervisor could not be "
                    "created: this desk's data key exists without any account. Restore the "
                    "latest backup or ask for support."
                )
            )
        )
    if supervisor is not None:
        out.line(
            out.t(
                N_(
                    "First supervisor account: {user}. Other commands sign in with "
                    "--user {user} (or LAPOR_USER) and this password."
                ),
                user=supervisor.username,
            )
        )
    elif args.supervisor:
        out.line(out.t(N_("Accounts exist already; --supervisor was not needed and was ignored.")))
    return ExitCode.OK


def _national(
    args: argparse.Namespace, current: NationalServiceSettings
) -> NationalServiceSettings:
    """The national service as the options set it; what was not given stays as it was."""
    keys = [*args.public_key, *(_read_small(Path(f)).strip() for f in args.public_key_file)]
    return NationalServiceSettings(
        server_url=(args.server_url or current.server_url).strip(),
        public_keys=tuple(k.strip() for k in keys) or current.public_keys,
        pinned_ca_file=(
            str(Path(args.pinned_ca_file).absolute())
            if args.pinned_ca_file
            else current.pinned_ca_file
        ),
    )


def _device_token(args: argparse.Namespace) -> str | None:
    """The token from its file or standard input; None when this run brings none."""
    source = args.device_token_file
    if source is None:
        return None
    text = sys.stdin.read(SECRET_FILE_MAX + 1) if source == STDIN else _read_small(Path(source))
    if len(text) > SECRET_FILE_MAX:
        raise UsageError(Message(_TOO_BIG, {"path": source, "maximum": SECRET_FILE_MAX}))
    token = text.strip()
    if not token:
        raise UsageError(Message(_EMPTY_TOKEN, {"path": source}))
    return token


def _read_small(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as file:
            text = file.read(SECRET_FILE_MAX + 1)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(Message(_UNREADABLE, {"path": str(path), "reason": reason})) from exc
    if len(text) > SECRET_FILE_MAX:
        raise UsageError(Message(_TOO_BIG, {"path": str(path), "maximum": SECRET_FILE_MAX}))
    return text


def _check_national(
    args: argparse.Namespace,
    national: NationalServiceSettings,
    token: str | None,
    *,
    training: bool,
    out: Output,
) -> None:
    """Every problem with the national options, all told at once, before anything is written."""
    given = bool(args.server_url or args.public_key or args.public_key_file or args.pinned_ca_file)
    if token is not None and not (given or national.server_url):
        raise UsageError(Message(_TOKEN_WITHOUT_SERVER))
    if not (given or token is not None):
        return
    problems = list(national_problems(national, token, training=training).values())
    for problem in problems[:-1]:
        out.error(problem)
    if problems:
        raise UsageError(problems[-1])


def _look(paths: DataPaths) -> _Found:
    """The office and whether anyone can sign in; a missing SQLite file is not created."""
    if uses_sqlite_file(paths) and not paths.database.is_file():
        return _Found(None, has_accounts=False)
    database = Database(paths.database_url())
    try:
        migrate.check_not_too_new(database)
        if migrate.current_revision(database) is None:
            return _Found(None, has_accounts=False)
        return _Found(load_office(database), accounts_exist(database))
    finally:
        database.dispose()


def _first_supervisor(args: argparse.Namespace, out: Output) -> FirstSupervisor:
    """The account a new desk starts with; its name and password are checked before any write."""
    if not args.supervisor:
        raise UsageError(
            Message(
                N_(
                    "A new desk needs its first account: add --supervisor USERNAME "
                    '(and --supervisor-name "Full Name"). The password is asked twice, '
                    "or read from LAPOR_PASSWORD."
                )
            )
        )
    username = normalise_username(args.supervisor)
    problem = check_username(username)
    if problem is not None:
        raise UsageError(problem)
    display_name = " ".join((args.supervisor_name or username).split())
    if not display_name or len(display_name) > DISPLAY_NAME_MAX:
        raise UsageError(
            Message(
                N_("A person's name must be 1 to {maximum} characters."),
                {"maximum": DISPLAY_NAME_MAX},
            )
        )
    password = credentials.new_password(
        out,
        variable=credentials.PASSWORD_ENV,
        prompt=out.t(N_("Password for the supervisor {user}: "), user=username),
        check=lambda typed: check_password(typed, username),
    )
    return FirstSupervisor(username, display_name, password)


def _check_allowed_to_change(paths: DataPaths, args: argparse.Namespace, out: Output) -> None:
    """Changing an office that has accounts needs someone who may change settings."""
    desk = open_existing_desk(paths)
    try:
        me = sign_in(desk, args, out)
        permissions.require(me.actor, Permission.CHANGE_SETTINGS)
    finally:
        desk.close()


def _report(
    out: Output,
    paths: DataPaths,
    settings: OfficeSettings,
    *,
    existing: OfficeSettings | None,
    changed: bool,
) -> None:
    out.line(
        out.t(
            N_("This desk is set up for office {code} ({name}), time zone {timezone}."),
            code=settings.office_code,
            name=settings.office_name,
            timezone=settings.timezone,
        )
    )
    if existing is not None and changed:
        out.line(out.t(N_("It was already set up; its settings were updated.")))
    elif existing is not None:
        out.line(out.t(N_("It was already set up; nothing needed to change.")))
    out.line(out.t(N_("Data folder: {path}"), path=paths.root))


def _report_national(
    out: Output, national: NationalServiceSettings, *, training: bool, token_file: str | None
) -> None:
    if training:
        out.line(
            out.t(
                N_(
                    "Practice desk (PELATIHAN): every screen and receipt says so, and it talks "
                    "only to a training server on this computer."
                )
            )
        )
    if national.configured:
        out.line(
            out.t(
                N_("National service: {url} ({count} receipt key(s))."),
                url=national.server_url,
                count=len(national.public_keys),
            )
        )
    elif not training:
        out.line(
            out.t(
                N_(
                    "No national service yet: complaints wait in the outbox until init is run "
                    "again with --server-url, --public-key and --device-token-file."
                )
            )
        )
    if token_file is not None:
        out.line(out.t(N_("The device token is stored for this workstation.")))
        if token_file != STDIN:
            out.line(
                out.t(N_("Delete the file {path} now: it is no longer needed."), path=token_file)
            )
