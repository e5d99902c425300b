"""The DescribeDeliveryStream answer's JSON body, written by the plugin (moto 5.1 and later).

moto turns each answer into JSON with a serializer driven by botocore's model that looks each
member up under several names (its aliases); on a Describe that is the larger part of moto's
work, and the S3 defaults (rule 46) add members to every answer. For the dictionaries moto's
backend builds, ``body`` writes the same JSON directly: each shape's members in the model's
order, each under its own name, with the serializer's conversions (``float``, Unix time).
Where it can't vouch for giving exactly moto's answer (an object instead of a dictionary, a
key the serializer would also read under an alias, a value of another type) it gives None,
and moto's serializer writes the answer as before.
"""

from __future__ import annotations

import functools
import importlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class _Unsure(Exception):
    """A value or shape the plugin can't vouch to write as moto's serializer would."""


@dataclass(frozen=True)
class _Structure:
    members: tuple[tuple[str, Any], ...]  # (name, plan) in the model's order
    aliases: frozenset[str]  # other keys the serializer would read a member's value under


@dataclass(frozen=True)
class _List:
    member: Any
    none_stays: bool  # a None item is written as null (structures, strings), not converted


@dataclass(frozen=True)
class _Map:
    value: Any


_SCALARS = frozenset({"string", "integer", "long", "boolean", "double", "float", "timestamp"})


def _xform_name(name: str) -> str:
    """``snake_case`` of a member name, as the serializer's picker makes it."""
    return str(importlib.import_module("moto.core.serialize").xform_name(name))


def _aliases(parent: Any, name: str, shape: Any) -> set[str]:
    """The other keys moto's attribute picker reads member ``name`` of a dictionary under
    (its alias providers, in their order; a dictionary has no ``Meta``)."""
    found = set()
    siblings = parent.members
    if shape.type_name in ("list", "structure") and shape.name not in siblings:
        found |= {shape.name, _xform_name(shape.name)}  # ShapeNameAlias
    found.add(_xform_name(name))  # NoAlias
    if name.lower().startswith(parent.name.lower()):
        short = name[len(parent.name) :]
        if short not in siblings:
            found |= {short, _xform_name(short)}  # ShapePrefixAlias
    if name.lower().startswith("dict"):
        found |= {name[4:], _xform_name(name[4:])}  # ClassPrefixAlias, for class dict
    model_name = shape.serialization.get("name", name)
    if model_name != name:
        found |= {model_name, _xform_name(model_name)}  # ModelAlias
    return found - {name}


def _plan(shape: Any) -> Any:
    """How to write values of ``shape``; a shape this module doesn't write raises ``_Unsure``."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            raise _Unsure(shape.name)
        members = tuple((name, _plan(member)) for name, member in shape.members.items())
        aliases = set().union(*(_aliases(shape, n, m) for n, m in shape.members.items()))
        if aliases & set(shape.members):
            raise _Unsure(shape.name)  # a member's alias names a sibling
        return _Structure(members, frozenset(aliases))
    if kind == "list":
        return _List(_plan(shape.member), shape.member.type_name in ("structure", "string"))
    if kind == "map":
        if shape.key.type_name != "string":
            raise _Unsure(shape.name)
        return _Map(_plan(shape.value))
    if kind not in _SCALARS or shape.serialization:
        raise _Unsure(shape.name)  # a blob, or a timestamp in a format of its own
    return kind


@functools.cache
def _describe_plan() -> _Structure | None:
    """The plan of DescribeDeliveryStream's output in moto's model; None where moto has no
    serializer (5.0) or the model has a shape this module doesn't write."""
    try:
        importlib.import_module("moto.core.serialize")
        model = importlib.import_module("moto.core.utils").get_service_model("firehose")
        plan = _plan(model.operation_model("DescribeDeliveryStream").output_shape)
    except (ImportError, AttributeError, _Unsure):
        return None
    return plan if isinstance(plan, _Structure) else None


def _unix_time(value: datetime) -> Any:
    """The serializer's own conversion of a timestamp (the JSON protocol's Unix time)."""
    serializer = importlib.import_module("moto.core.serialize")
    aware = serializer.parse_to_aware_datetime(value)
    return serializer.TimestampSerializer._timestamp_unixtimestamp(aware)


def _write(value: Any, plan: Any) -> Any:
    kind = type(value)
    if type(plan) is _Structure:
        if kind is not dict or not plan.aliases.isdisjoint(value):
            raise _Unsure("structure")
        written = {}
        for name, member in plan.members:
            item = value.get(name)
            if item is not None:
                written[name] = _write(item, member)
        return written
    if type(plan) is _List:
        if kind is not list or (not plan.none_stays and None in value):
            raise _Unsure("list")
        return [None if item is None else _write(item, plan.member) for item in value]
    if type(plan) is _Map:
        if kind is not dict or None in value.values() or any(type(k) is not str for k in value):
            raise _Unsure("map")
        return {k: _write(v, plan.value) for k, v in value.items()}
    if plan == "string" and kind is str:
        return value
    if plan in ("integer", "long") and kind is int:
        return value
    if plan == "boolean" and kind is bool:
        return value
    if plan in ("double", "float") and kind in (int, float):
        return float(value)
    if plan == "timestamp" and isinstance(value, datetime):
        return _unix_time(value)
    raise _Unsure(plan)


def body(result: Any, transformers: Any = None) -> str | None:
    """The JSON body moto's serializer writes for Describe's ``result``; None where this
    module can't vouch for it (and where response ``transformers`` apply)."""
    plan = _describe_plan()
    if plan is None or transformers:
        return None
    try:
        written = _write(result, plan)
    except Exception:  # _Unsure, or a conversion that fails: moto's serializer answers
        return None
    settings = importlib.import_module("moto.settings")
    return json.dumps(written, indent=4 if settings.PRETTIFY_RESPONSES else None)
