"""The WSGI application: moto's server application behind the plugin's checks and API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import controller, wiring
from ..controller import FirehoseSSE
from ..exceptions import JSON_1_1
from .controller_api import (
    ApiRequest,
    check_state_manager_request,
    is_api_path,
    serve_api,
    state_manager_action,
)
from .http_io import (
    CONTROL_BODY_LIMIT,
    FIREHOSE_BODY_LIMIT,
    BadRequest,
    StartResponse,
    WSGIApp,
    is_chunked,
    read_body,
    respond,
    spool_chunked_body,
)
from .wire_checks import check_firehose_request, is_firehose


class FirehoseSSEApp:
    """WSGI middleware around moto's server application.

    Serves ``/moto-api/firehose-sse/...``, resets the controller on ``/moto-api/reset``,
    and answers malformed Firehose requests as AWS does before moto sees them.
    """

    def __init__(self, app: WSGIApp, sse: FirehoseSSE) -> None:
        self.app = app
        self.sse = sse
        self.startup_settings = sse.settings()

    def reset(self) -> None:
        """Back to the start-up settings, with no pending fault and no key event."""
        self.sse.configure(**self.startup_settings)
        self.sse.clear_faults()
        self.sse.clear_key_events()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with controller.serving(self.sse):  # this server's settings, whatever mocks run
            return self._serve(environ, start_response)

    def _serve(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        firehose = not path.startswith("/moto-api") and is_firehose(environ)
        try:
            if is_api_path(path):
                body = read_body(environ, CONTROL_BODY_LIMIT)
                request = ApiRequest(method, environ.get("QUERY_STRING", ""), body)
                return respond(start_response, "200 OK", serve_api(self.sse, path, request))
            action = state_manager_action(path)
            if action is not None:
                body = read_body(environ, CONTROL_BODY_LIMIT)
                check_state_manager_request(action, environ.get("QUERY_STRING", ""), body)
            elif firehose:
                target = environ.get("HTTP_X_AMZ_TARGET", "")
                body = read_body(environ, FIREHOSE_BODY_LIMIT)
                check_firehose_request(environ, target, body)
            elif is_chunked(environ):  # any other path: a malformed body is a 400 too
                spool_chunked_body(environ)
        except BadRequest as exc:
            if not firehose:
                return respond(start_response, exc.status, {"message": exc.message})
            payload = {"__type": exc.code, "message": exc.message}
            return respond(start_response, exc.status, payload, JSON_1_1, exc.code)
        if path.rstrip("/") == "/moto-api/reset" and method == "POST":
            self.reset()
        return self.app(environ, start_response)


def make_app(sse: FirehoseSSE) -> FirehoseSSEApp:
    """moto's server application with the SSE rules installed and ``sse`` as the controller
    of its requests (``wiring.uninstall()`` undoes the rules)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    wiring.install()
    moto_app = DomainDispatcherApplication(create_backend_app)
    return FirehoseSSEApp(moto_app, sse)
