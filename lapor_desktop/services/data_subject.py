"""Requests from a data subject (UU PDP): what is held about a person, and erasing it.

The person is found by NIK or phone through the blind indexes, never by
decrypting the whole table. Their identity is erased from a complaint only
once the national service has closed it (it may still be needed to reach
them before that); the anonymised complaint stays for the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from lapor_desktop.domain.complaint import ComplaintDetail, Identity
from lapor_desktop.domain.roles import Permission
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.lookup import LookupService
from lapor_desktop.services.permissions import require
from lapor_desktop.storage.models import ComplainantIdentity, Complaint
from lapor_desktop.validation.nik import check_nik
from lapor_desktop.validation.phone import check_phone


@dataclass(frozen=True)
class PersonRecord:
    complaints: tuple[ComplaintDetail, ...]


@dataclass(frozen=True)
class Erasure:
    erased: tuple[str, ...]
    """UUIDs of the complaints whose identity was erased."""
    still_open: tuple[str, ...]
    """UUIDs kept as they are: not closed nationally yet."""


class DataSubjectService:
    def __init__(self, context: DeskContext, lookup: LookupService) -> None:
        self._ctx = context
        self._lookup = lookup

    def find(self, *, actor: Actor, nik: str = "", phone: str = "") -> PersonRecord | Message:
        """Everything held about the person with this NIK or phone number."""
        require(actor, Permission.DATA_SUBJECT_REQUESTS)
        uuids = self._matching(nik, phone)
        if isinstance(uuids, Message):
            return uuids
        details = [self._lookup.get(u, actor=actor) for u in uuids]
        self._audit(actor, "data_subject.searched", "person", {"complaints": len(uuids)})
        return PersonRecord(tuple(d for d in details if d is not None))

    def erase(self, *, actor: Actor, nik: str = "", phone: str = "") -> Erasure | Message:
        """Erase the identity from each of the person's complaints that is closed nationally."""
        require(actor, Permission.DATA_SUBJECT_REQUESTS)
        uuids = self._matching(nik, phone)
        if isinstance(uuids, Message):
            return uuids
        vault = self._ctx.require_vault()
        now = self._ctx.now()
        erased: list[str] = []
        still_open: list[str] = []
        with self._ctx.database.write() as session:
            complaints = session.scalars(select(Complaint).where(Complaint.uuid.in_(uuids))).all()
            for complaint in complaints:
                if not Status(complaint.status).is_closed:
                    still_open.append(complaint.uuid)
                    continue
                row = complaint.identity or ComplainantIdentity()
                complaint.identity = row
                vault.store(row, complaint.uuid, Identity(), indexable=False)
                row.erased_at = now
                complaint.updated_at = now
                erased.append(complaint.uuid)
                audit.record(
                    session,
                    at=now,
                    actor=actor.username,
                    station_id=self._ctx.station.station_id,
                    action="identity.erased",
                    entity_type="complaint",
                    entity_id=complaint.uuid,
                )
        return Erasure(tuple(erased), tuple(still_open))

    def _matching(self, nik: str, phone: str) -> list[str] | Message:
        vault = self._ctx.require_vault()
        conditions = []
        if nik.strip():
            normalised, problem = check_nik(nik)
            if problem is not None or normalised is None:
                return problem or Message(N_("Give a NIK or a phone number."))
            conditions.append(ComplainantIdentity.nik_index == vault.nik_index(normalised))
        if phone.strip():
            normalised, problem = check_phone(phone)
            if problem is not None or normalised is None:
                return problem or Message(N_("Give a NIK or a phone number."))
            conditions.append(ComplainantIdentity.phone_index == vault.phone_index(normalised))
        if not conditions:
            return Message(N_("Give a NIK or a phone number."))
        with self._ctx.database.read() as session:
            return list(
                session.scalars(
                    select(Complaint.uuid)
                    .join(ComplainantIdentity)
                    .where(or_(*conditions))
                    .order_by(Complaint.id)
                )
            )

    def _audit(self, actor: Actor, action: str, entity_type: str, details: dict[str, int]) -> None:
        with self._ctx.database.write() as session:
            audit.record(
                session,
                at=self._ctx.now(),
                actor=actor.username,
                station_id=self._ctx.station.station_id,
                action=action,
                entity_type=entity_type,
                entity_id="-",
                details=details,
            )
