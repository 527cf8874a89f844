"""Adapters found by name through entry points, and the desk connecting through the one it names.

A third-party adapter is installed here for real: a distribution's metadata
(``dist-info`` with ``entry_points.txt``) and its module on ``sys.path``, which
is all ``importlib.metadata`` reads, so nothing of the registry is replaced.
"""

from __future__ import annotations

import dataclasses
import sys
from importlib.metadata import distribution, entry_points
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.settings import NationalServiceSettings
from sync.adapters.registry import (
    AMBIGUOUS_ADAPTER,
    BROKEN_ADAPTER,
    ENTRY_POINT_GROUP,
    UNKNOWN_ADAPTER,
    AdapterNotFound,
    built_in,
    find_adapter,
    installed_adapters,
)
from sync.connection import NotConfigured, connected_engine
from sync.device_token import DeviceToken, store_token
from sync.engine import Done
from sync.reference_server.addstream_endpoint import ADDSTREAM_BASE, simulation_of
from tests.support.reference_server import running_reference_server
from tests.support.sync_engine import queue, seen

ACME_MODULE = """
from sync.adapters.lapor_v1 import LaporV1Adapter

SEEN = []


def build(context):
    SEEN.append(context)
    return LaporV1Adapter(context.session, context.base_url, trusted_keys=context.trusted_keys,
                          clock=context.clock, language=context.language)
"""


def install(site: Path, dist: str, module: str, source: str, entry: str) -> None:
    """A package as pip leaves it: the module, and its metadata with one entry point."""
    site.mkdir(exist_ok=True)
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[lapor_desktop.adapters]\n{entry}\n")


def _configure(desk: Desk, url: str, key: str, adapter: str) -> None:
    national = NationalServiceSettings(url, (key,), adapter=adapter)
    desk.context.office = dataclasses.replace(desk.context.office, national=national)


def test_our_adapters_are_found_by_their_entry_points() -> None:
    registered = {point.name for point in entry_points(group=ENTRY_POINT_GROUP)}
    assert {"lapor-v1", "addstream"} <= registered <= set(installed_adapters())
    assert find_adapter("addstream").__module__ == "sync.adapters.addstream"
    assert find_adapter("lapor-v1").__module__ == "sync.adapters.factories"


def test_the_built_in_table_matches_our_registered_entry_points() -> None:
    """The frozen desk has no distribution metadata: it finds ours through ``built_in``."""
    ours = distribution("lapor-desktop").entry_points.select(group=ENTRY_POINT_GROUP)
    registered = {point.name: point.value for point in ours}
    table = {name: f"{f.__module__}:{f.__name__}" for name, f in built_in().items()}
    assert registered == table


