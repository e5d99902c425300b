"""The controller over HTTP (``/moto-api/firehose-sse/...``) and the checks of moto's
state-manager requests.

The controller's API is the route table ``ROUTES``: ``{resource: {method: handler}}``. A
handler takes the server's controller and the request, and returns the JSON payload of a
200 answer, or raises ``BadRequest``. A new route is one entry::

    ROUTES["key-events"] = {"GET": _key_events}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .. import key_events
from ..controller import MODEL_NAMES, SETTINGS, FirehoseSSE, check_transition, shown_value
from .http_io import BadRequest, parse_json

API_PREFIX = "/moto-api/firehose-sse"


@dataclass(frozen=True)
class ApiRequest:
    """One request to the controller's API: its method, query string (undecoded) and body."""

    method: str
    query: str
    body: bytes


Handler = Callable[[FirehoseSSE, ApiRequest], Any]


def _json_object(body: bytes, what: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """The body as a JSON object whose names are all among ``fields``."""
    try:
        value = parse_json(body or b"{}")
    except ValueError as exc:
        raise BadRequest("BadRequest", f"{what}: the body is not valid JSON ({exc}).") from exc
    if not isinstance(value, dict):
        raise BadRequest("BadRequest", f"{what}: the body must be a JSON object.")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise BadRequest("BadRequest", f"{what}: unknown name(s) {unknown}; use {list(fields)}.")
    return value


def _get_settings(sse: FirehoseSSE, request: ApiRequest) -> dict[str, Any]:
    return sse.settings()


def _post_settings(sse: FirehoseSSE, request: ApiRequest) -> dict[str, Any]:
    changes = _json_object(request.body, "settings", SETTINGS)
    try:
        FirehoseSSE(**{**sse.settings(), **changes})  # all or nothing
    except ValueError as exc:
        raise BadRequest("BadRequest", str(exc)) from exc
    sse.configure(**changes)
    return sse.settings()


def _get_faults(sse: FirehoseSSE, request: ApiRequest) -> dict[str, Any]:
    return {"faults": [asdict(fault) for fault in sse.pending_faults]}


_FAULT_FIELDS = ("operation", "type", "details", "stream_name")


def _post_fault(sse: FirehoseSSE, request: ApiRequest) -> dict[str, Any]:
    fault = _json_object(request.body, "fault", _FAULT_FIELDS)
    operation = fault.get("operation")
    adders = {
        "enable": sse.fail_next_enable,
        "disable": sse.fail_next_disable,
        "delete": sse.fail_next_delete,
    }
    if operation not in adders:
        raise BadRequest(
            "BadRequest",
            f'operation must be "enable", "disable" or "delete"; got {shown_value(operation)}.',
        )
    stream_name = fault.get("stream_name")
    if stream_name is not None and not isinstance(stream_name, str):
        raise BadRequest("BadRequest", "stream_name must be a string, or left out for any stream.")
    add = adders[operation]
    kwargs: dict[str, Any] = {"details": fault.get("details"), "stream_name": stream_name}
    if "type" in fault:
        if not isinstance(fault["type"], str):
            raise BadRequest("BadRequest", "type must be a DeliveryStreamFailureType string.")
        kwargs["type"] = fault["type"]
    try:
        add(**kwargs)
    except ValueError as exc:
        raise BadRequest("BadRequest", str(exc)) from exc
    return _get_faults(sse, request)


def _delete_faults(sse: FirehoseSSE, request: ApiRequest) -> dict[str, Any]:
    sse.clear_faults()
    return _get_faults(sse, request)


def _get_key_events(sse: FirehoseSSE, request: ApiRequest) -> list[dict[str, Any]]:
    try:
        return key_events.http_payload(sse, request.query)
    except ValueError as exc:
        raise BadRequest("BadRequest", str(exc)) from exc


ROUTES: dict[str, dict[str, Handler]] = {
    "settings": {"GET": _get_settings, "POST": _post_settings},
    "faults": {"GET": _get_faults, "POST": _post_fault, "DELETE": _delete_faults},
    "key-events": {"GET": _get_key_events},
}
"""The controller's API: ``/moto-api/firehose-sse/<resource>`` → method → handler."""


def _methods(methods: Mapping[str, Handler]) -> str:
    names = list(methods)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the controller's API's."""
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def serve_api(sse: FirehoseSSE, path: str, request: ApiRequest) -> Any:
    """Serve one ``/moto-api/firehose-sse/...`` request: the JSON payload of a 200 answer."""
    resource = path[len(API_PREFIX) :].strip("/")
    methods = ROUTES.get(resource)
    if methods is None:
        listed = ", ".join(
            f"{API_PREFIX}/{name} ({', '.join(handlers)})" for name, handlers in ROUTES.items()
        )
        raise BadRequest("NotFound", f"no {path}; use {listed}.", "404 Not Found")
    handler = methods.get(request.method)
    if handler is None:
        raise BadRequest(
            "MethodNotAllowed", f"{resource}: use {_methods(methods)}.", "405 Method Not Allowed"
        )
    return handler(sse, request)


# moto's state manager -------------------------------------------------------------------

STATE_MANAGER_PREFIX = "/moto-api/state-manager/"
STATE_MANAGER_ACTIONS = ("set-transition", "unset-transition", "get-transition")
_STATE_MANAGER_EXAMPLE = (
    '{"model_name": "firehose::encryption", "transition": {"progression": "immediate"}}'
)


def state_manager_action(path: str) -> str | None:
    """The state-manager action ``path`` asks for, if it is one the server checks."""
    if not path.startswith(STATE_MANAGER_PREFIX):
        return None
    action = path[len(STATE_MANAGER_PREFIX) :].rstrip("/")
    return action if action in STATE_MANAGER_ACTIONS else None


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
        raise BadRequest("BadRequest", str(exc)) from exc


def check_state_manager_request(action: str, query: str, body: bytes) -> None:
    """Refuse a state-manager request moto can't read, whatever the model: a JSON object body
    naming ``model_name`` (``transition``, an object, too for set-transition); for
    get-transition, a ``model_name=NAME`` query. A transition of the plugin's models that it
    can't follow is refused too."""
    if action == "get-transition":
        try:
            pairs = [part.split("=") for part in query.encode("latin-1").decode().split("&")]
        except UnicodeError:
            pairs = []
        if any(len(pair) != 2 for pair in pairs) or "model_name" not in dict(pairs):
            raise BadRequest(
                "BadRequest",
                f"get-transition: use ?model_name=NAME (name=value pairs joined by &), "
                f"not {query!r}.",
            )
        return
    problem = None
    try:
        request = parse_json(body.decode())  # as moto reads it
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
        raise BadRequest(
            "BadRequest",
            f"{action}: {problem}, e.g. {_STATE_MANAGER_EXAMPLE}; got {body[:200]!r}.",
        )
    if action == "set-transition":
        _check_transition(body)
