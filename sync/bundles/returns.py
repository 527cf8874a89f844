"""A return bundle's payload read back into what an online pass would have learned.

The payload holds the national service's answers in the online encodings, so the same
decoders and the same receipt check apply: a receipt the desk cannot verify with its
configured keys is never recorded, whoever signed the envelope around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.sync_feed import NationalChange
from lapor_desktop.services.sync_records import StoredReceipt
from sync.bundles.problems import BundleProblem
from sync.engine.lanes.complaints import conflict_reason, stored_receipt
from sync.engine.puller import national_changes
from sync.protocol.codec import decode_batch_response, decode_changes_page, decode_follow_up_result
from sync.protocol.messages import Accepted, Conflict, Duplicate, ItemRejected
from sync.protocol.receipts import ReceiptVerifier
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


def read_answers(
    payload: Mapping[str, object], trusted_keys: Iterable[Ed25519PublicKey]
) -> ReturnAnswers:
    """The payload's answers, each receipt verified; BundleProblem, and nothing, otherwise."""
    verifier = ReceiptVerifier(trusted_keys)
    answers = ReturnAnswers()
    try:
        batch = decode_batch_response(payload.get("batch"))
        for result in batch.results:
            _settle(answers, result, verifier)
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
) -> None:
    if isinstance(result, Accepted | Duplicate):
        receipt = result.receipt
        if receipt.client_uuid != result.client_uuid or not verifier.verify(receipt):
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
