"""``AWS::KinesisFirehose::DeliveryStream`` in moto's CloudFormation (rules 41-45).

The resource follows AWS's resource handler (aws-cloudformation-resource-providers-
kinesisfirehose): create calls CreateDeliveryStream through the plugin's rules and polls
DescribeDeliveryStream until ACTIVE (CREATING_FAILED fails it); update applies a changed
encryption input in place (Start, or Stop when it was removed) and polls until ENABLED /
DISABLED, updates the destination and the tags, and replaces the stream when a create-only
property (name, type, source) changes; delete calls DeleteDeliveryStream with
AllowForceDelete=true and polls until ResourceNotFoundException.

Every poll is one DescribeDeliveryStream, made when a stack is read (DescribeStacks,
ListStacks, DescribeStackEvents...): a stack stays ``*_IN_PROGRESS`` while a transition of
the plugin's state-manager models runs, as on AWS. A failed resource fails the stack as
CloudFormation does (rule 44): a ``*_FAILED`` resource event with the reason, then a rollback.

moto has no model for this type, no resource events and no rollback; ``attach`` adds what is
needed while the plugin is installed and ``detach`` takes all of it away again (the wiring
calls both). The resource class is outside moto's model tree while detached: moto finds
models through ``CloudFormationModel.__subclasses__()``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import inspect
import re
import string
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from moto.firehose.models import FirehoseBackend, firehose_backends

from .operations import LOCK

RESOURCE_TYPE = "AWS::KinesisFirehose::DeliveryStream"

IN_PROGRESS, COMPLETE, FAILED = "IN_PROGRESS", "COMPLETE", "FAILED"

# Properties whose change replaces the stream (the resource schema's createOnlyProperties).
_CREATE_ONLY = (
    "DeliveryStreamName",
    "DeliveryStreamType",
    "KinesisStreamSourceConfiguration",
    "MSKSourceConfiguration",
    "DatabaseSourceConfiguration",
    "DirectPutSourceConfiguration",
)
_ENCRYPTION = "DeliveryStreamEncryptionConfigurationInput"
_READ_ONLY = ("Arn",)
_MAX_NAME = 64
_NAME_SUFFIX = 12
_ALPHABET = string.ascii_letters + string.digits

# AWS's ExceptionMapper: the error type of the Firehose call -> the handler's error code.
_HANDLER_CODES = {
    "InvalidArgumentException": "InvalidRequest",
    "InvalidKMSResourceException": "InvalidRequest",
    "LimitExceededException": "ServiceLimitExceeded",
    "ResourceNotFoundException": "NotFound",
    "ConcurrentModificationException": "ServiceInternalError",
    "ServiceUnavailableException": "ServiceInternalError",
}


class HandlerFailure(Exception):
    """A failed handler step: ``message`` and AWS's handler error code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def reason(self) -> str:
        return (
            f'Resource handler returned message: "{self.message}" '
            f"(RequestToken: {uuid.uuid4()}, HandlerErrorCode: {self.code})"
        )


class ValidationFailure(Exception):
    """The properties don't match the resource schema: CloudFormation fails the resource
    before any handler runs."""


# Properties: checked against botocore's CreateDeliveryStream input -----------------------


@functools.cache
def _create_input() -> Any:
    session = importlib.import_module("botocore.session").get_session()
    model = session.get_service_model("firehose")
    return model.operation_model("CreateDeliveryStream").input_shape


_JSON_TYPES = {
    "str": "String",
    "int": "Integer",
    "bool": "Boolean",
    "float": "Number",
    "Decimal": "Number",
    "dict": "JSONObject",
    "list": "JSONArray",
    "tuple": "JSONArray",
    "bytes": "String",
    "bytearray": "String",
    "datetime": "String",
    "NoneType": "Null",
}


def _json_type(name: str) -> str:
    return _JSON_TYPES.get(name, name)