def test_ours_are_found_without_any_distribution_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in the frozen desk: no ``dist-info`` anywhere on the path."""
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert list(entry_points(group=ENTRY_POINT_GROUP)) == []
    assert find_adapter("addstream") is built_in()["addstream"]
    assert {"lapor-v1", "addstream"} == set(installed_adapters())


def test_an_unknown_adapter_names_the_installed_ones_in_both_languages() -> None:
    with pytest.raises(AdapterNotFound) as raised:
        find_adapter("lapor-v9")
    message = raised.value.message
    assert message.template == UNKNOWN_ADAPTER
    english, indonesian = message.render("en"), message.render("id")
    for text in (english, indonesian):
        assert "lapor-v9" in text and "addstream" in text and "lapor-v1" in text
    assert english != indonesian and "terpasang" in indonesian


def test_a_third_party_adapter_is_found_and_given_the_desks_connection(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    install(site, "acme_lapor", "acme_lapor", ACME_MODULE, "acme = acme_lapor:build")
    monkeypatch.syspath_prepend(str(site))
    assert "acme" in installed_adapters()
    with running_reference_server(tmp_path / "server") as server:
        url, key, token = server.url, server.public_key, server.tokens["2104"]
        _configure(sqlite_desk, server.url, server.public_key_text, "acme")
        store_token(sqlite_desk.paths.root, server.tokens["2104"])
        complaint = queue(sqlite_desk, sqlite_clerk)
        with connected_engine(sqlite_desk.context, sqlite_desk.paths.root) as engine:
            assert not isinstance(engine, NotConfigured), engine
            assert isinstance(engine.run_once().outcome, Done)
    import acme_lapor  # type: ignore[import-not-found]

    (context,) = acme_lapor.SEEN
    assert context.base_url == url
    assert isinstance(context.token, DeviceToken) and token not in repr(context)
    assert context.trusted_keys == (key,)
    assert context.language == sqlite_desk.context.station.language
    assert seen(sqlite_desk, complaint).tracking_id is not None


def test_a_broken_or_doubly_installed_adapter_is_named_not_crashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    install(
        site, "broken_lapor", "broken_lapor", "import no_such_module\n", "broken = broken_lapor:x"
    )
    install(site, "twin_one", "twin_one", "def build(c): ...\n", "twin = twin_one:build")
    install(site, "twin_two", "twin_two", "def build(c): ...\n", "twin = twin_two:build")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(AdapterNotFound) as broken:
        find_adapter("broken")
    assert broken.value.message.template == BROKEN_ADAPTER
    assert "ModuleNotFoundError" in broken.value.message.render("en")
    with pytest.raises(AdapterNotFound) as twins:
        find_adapter("twin")
    assert twins.value.message.template == AMBIGUOUS_ADAPTER
    assert "twin_one" in twins.value.message.render("id")
    assert "twin_two" in twins.value.message.render("id")


def test_a_desk_naming_an_unknown_adapter_is_told_before_anything_is_sent(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    with running_reference_server(tmp_path / "server") as server:
        _configure(sqlite_desk, server.url, server.public_key_text, "lapor-v9")
        store_token(sqlite_desk.paths.root, server.tokens["2104"])
        queue(sqlite_desk, sqlite_clerk)
        with connected_engine(sqlite_desk.context, sqlite_desk.paths.root) as engine:
            assert isinstance(engine, NotConfigured)
            assert engine.message.template == UNKNOWN_ADAPTER
        assert server.requests() == []


def test_a_desk_set_to_addstream_sends_one_report_per_call(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    with running_reference_server(tmp_path / "server") as server:
        url = server.url + ADDSTREAM_BASE
        _configure(sqlite_desk, url, server.public_key_text, "addstream")
        store_token(sqlite_desk.paths.root, server.tokens["2104"])
        complaints = [
            queue(sqlite_desk, sqlite_clerk, title=f"Lampu jalan mati {n}") for n in (1, 2)
        ]
        with connected_engine(sqlite_desk.context, sqlite_desk.paths.root) as engine:
            assert not isinstance(engine, NotConfigured), engine
            assert engine.batch_size == 1
            assert isinstance(engine.run_once().outcome, Done)
        reports = simulation_of(server.server.app).reports()  # type: ignore[attr-defined]
        calls = [r for r in server.requests() if r.path.endswith("/addstream")]
    assert len(calls) == 2 and len(reports) == 2
    recorded = sorted(str(seen(sqlite_desk, c).tracking_id) for c in complaints)
    assert recorded == sorted(r.tracking_id for r in reports)


def test_lapor_v1_stays_the_default_adapter(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    assert NationalServiceSettings().adapter == "lapor-v1"
    with running_reference_server(tmp_path / "server") as server:
        national = NationalServiceSettings(server.url, (server.public_key_text,))
        sqlite_desk.context.office = dataclasses.replace(
            sqlite_desk.context.office, national=national
        )
        queue(sqlite_desk, sqlite_clerk)
        token = DeviceToken(server.tokens["2104"])
        with connected_engine(sqlite_desk.context, sqlite_desk.paths.root, token=token) as engine:
            assert not isinstance(engine, NotConfigured)
            assert isinstance(engine.run_once().outcome, Done)
        paths = {r.path for r in server.requests()}
    assert "/v1/complaints:batch" in paths
    assert not any(path.endswith("/addstream") for path in paths)
