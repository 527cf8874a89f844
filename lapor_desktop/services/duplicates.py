"""Likely duplicates: the same citizen already has a similar complaint open.

Citizens come back and tell the same story again, at the desk or by phone;
a second record sends LAPOR! two reports and splits the agency's answer.
Before saving, the desk looks for open complaints of the same NIK or phone
(through the blind indexes: nothing is decrypted) recorded within the last
:data:`WINDOW_DAYS` days that look alike: the same kind of report in the
same category, or a similar title. The same agency alone is not enough: a
citizen often has two different matters with the public works office.
The operator decides; this only warns.

A role that may not see the identity behind a confidential (rahasia)
complaint is never shown one as a match: the match itself would tell
who sent it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select

from lapor_desktop.domain.complaint import ComplaintForm
from lapor_desktop.domain.privacy import may_see_identity
from lapor_desktop.domain.status import CLOSED_STATES, Status
from lapor_desktop.i18n import N_
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.storage.models import ComplainantIdentity, Complaint
from lapor_desktop.validation.nik import check_nik
from lapor_desktop.validation.phone import check_phone

WINDOW_DAYS = 30
TITLE_SIMILARITY = 0.6
"""A title at least this similar (0..1, by characters or by shared words) counts as alike."""
MAX_SHOWN = 5
_WORD = re.compile(r"\w{3,}", re.UNICODE)
_NOT_OPEN = frozenset({Status.DRAFT.value} | {s.value for s in CLOSED_STATES})


class Reason(StrEnum):
    SAME_CATEGORY = "same_category"
    SIMILAR_TITLE = "similar_title"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    Reason.SAME_CATEGORY: N_("same kind of report in the same category"),
    Reason.SIMILAR_TITLE: N_("similar title"),
}


class MatchedOn(StrEnum):
    NIK = "nik"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return _MATCHED_LABELS[self]


_MATCHED_LABELS = {MatchedOn.NIK: N_("same NIK"), MatchedOn.PHONE: N_("same phone number")}


@dataclass(frozen=True)
class LikelyDuplicate:
    """An open complaint that may be the same one again; no identity data in it."""

    uuid: str
    registration_number: str | None
    title: str
    status: str
    created_at: dt.datetime
    matched_on: tuple[MatchedOn, ...]
    reasons: tuple[Reason, ...]


def find_likely_duplicates(
    context: DeskContext,
    form: ComplaintForm,
    *,
    actor: Actor,
    exclude_uuid: str | None = None,
    window_days: int = WINDOW_DAYS,
) -> tuple[LikelyDuplicate, ...]:
    """The most alike first; empty when the form has no valid NIK or phone to match on."""
    vault = context.require_vault()
    nik, _ = check_nik(form.nik) if form.nik.strip() else (None, None)
    phone, _ = check_phone(form.phone) if form.phone.strip() else (None, None)
    nik_index = vault.nik_index(nik) if nik else None
    phone_index = vault.phone_index(phone) if phone else None
    conditions = []
    if nik_index:
        conditions.append(ComplainantIdentity.nik_index == nik_index)
    if phone_index:
        conditions.append(ComplainantIdentity.phone_index == phone_index)
    if not conditions:
        return ()
    since = context.now() - dt.timedelta(days=window_days)
    statement = (
        select(Complaint, ComplainantIdentity.nik_index, ComplainantIdentity.phone_index)
        .join(ComplainantIdentity)
        .where(or_(*conditions))
        .where(Complaint.status.not_in(_NOT_OPEN))
        .where(Complaint.created_at >= since)
        .order_by(Complaint.id.desc())
    )
    if exclude_uuid:
        statement = statement.where(Complaint.uuid != exclude_uuid)
    found: list[tuple[float, LikelyDuplicate]] = []
    with context.database.read() as session:
        for complaint, row_nik, row_phone in session.execute(statement):
            if not may_see_identity(actor.role, rahasia=complaint.rahasia):
                continue
            reasons, score = _alike(form, complaint)
            if not reasons:
                continue
            matched = tuple(
                kind
                for kind, mine, theirs in (
                    (MatchedOn.NIK, nik_index, row_nik),
                    (MatchedOn.PHONE, phone_index, row_phone),
                )
                if mine and mine == theirs
            )
            found.append(
                (
                    score,
                    LikelyDuplicate(
                        uuid=complaint.uuid,
                        registration_number=complaint.registration_number,
                        title=complaint.title,
                        status=complaint.status,
                        created_at=complaint.created_at,
                        matched_on=matched,
                        reasons=reasons,
                    ),
                )
            )
    found.sort(key=lambda pair: -pair[0])
    return tuple(duplicate for _score, duplicate in found[:MAX_SHOWN])


def title_similarity(a: str, b: str) -> float:
    """0..1: the better of character similarity and shared words (word order ignored)."""
    left, right = a.casefold().strip(), b.casefold().strip()
    if not left or not right:
        return 0.0
    characters = difflib.SequenceMatcher(None, left, right).ratio()
    words_a, words_b = set(_WORD.findall(left)), set(_WORD.findall(right))
    shared = len(words_a & words_b) / len(words_a | words_b) if words_a and words_b else 0.0
    return max(characters, shared)


def _alike(form: ComplaintForm, complaint: Complaint) -> tuple[tuple[Reason, ...], float]:
    reasons: list[Reason] = []
    category = form.category_code.strip()
    if (
        category
        and category == complaint.category_code
        and form.classification == complaint.classification
    ):
        reasons.append(Reason.SAME_CATEGORY)
    similarity = title_similarity(form.title, complaint.title)
    if similarity >= TITLE_SIMILARITY:
        reasons.append(Reason.SIMILAR_TITLE)
    return tuple(reasons), similarity + len(reasons)