def _coerce(value: Any, shape: Any) -> Any:
    """Template scalars as CloudFormation hands them to a handler: ``"5"`` is 5 for an
    integer member, ``"true"`` a boolean, a number a string for a string member."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: _coerce(v, members[k]) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_coerce(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _coerce(v, shape.value) for k, v in value.items()}
    if kind in ("integer", "long") and isinstance(value, str):
        if re.fullmatch(r"\s*-?\d{1,18}\s*", value):
            return int(value)
    elif kind == "boolean" and isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _pointer(name: str) -> str:
    path = re.sub(r"\[(\d+)\]", r"/\1", name).replace(".", "/")
    return "#" + (path if path.startswith("/") else "/" + path if path else "")


def _schema_message(kind: str, name: str, details: dict[str, Any]) -> str:
    where = _pointer(name)
    if kind == "unknown field":
        return f"{where}: extraneous key [{details['unknown_param']}] is not permitted"
    if kind == "missing required field":
        return f"{where}: required key [{details['required_name']}] not found"
    if kind == "invalid type":
        valid = details.get("valid_types") or []
        expected = ", ".join(
            dict.fromkeys(
                _json_type(re.sub(r"<class '(?:.*\.)?(\w+)'>", r"\1", str(t))) for t in valid
            )
        )
        found = _json_type(type(details.get("param")).__name__)
        return f"{where}: expected type: {expected}, found: {found}"
    if kind == "invalid length":
        return f"{where}: expected minLength: {details.get('min_allowed')}"
    if kind == "invalid range":
        return f"{where}: {details.get('param')!r} is not greater or equal to {details.get('min_allowed')}"
    return f"{where}: {kind}"


class NotAnObject:
    """Stands for a template's ``Properties`` that is not an object (moto's parser can't take
    one: it tests ``name in Properties``)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __contains__(self, item: object) -> bool:
        return False


def checked_properties(properties: Any, name: str, logical_id: str) -> dict[str, Any]:
    """The template's properties as a CreateDeliveryStream request, or ValidationFailure with
    CloudFormation's message: unknown keys, wrong types and missing members fail here."""
    if not isinstance(properties, dict):
        value = properties.value if isinstance(properties, NotAnObject) else properties
        raise ValidationFailure(
            f"Properties validation failed for resource {logical_id} with message: "
            f"[#: expected type: JSONObject, found: {_json_type(type(value).__name__)}]"
        )
    validator = importlib.import_module("botocore.validate").ParamValidator()
    shape = _create_input()
    request = {k: v for k, v in properties.items() if k not in _READ_ONLY}
    request["DeliveryStreamName"] = name
    request = dict(_coerce(request, shape))
    report = validator.validate(request, shape)
    errors = getattr(report, "_errors", None)
    if report.has_errors():
        messages = (
            [_schema_message(kind, where, details) for kind, where, details in errors]
            if isinstance(errors, list)
            else [report.generate_report()]
        )
        raise ValidationFailure(
            f"Properties validation failed for resource {logical_id} with message: "
            f"[{', '.join(messages)}]"
        )
    return request


@functools.cache
def _moto_create_parameters() -> tuple[str, ...]:
    """The request members moto's ``create_delivery_stream`` takes, in its order (it gains
    parameters between releases and takes them all, positionally)."""
    names = list(inspect.signature(FirehoseBackend.create_delivery_stream).parameters)[2:]
    return tuple("".join(w[:1].upper() + w[1:] for w in n.split("_")) for n in names)


@functools.cache
def _moto_update_parameters() -> tuple[str, ...]:
    names = list(inspect.signature(FirehoseBackend.update_destination).parameters)[1:]
    return tuple("".join(w[:1].upper() + w[1:] for w in n.split("_")) for n in names)


def _destinations(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k.endswith("DestinationConfiguration")}


# Calls to the plugin's Firehose ----------------------------------------------------------


def _error(exc: Exception) -> HandlerFailure:
    """AWS's handler failure for a Firehose error (its ExceptionMapper).

    A ResourceInUseException is a conflict: on create, a taken name is refused as
    ``AlreadyExists`` before Firehose is called (the handler's own Describe finds it).
    """
    if isinstance(exc, HandlerFailure):
        return exc
    kind = getattr(exc, "error_type", None) or getattr(exc, "code", None)
    message = str(getattr(exc, "message", None) or exc)
    if not isinstance(kind, str):
        return HandlerFailure(
            f"moto-firehose-sse could not run the handler ({type(exc).__name__}: {exc})",
            "InternalFailure",
        )
    if kind == "ResourceInUseException":
        return HandlerFailure(message, "ResourceConflict")
    return HandlerFailure(message, _HANDLER_CODES.get(kind, "ServiceInternalError"))


def _backend(account_id: str, region: str) -> Any:
    return firehose_backends[account_id][region]


def _describe(backend: Any, name: str) -> dict[str, Any] | None:
    """DescribeDeliveryStream's description; None once the stream is gone."""
    try:
        result = backend.describe_delivery_stream(name)
    except Exception as exc:
        if getattr(exc, "error_type", None) == "ResourceNotFoundException":
            return None
        raise
    description: dict[str, Any] = result["DeliveryStreamDescription"]
    return description


