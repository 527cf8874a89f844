"""One outcome vocabulary: every outcome says its state, who must act, its words and its retry."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import get_args

import pytest

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.cli.sync_commands.outcomes import exit_code
from lapor_desktop.cli.sync_commands.status_command import SERVER_LABELS
from lapor_desktop.cli.sync_commands.watch_command import state_label
from lapor_desktop.i18n import LANGUAGES, translate
from sync.adapters.outcomes import (
    CaptivePortal,
    CertificateProblem,
    Forbidden,
    MalformedResponse,
    RetryLater,
    ServerError,
    Unauthorized,
    UntrustedReceipt,
)
from sync.connection import NO_SERVER, NO_TOKEN
from sync.engine import (
    AuthProblem,
    Cancelled,
    Connection,
    Done,
    NeedsSignIn,
    Offline,
    PassOutcome,
    Retry,
    ServiceUnavailable,
    SyncOutcome,
    Unconfigured,
    UnexpectedError,
)
from sync.runner import RunnerState
from sync.runner.runner import settled_state
from ui.sync_state import NOT_SYNCED_YET, SyncView

ROOT = Path(__file__).resolve().parent.parent
LATER = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)
SAMPLES: dict[type, tuple[SyncOutcome, ...]] = {
    Done: (Done(),),
    Offline: (Offline("connection refused", LATER), Offline("timed out", None)),
    ServiceUnavailable: (
        ServiceUnavailable(RetryLater(429, 60.0), LATER),
        ServiceUnavailable(ServerError(500), LATER),
        ServiceUnavailable(MalformedResponse("truncated"), None),
    ),
    AuthProblem: (
        AuthProblem(Unauthorized()),
        AuthProblem(Forbidden()),
        AuthProblem(CertificateProblem("self-signed")),
        AuthProblem(UntrustedReceipt("0190-uuid", "bad signature")),
    ),
    NeedsSignIn: (NeedsSignIn(CaptivePortal(200, "text/html")),),
    Cancelled: (Cancelled(),),
    Unconfigured: (Unconfigured(NO_SERVER), Unconfigured(NO_TOKEN)),
    UnexpectedError: (UnexpectedError("OperationalError"),),
}
EVERY_OUTCOME = [outcome for samples in SAMPLES.values() for outcome in samples]


def test_the_samples_cover_every_outcome_type() -> None:
    assert set(SAMPLES) == set(get_args(SyncOutcome))
    assert set(get_args(PassOutcome)) <= set(get_args(SyncOutcome))


@pytest.mark.parametrize("outcome", EVERY_OUTCOME, ids=repr)
def test_every_outcome_declares_its_state_person_words_retry_and_exit_code(
    outcome: SyncOutcome,
) -> None:
    if isinstance(outcome, Cancelled):
        assert outcome.connection is None  # it revealed nothing: the state shown before stands
    else:
        assert isinstance(outcome.connection, Connection)
    assert isinstance(outcome.needs_person, bool)
    assert isinstance(outcome.retry, Retry)
    assert isinstance(outcome.kind, str) and outcome.kind
    for language in LANGUAGES:
        text = outcome.message.render(language)
        assert text.strip() and "{" not in text and "}" not in text, (language, text)
    assert isinstance(exit_code(outcome), ExitCode)
    assert settled_state(outcome) not in (
        RunnerState.STARTING,
        RunnerState.SYNCING,
        RunnerState.STOPPED,
    )


def test_each_outcome_type_has_its_own_kind_and_exit_code() -> None:
    kinds = {cls: samples[0].kind for cls, samples in SAMPLES.items()}
    assert len(set(kinds.values())) == len(kinds)
    codes = {cls: {exit_code(o) for o in samples} for cls, samples in SAMPLES.items()}
    assert all(len(found) == 1 for found in codes.values()), codes
    assert len({code for found in codes.values() for code in found}) == len(codes)
    assert codes[Done] == {ExitCode.OK}


@pytest.mark.parametrize("outcome", EVERY_OUTCOME, ids=repr)
def test_what_needs_a_person_is_never_waited_out_and_shows_as_a_warning(
    outcome: SyncOutcome,
) -> None:
    warning_states = {
        Connection.CAPTIVE_PORTAL,
        Connection.NEEDS_ATTENTION,
        Connection.NOT_CONFIGURED,
    }
    if outcome.needs_person:
        assert outcome.retry in (Retry.PROBE, Retry.WHEN_A_PERSON_ACTS)
        assert outcome.connection in warning_states
    else:
        assert outcome.connection not in warning_states
    assert SyncView(outcome=outcome).needs_person is outcome.needs_person


def test_the_runner_settles_where_the_outcome_says() -> None:
    assert settled_state(Done()) is RunnerState.IDLE
    assert settled_state(Cancelled()) is RunnerState.IDLE
    assert settled_state(Offline("refused", None)) is RunnerState.OFFLINE
    assert settled_state(ServiceUnavailable(RetryLater(503, None), LATER)) is RunnerState.WAITING
    assert settled_state(AuthProblem(Unauthorized())) is RunnerState.NEEDS_PERSON
    assert settled_state(NeedsSignIn(CaptivePortal(200, "text/html"))) is RunnerState.NEEDS_PERSON
    assert settled_state(Unconfigured(NO_SERVER)) is RunnerState.NOT_CONFIGURED
    assert settled_state(UnexpectedError("KeyError")) is RunnerState.FAILED


def test_the_window_and_the_command_line_use_the_same_sentence() -> None:
    offline = Offline("refused", None)
    view = SyncView(outcome=offline)
    assert view.connection is Connection.OFFLINE
    assert view.message == offline.message
    assert "offline" in offline.message.render("en")
    assert SyncView().connection is Connection.UNKNOWN and SyncView().message == NOT_SYNCED_YET
    assert SyncView(outcome=Cancelled()).connection is Connection.UNKNOWN


def test_every_state_has_a_label_in_both_languages() -> None:
    for connection in Connection:
        assert translate(connection.label, "en") and translate(connection.label, "id")
    for state in RunnerState:
        assert translate(state_label(state), "en")


def test_every_probe_answer_has_words_in_sync_status() -> None:
    for kind in (Offline.kind, NeedsSignIn.kind, Unconfigured.kind, "reachable", "not_checked"):
        assert SERVER_LABELS[kind]


def test_an_exit_code_table_that_forgets_an_outcome_fails_type_checking(tmp_path: Path) -> None:
    """The mechanism of ``exit_code``: a match over ``SyncOutcome`` ending in assert_never."""
    table = tmp_path / "forgetful_table.py"
    table.write_text(
        textwrap.dedent(
            """
            from typing import assert_never

            from sync.engine import Done, SyncOutcome


            def code(outcome: SyncOutcome) -> int:
                match outcome:
                    case Done():
                        return 0
                    case _:
                        assert_never(outcome)
            """
        ),
        encoding="utf-8",
    )
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(table)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "assert_never" in checked.stdout and "Offline" in checked.stdout
