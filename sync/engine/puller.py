"""Pulling the changes feed: national statuses and agency responses into the local timeline.

The cursor is the server's opaque position, stored with each applied page
in one transaction, so a page is never lost nor applied twice (each change
also carries a unique ``change_id``). The PC's clock plays no part.
"""

from __future__ import annotations

from lapor_desktop.services.sync_store import NationalChange, SyncStore
from sync.adapters.outcomes import Failure, Rejected
from sync.adapters.service import NationalService
from sync.protocol.messages import ChangesPage

CURSOR_KEY = "changes_cursor"


def national_changes(page: ChangesPage) -> list[NationalChange]:
    """A page's changes as the desk's timeline takes them (online, or from a return bundle)."""
    return [
        NationalChange(
            change_id=c.change_id,
            client_uuid=c.client_uuid,
            tracking_id=c.tracking_id,
            status=c.status,
            text=c.text,
            agency_code=c.agency_code,
            occurred_at=c.occurred_at,
        )
        for c in page.changes
    ]


class Puller:
    def __init__(
        self, service: NationalService, store: SyncStore, *, page_size: int, max_pages: int
    ) -> None:
        self._service = service
        self._store = store
        self._page_size = page_size
        self._max_pages = max_pages

    def run(self) -> tuple[int, Failure | None]:
        """Apply pages until the feed is drained; returns (changes applied, failure or None)."""
        applied = 0
        cursor = self._store.get_value(CURSOR_KEY)
        for _ in range(self._max_pages):
            page = self._service.changes(cursor, self._page_size)
            if isinstance(page, Rejected) and page.code == "invalid-cursor" and cursor:
                # The server forgot this position (its store was reset): start again;
                # change IDs keep already applied changes from being applied twice.
                cursor = None
                continue
            if not isinstance(page, ChangesPage):
                return applied, page
            applied += self._store.apply_changes(national_changes(page), page.next_cursor)
            cursor = page.next_cursor
            if not page.has_more:
                break
        return applied, None
