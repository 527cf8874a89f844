"""Likely duplicates: the same citizen, a similar open complaint, recently; privacy kept."""

from __future__ import annotations

from sqlalchemy import update

from lapor_desktop.desk import Desk
from lapor_desktop.domain.status import Status
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import Actor
from lapor_desktop.services.duplicates import MatchedOn, Reason, title_similarity
from lapor_desktop.storage.models import Complaint
from tests.support.clock import FakeClock
from tests.support.samples import valid_form

OTHER_NIK = "2104015203850002"
OTHER_PHONE = "081377788899"


def test_the_same_nik_with_a_similar_title_is_a_likely_duplicate(desk: Desk, clerk: Actor) -> None:
    first = desk.intake.submit(valid_form(title="Jalan rusak di Daik"), actor=clerk)
    again = valid_form(title="Jalan di Daik rusak parah", phone=OTHER_PHONE, agency_code="")

    [match] = desk.intake.likely_duplicates(again, actor=clerk)

    assert match.uuid == first.uuid
    assert match.registration_number == first.registration_number
    assert match.matched_on == (MatchedOn.NIK,)
    assert match.reasons == (Reason.SIMILAR_TITLE,)


def test_the_same_phone_typed_differently_and_the_same_category_match(
    desk: Desk, clerk: Actor
) -> None:
    desk.intake.submit(valid_form(category_code="PU-JALAN"), actor=clerk)
    again = valid_form(
        title="Jembatan kayu patah",
        nik=OTHER_NIK,
        phone="+62 812-3456-7890",
        category_code="PU-JALAN",
    )

    [match] = desk.intake.likely_duplicates(again, actor=clerk)

    assert match.matched_on == (MatchedOn.PHONE,)
    assert match.reasons == (Reason.SAME_CATEGORY,)


def test_someone_else_or_a_different_matter_is_no_duplicate(desk: Desk, clerk: Actor) -> None:
    desk.intake.submit(valid_form(), actor=clerk)
    someone_else = valid_form(nik=OTHER_NIK, phone=OTHER_PHONE)
    same_agency_other_matter = valid_form(title="Lampu jalan mati")
    other_kind = valid_form(title="Lampu jalan mati", classification="aspirasi")

    assert desk.intake.likely_duplicates(someone_else, actor=clerk) == ()
    assert desk.intake.likely_duplicates(same_agency_other_matter, actor=clerk) == ()
    assert desk.intake.likely_duplicates(other_kind, actor=clerk) == ()
    assert desk.intake.likely_duplicates(valid_form(nik="", phone=""), actor=clerk) == ()


def test_closed_or_old_complaints_and_the_complaint_itself_are_not_duplicates(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    closed = desk.intake.submit(valid_form(), actor=clerk)
    with desk.database.write() as session:
        session.execute(
            update(Complaint)
            .where(Complaint.uuid == closed.uuid)
            .values(status=Status.FINISHED.value)
        )
    assert desk.intake.likely_duplicates(valid_form(), actor=clerk) == ()

    old = desk.intake.submit(valid_form(), actor=clerk)
    assert desk.intake.likely_duplicates(valid_form(), actor=clerk, complaint_uuid=old.uuid) == ()
    assert len(desk.intake.likely_duplicates(valid_form(), actor=clerk)) == 1
    clock.advance(days=31)
    assert desk.intake.likely_duplicates(valid_form(), actor=clerk) == ()


def test_a_confidential_match_is_shown_to_a_supervisor_but_never_to_the_front_desk(
    desk: Desk, clerk: Actor, supervisor: Principal
) -> None:
    secret = desk.intake.submit(valid_form(rahasia=True), actor=clerk)

    assert desk.intake.likely_duplicates(valid_form(), actor=clerk) == ()
    [match] = desk.intake.likely_duplicates(valid_form(), actor=supervisor.actor)
    assert match.uuid == secret.uuid


def test_title_similarity_ignores_case_and_word_order() -> None:
    assert title_similarity("Jalan rusak di Daik", "DAIK: jalan rusak") >= 0.6
    assert title_similarity("Jalan rusak di Daik", "Air PDAM keruh") < 0.6
    assert title_similarity("", "Air PDAM keruh") == 0.0
