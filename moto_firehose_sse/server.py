"""``moto-firehose-sse-server``: moto's server with the Firehose SSE rules active.

Any SDK, the AWS CLI or Terraform can then use Firehose SSE as AWS does it over HTTP::

    moto-firehose-sse-server -p 5000
    aws firehose start-delivery-stream-encryption --endpoint-url http://127.0.0.1:5000 ...

Besides moto's own ``/moto-api/...`` paths (the state manager, ``/moto-api/reset``), the
controller is reachable under ``/moto-api/firehose-sse/``:

- ``GET /moto-api/firehose-sse/settings``: the settings, as a JSON object.
- ``POST /moto-api/firehose-sse/settings`` with a JSON object of settings to change;
  answers the settings in force.
- ``GET /moto-api/firehose-sse/faults``: the injected faults not consumed yet.
- ``POST /moto-api/firehose-sse/faults`` with ``{"operation": "enable" | "disable",
  "type": ..., "details": ..., "stream_name": ...}`` (all but ``operation`` optional):
  the next matching enable or disable fails that way. Answers the pending faults.
- ``DELETE /moto-api/firehose-sse/faults``: drop every pending fault.

Bad input there is answered with HTTP 400 and ``{"message": ...}``. ``POST /moto-api/reset``
also puts the settings back to the server's start-up values and drops pending faults.

Firehose requests are checked before moto sees them, so that malformed ones get the
answer AWS gives (HTTP 400 JSON: ``SerializationException``, ``UnknownOperationException``,
``MissingAuthenticationTokenException``, ``InvalidArgumentException``), never a 500.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import io
import json
import os
import signal
import sys
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, Callable

from . import controller, wiring
from .controller import MODEL_NAME, SETTINGS, FirehoseSSE, shown_value

API_PREFIX = "/moto-api/firehose-sse"
FIREHOSE_TARGET_PREFIX = "Firehose_20150804."
_JSON_1_1 = "application/x-amz-json-1.1"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class _BadRequest(Exception):
    def __init__(self, code: str, message: str, status: str = "400 Bad Request") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _respond(
    start_response: StartResponse,
    status: str,
    payload: Any,
    content_type: str = "application/json",
) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
    )
    return [body]


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body; ``wsgi.input`` is replaced so that the next app can read it again."""
    stream = environ["wsgi.input"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length >= 0:
        body: bytes = stream.read(length)
    elif environ.get("wsgi.input_terminated"):  # chunked: read to the end
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


# The controller over HTTP -------------------------------------------------------------


def _json_object(body: bytes, what: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """The body as a JSON object whose names are all among ``fields``."""
    try:
        value = json.loads(body or b"{}")
    except ValueError as exc:
        raise _BadRequest("BadRequest", f"{what}: the body is not valid JSON ({exc}).") from exc
    if not isinstance(value, dict):
        raise _BadRequest("BadRequest", f"{what}: the body must be a JSON object.")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise _BadRequest("BadRequest", f"{what}: unknown name(s) {unknown}; use {list(fields)}.")
    return value


def _settings_payload(sse: FirehoseSSE) -> dict[str, Any]:
    return sse.settings()


def _faults_payload(sse: FirehoseSSE) -> dict[str, Any]:
    return {"faults": [asdict(fault) for fault in sse.pending_faults]}


def _change_settings(sse: FirehoseSSE, body: bytes) -> None:
    changes = _json_object(body, "settings", SETTINGS)
    try:
        FirehoseSSE(**{**sse.settings(), **changes})  # all or nothing
    except ValueError as exc:
        raise _BadRequest("BadRequest", str(exc)) from exc
    sse.configure(**changes)


_FAULT_FIELDS = ("operation", "type", "details", "stream_name")


def _add_fault(sse: FirehoseSSE, body: bytes) -> None:
    fault = _json_object(body, "fault", _FAULT_FIELDS)
    operation = fault.get("operation")
    if operation not in ("enable", "disable"):
        raise _BadRequest(
            "BadRequest",
            f'operation must be "enable" or "disable"; got {shown_value(operation)}.',
        )
    stream_name = fault.get("stream_name")
    if stream_name is not None and not isinstance(stream_name, str):
        raise _BadRequest("BadRequest", "stream_name must be a string, or left out for any stream.")
    add = sse.fail_next_enable if operation == "enable" else sse.fail_next_disable
    kwargs: dict[str, Any] = {"details": fault.get("details"), "stream_name": stream_name}
    if "type" in fault:
        if not isinstance(fault["type"], str):
            raise _BadRequest("BadRequest", "type must be a DeliveryStreamFailureType string.")
        kwargs["type"] = fault["type"]
    try:
        add(**kwargs)
    except ValueError as exc:
        raise _BadRequest("BadRequest", str(exc)) from exc


def _controller_api(
    sse: FirehoseSSE, method: str, path: str, body: bytes
) -> tuple[str, dict[str, Any]]:
    """Serve one ``/moto-api/firehose-sse/...`` request: (HTTP status, JSON payload)."""
    resource = path[len(API_PREFIX) :].strip("/")
    if resource == "settings":
        if method == "POST":
            _change_settings(sse, body)
        elif method != "GET":
            raise _BadRequest(
                "MethodNotAllowed", "settings: use GET or POST.", "405 Method Not Allowed"
            )
        return "200 OK", _settings_payload(sse)
    if resource == "faults":
        if method == "POST":
            _add_fault(sse, body)
        elif method == "DELETE":
            sse.clear_faults()
        elif method != "GET":
            raise _BadRequest(
                "MethodNotAllowed", "faults: use GET, POST or DELETE.", "405 Method Not Allowed"
            )
        return "200 OK", _faults_payload(sse)
    raise _BadRequest(
        "NotFound",
        f"no {path}; use {API_PREFIX}/settings (GET, POST) or {API_PREFIX}/faults "
        "(GET, POST, DELETE).",
        "404 Not Found",
    )


def _check_transition(body: bytes) -> None:
    """Refuse a ``firehose::encryption`` transition moto's state manager can't follow."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return  # not ours to judge: moto answers it
    if not isinstance(request, dict) or request.get("model_name") != MODEL_NAME:
        return
    transition = request.get("transition")
    problem = None
    if not isinstance(transition, dict):
        problem = "transition must be a JSON object"
    elif transition.get("progression") not in ("immediate", "manual", "time"):
        problem = 'progression must be "immediate", "manual" or "time"'
    elif transition["progression"] == "manual":
        times = transition.get("times")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            problem = 'a "manual" transition needs "times", a whole number of at least 1'
    elif transition["progression"] == "time":
        seconds = transition.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            problem = 'a "time" transition needs "seconds", a number of 0 or more'
    if problem is not None:
        raise _BadRequest(
            "BadRequest",
            f"{MODEL_NAME}: {problem}, e.g. "
            '{"progression": "manual", "times": 2} or {"progression": "time", "seconds": 10}; '
            f"got {shown_value(transition)}.",
        )


# Firehose requests ----------------------------------------------------------------------


class _FirehoseModel:
    """botocore's Firehose model: operation names and input shapes, loaded once."""

    def __init__(self) -> None:
        session = importlib.import_module("botocore.session").get_session()
        self.model = session.get_service_model("firehose")
        self.operations = frozenset(self.model.operation_names)


_model: _FirehoseModel | None = None


def _firehose_model() -> _FirehoseModel:
    global _model
    if _model is None:
        _model = _FirehoseModel()
    return _model


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float, str),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
}


