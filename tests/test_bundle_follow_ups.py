"""Follow-ups travel in hand-over bundles both ways (issue 14).

A citizen comes back to the district office after the complaint reached LAPOR! through
the regency: the follow-up goes in the next hand-over bundle, the regency queues it
behind the complaint it took in earlier, and its answer says the follow-up was delivered,
which settles it on the district desk. Real desks on SQLite files, real sealed bundles.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select, update

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.storage.models import FollowUpNote, OutboxEntry
from sync.bundles.export import export_bundle
from sync.bundles.handover import answer_district
from sync.bundles.incoming import ImportResult, import_bundle
from tests.support.clock import FakeClock
from tests.support.paired_desks import DISTRICT_OFFICE, Paired, paired_desks, submitted_by_route
from tests.support.sync_engine import queue


@pytest.fixture
def pair(tmp_path: Path, clock: FakeClock) -> Iterator[Paired]:
    paired = paired_desks(tmp_path, clock)
    yield paired
    paired.close()


def take(desk: Desk, actor: Actor, files: Sequence[Path]) -> ImportResult:
    context = desk.context
    return import_bundle(context, context.office.national, desk.paths.root, files, actor=actor)


def follow_up_states(desk: Desk, note_uuid: str) -> list[str]:
    with desk.database.read() as session:
        return list(
            session.scalars(
                select(OutboxEntry.state).where(
                    OutboxEntry.kind == OutboxKind.FOLLOW_UP.value,
                    OutboxEntry.ref_uuid == note_uuid,
                )
            )
        )


def trip(pair: Paired, root: Path, name: str) -> ImportResult:
    """District → parent: the next hand-over bundle, taken in."""
    stick = root / name
    stick.mkdir()
    made = export_bundle(pair.district.context, stick, actor=pair.district_boss, to_parent=True)
    return take(pair.parent, pair.parent_boss, made.paths)


def answer(pair: Paired, root: Path, name: str) -> ImportResult:
    """Parent → district: its answer, recorded."""
    back = root / name
    back.mkdir()
    answer_district(pair.parent.context, DISTRICT_OFFICE, back, actor=pair.parent_boss)
    return take(pair.district, pair.district_boss, sorted(back.iterdir()))


def test_a_follow_up_on_a_complaint_handed_over_earlier_reaches_the_parent_and_comes_back_done(
    pair: Paired, tmp_path: Path
) -> None:
    uuid = queue(pair.district, pair.district_boss)
    trip(pair, tmp_path, "stick1")
    submitted_by_route(pair.parent, [uuid])
    first = answer(pair, tmp_path, "back1")
    assert first.summary is not None and first.summary.sent == 1

    note = pair.district.follow_ups.add(uuid, "Warga datang lagi.", actor=pair.district_boss)
    note_uuid = note.note_uuid
    assert note_uuid is not None
    second = trip(pair, tmp_path, "stick2")

    assert second.counts["follow_ups"] == 1 and second.counts["complaints"] == 0
    with pair.parent.database.read() as session:
        texts = session.scalars(
            select(FollowUpNote.text).where(FollowUpNote.uuid == note_uuid)
        ).all()
    assert texts == ["Warga datang lagi."], "queued behind the complaint taken in bundle 1"
    assert follow_up_states(pair.parent, note_uuid) == ["pending"]
    assert uuid in second.changes.outbox

    again = trip_again(pair, tmp_path)
    assert follow_up_states(pair.parent, note_uuid) == ["pending"], "never queued twice"
    assert again.adopted == ()

    with pair.parent.database.write() as session:  # the parent's follow-up lane sent it
        session.execute(
            update(OutboxEntry).where(OutboxEntry.ref_uuid == note_uuid).values(state="done")
        )
    home = answer(pair, tmp_path, "back2")

    assert home.summary is not None and home.summary.follow_ups == 1
    assert follow_up_states(pair.district, note_uuid) == ["done"]


def trip_again(pair: Paired, root: Path) -> ImportResult:
    """The same hand-over bundle carried a second time (a second copy of the stick)."""
    sticks = sorted(root.glob("stick2/*"))
    return take(pair.parent, pair.parent_boss, sticks)
