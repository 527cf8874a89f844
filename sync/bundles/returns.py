"""A return bundle's payload read back into what an online pass would have learned.

The payload holds the national service's answers in the online encodings, so the same
decoders and the same receipt check apply: a receipt the desk cannot verify with its
configured keys is never recorded, whoever signed the envelope around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import update
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.sync_feed import NationalChange
from lapor_desktop.services.sync_records import StoredReceipt, name_changes
from lapor_desktop.storage.models import Complaint
from sync.adapters.capabilities import UNSIGNED_KEY_ID
from sync.bundles.problems import BundleProblem
from sync.engine.lanes.complaints import conflict_reason, stored_receipt
from sync.engine.puller import national_changes
from sync.protocol.codec import decode_batch_response, decode_changes_page, decode_follow_up_result
from sync.protocol.messages import Accepted, Conflict, Duplicate, ItemRejected
from sync.protocol.receipts import ReceiptVerifier, key_id
from sync.protocol.wire import ProtocolError

FORGED_RECEIPT = N_(
    "The return bundle holds a receipt that does not verify with the national service's key "
    "(for {uuid}): nothing from it was recorded. Ask the relay desk for a new copy."
)
UNREADABLE = N_("The return bundle's contents cannot be read: {reason}")


@dataclass
class ReturnAnswers:
    """Everything a return bundle answers, decoded and verified, ready for the desk to record."""

    receipts: dict[str, StoredReceipt] = field(default_factory=dict)
    """Complaints the service holds, by client UUID (accepted now or before)."""
    conflicts: dict[str, str] = field(default_factory=dict)
    """Complaints held under other content, with the reason an online pass would give."""
    rejected: dict[str, str] = field(default_factory=dict)
    uploads: list[tuple[str, str]] = field(default_factory=list)
    """(complaint UUID, SHA-256) of the files the service stored."""
    follow_ups: list[str] = field(default_factory=list)
    """Message UUIDs the service holds."""
    changes: list[NationalChange] = field(default_factory=list)
    next_cursor: str = ""
    website: list[str] = field(default_factory=list)
    """Complaints a parent office submitted through the LAPOR! website (no protocol record)."""


def read_answers(
    payload: Mapping[str, object],
    trusted_keys: Iterable[Ed25519PublicKey],
    *,
    vouched: bool = False,
) -> ReturnAnswers:
    """The payload's answers, each receipt verified; BundleProblem, and nothing, otherwise.

    ``vouched``: the answer is the parent office's, signed by its trusted desk key; a receipt
    its route gave no signature for (the website lane) is taken on its word, any other must
    still verify with the national keys.
    """
    trusted = tuple(trusted_keys)
    verifier = ReceiptVerifier(trusted)
    known = frozenset(key_id(k) for k in trusted)
    answers = ReturnAnswers()
    try:
        batch = decode_batch_response(payload.get("batch"))
        for result in batch.results:
            _settle(answers, result, verifier, vouched=vouched, known=known)
        routes = payload.get("routes") if vouched else None
        if isinstance(routes, dict):
            answers.website = [str(u) for u, via in routes.items() if via == "website"]
        for raw in _list(payload.get("uploads")):
            if raw.get("outcome") == "stored":
                answers.uploads.append((str(raw["complaint_uuid"]), str(raw["sha256"])))
        for raw in _list(payload.get("follow_ups")):
            answers.follow_ups.append(decode_follow_up_result(raw).message_uuid)
        changes = payload.get("changes")
        if changes is not None:
            page = decode_changes_page(changes)
            answers.changes = national_changes(page)
            answers.next_cursor = page.next_cursor
    except (ProtocolError, KeyError, TypeError, ValueError) as error:
        raise BundleProblem(
            "unreadable_return", Message(UNREADABLE, {"reason": str(error)})
        ) from error
    return answers


def _settle(
    answers: ReturnAnswers,
    result: Accepted | Duplicate | Conflict | ItemRejected,
    verifier: ReceiptVerifier,
    *,
    vouched: bool,
    known: frozenset[str],
) -> None:
    if isinstance(result, Accepted | Duplicate):
        receipt = result.receipt
        # A key this desk does not know (a district set up without the national keys)
        # cannot be checked here: the parent's signature vouches for it. A known one must hold.
        taken_on_word = vouched and (
            receipt.key_id == UNSIGNED_KEY_ID or receipt.key_id not in known
        )
        genuine = taken_on_word or verifier.verify(receipt)
        if receipt.client_uuid != result.client_uuid or not genuine:
            raise BundleProblem(
                "forged_receipt", Message(FORGED_RECEIPT, {"uuid": result.client_uuid})
            )
        answers.receipts[result.client_uuid] = stored_receipt(receipt)
    elif isinstance(result, Conflict):
        answers.conflicts[result.client_uuid] = conflict_reason(result.tracking_id, result.detail)
    elif result.client_uuid is not None:
        where = f" ({result.field})" if result.field else ""
        answers.rejected[result.client_uuid] = f"{result.code}{where}: {result.reason}"


def _list(value: object) -> list[dict[str, object]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError("expected a list of objects")
    return value


def delivered_by_website(session: Session, uuids: Sequence[str]) -> None:
    """Complaints the parent typed into the LAPOR! website: their follow-ups wait for a
    person too, as the desk's own website-lane complaints' do (``PROTOCOL_DELIVERED``)."""
    if uuids:
        session.execute(
            update(Complaint)
            .where(Complaint.uuid.in_(list(uuids)))
            .values(delivered_via="website")
            .execution_options(synchronize_session=False)
        )
        name_changes(session, DeskChanges.of_complaints(uuids))
