"""Recording that never stops: the office database first, this PC's spool when it is away.

A shared desk's front end uses this in place of :class:`IntakeService`. A
save that finds the office database away (it does not answer, or answers
too slowly) is made again, whole, in the spool (:mod:`services.spool`),
and later saves go straight there until a replay finds the database back,
so an outage costs the operator one connect timeout, not one per save.
A spooled save is not announced on the desk's hub: the office's list
cannot show it until it is merged, and the replay announces it then.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from lapor_desktop.domain.complaint import AttachmentView, ComplaintForm
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.duplicates import LikelyDuplicate
from lapor_desktop.services.events import EventHub
from lapor_desktop.services.intake import IntakeService, SaveOutcome
from lapor_desktop.services.spool import Spool, database_away

T = TypeVar("T")


class SpoolingIntake(IntakeService):
    """:class:`IntakeService` whose writes fall back to ``spool`` while the database is away."""

    def __init__(self, context: DeskContext, spool: Spool, *, hub: EventHub | None = None) -> None:
        super().__init__(context, hub=hub)
        self.spool = spool

    def save_draft(
        self,
        form: ComplaintForm,
        *,
        actor: Actor,
        complaint_uuid: str | None = None,
        files: Sequence[AttachmentView] | None = None,
    ) -> SaveOutcome:
        return self._either(
            lambda intake: IntakeService.save_draft(
                intake, form, actor=actor, complaint_uuid=complaint_uuid, files=files
            )
        )

    def submit(
        self,
        form: ComplaintForm,
        *,
        actor: Actor,
        complaint_uuid: str | None = None,
        attachments: Sequence[Path] = (),
        files: Sequence[AttachmentView] | None = None,
        despite_duplicates: Sequence[str] = (),
    ) -> SaveOutcome:
        return self._either(
            lambda intake: IntakeService.submit(
                intake,
                form,
                actor=actor,
                complaint_uuid=complaint_uuid,
                attachments=attachments,
                files=files,
                despite_duplicates=despite_duplicates,
            )
        )

    def likely_duplicates(
        self, form: ComplaintForm, *, actor: Actor, complaint_uuid: str | None = None
    ) -> tuple[LikelyDuplicate, ...]:
        """The office database's likely duplicates; only the spool's while it is away."""
        return self._either(
            lambda intake: IntakeService.likely_duplicates(
                intake, form, actor=actor, complaint_uuid=complaint_uuid
            )
        )

    @property
    def away(self) -> bool:
        return self.spool.link.away_since is not None

    def _either(self, call: Callable[[IntakeService], T]) -> T:
        """``call`` on the office database, or on the spool if that database is away."""
        if not self.away:
            try:
                return call(self)
            except Exception as error:
                if not database_away(error):
                    raise
                self.spool.link.lost(self._ctx.now())
        result = call(IntakeService(self.spool.context(), hub=EventHub()))
        if isinstance(result, SaveOutcome):
            return dataclasses.replace(result, spooled=True)
        return result
