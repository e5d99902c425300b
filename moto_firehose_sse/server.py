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
- ``POST /moto-api/firehose-sse/faults`` with ``{"operation": "enable" | "disable" |
  "delete", "type": ..., "details": ..., "stream_name": ...}`` (all but ``operation``
  optional): the next matching enable, disable or delete fails that way. Answers the
  pending faults.
- ``DELETE /moto-api/firehose-sse/faults``: drop every pending fault.

Bad input there is answered with HTTP 400 and ``{"message": ...}``. ``POST /moto-api/reset``
also puts the settings back to the server's start-up values and drops pending faults.

Firehose requests are checked before moto sees them, so that malformed ones get the
answer AWS gives (JSON 1.1 with ``x-amzn-ErrorType``: ``SerializationException``,
``UnknownOperationException``, ``MissingAuthenticationTokenException``,
``IncompleteSignatureException``, ``InvalidSignatureException``, ``InvalidArgumentException``,
413 ``RequestEntityTooLargeException``), never a 500. Bodies are read in bounded chunks, up
to ``FIREHOSE_BODY_LIMIT`` for Firehose and ``CONTROL_BODY_LIMIT`` for the controller and
moto's state-manager endpoints, whose requests are checked for every model.
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
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from moto.settings import allow_unknown_region

from . import controller, json_nesting, wiring
from .controller import (
    MODEL_NAMES,
    PRODUCER_KEY_ACCESS,
    SETTINGS,
    FirehoseSSE,
    check_transition,
    shown_value,
)
from .exceptions import JSON_1_1

API_PREFIX = "/moto-api/firehose-sse"
FIREHOSE_TARGET_PREFIX = "Firehose_20150804."

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
    error_type: str | None = None,
) -> list[bytes]:
    body = json.dumps(payload).encode()
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    if error_type is not None:
        headers.append(("x-amzn-ErrorType", error_type))
    start_response(status, headers)
    return [body]


FIREHOSE_BODY_LIMIT = 8 * 1024 * 1024
"""The largest Firehose request body the server reads (bytes). Every request AWS accepts fits:
a PutRecordBatch at AWS's 4 MiB of record data is about 5.6 MB of JSON (the data in base64)."""
CONTROL_BODY_LIMIT = 64 * 1024
"""The largest body of a ``/moto-api/firehose-sse/...`` or state-manager request (bytes)."""
_CHUNK = 64 * 1024


def _too_large(limit: int) -> _BadRequest:
    return _BadRequest(
        "RequestEntityTooLargeException",
        f"The request body is over {limit} bytes, the most this server reads on this path; "
        "send a smaller request.",
        "413 Request Entity Too Large",
    )


def _read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, read in chunks; ``wsgi.input`` is replaced so that the next app can
    read it again. A body (or a ``Content-Length``) over ``limit`` bytes is refused with 413."""
    stream = environ["wsgi.input"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length > limit:
        raise _too_large(limit)
    if length < 0:  # chunked: read to the end; otherwise there is no body
        length = limit + 1 if environ.get("wsgi.input_terminated") else 0
    chunks: list[bytes] = []
    while length > 0:
        chunk = stream.read(min(_CHUNK, length))
        if not chunk:  # the client sent less than it announced
            break
        chunks.append(chunk)
        length -= len(chunk)
    body = b"".join(chunks)
    if len(body) > limit:
        raise _too_large(limit)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _parse_json(body: bytes | str) -> Any:
    """``json.loads`` whose every failure is a ``ValueError``, nesting too deep included."""
    try:
        if json_nesting.too_deep(body):
            raise RecursionError
        return json.loads(body)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None


# The controller over HTTP -------------------------------------------------------------


def _json_object(body: bytes, what: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """The body as a JSON object whose names are all among ``fields``."""
    try:
        value = _parse_json(body or b"{}")
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
    adders = {
        "enable": sse.fail_next_enable,
        "disable": sse.fail_next_disable,
        "delete": sse.fail_next_delete,
    }
    if operation not in adders:
        raise _BadRequest(
            "BadRequest",
            f'operation must be "enable", "disable" or "delete"; got {shown_value(operation)}.',
        )
    stream_name = fault.get("stream_name")
    if stream_name is not None and not isinstance(stream_name, str):
        raise _BadRequest("BadRequest", "stream_name must be a string, or left out for any stream.")
    add = adders[operation]
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
    """Refuse a transition of the plugin's models that it can't follow."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return  # not ours to judge: moto answers it
    if not isinstance(request, dict) or request.get("model_name") not in MODEL_NAMES:
        return
    try:
        check_transition(request["model_name"], request.get("transition"))
    except ValueError as exc:
        raise _BadRequest("BadRequest", str(exc)) from exc


STATE_MANAGER_PREFIX = "/moto-api/state-manager/"
_STATE_MANAGER_ACTIONS = ("set-transition", "unset-transition", "get-transition")
_STATE_MANAGER_EXAMPLE = (
    '{"model_name": "firehose::encryption", "transition": {"progression": "immediate"}}'
)


