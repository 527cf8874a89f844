"""Per-item checks of a submitted complaint, with the desk's own validation rules.

Each item is judged alone: a malformed or invalid item becomes an
``ItemRejected`` with a reason and a field, and the rest of the batch goes on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from lapor_desktop.domain.canonical import (
    CANONICAL_VERSION,
    canonical_bytes,
    content_hash,
    form_of,
)
from lapor_desktop.domain.complaint import IDENTITY_FIELDS
from lapor_desktop.i18n import N_, Message
from lapor_desktop.reference.dataset import ReferenceDataset
from lapor_desktop.validation.form import validate_form
from sync.protocol.codec import decode_submission_item
from sync.protocol.messages import ItemRejected, SubmissionItem
from sync.protocol.wire import ProtocolError, canonical_uuid, check_sha256

_TEXT_FIELDS = ("salt", "classification", "title", "description", "location_text", "channel")
_OPTIONAL_FIELDS = ("incident_date", "region_code", "category_code", "agency_code")
_FLAGS = ("anonim", "rahasia")
CANONICAL_KEYS = frozenset(
    {"v", "uuid", "identity", "attachments", *_TEXT_FIELDS, *_OPTIONAL_FIELDS, *_FLAGS}
)
MAX_ATTACHMENTS = 50
SALT_MAX = 128
# The easternmost Indonesian zone (WIT): an incident dated "today" anywhere in the country is fine.
_EASTERNMOST = dt.timezone(dt.timedelta(hours=9))


class DatasetCodes:
    """The codes of one reference set, as the form validator asks for them."""

    def __init__(self, dataset: ReferenceDataset) -> None:
        self._regions = frozenset(r.code for r in dataset.regions)
        self._agencies = {a.code: a.name for a in dataset.agencies}
        self._categories = frozenset(c.code for c in dataset.categories)

    def has_region(self, code: str) -> bool:
        return code in self._regions

    def has_agency(self, code: str) -> bool:
        return code in self._agencies

    def has_category(self, code: str) -> bool:
        return code in self._categories

    def agency_name(self, code: str | None) -> str | None:
        return None if code is None else self._agencies.get(code)


class _Renderable(Protocol):
    def render(self, language: str) -> str: ...


@dataclass
class _Bad(Exception):
    code: str
    message: _Renderable
    """A Message, or the form validator's issue (which names its field's label)."""
    field: str | None


def check_item(
    raw: object, index: int, *, codes: DatasetCodes, now: dt.datetime, language: str
) -> SubmissionItem | ItemRejected:
    """The item when it may be stored; else why not, in ``language``."""
    client_uuid = None
    try:
        item = decode_submission_item(raw, index)
        client_uuid = item.client_uuid
        _check_shape(item.content)
        content = dict(item.content)
        if content_hash(content) != item.content_hash:
            raise _Bad(
                "hash-mismatch",
                Message(N_("The content hash does not match the content that was sent.")),
                None,
            )
        if content["uuid"] != item.client_uuid:
            raise _Bad(
                "uuid-mismatch",
                Message(N_("The UUID inside the content differs from the item's UUID.")),
                "uuid",
            )
        _validate(content, codes, now.astimezone(_EASTERNMOST).date())
    except ProtocolError as error:
        if isinstance(raw, dict) and client_uuid is None:
            candidate = raw.get("client_uuid")
            client_uuid = _readable_uuid(candidate)
        field = error.path.rsplit(".", 1)[-1] if error.path else None
        message = Message(
            N_("The item does not have the documented shape: {problem}."), {"problem": str(error)}
        )
        return ItemRejected(index, client_uuid, "malformed", message.render(language), field)
    except _Bad as bad:
        return ItemRejected(index, client_uuid, bad.code, bad.message.render(language), bad.field)
    return item


def _readable_uuid(candidate: object) -> str | None:
    try:
        return canonical_uuid(candidate) if isinstance(candidate, str) else None
    except ProtocolError:
        return None


def _malformed(field: str, what: str) -> _Bad:
    return _Bad(
        "malformed",
        Message(N_("The field {field} must be {what}."), {"field": field, "what": what}),
        field,
    )


def _check_shape(content: object) -> None:
    """Exactly the canonical fields, each of the canonical type."""
    assert isinstance(content, dict)
    missing = sorted(CANONICAL_KEYS - content.keys())
    extra = sorted(content.keys() - CANONICAL_KEYS)
    if missing or extra:
        field = (missing or extra)[0]
        raise _Bad(
            "malformed",
            Message(
                N_("The content is not in canonical form: field {field} is missing or unknown."),
                {"field": field},
            ),
            field,
        )
    if content["v"] != CANONICAL_VERSION or isinstance(content["v"], bool):
        raise _Bad(
            "unsupported-version",
            Message(N_("This version of the canonical content is not supported.")),
            "v",
        )
    for name in _TEXT_FIELDS:
        if not isinstance(content[name], str):
            raise _malformed(name, "text")
    if len(content["salt"]) > SALT_MAX:
        raise _malformed("salt", "short text")
    for name in _OPTIONAL_FIELDS:
        if content[name] is not None and not isinstance(content[name], str):
            raise _malformed(name, "text or null")
    for name in _FLAGS:
        if not isinstance(content[name], bool):
            raise _malformed(name, "true or false")
    identity = content["identity"]
    if not isinstance(identity, dict) or set(identity) != set(IDENTITY_FIELDS):
        raise _malformed("identity", "an object with the identity fields")
    for name in IDENTITY_FIELDS:
        if not isinstance(identity[name], str):
            raise _malformed(name, "text")
    _check_attachments(content["attachments"])
    # The canonical form must be encodable, or no hash could have been computed from it.
    canonical_bytes(content)


def _check_attachments(attachments: object) -> None:
    if not isinstance(attachments, list) or len(attachments) > MAX_ATTACHMENTS:
        raise _malformed("attachments", "a list of SHA-256 hashes")
    if not all(isinstance(h, str) and _is_sha256(h) for h in attachments):
        raise _malformed("attachments", "a list of SHA-256 hashes")
    if attachments != sorted(attachments):
        raise _malformed("attachments", "sorted")


def _is_sha256(text: str) -> bool:
    try:
        check_sha256(text)
    except ProtocolError:
        return False
    return True


def _validate(content: dict[str, object], codes: DatasetCodes, today: dt.date) -> None:
    form = form_of(content)
    result = validate_form(form, today=today, references=codes)
    if result.issues:
        issue = result.issues[0]
        raise _Bad("invalid-field", issue, issue.field)
