"""Reference data: the bundled set, installing it into a real database, strict server sets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from lapor_desktop.i18n import Message
from lapor_desktop.reference.dataset import (
    BUNDLED_VERSION,
    ReferenceDataError,
    ReferenceDataset,
    dataset_from_json,
    load_bundled,
)
from lapor_desktop.reference.districts import is_known_district_code
from lapor_desktop.reference.store import (
    ReferenceLookup,
    ensure_bundled,
    install,
    installed_version,
)
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Agency, Region

NOW = dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC)
LINGGA_DISTRICTS = 13


@pytest.fixture(scope="module")
def bundled() -> ReferenceDataset:
    return load_bundled()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.sqlite3")
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def installed(db: Database) -> Database:
    assert ensure_bundled(db, now=NOW)
    return db


def small_set(version: str = "server-7") -> dict[str, Any]:
    return {
        "version": version,
        "regions": [
            {"code": "21", "name": "Kepulauan Riau", "level": "province", "parent_code": None},
            {"code": "2171", "name": "Kota Batam", "level": "regency", "parent_code": "21"},
            {
                "code": "217101",
                "name": "Belakang Padang",
                "level": "district",
                "parent_code": "2171",
            },
        ],
        "agencies": [{"code": "2171-DISDIK", "name": "Dinas Pendidikan Kota Batam"}],
        "categories": [
            {"code": "KES", "name": "Kesehatan", "parent_code": None},
            {"code": "KES-RS", "name": "Rumah Sakit", "parent_code": "KES"},
        ],
    }


def rejection(obj: object) -> Message:
    with pytest.raises(ReferenceDataError) as caught:
        dataset_from_json(obj)
    assert isinstance(caught.value, ValueError)
    return caught.value.message


# The bundled set


def test_bundled_set_has_every_province_and_lingga_with_its_districts(
    bundled: ReferenceDataset,
) -> None:
    by_code = {r.code: r for r in bundled.regions}
    assert bundled.version == BUNDLED_VERSION
    assert sum(r.level == "province" for r in bundled.regions) == 38
    assert by_code["2104"].name == "Kabupaten Lingga"
    assert by_code["2104"].parent_code == "21"
    lingga_districts = [r for r in bundled.regions if r.parent_code == "2104"]
    assert len(lingga_districts) == LINGGA_DISTRICTS
    assert by_code["210402"].name == "Lingga"


def test_bundled_set_includes_the_villages_of_kepulauan_riau(bundled: ReferenceDataset) -> None:
    daik = next(r for r in bundled.regions if r.code == "2104021010")
    assert (daik.name, daik.level, daik.parent_code) == ("Daik", "village", "210402")
    assert sum(r.level == "village" for r in bundled.regions) == 419


def test_villages_can_be_limited_to_one_province() -> None:
    jakarta_only = load_bundled(province_code="31")
    assert not any(r.level == "village" for r in jakarta_only.regions)
    assert any(r.code == "2104" for r in jakarta_only.regions)


def test_bundled_agencies_and_categories_are_the_lingga_sample(bundled: ReferenceDataset) -> None:
    agency_codes = {a.code for a in bundled.agencies}
    assert {"2104-DISDIK", "2104-DINKES", "2104-RSUD-DABO", "2104-POLRES"} <= agency_codes
    assert sum(a.code.startswith("2104-KEC") for a in bundled.agencies) == LINGGA_DISTRICTS
    top = [c for c in bundled.categories if c.parent_code is None]
    assert len(top) == 19
    assert any(c.parent_code == "PU" for c in bundled.categories)


# Installing


def test_bundled_set_is_installed_once_into_an_empty_database(db: Database) -> None:
    with db.read() as session:
        assert installed_version(session) is None
    assert ensure_bundled(db, now=NOW) is True
    assert ensure_bundled(db, now=NOW) is False
    with db.read() as session:
        assert installed_version(session) == BUNDLED_VERSION
        assert session.scalar(select(func.count()).select_from(Region)) == 7837 + 419


def test_installing_a_new_set_replaces_the_old_one_wholesale(installed: Database) -> None:
    with installed.write() as session:
        install(session, dataset_from_json(small_set()), source="server", now=NOW)
    with installed.read() as session:
        assert installed_version(session) == "server-7"
        assert session.scalars(select(Agency.code)).all() == ["2171-DISDIK"]
        assert session.get(Region, "2104") is None
        assert session.scalar(select(func.count()).select_from(Region)) == 3


def test_a_failed_install_leaves_the_previous_set(installed: Database) -> None:
    def interrupted_install() -> None:
        with installed.write() as session:
            install(session, dataset_from_json(small_set()), source="server", now=NOW)
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        interrupted_install()
    with installed.read() as session:
        assert installed_version(session) == BUNDLED_VERSION
        assert session.get(Region, "2104") is not None


# Looking up


def test_region_label_names_the_region_and_its_ancestors(installed: Database) -> None:
    lookup = ReferenceLookup(installed)
    assert lookup.region_label("2104021010") == "Daik, Lingga, Kabupaten Lingga, Kepulauan Riau"
    assert lookup.region_label("21") == "Kepulauan Riau"
    assert lookup.region_label("9999") == ""
    assert lookup.region_label("") == ""


def test_lookup_answers_code_checks(installed: Database) -> None:
    lookup = ReferenceLookup(installed)
    assert lookup.has_region("210402")
    assert not lookup.has_region("219999")
    assert lookup.has_agency("2104-DISDUKCAPIL")
    assert not lookup.has_agency("2171-DISDIK")
    assert lookup.has_category("KES-RS")
    assert not lookup.has_category("KES-XX")


def test_lookup_lists_children_for_cascading_pickers(installed: Database) -> None:
    lookup = ReferenceLookup(installed)
    assert len(lookup.children(None)) == 38
    districts = lookup.children("2104")
    assert [d.code for d in districts] == sorted(d.code for d in districts)
    assert len(districts) == LINGGA_DISTRICTS
    assert "Daik" in {v.name for v in lookup.children("210402")}
    assert lookup.children("2104021010") == []


def test_lookup_lists_agencies_by_name_and_categories_under_their_parent(
    installed: Database,
) -> None:
    lookup = ReferenceLookup(installed)
    names = [a.name.casefold() for a in lookup.agencies()]
    assert names == sorted(names)
    codes = [c.code for c in lookup.categories()]
    assert codes.index("KES") + 1 == codes.index("KES-JKN")


def test_lookup_reads_the_database_once_until_invalidated(installed: Database) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(installed.engine, "before_cursor_execute", count)
    lookup = ReferenceLookup(installed)
    for _ in range(5):
        assert lookup.has_region("2104")
        assert lookup.has_agency("2104-DISDIK")
        assert lookup.has_category("PU")
        lookup.region_label("2104021010")
    first_reads = len(statements)
    assert 0 < first_reads <= 6
    with installed.write() as session:
        install(session, dataset_from_json(small_set()), source="server", now=NOW)
    assert lookup.has_region("2104"), "still the cached set"
    lookup.invalidate()
    assert not lookup.has_region("2104")
    event.remove(installed.engine, "before_cursor_execute", count)


def test_lookup_works_inside_a_caller_session(installed: Database) -> None:
    with installed.read() as session:
        assert ReferenceLookup(session).has_region("2104")


# Strict checks on a server set


def test_a_consistent_server_set_is_accepted() -> None:
    dataset = dataset_from_json(small_set())
    assert dataset.version == "server-7"
    assert dataset.agencies[0].parent_code is None


def test_server_set_with_an_orphan_is_rejected() -> None:
    data = small_set()
    data["categories"].append({"code": "HUB-LAUT", "name": "Angkutan Laut", "parent_code": "HUB"})
    message = rejection(data)
    assert message.params == {"code": "HUB-LAUT", "dataset": "categories", "parent": "HUB"}
    assert "not in the list" in message.render("en")


def test_server_set_with_a_duplicate_code_is_rejected() -> None:
    data = small_set()
    data["agencies"].append({"code": "2171-DISDIK", "name": "Dinas Pendidikan (lagi)"})
    assert rejection(data).params == {"code": "2171-DISDIK", "dataset": "agencies"}


def test_server_set_with_a_loop_of_parents_is_rejected() -> None:
    data = small_set()
    data["agencies"] = [
        {"code": "A", "name": "A", "parent_code": "B"},
        {"code": "B", "name": "B", "parent_code": "A"},
    ]
    assert "loop" in rejection(data).render("en")


def test_server_set_with_a_region_under_the_wrong_level_is_rejected() -> None:
    data = small_set()
    data["regions"][2]["parent_code"] = "21"
    assert rejection(data).params["expected"] == "regency"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(regions=[]),
        lambda d: d.pop("agencies"),
        lambda d: d.update(version=""),
        lambda d: d.update(version=7),
        lambda d: d["agencies"][0].update(code=""),
        lambda d: d["agencies"][0].update(code=" 2171-DISDIK"),
        lambda d: d["agencies"][0].update(name=None),
        lambda d: d["agencies"][0].update(parent_code=3),
        lambda d: d["categories"].append("KES"),
        lambda d: d["regions"][0].update(level="kelurahan"),
        lambda d: d["agencies"][0].update(code="X" * 33),
    ],
    ids=[
        "no-regions",
        "no-agencies",
        "empty-version",
        "version-not-text",
        "empty-code",
        "code-with-spaces",
        "name-missing",
        "parent-not-text",
        "entry-not-object",
        "unknown-level",
        "code-too-long",
    ],
)
def test_malformed_server_sets_are_rejected_with_a_message(change: Any) -> None:
    data = small_set()
    change(data)
    assert rejection(data).render("en")


def test_server_set_that_is_not_an_object_is_rejected() -> None:
    assert rejection(["version", "regions"]).params == {}


# District codes of NIKs


def test_retired_district_code_is_still_known(bundled: ReferenceDataset) -> None:
    merauke_before_2022 = "910101"  # Papua split: Merauke moved from 9101 to 9301
    assert merauke_before_2022 not in {r.code for r in bundled.regions}
    assert is_known_district_code(merauke_before_2022)


def test_current_district_code_is_known_and_others_are_not() -> None:
    assert is_known_district_code("210402")
    assert not is_known_district_code("219999")
    assert not is_known_district_code("2104")
    assert not is_known_district_code("21040a")
