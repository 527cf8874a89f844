"""The Flask application: routes, faults, problem+json for every error, server time everywhere."""

from __future__ import annotations

import gzip
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from lapor_desktop.i18n import N_, Message
from sync.protocol.problems import ProblemCode
from sync.protocol.wire import format_time
from sync.reference_server.addstream_endpoint import register_addstream
from sync.reference_server.anchor_endpoint import register_anchors
from sync.reference_server.api import register_api
from sync.reference_server.bundle_endpoint import register_bundles
from sync.reference_server.faults import apply_faults, register_admin
from sync.reference_server.practice_form import register_practice_form
from sync.reference_server.practice_records import PracticeRecords
from sync.reference_server.recorder import ADMIN_PREFIX, RequestRecorder
from sync.reference_server.responses import ProblemRaised, problem_response
from sync.reference_server.state import ServerState
from sync.reference_server.uploads import register_uploads

SERVER_TIME_HEADER = "X-Server-Time"
_COMPRESS_FROM = 1024
_log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: ProblemCode.MALFORMED_REQUEST,
    401: ProblemCode.UNAUTHORIZED,
    403: ProblemCode.FORBIDDEN,
    404: ProblemCode.NOT_FOUND,
    405: ProblemCode.METHOD_NOT_ALLOWED,
    413: ProblemCode.PAYLOAD_TOO_LARGE,
    415: ProblemCode.UNSUPPORTED_MEDIA_TYPE,
}


def create_app(state: ServerState) -> tuple[Flask, RequestRecorder]:
    """The WSGI application to serve, wrapped in the request recorder."""
    app = Flask("lapor_reference_server", static_folder=None)
    recorder = RequestRecorder(app.wsgi_app, state.now)
    app.wsgi_app = recorder  # type: ignore[method-assign]

    @app.before_request
    def _faults() -> Response | None:
        if request.path.startswith(ADMIN_PREFIX):
            return None
        return apply_faults(state.faults)

    register_admin(app, state.faults, lambda: recorder, state.store)
    register_api(app, state)
    files = register_uploads(app, state)
    register_bundles(app, state, files)
    register_practice_form(app, state, PracticeRecords(state.config.data_dir))
    register_addstream(app, state)
    register_anchors(app, state)

    @app.errorhandler(ProblemRaised)
    def _problem(error: ProblemRaised) -> Response:
        return problem_response(error, state.now())

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = _HTTP_CODES.get(status, ProblemCode.MALFORMED_REQUEST)
        if status == 413:
            detail = Message(N_("The request is too large."))
        elif status == 405:
            detail = Message(N_("This method is not allowed here."))
        elif status == 404:
            detail = Message(N_("There is nothing at this address."))
        else:
            detail = Message(N_("The request cannot be read."))
        return problem_response(ProblemRaised(status, code, detail), state.now())

    @app.errorhandler(Exception)
    def _bug(error: Exception) -> Response:
        _log.exception("unexpected error in the reference server", exc_info=error)
        detail = Message(N_("The server had an internal error."))
        return problem_response(ProblemRaised(500, ProblemCode.INTERNAL_ERROR, detail), state.now())

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers[SERVER_TIME_HEADER] = format_time(state.now())
        response.headers.setdefault("Cache-Control", "no-store")
        _maybe_compress(response)
        return response

    return app, recorder


def _maybe_compress(response: Response) -> None:
    """Gzip larger JSON answers for clients that accept it: bandwidth is the scarce thing."""
    if (
        request.method == "HEAD"
        or response.status_code < 200
        or response.status_code in (204, 304)
        or response.direct_passthrough
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
    ):
        return
    body = response.get_data()
    if len(body) < _COMPRESS_FROM:
        return
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