def _check_shape(value: Any, shape: Any, where: str) -> None:
    """Raise ``SerializationException`` where ``value`` is not of the shape's JSON type."""
    kind = shape.type_name
    expected = _JSON_TYPES.get(kind, (object,))
    wrong_bool = isinstance(value, bool) and bool not in expected
    if value is not None and (wrong_bool or not isinstance(value, expected)):
        raise _BadRequest(
            "SerializationException",
            f"Value of type {type(value).__name__} at '{where}' cannot be read as {kind}.",
        )
    if kind == "blob" and isinstance(value, str):
        try:
            base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise _BadRequest(
                "SerializationException", f"Value at '{where}' is not valid base64 ({exc})."
            ) from exc
    elif kind == "structure" and isinstance(value, dict):
        for name, member in value.items():
            if name in shape.members:
                _check_shape(member, shape.members[name], f"{where}.{name}" if where else name)
    elif kind == "list" and isinstance(value, list):
        for index, member in enumerate(value):
            _check_shape(member, shape.member, f"{where}[{index}]")
    elif kind == "map" and isinstance(value, dict):
        for key, member in value.items():
            _check_shape(member, shape.value, f"{where}.{key}")


def _credential_service(environ: dict[str, Any]) -> str | None:
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    try:
        scope = auth.split(",")[0].split()[1]
        return scope.split("/")[3].lower()
    except IndexError:
        return None


