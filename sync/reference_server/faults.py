"""App-level fault modes, switchable at run time, and the guarded admin endpoint.

``/_admin`` answers only when the server was started with fault injection
enabled, only on loopback, and only to a caller presenting the admin token
(``X-Admin-Token``): anyone else on the computer could otherwise switch off
deduplication or read the request record.

Link-level faults (bandwidth caps, resets, dropping the connection after
the commit but before the answer, blackholes) are not here: they belong to
the TCP proxy in ``sync.faultproxy``, which sits between client and server.
"""

from __future__ import annotations

import hmac
import ipaddress
import random
import threading
import time
from collections.abc import Callable, Mapping

from flask import Flask, Response, request

from lapor_desktop.i18n import N_, Message
from sync.protocol.problems import ProblemCode
from sync.protocol.wire import whole_number
from sync.reference_server.config import Faults
from sync.reference_server.recorder import ADMIN_PREFIX, RequestRecorder
from sync.reference_server.responses import ProblemRaised, json_response, malformed
from sync.reference_server.store import Store

CAPTIVE_PORTAL_PAGE = """<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Login Hotspot</title></head>
<body><h1>Selamat datang di Wi-Fi Kantor Kecamatan</h1>
<p>Silakan masuk untuk menggunakan internet.</p>
<form method="post" action="/login"><input name="username" placeholder="Nama pengguna">
<input name="password" type="password" placeholder="Kata sandi">
<button type="submit">Masuk</button></form></body></html>
"""


class FaultState:
    """The faults in force; the random draws are seeded so a failing run can be replayed."""

    def __init__(self, faults: Faults, seed: int | None) -> None:
        self._faults = faults
        self._lock = threading.Lock()
        self._random = random.Random(seed)  # noqa: S311 (fault injection, not security)

    @property
    def current(self) -> Faults:
        with self._lock:
            return self._faults

    def update(self, changes: Mapping[str, object]) -> Faults:
        with self._lock:
            self._faults = self._faults.updated(changes)
            return self._faults

    def draw_error(self) -> int | None:
        """The error status this request should get, if any."""
        with self._lock:
            faults = self._faults
            roll = self._random.random()
        for status, rate in (
            (500, faults.error_500_rate),
            (503, faults.error_503_rate),
            (429, faults.error_429_rate),
        ):
            if roll < rate:
                return status
            roll -= rate
        return None

    def draw_after_commit(self) -> bool:
        """Whether this write, already stored, should be answered with a 500."""
        with self._lock:
            rate = self._faults.error_500_after_commit_rate
            return rate > 0 and self._random.random() < rate


def apply_faults(state: FaultState) -> Response | None:
    """Run before every public request: latency, captive portal, injected errors."""
    faults = state.current
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    if faults.captive_portal:
        return Response(CAPTIVE_PORTAL_PAGE, status=200, mimetype="text/html")
    status = state.draw_error()
    if status == 500:
        raise ProblemRaised(
            500, ProblemCode.INTERNAL_ERROR, Message(N_("The server had an internal error."))
        )
    if status in (503, 429):
        code = ProblemCode.UNAVAILABLE if status == 503 else ProblemCode.RATE_LIMITED
        detail = (
            N_("The service is temporarily unavailable; try again later.")
            if status == 503
            else N_("Too many requests; try again later.")
        )
        raise ProblemRaised(status, code, Message(detail), retry_after=faults.retry_after_seconds)
    return None


def fail_after_commit(state: FaultState) -> None:
    """The 500-after-commit fault: the write is stored, but the client hears of a failure."""
    if state.draw_after_commit():
        raise ProblemRaised(
            500, ProblemCode.INTERNAL_ERROR, Message(N_("The server had an internal error."))
        )


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


ADMIN_TOKEN_HEADER = "X-Admin-Token"  # noqa: S105 (a header name)


def guard_admin(app: Flask, *, enabled: bool, token: str) -> None:
    """Refuse ``/_admin``: a 404 without fault injection, a 401 without the right token."""

    @app.before_request
    def _admin_guard() -> None:
        if not request.path.startswith(ADMIN_PREFIX):
            return
        if not enabled:
            raise ProblemRaised(
                404,
                ProblemCode.NOT_FOUND,
                Message(N_("There is nothing at this address.")),
            )
        given = request.headers.get(ADMIN_TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
            raise ProblemRaised(
                401,
                ProblemCode.UNAUTHORIZED,
                Message(N_("The admin endpoint needs the admin token of this server.")),
            )


def register_admin(
    app: Flask, faults: FaultState, recorder: Callable[[], RequestRecorder], store: Store
) -> None:
    """``/_admin``: faults, the request record and a dedupe summary; loopback callers only."""

    @app.before_request
    def _loopback_only() -> None:
        if request.path.startswith(ADMIN_PREFIX) and not is_loopback(request.remote_addr or ""):
            raise ProblemRaised(
                403,
                ProblemCode.FORBIDDEN,
                Message(N_("The admin endpoint answers only on this computer (loopback).")),
            )

    @app.get(f"{ADMIN_PREFIX}/faults", provide_automatic_options=False)
    def get_faults() -> Response:
        return json_response(_faults_json(faults.current))

    @app.put(f"{ADMIN_PREFIX}/faults", provide_automatic_options=False)
    def put_faults() -> Response:
        changes = request.get_json(silent=True)
        if not isinstance(changes, dict):
            raise malformed("a JSON object of fault settings")
        try:
            return json_response(_faults_json(faults.update(changes)))
        except ValueError as error:
            raise malformed(str(error)) from error

    @app.get(f"{ADMIN_PREFIX}/requests", provide_automatic_options=False)
    def get_requests() -> Response:
        since = whole_number(request.args.get("since", "0"))
        if since is None:
            raise malformed("since")
        records = recorder().requests(since)
        return json_response({"requests": [r.to_json() for r in records]})

    @app.delete(f"{ADMIN_PREFIX}/requests", provide_automatic_options=False)
    def clear_requests() -> Response:
        recorder().clear()
        return Response(status=204)

    @app.get(f"{ADMIN_PREFIX}/summary", provide_automatic_options=False)
    def summary() -> Response:
        return json_response(store.summary())


def _faults_json(faults: Faults) -> dict[str, object]:
    return {
        "error_500_rate": faults.error_500_rate,
        "error_503_rate": faults.error_503_rate,
        "error_429_rate": faults.error_429_rate,
        "error_500_after_commit_rate": faults.error_500_after_commit_rate,
        "retry_after_seconds": faults.retry_after_seconds,
        "captive_portal": faults.captive_portal,
        "deduplicate": faults.deduplicate,
        "clock_offset_seconds": faults.clock_offset_seconds,
        "revoked_tokens": faults.revoked_tokens,
        "latency_ms": faults.latency_ms,
    }
