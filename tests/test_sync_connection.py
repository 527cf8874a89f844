"""From settings and token to an engine: what is refused, and that a configured desk syncs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.settings import NationalServiceSettings
from sync.connection import (
    BAD_PUBLIC_KEY,
    NO_SERVER,
    NO_TOKEN,
    TRAINING_NOT_LOOPBACK,
    NotConfigured,
    check_national,
    connected_engine,
)
from sync.device_token import DeviceToken, store_token
from sync.engine import Done
from tests.support.reference_server import running_reference_server
from tests.support.sync_engine import queue, seen

KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="  # any 32 bytes in base64


def _configure(desk: Desk, national: NationalServiceSettings) -> None:
    desk.context.office = dataclasses.replace(desk.context.office, national=national)


def test_a_desk_without_a_server_is_told_what_to_set(sqlite_desk: Desk) -> None:
    with connected_engine(sqlite_desk.context, sqlite_desk.paths.root) as engine:
        assert engine == NotConfigured(NO_SERVER)


def test_a_training_desk_refuses_a_server_that_is_not_on_this_computer() -> None:
    national = NationalServiceSettings("https://lapor.example.id", (KEY,))
    refused = check_national(national, training=True)
    assert isinstance(refused, NotConfigured)
    assert refused.message.template == TRAINING_NOT_LOOPBACK.template
    assert "lapor.example.id" in refused.message.render("id")
    assert not isinstance(check_national(national, training=False), NotConfigured)
    loopback = NationalServiceSettings("http://127.0.0.1:8080", (KEY,))
    assert not isinstance(check_national(loopback, training=True), NotConfigured)


@pytest.mark.parametrize("bad", ["not base64!", "AAAA", ""])
def test_a_bad_public_key_is_named_by_its_number(bad: str) -> None:
    national = NationalServiceSettings("https://lapor.example.id", (KEY, bad))
    refused = check_national(national, training=False)
    assert isinstance(refused, NotConfigured)
    assert refused.message.template == BAD_PUBLIC_KEY.template
    assert refused.message.params["number"] == 2


def test_plain_http_to_a_remote_server_is_refused() -> None:
    national = NationalServiceSettings("http://lapor.example.id", (KEY,))
    assert isinstance(check_national(national, training=False), NotConfigured)


def test_a_configured_desk_without_its_token_is_told_to_enter_it(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    with running_reference_server(tmp_path / "server") as server:
        _configure(sqlite_desk, NationalServiceSettings(server.url, (server.public_key_text,)))
        with connected_engine(sqlite_desk.context, sqlite_desk.paths.root) as engine:
            assert engine == NotConfigured(NO_TOKEN)


def test_a_configured_desk_sends_with_its_stored_token(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    with running_reference_server(tmp_path / "server") as server:
        _configure(sqlite_desk, NationalServiceSettings(server.url, (server.public_key_text,)))
        store_token(sqlite_desk.paths.root, server.tokens[sqlite_desk.context.office.office_code])
        complaint = queue(sqlite_desk, sqlite_clerk)
        with connected_engine(sqlite_desk.context, sqlite_desk.paths.root) as engine:
            assert not isinstance(engine, NotConfigured)
            summary = engine.run_once()
        assert isinstance(summary.outcome, Done)
        assert summary.sent == 1
        assert seen(sqlite_desk, complaint).tracking_id is not None


def test_a_wrong_token_is_an_auth_problem_not_a_crash(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    with running_reference_server(tmp_path / "server") as server:
        _configure(sqlite_desk, NationalServiceSettings(server.url, (server.public_key_text,)))
        queue(sqlite_desk, sqlite_clerk)
        token = DeviceToken("salah-" + "x" * 30)
        with connected_engine(sqlite_desk.context, sqlite_desk.paths.root, token=token) as engine:
            assert not isinstance(engine, NotConfigured)
            summary = engine.run_once()
        assert summary.needs_person
        assert summary.sent == 0
