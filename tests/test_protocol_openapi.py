"""docs/openapi.yaml is the contract: it matches the server's routes and its real answers."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from sync.protocol.messages import NATIONAL_STATUS_VALUES
from sync.protocol.problems import ProblemCode
from sync.protocol.tus import checksum_header, encode_metadata
from sync.reference_server import RunningServer, ServerLimits
from sync.reference_server.practice_form import PRACTICE_PATH
from sync.reference_server.recorder import ADMIN_PREFIX
from tests.support.anchor_calls import anchor_routes
from tests.support.bundle_calls import bundle_routes
from tests.support.clock import FakeClock
from tests.support.reference_server import (
    OTHER_OFFICE,
    SUSPENDED_OFFICE,
    raw_item,
    running_reference_server,
    sample_item,
)

SPEC_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
_REGISTRY: Registry = Registry().with_resource(
    "urn:openapi", Resource.from_contents(SPEC, default_specification=DRAFT202012)
)
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    limits = ServerLimits(max_body_bytes=50_000, max_batch_items=5, max_upload_bytes=10_000)
    with running_reference_server(tmp_path / "server", clock=clock, limits=limits) as running:
        yield running


def test_the_document_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def _server_routes(server: RunningServer) -> set[tuple[str, str]]:
    routes = set()
    for rule in server.server.app.url_map.iter_rules():  # type: ignore[attr-defined]
        if rule.rule.startswith((ADMIN_PREFIX, PRACTICE_PATH)):
            continue  # the admin and the practice web form are not part of the protocol
        path = re.sub(r"<(?:[a-z]+:)?([a-z_0-9]+)>", r"{\1}", rule.rule)
        methods = set(rule.methods or ())
        if "GET" in methods:
            methods.discard("HEAD")  # werkzeug adds HEAD to every GET route by itself
        routes.update((method.lower(), path) for method in methods)
    return routes


def test_every_route_is_documented_and_every_documented_route_exists(
    server: RunningServer,
) -> None:
    documented = {
        (method, path)
        for path, item in SPEC["paths"].items()
        for method in item
        if method in _METHODS
    }
    assert _server_routes(server) == documented


def _schema_for(method: str, path: str, status: int, media_type: str) -> dict[str, Any] | None:
    operation = SPEC["paths"][path][method]
    assert str(status) in operation["responses"], f"{method} {path} {status} is undocumented"
    response = operation["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    content = response.get("content")
    if content is None:
        return None
    assert media_type in content, f"{method} {path} {status}: {media_type} is undocumented"
    return content[media_type]["schema"]  # type: ignore[no-any-return]


class _Checker:
    """Sends requests and checks each answer against the document."""

    def __init__(self, server: RunningServer, session: requests.Session) -> None:
        self.server = server
        self.session = session
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(
        self, method: str, template: str, path: str | None = None, **kwargs: Any
    ) -> requests.Response:
        reply = self.session.request(method, self.server.url + (path or template), **kwargs)
        assert "X-Server-Time" in reply.headers and "Date" in reply.headers
        media_type = reply.headers.get("Content-Type", "").split(";")[0]
        schema = _schema_for(method.lower(), template, reply.status_code, media_type)
        if schema is not None and method != "HEAD":
            validator = Draft202012Validator({"$ref": _ref(schema)}, registry=_REGISTRY)
            errors = list(validator.iter_errors(reply.json()))
            assert not errors, f"{method} {template} {reply.status_code}: {errors[0].message}"
        self.seen.add((method.lower(), template, reply.status_code))
        return reply


def _ref(schema: dict[str, Any]) -> str:
    return "urn:openapi" + schema["$ref"] if "$ref" in schema else ""


def test_real_answers_match_the_documented_schemas(server: RunningServer, clock: FakeClock) -> None:
    token = server.tokens["2104"]
    auth = {"Authorization": f"Bearer {token}"}
    with requests.Session() as session:
        call = _Checker(server, session)
        batch = "/v1/complaints:batch"
        item = sample_item()
        conflict = raw_item(sample_item(client_uuid=item.client_uuid, title="Judul yang lain"))
        body = {"items": [raw_item(item), raw_item(item), conflict, {"bad": True}]}
        results = call("POST", batch, json=body, headers=auth).json()["results"]
        assert [r["outcome"] for r in results] == ["accepted", "duplicate", "conflict", "rejected"]
        call("POST", batch, json=body)
        call(
            "POST",
            batch,
            json=body,
            headers={"Authorization": f"Bearer {server.tokens[SUSPENDED_OFFICE]}"},
        )
        call("POST", batch, data=b"items", headers=auth)
        call("POST", batch, data=b"{", headers={**auth, "Content-Type": "application/json"})
        call("POST", batch, json={"items": [1] * 6}, headers=auth)
        call("POST", batch, json={"items": [], "pad": "x" * 60_000}, headers=auth)
        lookup = "/v1/complaints/{client_uuid}"
        call("GET", lookup, f"/v1/complaints/{item.client_uuid}", headers=auth)
        call("GET", lookup, f"/v1/complaints/{uuid.uuid4()}", headers=auth)
        other = {"Authorization": f"Bearer {server.tokens[OTHER_OFFICE]}"}
        call("GET", lookup, f"/v1/complaints/{item.client_uuid}", headers=other)
        messages = "/v1/complaints/{client_uuid}/messages"
        at = f"/v1/complaints/{item.client_uuid}/messages"
        message = {"message_uuid": str(uuid.uuid4()), "text": "Foto terlampir."}
        call("POST", messages, at, json=message, headers=auth)
        call("POST", messages, at, json={**message, "text": "Lain."}, headers=auth)
        call("POST", messages, at, json={"text": 3}, headers=auth)
        clock.advance(hours=2)
        call("GET", "/v1/changes", headers=auth, params={"limit": 2})
        call("GET", "/v1/changes", headers=auth, params={"cursor": "???"})
        reference = call("GET", "/v1/reference-data", headers=auth)
        etag = reference.headers["ETag"]
        call("GET", "/v1/reference-data", headers={**auth, "If-None-Match": etag})
        call("GET", "/v1/time", headers=auth)
        for fault in ("error_429_rate", "error_503_rate", "error_500_rate"):
            server.set_faults(**{fault: 1.0})
            reply = call("GET", "/v1/time", headers=auth)
            server.set_faults(**{fault: 0.0})
            assert reply.status_code == 500 or reply.headers["Retry-After"] == "2"
        _uploads(call, auth)
        bundle_routes(call, call.seen, server, session)
        anchor_routes(call, auth)
    succeeded = {(method, path) for method, path, status in call.seen if status < 300}
    documented = {(m, p) for p, item in SPEC["paths"].items() for m in item if m in _METHODS}
    assert succeeded == documented
    assert len(call.seen) >= 35


def _uploads(call: _Checker, auth: dict[str, str]) -> None:
    data = os.urandom(4000)
    sha256 = hashlib.sha256(data).hexdigest()
    tus = {**auth, "Tus-Resumable": "1.0.0"}
    at, template = f"/v1/uploads/{sha256}", "/v1/uploads/{sha256}"
    call("OPTIONS", "/v1/uploads")
    call("HEAD", template, at, headers=tus)
    call("HEAD", template, at, headers=auth)
    metadata = encode_metadata({"sha256": sha256, "filename": "foto.jpg"})
    created = {**tus, "Upload-Metadata": metadata}
    call("POST", "/v1/uploads", headers={**created, "Upload-Length": "4000"})
    call("POST", "/v1/uploads", headers={**created, "Upload-Length": "3999"})
    call("POST", "/v1/uploads", headers={**created, "Upload-Length": "10001"})
    call("POST", "/v1/uploads", headers={**tus, "Upload-Length": "5"})
    patch = {**tus, "Content-Type": "application/offset+octet-stream"}
    call("PATCH", template, at, data=data[:10], headers={**patch, "Upload-Offset": "7"})
    wrong = checksum_header(hashlib.sha256(b"x").digest())
    checked = {**patch, "Upload-Offset": "0", "Upload-Checksum": wrong}
    call("PATCH", template, at, data=data[:10], headers=checked)
    call("PATCH", template, at, data=data[:10], headers={**auth, "Upload-Offset": "0"})
    call("PATCH", template, at, data=data[:10], headers={**tus, "Upload-Offset": "0"})
    call("PATCH", template, at, data=data, headers={**patch, "Upload-Offset": "0"})
    call("HEAD", template, at, headers=tus)
    call("DELETE", template, at, headers=tus)
    unfinished = os.urandom(100)
    left = hashlib.sha256(unfinished).hexdigest()
    announced = {**tus, "Upload-Metadata": encode_metadata({"sha256": left})}
    announced["Upload-Length"] = "100"
    call("POST", "/v1/uploads", headers=announced)
    call("DELETE", template, f"/v1/uploads/{left}", headers=tus)
    call("DELETE", template, f"/v1/uploads/{left}", headers=tus)
    unknown = hashlib.sha256(b"unknown").hexdigest()
    call(
        "PATCH",
        template,
        f"/v1/uploads/{unknown}",
        data=b"x",
        headers={**patch, "Upload-Offset": "0"},
    )


def test_problem_codes_and_statuses_in_the_document_match_the_code() -> None:
    documented = SPEC["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
    assert sorted(documented) == sorted(c.value for c in ProblemCode)
    statuses = SPEC["components"]["schemas"]["NationalStatus"]["enum"]
    assert sorted(statuses) == sorted(NATIONAL_STATUS_VALUES)
