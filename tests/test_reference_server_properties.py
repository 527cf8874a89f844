"""Whatever a client sends, the server answers without a 500 and stores nothing invalid."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lapor_desktop.domain.canonical import content_hash
from sync.protocol.messages import SubmissionItem
from sync.reference_server import RunningServer
from sync.reference_server.intake import check_item
from tests.support.clock import FakeClock
from tests.support.reference_server import raw_item, running_reference_server, sample_item

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.text(st.characters(categories=["Cs", "Cc", "Zl"]), max_size=3),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
# Values that pass the shape checks, so that examples also reach the form validation.
PLAUSIBLE = st.sampled_from(
    [
        "",
        "2104-DPUPR",
        "210402",
        "PU-JALAN",
        "2030-01-01",
        "2026-11-20",
        "aspirasi",
        "sms",
        "Budi",
        "0812",
        True,
        False,
        None,
    ]
)
VALUES = st.one_of(st.text(max_size=40), PLAUSIBLE, JSON)
CONTENT_KEYS = sorted(dict(sample_item().content))
ITEM_KEYS = ["client_uuid", "content_hash", "content"]
PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    clock = FakeClock(dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC))
    with running_reference_server(tmp_path_factory.mktemp("server"), clock=clock) as running:
        yield running


@pytest.fixture(scope="module")
def session(server: RunningServer) -> Iterator[requests.Session]:
    with requests.Session() as opened:
        opened.headers["Authorization"] = f"Bearer {server.tokens['2104']}"
        yield opened


@st.composite
def _mutated_item(draw: st.DrawFn) -> object:
    """A valid item with one field replaced by arbitrary JSON, its hash fixed up or not."""
    item = raw_item(sample_item())
    content = dict(item["content"])  # type: ignore[call-overload]
    where = draw(st.sampled_from(["item", "content", "identity"]))
    if where == "item":
        item[draw(st.sampled_from(ITEM_KEYS))] = draw(VALUES)
        return item
    if where == "content":
        content[draw(st.sampled_from(CONTENT_KEYS))] = draw(VALUES)
    else:
        identity = dict(content["identity"])
        identity[draw(st.sampled_from(sorted(identity)))] = draw(VALUES)
        content["identity"] = identity
    item["content"] = content
    if draw(st.integers(0, 3)):
        with contextlib.suppress(UnicodeEncodeError):  # a lone surrogate has no hash
            item["content_hash"] = content_hash(content)
    return item


BODIES = st.one_of(
    JSON,
    st.builds(lambda items: {"items": items}, st.lists(JSON, max_size=4)),
    st.builds(lambda items: {"items": items}, st.lists(_mutated_item(), min_size=1, max_size=4)),
)


def _assert_answer_is_sound(reply: requests.Response) -> None:
    assert reply.status_code < 500, reply.text
    assert reply.headers["Content-Type"].split(";")[0] in (
        "application/json",
        "application/problem+json",
    )
    json.loads(reply.content)


@PROPERTY_SETTINGS
@given(body=BODIES)
def test_arbitrary_batches_never_cause_a_server_error(
    server: RunningServer, session: requests.Session, body: object
) -> None:
    reply = session.post(f"{server.url}/v1/complaints:batch", json=body)
    _assert_answer_is_sound(reply)
    if reply.status_code != 200:
        return
    items = body["items"]  # type: ignore[index]
    results = reply.json()["results"]
    assert len(results) == len(items)
    for result in results:
        event(f"{result['outcome']} {result.get('code', '')}".strip())
        if result["outcome"] == "accepted":  # what was stored must pass the server's own checks
            stored = check_item(
                items[result["index"]],
                0,
                codes=server.state.codes,
                now=server.state.now(),
                language="en",
            )
            assert isinstance(stored, SubmissionItem), stored


@PROPERTY_SETTINGS
@given(body=JSON, raw=st.binary(max_size=200))
def test_arbitrary_follow_ups_and_raw_bytes_never_cause_a_server_error(
    server: RunningServer, session: requests.Session, body: object, raw: bytes
) -> None:
    held = sample_item()
    session.post(f"{server.url}/v1/complaints:batch", json={"items": [raw_item(held)]})
    at = f"{server.url}/v1/complaints/{held.client_uuid}/messages"
    _assert_answer_is_sound(session.post(at, json=body))
    for headers in ({"Content-Type": "application/json"}, {"Content-Encoding": "gzip"}):
        _assert_answer_is_sound(session.post(at, data=raw, headers=headers))
        batch = session.post(f"{server.url}/v1/complaints:batch", data=raw, headers=headers)
        _assert_answer_is_sound(batch)


def test_the_store_holds_only_valid_complaints_afterwards(server: RunningServer) -> None:
    """Audits whatever the examples above left in the module's server."""
    now = server.state.now()
    stored = server.state.store.stored_contents()
    for client_uuid, stored_hash, content in stored:
        raw = {"client_uuid": client_uuid, "content_hash": stored_hash, "content": content}
        checked = check_item(raw, 0, codes=server.state.codes, now=now, language="en")
        assert isinstance(checked, SubmissionItem), checked


# Latin-1 without control characters; requests refuses values that start with whitespace.
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30).map(
    str.strip
)


@PROPERTY_SETTINGS
@given(cursor=HEADER_TEXT, limit=HEADER_TEXT, length=HEADER_TEXT, metadata=HEADER_TEXT)
def test_arbitrary_parameters_and_upload_headers_never_cause_a_server_error(
    server: RunningServer,
    session: requests.Session,
    cursor: str,
    limit: str,
    length: str,
    metadata: str,
) -> None:
    changes = session.get(f"{server.url}/v1/changes", params={"cursor": cursor, "limit": limit})
    _assert_answer_is_sound(changes)
    tus = {"Tus-Resumable": "1.0.0"}
    created = session.post(
        f"{server.url}/v1/uploads",
        headers={**tus, "Upload-Length": length, "Upload-Metadata": metadata},
    )
    assert created.status_code < 500
    patched = session.patch(
        f"{server.url}/v1/uploads/{'a' * 64}",
        data=b"x",
        headers={
            **tus,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": length,
            "Upload-Checksum": metadata,
        },
    )
    assert patched.status_code < 500