def _check_firehose_request(environ: dict[str, Any], target: str, body: bytes) -> None:
    """What AWS checks before a Firehose operation runs; raise ``_BadRequest`` on failure."""
    if environ.get("REQUEST_METHOD") != "POST":
        raise _BadRequest(
            "UnknownOperationException", "Firehose takes POST requests only (JSON 1.1)."
        )
    if not environ.get("HTTP_AUTHORIZATION"):
        raise _BadRequest(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: sign the request (any credentials will do for "
            "moto), as every AWS SDK and the AWS CLI do.",
        )
    model = _firehose_model()
    operation = (
        target[len(FIREHOSE_TARGET_PREFIX) :] if target.startswith(FIREHOSE_TARGET_PREFIX) else ""
    )
    if operation not in model.operations:
        raise _BadRequest(
            "UnknownOperationException",
            f"X-Amz-Target {target!r} is not a Firehose operation; expected "
            f"{FIREHOSE_TARGET_PREFIX}<Operation>, e.g. "
            f"{FIREHOSE_TARGET_PREFIX}DescribeDeliveryStream.",
        )
    try:
        params = json.loads(body or b"{}")
    except ValueError as exc:
        raise _BadRequest(
            "SerializationException", f"The request body is not valid JSON: {exc}."
        ) from exc
    if not isinstance(params, dict):
        raise _BadRequest(
            "SerializationException",
            f"The request body must be a JSON object, not {type(params).__name__}.",
        )
    shape = model.model.operation_model(operation).input_shape
    if shape is None:
        return
    _check_shape(params, shape, "")
    for name in shape.required_members:
        if params.get(name) is None:
            raise _BadRequest(
                "InvalidArgumentException",
                f"1 validation error detected: Value null at '{name[:1].lower()}{name[1:]}' "
                "failed to satisfy constraint: Member must not be null",
            )


# The WSGI application ---------------------------------------------------------------------


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
        """Back to the start-up settings, with no pending fault."""
        self.sse.configure(**self.startup_settings)
        self.sse.clear_faults()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                status, payload = _controller_api(self.sse, method, path, _read_body(environ))
                return _respond(start_response, status, payload)
            if path.rstrip("/") == "/moto-api/state-manager/set-transition":
                _check_transition(_read_body(environ))
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if target.startswith("Firehose_") or _credential_service(environ) == "firehose":
                _check_firehose_request(environ, target, _read_body(environ))
        except _BadRequest as exc:
            if exc.code in ("BadRequest", "NotFound", "MethodNotAllowed"):
                return _respond(start_response, exc.status, {"message": exc.message})
            payload = {"__type": exc.code, "message": exc.message}
            return _respond(start_response, exc.status, payload, _JSON_1_1)
        if path.rstrip("/") == "/moto-api/reset" and method == "POST":
            self.reset()
        return self.app(environ, start_response)


def make_app(sse: FirehoseSSE) -> FirehoseSSEApp:
    """moto's server application with the SSE rules installed and ``sse`` as the controller."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    controller.activate(sse)
    wiring.install()
    moto_app = DomainDispatcherApplication(create_backend_app)
    return FirehoseSSEApp(moto_app, sse)


def _parser() -> argparse.ArgumentParser:
    defaults = FirehoseSSE()
    parser = argparse.ArgumentParser(
        prog="moto-firehose-sse-server",
        description="moto's server with Amazon Firehose server-side encryption as AWS does it. "
        f"The controller is at {API_PREFIX}/settings and {API_PREFIX}/faults.",
    )
    parser.add_argument("-H", "--host", default="127.0.0.1", help="host to bind (127.0.0.1)")
    parser.add_argument(
        "-p",
        "--port",
        type=int,
        default=int(os.environ.get("MOTO_PORT", 5000)),
        help="port to listen on (MOTO_PORT, else 5000)",
    )
    parser.add_argument(
        "-r", "--reload", action="store_true", help="reload the server on a file change"
    )
    parser.add_argument(
        "-s", "--ssl", action="store_true", help="HTTPS with a generated certificate"
    )
    parser.add_argument("-c", "--ssl-cert", help="path to an SSL certificate")
    parser.add_argument("-k", "--ssl-key", help="path to an SSL private key")
    for name, kind in (
        ("max_streams_per_region", int),
        ("max_streams_per_key", int),
        ("max_encryption_changes_per_day", int),
        ("record_encryption_lag", float),
    ):
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            default=getattr(defaults, name),
            help=f"setting {name} (%(default)s)",
        )
    parser.add_argument(
        "--lenient-keys",
        action="store_true",
        help="accept KMS key ARNs that moto's KMS doesn't know (setting lenient_keys)",
    )
    return parser


def _exit(signum: int, frame: Any) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    """Run the server until interrupted (SIGINT or SIGTERM)."""
    from werkzeug.serving import run_simple

    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        sse = FirehoseSSE(**{name: getattr(args, name) for name in SETTINGS})
    except ValueError as exc:
        parser.error(str(exc))
    os.environ.setdefault("MOTO_PORT", str(args.port))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit)

    app = make_app(sse)
    ssl_context: Any = None
    if args.ssl_key and args.ssl_cert:
        ssl_context = (args.ssl_cert, args.ssl_key)
    elif args.ssl:
        ssl_context = "adhoc"
    options: dict[str, Any] = {}
    try:  # moto >= 5.1 keeps header names with underscores (S3 metadata)
        from moto.moto_server.werkzeug_app import MotoRequestHandler

        options["request_handler"] = MotoRequestHandler
    except ImportError:  # pragma: no cover - moto 5.0
        pass
    run_simple(
        args.host,
        args.port,
        app,
        threaded=True,
        use_reloader=args.reload,
        ssl_context=ssl_context,
        **options,
    )


if __name__ == "__main__":
    main()
