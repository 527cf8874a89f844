"""Whatever file the importer is given, it reports or refuses it; it never crashes."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_desktop.desk import Desk, initialise
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import FileMachineKeyStore
from lapor_desktop.services.context import Actor, system_clock
from lapor_desktop.services.importer import ImportReport, RegisterImporter
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.services.register_formats import ALIASES, RegisterFormatError
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.samples import OFFICE_CODE, OFFICE_NAME

HEADER_NAMES = [name for field, aliases in ALIASES.items() for name in (field, *aliases)]
SUFFIXES = st.sampled_from([".csv", ".json", ".xlsx", ".txt", ".xls", ""])

cells = st.one_of(
    st.sampled_from(["ya", "tidak", "pengaduan", "aspirasi", "210402", "2104-DPUPR", "", "1"]),
    st.text(max_size=30),
)


@st.composite
def csv_text(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 8))
    header = draw(
        st.lists(st.sampled_from([*HEADER_NAMES, "No", ""]), min_size=width, max_size=width)
    )
    rows = draw(st.lists(st.lists(cells, max_size=width + 2), max_size=6))
    lines = [delimiter.join(header), *(delimiter.join(row) for row in rows)]
    return "\n".join(lines).encode(
        draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])), "replace"
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def json_register(draw: st.DrawFn) -> bytes:
    entries = draw(
        st.lists(
            st.dictionaries(st.sampled_from(HEADER_NAMES), json_values, max_size=8), max_size=5
        )
    )
    document = draw(st.sampled_from(["list", "wrapped", "other"]))
    shaped = {"list": entries, "wrapped": {"complaints": entries}, "other": draw(json_values)}
    return json.dumps(shaped[document]).encode()


xlsx_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**17), 10**17),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.text(st.characters(min_codepoint=32, blacklist_categories=("Cs",)), max_size=20),
)


@st.composite
def xlsx_register(draw: st.DrawFn) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in draw(st.lists(st.lists(xlsx_cells, max_size=6), max_size=5)):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


files = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=512).map(lambda b: b"PK\x03\x04" + b),
    csv_text(),
    json_register(),
    xlsx_register(),
)


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Actor]]:
    """One desk for every example, with a front-desk clerk to import as.

    Module-scoped, so it is set up before the per-test environment: its
    machine key file is given explicitly, outside the data folder.
    """
    paths = DataPaths(tmp_path_factory.mktemp("data")).ensure()
    machine = FileMachineKeyStore(
        tmp_path_factory.mktemp("keys") / "machine.key", data_dir=paths.root
    )
    office = OfficeSettings(office_code=OFFICE_CODE, office_name=OFFICE_NAME)
    desk = initialise(
        paths,
        office,
        supervisor=accounts.SUPERVISOR,
        database_url=f"sqlite:///{paths.database}",
        clock=system_clock,
        machine=machine,
        account_factory=accounts.cheap_accounts,
    )
    boss = accounts.sign_in_supervisor(desk)
    clerk = accounts.add_user(desk, boss, "fuzz", Role.FRONT_DESK).actor
    yield desk, clerk
    desk.close()


def _import(
    desk: Desk, clerk: Actor, content: bytes, suffix: str, skip_invalid: bool
) -> ImportReport | RegisterFormatError:
    importer = RegisterImporter(desk.context, desk.intake)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register{suffix}"
        path.write_bytes(content)
        try:
            return importer.run(path, actor=clerk, dry_run=True, skip_invalid=skip_invalid)
        except RegisterFormatError as error:
            return error


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=files, suffix=SUFFIXES, skip_invalid=st.booleans())
def test_any_file_is_reported_or_refused_never_a_crash(
    signed_in: tuple[Desk, Actor], content: bytes, suffix: str, skip_invalid: bool
) -> None:
    desk, clerk = signed_in
    outcome = _import(desk, clerk, content, suffix, skip_invalid)

    if isinstance(outcome, RegisterFormatError):
        assert outcome.message.render("en") and outcome.message.render("id")
    else:
        assert all(issue.bilingual() for issue in outcome.issues)
    assert desk.lookup.count(ComplaintQuery(), actor=clerk) == 0  # a dry run writes nothing
