"""What AWS checks of a Firehose request before the operation runs: the method, path and
target, the Signature Version 4 ``Authorization`` header and its scope, and the body's JSON
against botocore's input shapes. A failed check raises ``BadRequest``."""

from __future__ import annotations

import base64
import importlib
import re
from typing import Any

from moto.settings import allow_unknown_region

from .http_io import BadRequest, parse_json

FIREHOSE_TARGET_PREFIX = "Firehose_20150804."


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
        raise BadRequest(
            "SerializationException",
            f"Value of type {type(value).__name__} at '{where}' cannot be read as {kind}.",
        )
    if kind == "blob" and isinstance(value, str):
        try:
            base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise BadRequest(
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


def _signature_parts(auth: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """An ``Authorization`` header's algorithm, its ``name=value`` parameters in order, and
    the items that are not ``name=value``."""
    algorithm, _, rest = auth.strip().partition(" ")
    params: list[tuple[str, str]] = []
    broken: list[str] = []
    for item in rest.split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            params.append((name.strip(), value.strip()))
        elif name:
            broken.append(name)
    return algorithm, params, broken


_SCOPE_ITEMS = re.compile(r"[\s,=]+")


def is_firehose(environ: dict[str, Any]) -> bool:
    """Whether a request is meant for Firehose: its target says so, or a credential scope in
    its ``Authorization`` header, wherever it stands (moto routes by the first item, and
    need not find it after ``Credential=``), names Firehose as its service."""
    if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("Firehose_"):
        return True
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    if "firehose" not in auth.lower():
        return False
    return any(
        "firehose" in (part.lower() for part in item.split("/")[1:])
        for item in _SCOPE_ITEMS.split(auth)
    )


_SIGNATURE_PARAMS = ("Credential", "SignedHeaders", "Signature")


def _checked_signature(auth: str) -> str:
    """Refuse an ``Authorization`` header that is not a Signature Version 4 header scoped to
    Firehose, as AWS does (moto accepts any signature, but routes by the scope). Returns the
    header with its parameters in the SDKs' order, so that moto routes it to Firehose."""
    algorithm, pairs, broken = _signature_parts(auth)
    if broken:
        raise BadRequest(
            "IncompleteSignatureException",
            f"'{broken[0]}' not a valid key=value pair (missing equal-sign) in Authorization "
            f"header: '{auth}'. Sign as the AWS SDKs do: {_SIGV4_EXAMPLE}.",
        )
    names = [name for name, _ in pairs]
    twice = [name for name in _SIGNATURE_PARAMS if names.count(name) > 1]
    if twice:
        raise BadRequest(
            "IncompleteSignatureException",
            f"Authorization header has the '{twice[0]}' parameter {names.count(twice[0])} "
            f"times: '{auth}'. Sign with one of each, as the AWS SDKs do: {_SIGV4_EXAMPLE}.",
        )
    params = dict(pairs)
    missing = [name for name in ("Credential", "Signature", "SignedHeaders") if name not in params]
    if algorithm != _SIGV4 or missing:
        needs = "".join(f"Authorization header requires '{name}' parameter. " for name in missing)
        raise BadRequest(
            "IncompleteSignatureException",
            f"{needs}Authorization={auth}. Sign with Signature Version 4 as the AWS SDKs do: "
            f"{_SIGV4_EXAMPLE}.",
        )
    credential = params["Credential"]
    if any(character.isspace() for character in credential):
        raise BadRequest(
            "IncompleteSignatureException",
            f"Credential must not contain whitespace, got '{credential}'; e.g. "
            "KEY/20240101/us-east-1/firehose/aws4_request.",
        )
    scope = credential.split("/")
    if len(scope) != 5:
        raise BadRequest(
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{credential}'.",
        )
    region, service, terminator = scope[2:]
    if region not in _firehose_model().regions and not allow_unknown_region():
        raise BadRequest(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{region}'.",
            "403 Forbidden",
        )
    if service != "firehose":
        raise BadRequest(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: 'firehose', not '{service}'.",
            "403 Forbidden",
        )
    if terminator != "aws4_request":
        raise BadRequest(
            "InvalidSignatureException",
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{terminator}'.",
            "403 Forbidden",
        )
    return ", ".join(
        [f"{_SIGV4} Credential={credential}"]
        + [f"{name}={params[name]}" for name in _SIGNATURE_PARAMS[1:]]
    )


def check_firehose_request(environ: dict[str, Any], target: str, body: bytes) -> None:
    """What AWS checks before a Firehose operation runs; raise ``BadRequest`` on failure."""
    if environ.get("REQUEST_METHOD") != "POST":
        raise BadRequest(
            "UnknownOperationException", "Firehose takes POST requests only (JSON 1.1)."
        )
    if not environ.get("HTTP_AUTHORIZATION"):
        raise BadRequest(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: sign the request (any credentials will do for "
            "moto), as every AWS SDK and the AWS CLI do.",
            "403 Forbidden",
        )
    # moto routes by the header's first item: it gets the header as the SDKs write it.
    environ["HTTP_AUTHORIZATION"] = _checked_signature(str(environ["HTTP_AUTHORIZATION"]))
    if environ.get("PATH_INFO") != "/":
        raise BadRequest(
            "UnknownOperationException",
            f"Firehose takes requests on the path /, not {environ.get('PATH_INFO')!r}.",
        )
    model = _firehose_model()
    operation = (
        target[len(FIREHOSE_TARGET_PREFIX) :] if target.startswith(FIREHOSE_TARGET_PREFIX) else ""
    )
    if operation not in model.operations:
        raise BadRequest(
            "UnknownOperationException",
            f"X-Amz-Target {target!r} is not a Firehose operation; expected "
            f"{FIREHOSE_TARGET_PREFIX}<Operation>, e.g. "
            f"{FIREHOSE_TARGET_PREFIX}DescribeDeliveryStream.",
        )
    try:
        params = parse_json(body or b"{}")
    except ValueError as exc:
        raise BadRequest(
            "SerializationException", f"The request body is not valid JSON: {exc}."
        ) from exc
    if not isinstance(params, dict):
        raise BadRequest(
            "SerializationException",
            f"The request body must be a JSON object, not {type(params).__name__}.",
        )
    shape = model.model.operation_model(operation).input_shape
    if shape is None:
        return
    _check_shape(params, shape, "")
    for name in shape.required_members:
        if params.get(name) is None:
            raise BadRequest(
                "InvalidArgumentException",
                f"1 validation error detected: Value null at '{name[:1].lower()}{name[1:]}' "
                "failed to satisfy constraint: Member must not be null",
            )
