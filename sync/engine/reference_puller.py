"""Pulling reference data (regions, agencies, categories) when its version changed.

The server's ETag is kept in the sync values and sent back in
``If-None-Match``: an unchanged set costs one small 304. A new set replaces
the installed one wholesale in one transaction. The check runs at most once
per ``every`` (a clock that jumps back only makes it come sooner).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from lapor_desktop.services.sync_store import REFERENCE_ETAG_KEY, SyncStore
from sync.adapters.outcomes import Failure
from sync.adapters.service import NationalService
from sync.protocol.messages import ReferenceData, ReferenceNotModified

CHECKED_KEY = "reference_checked_at"


class ReferencePuller:
    def __init__(
        self,
        service: NationalService,
        store: SyncStore,
        *,
        clock: Callable[[], dt.datetime],
        every: dt.timedelta,
    ) -> None:
        self._service = service
        self._store = store
        self._clock = clock
        self._every = every

    def due(self) -> bool:
        checked = self._store.get_value(CHECKED_KEY)
        if checked is None:
            return True
        try:
            last = dt.datetime.fromisoformat(checked)
        except ValueError:
            return True
        now = self._clock()
        return not last <= now < last + self._every

    def run(self) -> tuple[bool, Failure | None]:
        """(whether a new set was installed, the failure if the check failed)."""
        answer = self._service.reference_data(self._store.get_value(REFERENCE_ETAG_KEY))
        if isinstance(answer, ReferenceData):
            self._store.install_reference(answer.dataset, answer.etag)
        elif not isinstance(answer, ReferenceNotModified):
            return False, answer
        self._store.set_value(CHECKED_KEY, self._clock().isoformat())
        return isinstance(answer, ReferenceData), None