def _failure_text(described: dict[str, Any]) -> str:
    """`` TYPE: details`` of the FailureDescription in ``described`` (a stream or its SSE)."""
    failure = described.get("FailureDescription")
    if not isinstance(failure, dict):
        return ""
    return f" {failure.get('Type')}: {failure.get('Details')}"


def _encryption_unchanged(desired: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """AWS's handler: CUSTOMER_MANAGED_CMK with the same key, or AWS_OWNED_CMK again."""
    if current is None or current.get("Status") in (None, "DISABLED", "DISABLING"):
        return False
    if current.get("Status") in ("ENABLING_FAILED", "DISABLING_FAILED"):
        return False
    key_type = desired.get("KeyType")
    if key_type == "CUSTOMER_MANAGED_CMK":
        return bool(
            current.get("KeyType") == key_type and desired.get("KeyARN") == current.get("KeyARN")
        )
    return key_type == "AWS_OWNED_CMK" and current.get("KeyType") == "AWS_OWNED_CMK"


# The resource ----------------------------------------------------------------------------


class _Detached:
    """The base of ``DeliveryStreamResource`` while the plugin is not installed."""


@dataclass
class _Scope:
    """The stack a CloudFormation operation runs on, and the streams it started work on."""

    stack: Any
    kind: str = ""
    resources: list[DeliveryStreamResource] = field(default_factory=list)
    removed: list[DeliveryStreamResource] = field(default_factory=list)


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "moto_firehose_sse_cfn_scope", default=None
)
_ON_FAILURE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "moto_firehose_sse_cfn_on_failure", default=None
)