def _check_state_manager_request(action: str, query: str, body: bytes) -> None:
    """Refuse a state-manager request moto can't read, whatever the model: a JSON object body
    naming ``model_name`` (``transition``, an object, too for set-transition); for
    get-transition, a ``model_name=NAME`` query."""
    if action == "get-transition":
        try:
            pairs = [part.split("=") for part in query.encode("latin-1").decode().split("&")]
        except UnicodeError:
            pairs = []
        if any(len(pair) != 2 for pair in pairs) or "model_name" not in dict(pairs):
            raise _BadRequest(
                "BadRequest",
                f"get-transition: use ?model_name=NAME (name=value pairs joined by &), "
                f"not {query!r}.",
            )
        return
    problem = None
    try:
        request = _parse_json(body.decode())  # as moto reads it
    except ValueError as exc:
        problem = f"the body must be a JSON object, and is not valid JSON ({exc})"
    else:
        if not isinstance(request, dict):
            problem = "the body must be a JSON object"
        elif not isinstance(request.get("model_name"), str) or not request["model_name"]:
            problem = '"model_name" must be a non-empty string'
        elif action == "set-transition" and not isinstance(request.get("transition"), dict):
            problem = '"transition" must be a JSON object'
    if problem is not None:
        raise _BadRequest(
            "BadRequest",
            f"{action}: {problem}, e.g. {_STATE_MANAGER_EXAMPLE}; got {body[:200]!r}.",
        )


# Firehose requests ----------------------------------------------------------------------


class _FirehoseModel:
    """botocore's Firehose model: operation names and input shapes, loaded once."""

    def __init__(self) -> None:
        session = importlib.import_module("botocore.session").get_session()
        self.model = session.get_service_model("firehose")
        self.operations = frozenset(self.model.operation_names)
        # The regions moto's Firehose serves (moto builds its list the same way).
        self.regions = frozenset(
            region
            for partition in session.get_available_partitions()
            for region in session.get_available_regions("firehose", partition_name=partition)
        )


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


_SIGV4 = "AWS4-HMAC-SHA256"
_SIGV4_EXAMPLE = (
    f"{_SIGV4} Credential=KEY/20240101/us-east-1/firehose/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=..."
)


def _signature_parts(auth: str) -> tuple[str, dict[str, str], list[str]]:
    """An ``Authorization`` header's algorithm, its ``name=value`` parameters, and the
    items that are not ``name=value``."""
    algorithm, _, rest = auth.strip().partition(" ")
    params: dict[str, str] = {}
    broken: list[str] = []
    for item in rest.split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            params[name.strip()] = value.strip()
        elif name:
            broken.append(name)
    return algorithm, params, broken


def _is_firehose(environ: dict[str, Any]) -> bool:
    """Whether a request is meant for Firehose: its target, or its credential scope, says so."""
    if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("Firehose_"):
        return True
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    if "firehose" not in auth.lower():
        return False
    scope = _signature_parts(auth)[1].get("Credential", "").lower().split("/")
    return "firehose" in scope[1:]


def _check_signature(auth: str) -> None:
    """Refuse an ``Authorization`` header that is not a Signature Version 4 header scoped to
    Firehose, as AWS does (moto accepts any signature, but routes by the scope)."""
    algorithm, params, broken = _signature_parts(auth)
    if broken:
        raise _BadRequest(
            "IncompleteSignatureException",
            f"'{broken[0]}' not a valid key=value pair (missing equal-sign) in Authorization "
            f"header: '{auth}'. Sign as the AWS SDKs do: {_SIGV4_EXAMPLE}.",
        )
    missing = [name for name in ("Credential", "Signature", "SignedHeaders") if name not in params]
    if algorithm != _SIGV4 or missing:
        needs = "".join(f"Authorization header requires '{name}' parameter. " for name in missing)
        raise _BadRequest(
            "IncompleteSignatureException",
            f"{needs}Authorization={auth}. Sign with Signature Version 4 as the AWS SDKs do: "
            f"{_SIGV4_EXAMPLE}.",
        )
    credential = params["Credential"]
    scope = credential.split("/")
    if len(scope) != 5:
        raise _BadRequest(
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{credential}'.",
        )
    region, service, terminator = scope[2:]
    if region not in _firehose_model().regions and not allow_unknown_region():
        raise _BadRequest(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{region}'.",
            "403 Forbidden",
        )
    if service != "firehose":
        raise _BadRequest(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: 'firehose', not '{service}'.",
            "403 Forbidden",
        )
    if terminator != "aws4_request":
        raise _BadRequest(
            "InvalidSignatureException",
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{terminator}'.",
            "403 Forbidden",
        )


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
            "403 Forbidden",
        )
    _check_signature(str(environ["HTTP_AUTHORIZATION"]))
    if environ.get("PATH_INFO") != "/":
        raise _BadRequest(
            "UnknownOperationException",
            f"Firehose takes requests on the path /, not {environ.get('PATH_INFO')!r}.",
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
        params = _parse_json(body or b"{}")
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
                body = _read_body(environ, CONTROL_BODY_LIMIT)
                status, payload = _controller_api(self.sse, method, path, body)
                return _respond(start_response, status, payload)
            action = path[len(STATE_MANAGER_PREFIX) :].rstrip("/")
            if path.startswith(STATE_MANAGER_PREFIX) and action in _STATE_MANAGER_ACTIONS:
                body = _read_body(environ, CONTROL_BODY_LIMIT)
                _check_state_manager_request(action, environ.get("QUERY_STRING", ""), body)
                if action == "set-transition":
                    _check_transition(body)
            elif not path.startswith("/moto-api") and _is_firehose(environ):
                target = environ.get("HTTP_X_AMZ_TARGET", "")
                body = _read_body(environ, FIREHOSE_BODY_LIMIT)
                _check_firehose_request(environ, target, body)
        except _BadRequest as exc:
            if path.startswith("/moto-api"):
                return _respond(start_response, exc.status, {"message": exc.message})
            payload = {"__type": exc.code, "message": exc.message}
            return _respond(start_response, exc.status, payload, JSON_1_1, exc.code)
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
        "--producer-key-access",
        choices=PRODUCER_KEY_ACCESS,
        default=defaults.producer_key_access,
        help="setting producer_key_access: whether puts need the caller's KMS access to the "
        "stream's customer key (%(default)s: on AWS's dates)",
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
