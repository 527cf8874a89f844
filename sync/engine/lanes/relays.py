"""The relay lane: another desk's sealed bundle, uploaded and handed to the national service.

The service is asked first (another relay may have brought the same bundle); when it
does not hold the bytes yet, the envelope goes by the tus upload of attachments, addressed
by its SHA-256, so a cut link or a killed process resumes at the byte the server holds,
and is asked again to open and apply it; the answer is a return bundle, written as volumes into
``<data>/relay/returns/`` for the person who carries it back. A refusal the service
gives for the bundle itself (an unknown desk, another office) sets it aside with the
reason: sending it again would change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lapor_desktop.security.file_modes import private_folder
from lapor_desktop.services.bundle_records import ClaimedRelay
from lapor_desktop.services.sync_store import SyncStore
from sync.adapters.bundle_route import ReturnEnvelope, bundle_route
from sync.adapters.outcomes import Forbidden, Rejected
from sync.adapters.service import AttachmentSource, NationalService
from sync.bundles.envelope import Envelope, parse_envelope
from sync.bundles.export import stem
from sync.bundles.problems import BundleProblem
from sync.bundles.volumes import write_volumes
from sync.engine.lanes.attachments import resumed_upload
from sync.engine.lanes.loop import Delivered, Exchange, SetAside, Tally
from sync.engine.progress import Progress
from sync.protocol.messages import UploadState

RETURNS_FOLDER = "relay/returns"
NO_ROUTE = "this desk's national route cannot relay bundles"
FILE_GONE = "the relayed bundle's file is no longer on this computer"
NOT_UPLOADED = "bundle-not-uploaded"
BAD_RETURN = "the national service answered with a return bundle that does not check out"


class RelayLane:
    batch_size = 1
    claims_ahead = False

    def __init__(self, service: NationalService, store: SyncStore, data_root: Path) -> None:
        self._service = service
        self._store = store
        self._root = data_root

    def claim(self, limit: int) -> list[ClaimedRelay]:
        return self._store.claim_relays(limit)

    def send(self, batch: Sequence[ClaimedRelay], progress: Progress) -> Exchange:
        exchange = Exchange()
        for entry in batch:
            if progress.cancelled:
                break
            self._relay(entry, exchange, progress)
            if exchange.failure is not None:
                break
        return exchange

    def _relay(self, entry: ClaimedRelay, exchange: Exchange, progress: Progress) -> None:
        route = bundle_route(self._service)
        if route is None:
            exchange.verdicts[entry.outbox_id] = SetAside(NO_ROUTE, tally=None)
            return
        # Another relay may have brought the same bundle already: ask first, upload if needed.
        answer = route.post_bundle(entry.envelope_sha256)
        if isinstance(answer, Rejected) and answer.code == NOT_UPLOADED:
            if not self._upload(entry, exchange, progress):
                return
            answer = route.post_bundle(entry.envelope_sha256)
        if isinstance(answer, Rejected | Forbidden):
            # About the bundle itself (an unknown desk, another office): a person must look.
            reason = f"refused by LAPOR!: {answer.detail or getattr(answer, 'code', '')}"
            self._store.relay_refused(entry.outbox_id, reason)
            exchange.verdicts[entry.outbox_id] = SetAside(reason, tally=None)
            return
        if not isinstance(answer, ReturnEnvelope):
            exchange.failure = answer
            return
        returned = _return_of(answer, entry.bundle_id)
        if returned is None:
            exchange.verdicts[entry.outbox_id] = SetAside(BAD_RETURN, tally=None)
            return
        header = returned.header
        paths = write_volumes(
            answer.data,
            private_folder(self._root / RETURNS_FOLDER),
            bundle_id=header.bundle_id,
            stem=f"{stem(header.origin_office, header.sequence)}-balasan",
        )
        self._store.relay_answered(
            entry.outbox_id,
            return_sha256=returned.sha256,
            return_file_name=paths[0].relative_to(self._root).as_posix(),
            return_bundle_id=header.bundle_id,
        )
        exchange.verdicts[entry.outbox_id] = Delivered(tally=Tally.BUNDLES_RELAYED)

    def _upload(self, entry: ClaimedRelay, exchange: Exchange, progress: Progress) -> bool:
        """The envelope's bytes at the service (tus, resumed); False when the pass must move on."""
        path = self._root / entry.file_name
        try:
            with path.open("rb") as stream:
                source = AttachmentSource(
                    sha256=entry.envelope_sha256,
                    length=path.stat().st_size,
                    stream=stream,
                    media_type="application/octet-stream",
                    cancelled=lambda: progress.cancelled,
                )
                state = resumed_upload(self._service, source)
        except FileNotFoundError:
            exchange.verdicts[entry.outbox_id] = SetAside(FILE_GONE, tally=None)
            return False
        if not isinstance(state, UploadState):
            exchange.failure = state
            return False
        return state.complete  # not complete: cancelled between parts, the lease goes back


def _return_of(answer: ReturnEnvelope, bundle_id: str) -> Envelope | None:
    """The answer as a return bundle for this bundle, or None when it is anything else."""
    try:
        returned = parse_envelope(answer.data)
    except BundleProblem:
        return None
    header = returned.header
    return returned if header.kind == "return" and header.in_reply_to == bundle_id else None