class DeliveryStreamResource(_Detached):
    """One ``AWS::KinesisFirehose::DeliveryStream`` of a stack, and the handler step it is in.

    A subclass of moto's ``CloudFormationModel`` only while attached (its ``__bases__`` are
    switched): it is not a ``BaseModel`` for moto's instance tracking either way.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> DeliveryStreamResource:
        return object.__new__(cls)  # not tracked in moto's model data

    def __init__(
        self, account_id: str, region: str, stack: Any, logical_id: str, properties: Any
    ) -> None:
        self.account_id = account_id
        self.region_name = region
        self.stack = stack
        self.logical_resource_id = logical_id
        self.cf_resource_type = RESOURCE_TYPE
        self.properties = properties
        self.name: str | None = None
        self.arn: str | None = None
        self.action = "CREATE"
        self.state = IN_PROGRESS
        self.reason: str | None = None
        self._wait: Callable[[], None] | None = None
        self.previous: DeliveryStreamResource | None = None  # before an update of this stack
        self.replaces: DeliveryStreamResource | None = None  # the stream a replacement ends
        self.in_place = False

    # moto's model interface ---------------------------------------------------------------

    @staticmethod
    def cloudformation_name_type() -> str:
        return "DeliveryStreamName"

    @staticmethod
    def cloudformation_type() -> str:
        return RESOURCE_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Arn":
            return self.arn
        raise UnformattedGetAttTemplateException()

    @property
    def physical_resource_id(self) -> str | None:
        return self.name

    def is_created(self) -> bool:
        return self.state == COMPLETE

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> DeliveryStreamResource:
        scope = _SCOPE.get()
        stack = scope.stack if scope is not None else _stack_by_id(kwargs.get("StackId"))
        logical_id = str(kwargs.get("LogicalId", ""))  # moto passes the template's key
        properties = cloudformation_json.get("Properties")
        resource = cls(account_id, region_name, stack, logical_id, properties)
        with LOCK:
            resource._start_create()
        return resource

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> DeliveryStreamResource:
        old = original_resource if isinstance(original_resource, cls) else None
        scope = _SCOPE.get()
        stack = scope.stack if scope is not None else getattr(old, "stack", None)
        logical_id = getattr(original_resource, "logical_resource_id", "") or ""
        properties = cloudformation_json.get("Properties")
        resource = cls(account_id, region_name, stack, logical_id, properties)
        resource.previous = old
        with LOCK:
            if old is None or old.name is None:
                resource._start_create()
            else:
                resource._start_update(old)
        return resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        pass  # moto calls ``delete`` on the instance first

    def delete(self, account_id: str, region_name: str) -> None:
        scope = _SCOPE.get()
        if scope is not None and scope.kind == "UPDATE":
            scope.removed.append(self)  # removed by the update: deleted in its clean-up
            return
        with LOCK:
            self._start_delete()

    # Steps --------------------------------------------------------------------------------

    def _begin(self, action: str) -> None:
        self.action, self.state, self.reason, self._wait = action, IN_PROGRESS, None, None
        scope = _SCOPE.get()
        if scope is not None and self not in scope.resources:
            scope.resources.append(self)
        self._event(f"{action}_IN_PROGRESS")

    @property
    def _verb(self) -> str:
        """The action its events name: a replacement's create is the resource's UPDATE."""
        return "UPDATE" if self.action == "CREATE" and self.replaces is not None else self.action

    def _end(self, state: str, reason: str | None = None) -> None:
        self.state, self.reason, self._wait = state, reason, None
        self._event(f"{self._verb}_{state if state == FAILED else 'COMPLETE'}", reason)

    def _complete(self) -> None:
        self._end(COMPLETE)

    def _fail(self, exc: Exception) -> None:
        if isinstance(exc, ValidationFailure):
            self._end(FAILED, str(exc))
        else:
            self._end(FAILED, _error(exc).reason())

    def poll(self) -> None:
        """One handler callback: one DescribeDeliveryStream when a step is waiting."""
        if self.state != IN_PROGRESS or self._wait is None:
            return
        try:
            self._wait()
        except Exception as exc:
            self._fail(exc)

    def _generated_name(self) -> str:
        from moto.moto_api._internal import mock_random

        stack_name = getattr(self.stack, "name", None) or ""
        prefix = (
            f"{stack_name}-{self.logical_resource_id}" if stack_name else self.logical_resource_id
        )
        prefix = (prefix or "deliverystream")[: _MAX_NAME - _NAME_SUFFIX - 1]
        suffix = "".join(mock_random.choice(_ALPHABET) for _ in range(_NAME_SUFFIX))
        return f"{prefix}-{suffix}"

    def _name_from(self, properties: Any, fallback: str | None) -> str:
        given = properties.get("DeliveryStreamName") if isinstance(properties, dict) else None
        if given is not None:
            return given  # type: ignore[no-any-return]  # checked with the others
        return fallback or self._generated_name()

    def _tags(self, request: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The resource's tags and the stack's (CloudFormation propagates stack tags)."""
        tags = {t["Key"]: t.get("Value", "") for t in request.get("Tags") or ()}
        stack_tags = getattr(self.stack, "tags", None) or {}
        for key, value in stack_tags.items():
            if isinstance(key, str) and not key.startswith("aws:"):
                tags.setdefault(key, value)
        return [{"Key": k, "Value": v} for k, v in tags.items()] or None

    def _start_create(self) -> None:
        self._begin("CREATE")
        try:
            request = checked_properties(
                self.properties, self._name_from(self.properties, None), self.logical_resource_id
            )
            self.name = request["DeliveryStreamName"]
            self.properties = {k: v for k, v in request.items() if k != "DeliveryStreamName"}
            self._create(request)
        except Exception as exc:
            if not self._created:
                self.name, self.arn = None, None
            self._fail(exc)

    _created = False

    def _create(self, request: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        name = request["DeliveryStreamName"]
        if _describe(backend, name) is not None:
            raise HandlerFailure(f"Firehose already exists with the name: {name}", "AlreadyExists")
        known = _moto_create_parameters()
        unsupported = [k for k in _destinations(request) if k not in known]
        if unsupported:
            raise HandlerFailure(
                f"moto's Firehose has no {unsupported[0]}: the mock can't create this stream "
                f"(moto takes {', '.join(k for k in known if k.endswith('DestinationConfiguration'))})",
                "InvalidRequest",
            )
        request = dict(request, Tags=self._tags(request))
        args = [request.get(member) for member in known]
        self.arn = backend.create_delivery_stream(self.region_name, *args)
        self._created = True
        self._wait = self._wait_created

    def _wait_created(self) -> None:
        assert self.name is not None
        description = _describe(_backend(self.account_id, self.region_name), self.name)
        status = description.get("DeliveryStreamStatus") if description else None
        if status == "ACTIVE":
            self._complete()
        elif status == "CREATING_FAILED" or description is None:
            text = _failure_text(description) if description else ""
            self._end(
                FAILED,
                HandlerFailure(
                    "Unable to Create Delivery Stream. Delivery stream status is "
                    f"{status or 'unknown: the stream is gone'}.{text}",
                    "InvalidRequest",
                ).reason(),
            )

    def _start_update(self, old: DeliveryStreamResource) -> None:
        self._begin("UPDATE")
        try:
            request = checked_properties(
                self.properties,
                self._name_from(self.properties, old.name),
                self.logical_resource_id,
            )
            name = request["DeliveryStreamName"]
            properties = {k: v for k, v in request.items() if k != "DeliveryStreamName"}
            # properties never hold the name (compared on its own)
            changed = [k for k in _CREATE_ONLY if properties.get(k) != old.properties.get(k)]
            if name != old.name or changed:
                self._replace(old, name, request, given="DeliveryStreamName" in self.properties)
                return
            self.name, self.arn, self.properties, self.in_place = name, old.arn, properties, True
            self._update_in_place(request, old.properties)
        except Exception as exc:
            if self.name is None:
                self.name, self.arn = old.name, old.arn
            self._fail(exc)

    def _replace(
        self, old: DeliveryStreamResource, name: str, request: dict[str, Any], given: bool
    ) -> None:
        if name == old.name:
            if given:
                raise HandlerFailure(
                    "CloudFormation cannot update a stack when a custom-named resource "
                    f"requires replacing. Rename {name} and update the stack again.",
                    "InvalidRequest",
                )
            name = self._generated_name()
            request["DeliveryStreamName"] = name
        self.action, self.replaces = "CREATE", old
        self._event(
            "UPDATE_IN_PROGRESS",
            "Requested update requires the creation of a new physical resource; hence creating one.",
        )
        self.name = name
        self.properties = {k: v for k, v in request.items() if k != "DeliveryStreamName"}
        try:
            self._create(request)
        except Exception as exc:
            if not self._created:  # the resource is still the old stream
                self.name, self.arn = old.name, old.arn
            self._fail(exc)

    def _update_in_place(self, request: dict[str, Any], before: dict[str, Any]) -> None:
        """UpdateDestination, Start or Stop, then the tags; waits for the encryption's end."""
        assert self.name is not None
        backend = _backend(self.account_id, self.region_name)
        description = _describe(backend, self.name)
        if description is None:
            raise HandlerFailure(
                f"Firehose {self.name} under account {self.account_id} not found.", "NotFound"
            )
        destinations = _destinations(request)
        if destinations != _destinations(before) and destinations:
            self._update_destination(backend, description, destinations)
        desired = request.get(_ENCRYPTION)
        current = description.get("DeliveryStreamEncryptionConfiguration")
        changing = False
        if desired is not None:
            if not _encryption_unchanged(desired, current):
                changing = True
                backend.start_delivery_stream_encryption(self.name, desired)
        elif current is not None and current.get("Status") != "DISABLED":
            changing = True
            backend.stop_delivery_stream_encryption(self.name)
        self._update_tags(backend, request, before)
        if not changing:
            self._complete()
            return
        self._wait = self._wait_encryption

    def _update_destination(
        self, backend: Any, description: dict[str, Any], destinations: dict[str, Any]
    ) -> None:
        assert self.name is not None
        known = _moto_update_parameters()
        kind, config = next(iter(destinations.items()))
        member = kind.replace("Configuration", "Update")
        if kind in known:  # moto's name for Snowflake's update
            member = kind
        if member not in known:
            raise HandlerFailure(
                f"moto's Firehose can't update a {kind}: the mock can't update this stream",
                "InvalidRequest",
            )
        values = {
            "DeliveryStreamName": self.name,
            "CurrentDeliveryStreamVersionId": description.get("VersionId"),
            "DestinationId": (description.get("Destinations") or [{}])[0].get("DestinationId"),
            member: config,
        }
        backend.update_destination(*[values.get(m) for m in known])

    def _update_tags(self, backend: Any, request: dict[str, Any], before: dict[str, Any]) -> None:
        assert self.name is not None
        tags = self._tags(request) or []
        old = {t["Key"] for t in self._tags(before) or []}
        gone = sorted(old - {t["Key"] for t in tags})
        if gone:
            backend.untag_delivery_stream(self.name, gone)
        if tags:
            backend.tag_delivery_stream(self.name, tags)

    def _wait_encryption(self) -> None:
        assert self.name is not None
        description = _describe(_backend(self.account_id, self.region_name), self.name)
        if description is None:
            self._end(
                FAILED, HandlerFailure(f"Firehose {self.name} not found.", "NotFound").reason()
            )
            return
        block = description.get("DeliveryStreamEncryptionConfiguration") or {}
        status = block.get("Status")
        if status in ("ENABLED", "DISABLED"):
            self._complete()
        elif status in ("ENABLING_FAILED", "DISABLING_FAILED"):
            verb = "start" if status == "ENABLING_FAILED" else "stop"
            self._end(
                FAILED,
                HandlerFailure(
                    f"Unable to {verb} delivery stream encryption.{_failure_text(block)}",
                    "InvalidRequest",
                ).reason(),
            )

    def _start_delete(self) -> None:
        self._begin("DELETE")
        if self.name is None or not self._owns_stream():
            self._complete()  # nothing was created
            return
        self._wait = self._wait_deletable
        self.poll()

    def _owns_stream(self) -> bool:
        return (
            self._created
            or self.in_place
            or (self.previous is not None and self.previous._owns_stream())
        )

    def _wait_deletable(self) -> None:
        """Delete once the stream may be deleted (not while CREATING), then wait it out."""
        assert self.name is not None
        backend = _backend(self.account_id, self.region_name)
        description = _describe(backend, self.name)
        if description is None:
            self._complete()  # CloudFormation takes NotFound on delete as deleted
            return
        if description.get("DeliveryStreamStatus") == "CREATING":
            return
        backend.delete_delivery_stream(self.name, True)  # a deletion under way becomes forced
        self._wait = self._wait_deleted

    def _wait_deleted(self) -> None:
        assert self.name is not None
        description = _describe(_backend(self.account_id, self.region_name), self.name)
        if description is None:
            self._complete()
        elif description.get("DeliveryStreamStatus") == "DELETING_FAILED":
            self._end(
                FAILED,
                HandlerFailure(
                    f"Unable to delete delivery stream {self.name}.{_failure_text(description)}",
                    "ServiceInternalError",
                ).reason(),
            )

    def rollback_step(self) -> bool:
        """Start undoing this resource's step in a failed update; False if nothing to undo."""
        if self.action == "CREATE" and self._created:
            self._start_delete()
            return True
        if self.action == "UPDATE" and self.in_place and self.previous is not None:
            old = self.previous
            old.stack = self.stack
            old._begin("UPDATE")
            try:
                old._update_in_place(old.properties, self.properties)
            except Exception as exc:
                old._fail(exc)
            return True
        return False

    # Events -------------------------------------------------------------------------------

    def _event(self, status: str, reason: str | None = None) -> None:
        if self.stack is not None:
            add_event(
                self.stack,
                self.logical_resource_id,
                self._physical_id,
                RESOURCE_TYPE,
                status,
                reason,
            )

    @property
    def _physical_id(self) -> str:
        """The stream's name; in an update, the old stream's until there is a new one."""
        if self.name is None and self.previous is not None:
            return self.previous._physical_id
        return self.name or ""


# Stacks ----------------------------------------------------------------------------------


def _models() -> Any:
    import moto.cloudformation.models as models

    return models


def add_event(
    stack: Any,
    logical_id: str,
    physical_id: str,
    resource_type: str,
    status: str,
    reason: str | None,
) -> None:
    models = _models()
    event_class = getattr(models, "Event", None) or models.FakeEvent
    event = event_class(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=physical_id,
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    stack.events.append(event)


def _stack_event(stack: Any, status: str, reason: str | None = None) -> None:
    stack.status = status
    stack._add_stack_event(status, resource_status_reason=reason)


def _stack_by_id(stack_id: Any) -> Any:
    if not isinstance(stack_id, str):
        return None
    parts = stack_id.split(":")
    if len(parts) < 6:
        return None
    backend = _models().cloudformation_backends[parts[4]][parts[3]]
    return backend.stacks.get(stack_id) or backend.deleted_stacks.get(stack_id)


@dataclass
class _Snapshot:
    """What a failed update puts back: the template, the parameters and the resources as they
    were."""

    template: Any
    template_dict: Any
    map_template: Any
    json_map: Any
    parsed: dict[str, Any]
    output_map: Any
    parameters: Any
    input_parameters: dict[str, Any]
    resolved_parameters: dict[str, Any]

    @classmethod
    def take(cls, stack: Any) -> _Snapshot:
        rmap = stack.resource_map
        return cls(
            stack.template,
            getattr(stack, "template_dict", None),
            rmap._template,
            rmap._resource_json_map,
            dict(rmap._parsed_resources),
            stack.output_map,
            stack.parameters,
            dict(rmap.input_parameters or {}),
            dict(rmap.resolved_parameters or {}),
        )

    def restore(self, stack: Any) -> None:
        rmap = stack.resource_map
        stack.template, stack.template_dict = self.template, self.template_dict
        rmap._template, rmap._resource_json_map = self.map_template, self.json_map
        rmap._parsed_resources.clear()
        rmap._parsed_resources.update(self.parsed)
        stack.output_map, stack.parameters = self.output_map, self.parameters
        rmap.input_parameters = dict(self.input_parameters)
        rmap.resolved_parameters = dict(self.resolved_parameters)


class _NoOutputs:
    """The outputs of a stack that rolled back its creation: none."""

    exports: tuple[Any, ...] = ()

    def values(self) -> list[Any]:
        return []


@dataclass
class _Phase:
    """A stack operation waiting for its streams."""

    kind: str  # CREATE, UPDATE, DELETE, ROLLBACK, UPDATE_ROLLBACK, CLEANUP
    resources: list[DeliveryStreamResource]
    on_failure: str = "ROLLBACK"
    snapshot: _Snapshot | None = None
    failed: list[str] = field(default_factory=list)
    removed: list[DeliveryStreamResource] = field(default_factory=list)  # by an update


_PHASES: weakref.WeakKeyDictionary[Any, _Phase] = weakref.WeakKeyDictionary()


def busy(stack: Any) -> bool:
    return stack in _PHASES


@contextlib.contextmanager
def scope(stack: Any, kind: str) -> Iterator[_Scope]:
    found = _Scope(stack, kind)
    token = _SCOPE.set(found)
    try:
        yield found
    finally:
        _SCOPE.reset(token)


def on_failure(disable_rollback: Any, on_failure_value: Any) -> str:
    if str(disable_rollback).lower() == "true":
        return "DO_NOTHING"
    if on_failure_value in ("DO_NOTHING", "DELETE"):
        return str(on_failure_value)
    return "ROLLBACK"


@contextlib.contextmanager
def request_failure_mode(mode: str) -> Iterator[None]:
    token = _ON_FAILURE.set(mode)
    try:
        yield
    finally:
        _ON_FAILURE.reset(token)


def begin(stack: Any, found: _Scope, snapshot: _Snapshot | None = None) -> None:
    """After moto ran ``found.kind`` (CREATE, UPDATE, DELETE) on the stack: wait for the
    streams; the streams an update removed are deleted in its clean-up, as on AWS."""
    kind, resources = found.kind, found.resources
    if not resources and not found.removed:
        return
    if kind == "DELETE":
        # moto has marked the stack DELETE_COMPLETE; it is not while a stream is deleting
        rmap = stack.resource_map
        rmap._resource_json_map = {
            k: v for k, v in rmap._resource_json_map.items() if k in rmap._parsed_resources
        }
        stack.output_map = _NoOutputs()
    _drop_final_event(stack, f"{kind}_COMPLETE")
    stack.status = f"{kind}_IN_PROGRESS"
    _PHASES[stack] = _Phase(
        kind, list(resources), _ON_FAILURE.get() or "ROLLBACK", snapshot, removed=found.removed
    )
    settle(stack, poll=False)


def _drop_final_event(stack: Any, status: str) -> None:
    events = stack.events
    if (
        events
        and events[-1].resource_status == status
        and events[-1].resource_type == "AWS::CloudFormation::Stack"
    ):
        events.pop()


def settle(stack: Any, poll: bool = True) -> None:
    """Move the stack's waiting operation on: one Describe per waiting stream (``poll``)."""
    phase = _PHASES.get(stack)
    if phase is None:
        return
    with LOCK:
        while phase is not None:
            if poll:
                for resource in phase.resources:
                    resource.poll()
            failed = [r for r in phase.resources if r.state == FAILED]
            if failed:
                _failed(stack, phase, failed)
            elif any(r.state == IN_PROGRESS for r in phase.resources):
                return
            else:
                _completed(stack, phase)
            nxt = _PHASES.get(stack)
            if nxt is phase:
                return
            phase, poll = nxt, False


def _failed(stack: Any, phase: _Phase, failed: list[DeliveryStreamResource]) -> None:
    names = ", ".join(dict.fromkeys(r.logical_resource_id for r in failed))
    kind = phase.kind
    if kind == "CREATE":
        reason = f"The following resource(s) failed to create: [{names}]. "
        if phase.on_failure == "DO_NOTHING":
            _PHASES.pop(stack, None)
            _stack_event(stack, "CREATE_FAILED", reason)
            return
        _stack_event(stack, "ROLLBACK_IN_PROGRESS", reason + "Rollback requested by user.")
        _rollback_create(stack, phase)
    elif kind in ("UPDATE", "CLEANUP"):
        if kind == "CLEANUP":  # AWS leaves a stream it could not clean up
            _PHASES.pop(stack, None)
            _stack_event(stack, "UPDATE_COMPLETE")
            return
        action = "update" if any(r._verb == "UPDATE" for r in failed) else "create"
        reason = f"The following resource(s) failed to {action}: [{names}]. "
        if phase.on_failure == "DO_NOTHING":
            _PHASES.pop(stack, None)
            _keep_removed(stack, phase)
            _stack_event(stack, "UPDATE_FAILED", reason)
            return
        _stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
        undo = []
        for resource in phase.resources:
            if resource.rollback_step():
                undo.append(
                    resource.previous
                    if resource.action == "UPDATE" and resource.previous
                    else resource
                )
        _PHASES[stack] = _Phase("UPDATE_ROLLBACK", undo, phase.on_failure, phase.snapshot)
    else:
        final = {"DELETE": "DELETE_FAILED", "ROLLBACK": "ROLLBACK_FAILED"}.get(
            kind, "UPDATE_ROLLBACK_FAILED"
        )
        # an update's rollback updates the streams it changed and deletes those it made
        verb = "update" if any(r.action == "UPDATE" for r in failed) else "delete"
        _PHASES.pop(stack, None)  # a stack that failed to delete stays listed
        _stack_event(stack, final, f"The following resource(s) failed to {verb}: [{names}]. ")


def _keep_removed(stack: Any, phase: _Phase) -> None:
    """An update that failed without a rollback never reached its clean-up: the streams it
    removed from the template are still the stack's (a later update or delete deletes them)."""
    rmap = stack.resource_map
    before = phase.snapshot.json_map if phase.snapshot is not None else {}
    for resource in phase.removed:
        logical_id = resource.logical_resource_id
        if logical_id in before and logical_id not in rmap._resource_json_map:
            rmap._resource_json_map[logical_id] = before[logical_id]
            rmap._parsed_resources[logical_id] = resource


def _rollback_create(stack: Any, phase: _Phase) -> None:
    """Delete what the stack made: the streams (waited for) and moto's own resources."""
    rmap = stack.resource_map
    waiting: list[DeliveryStreamResource] = []
    for logical_id, resource_json in list(rmap._resource_json_map.items()):
        resource = rmap._parsed_resources.get(logical_id)
        if isinstance(resource, DeliveryStreamResource):
            resource._start_delete()
            waiting.append(resource)
        elif resource is not None and not isinstance(resource, str):
            with contextlib.suppress(Exception):
                rmap._delete_resource(resource, resource_json)
        rmap._parsed_resources.pop(logical_id, None)
    rmap._resource_json_map = {}
    stack.output_map = _NoOutputs()
    _PHASES[stack] = _Phase("ROLLBACK", waiting, phase.on_failure)


def _completed(stack: Any, phase: _Phase) -> None:
    kind = phase.kind
    if kind == "UPDATE":
        old = [
            r.replaces for r in phase.resources if r.replaces is not None and r.state == COMPLETE
        ] + phase.removed
        if old:
            _stack_event(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
            for resource in old:
                resource.stack = stack
                resource._start_delete()
            _PHASES[stack] = _Phase("CLEANUP", old, phase.on_failure)
            return
    _PHASES.pop(stack, None)
    if kind == "CREATE":
        # A custom resource still waiting for its answer holds the stack: moto marks it
        # complete when the last one answers (``Stack.verify_readiness``).
        if stack.status != "CREATE_COMPLETE" and stack.resource_map.creation_complete():
            stack.mark_creation_complete()
    elif kind in ("UPDATE", "CLEANUP"):
        _stack_event(stack, "UPDATE_COMPLETE")
    elif kind == "DELETE":
        _stack_event(stack, "DELETE_COMPLETE")
        _unlist(stack)
    elif kind == "ROLLBACK":
        _stack_event(stack, "ROLLBACK_COMPLETE")
        if phase.on_failure == "DELETE":
            _stack_event(stack, "DELETE_IN_PROGRESS")
            _stack_event(stack, "DELETE_COMPLETE")
            _unlist(stack)
    elif kind == "UPDATE_ROLLBACK":
        if phase.snapshot is not None:
            phase.snapshot.restore(stack)
        _stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")


def _unlist(stack: Any) -> None:
    """Move a stack whose deletion is over to the deleted ones (``wiring`` keeps a deleting
    stack among the backend's stacks, where DescribeStacks by name finds it)."""
    backend = _models().cloudformation_backends[stack.account_id][stack.region_name]
    backend.stacks.pop(stack.stack_id, None)
    backend.deleted_stacks[stack.stack_id] = stack


def deleting(stack: Any) -> bool:
    phase = _PHASES.get(stack)
    return phase is not None and phase.kind == "DELETE"


def forget(stack: Any) -> None:
    _PHASES.pop(stack, None)


def clear() -> None:
    _PHASES.clear()
