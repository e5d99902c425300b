"""IAM policy evaluation: statements, principals, actions, resources and conditions.

What AWS documents for one policy document (key policies and identity policies alike):
an explicit Deny wins; otherwise an Allow; otherwise nothing applies. Condition blocks:
operators AND, keys AND, values OR; ``...IfExists``, ``ForAnyValue:`` and ``ForAllValues:``;
a key missing from the request fails a positive operator and satisfies a negated one.

A condition this module can't evaluate (an operator it doesn't know, a key the request
doesn't model, a policy variable, an unreadable value) never helps the caller: an Allow
with it does not apply, a Deny with it does, and the outcome's ``notes`` say why.
Parsed documents are cached per policy text.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from . import json_nesting, wildcards

Effect = Literal["Allow", "Deny"]
Values = tuple[str, ...]


@dataclass(frozen=True)
class Principal:
    """Who makes a request, as a resource policy's ``Principal`` element can name it.

    ``arns`` are the ARNs that name this principal (an IAM user's ARN; for an assumed-role
    session the session ARN and its role's ARN); ``account`` is its account (None for a
    service); ``service`` is set for a service principal such as ``firehose.amazonaws.com``.
    """

    account: str | None
    arns: frozenset[str] = frozenset()
    service: str | None = None


@dataclass(frozen=True)
class Request:
    """One request: who, which action on which resource, and its condition context.

    ``context`` maps lower-case condition keys to their values (booleans as "true" or
    "false"); ``modelled`` says whether a key is one the request models at all: a key it
    models but ``context`` lacks is absent from the request, any other key can't be evaluated.
    """

    principal: Principal
    action: str
    resource: str
    context: Mapping[str, Values]
    modelled: Callable[[str], bool]


@dataclass(frozen=True)
class Outcome:
    """What one document says about a request.

    ``effect`` is None when no statement applies; ``statement`` names the deciding one
    (its Sid, or its position); ``via_account`` is True for an Allow that names only the
    principal's account (a key policy delegating to IAM); ``notes`` tell which conditions
    could not be evaluated.
    """

    effect: Effect | None
    statement: str | None = None  # None for a Deny of a document not evaluated
    via_account: bool = False
    notes: tuple[str, ...] = ()


# Matching -------------------------------------------------------------------------------


def _like(value: str, pattern: str) -> bool:
    return wildcards.matches(value, pattern)


def _arn_like(value: str, pattern: str) -> bool:
    """IAM's Arn operators: each of the six colon-separated parts matched on its own."""
    parts, wanted = value.split(":", 5), pattern.split(":", 5)
    if len(parts) != 6 or len(wanted) != 6:
        return False
    return all(_like(p, w) for p, w in zip(parts, wanted, strict=True))


def _strings(value: Any) -> Values | None:
    """A policy element as strings (JSON booleans and numbers as IAM reads them)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            return None
    return tuple(out)


class _Unevaluable(Exception):
    """A condition this module can't evaluate; the message says which and why."""


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _Unevaluable(f"{text!r} is not a number") from None


def _date(text: str) -> float:
    """ISO 8601 (``2026-04-20``, ``2026-04-20T00:00:00Z``) or epoch seconds."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _Unevaluable(f"{text!r} is not a date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise _Unevaluable(f"{text!r} is not true or false")
    return lowered == "true"


_Compare = Callable[[str, str], bool]
_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "Equals": lambda a, b: a == b,
    "NotEquals": lambda a, b: a != b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}


def _equals(value: str, wanted: str) -> bool:
    return value == wanted


def _equals_ignore_case(value: str, wanted: str) -> bool:
    return value.lower() == wanted.lower()


def _same_bool(value: str, wanted: str) -> bool:
    return _bool(value) == _bool(wanted)


_STRING_OPERATORS: dict[str, tuple[_Compare, bool]] = {
    "StringEquals": (_equals, False),
    "StringNotEquals": (_equals, True),
    "StringEqualsIgnoreCase": (_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_equals_ignore_case, True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    "Bool": (_same_bool, False),
}


def _ordered(parse: Callable[[str], float], test: Callable[[float, float], bool]) -> _Compare:
    def compare(value: str, wanted: str) -> bool:
        return test(parse(value), parse(wanted))

    return compare


def _operator(name: str) -> tuple[_Compare, bool] | None:
    """(compare(context value, policy value), negated) for a base operator name."""
    if name in _STRING_OPERATORS:
        return _STRING_OPERATORS[name]
    for family, parse in (("Numeric", _number), ("Date", _date)):
        test = _NUMERIC.get(name[len(family) :]) if name.startswith(family) else None
        if test is not None:
            if name.endswith("NotEquals"):  # negated: no policy value is equal
                return _ordered(parse, _NUMERIC["Equals"]), True
            return _ordered(parse, test), False
    return None


# Conditions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Condition:
    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str  # lower-case
    values: Values | None  # None: not readable
    cost: int = 0  # comparing one request value with every policy value

    def holds(self, request: Request) -> bool:
        """Whether the condition holds; raises ``_Unevaluable``."""
        where = f"{self.operator} on {self.key}"
        if self.values is None:
            raise _Unevaluable(f"{where}: its values are not strings, numbers or booleans")
        if any("${" in v for v in self.values):
            raise _Unevaluable(f"{where}: policy variables are not evaluated")
        if not request.modelled(self.key):
            raise _Unevaluable(f"{where}: the mock does not model the key {self.key}")
        present = self.key in request.context
        set_op, _, base = self.operator.rpartition(":")
        if set_op not in ("", "ForAnyValue", "ForAllValues"):
            raise _Unevaluable(f"{where}: unknown set operator {set_op}")
        if base == "Null":
            return any(_bool(v) != present for v in self.values)
        if_exists = base.endswith("IfExists")
        if if_exists:
            base = base[: -len("IfExists")]
        operator = _operator(base)
        if operator is None:
            raise _Unevaluable(f"{where}: the mock does not evaluate the operator {base}")
        compare, negated = operator

        def matches(value: str) -> bool:
            hit = any(compare(value, wanted) for wanted in self.values or ())
            return not hit if negated else hit

        if not present:
            if if_exists:
                return True
            if set_op == "ForAllValues":
                return True  # AWS: true when the key is missing or empty
            return negated and set_op == ""
        found = request.context[self.key]
        if set_op == "ForAllValues":
            return all(matches(v) for v in found)
        return any(matches(v) for v in found)


def _conditions(block: Any) -> tuple[_Condition, ...] | None:
    if block is None:
        return ()
    if not isinstance(block, dict):
        return None
    parsed = []
    for operator, keys in block.items():
        if not isinstance(keys, dict):
            return None
        for key, values in keys.items():
            strings = _strings(values)
            cost = sum(map(wildcards.cost, strings or ()))
            parsed.append(_Condition(str(operator), str(key).lower(), strings, cost))
    return tuple(parsed)


# Statements -----------------------------------------------------------------------------

_ACCOUNT_ROOT = re.compile(r"arn:[^:]+:iam::(\d{12}):root")


def _principal_names(
    principal: Principal, names: Mapping[str, Values]
) -> Literal["direct", "account", False]:
    """How a Principal element names ``principal``: directly, by its account, or not."""
    for kind, entries in names.items():
        for entry in entries:
            if entry == "*" and kind in ("*", "AWS"):
                return "direct"
            if kind == "Service" and principal.service is not None:
                if entry == principal.service:
                    return "direct"
            elif kind == "AWS" and principal.account is not None:
                if entry in principal.arns:
                    return "direct"
                root = _ACCOUNT_ROOT.fullmatch(entry)
                if entry == principal.account or (root and root[1] == principal.account):
                    return "account"
    return False


Match = Literal["direct", "account", False]


@dataclass(frozen=True)
class _Statement:
    """One statement; ``unreadable`` names its elements the mock can't read.

    A statement with an element it can't read never lets a call through: an Allow with it
    does not apply; a Deny with it does, unless an element it can read (or a condition known
    false) rules the request out.
    """

    label: str
    effect: Effect | None
    not_action: bool
    resources: Values | None  # None: no Resource element (a key policy may omit it), or junk
    not_resource: bool
    principals: Mapping[str, Values] | None  # None: no Principal element, or junk
    not_principal: bool
    conditions: tuple[_Condition, ...] | None  # None: unreadable block
    unreadable: tuple[str, ...] = ()  # "Action", "Resource", "Principal"

    def unreadable_note(self) -> str:
        negated = {"Action": self.not_action, "Resource": self.not_resource}
        negated["Principal"] = self.not_principal
        names = " and ".join(("Not" if negated[n] else "") + n for n in self.unreadable)
        return f"statement {self.label}: its {names} could not be read"

    action_patterns: tuple[wildcards.Pattern, ...] = ()  # lower case: actions ignore case
    resource_patterns: tuple[wildcards.Pattern, ...] = ()
    cost: int = 1  # comparisons the statement makes at most, its conditions left out

    def action_matches(self, action: str) -> bool:
        if "Action" in self.unreadable:
            return True  # not ruled out: the caller decides what an unreadable element does
        action = action.lower()
        hit = any(pattern.matches(action) for pattern in self.action_patterns)
        return hit != self.not_action

    def resource_matches(self, resource: str) -> bool:
        if self.resources is None:  # none, or unreadable: not ruled out
            return True
        hit = any(pattern.matches(resource) for pattern in self.resource_patterns)
        return hit != self.not_resource

    def names(self, principal: Principal) -> Match:
        if self.principals is None:  # an identity policy (its own principal's), or unreadable
            return "direct"
        how = _principal_names(principal, self.principals)
        if self.not_principal:
            return False if how else "direct"
        return how


def _element_strings(value: Any) -> Values | None:
    """Action, Resource and their Not forms: a string or a non-empty list of strings; else
    None (an empty list names nothing, and its Not form everything: AWS refuses both)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _principal_map(value: Any) -> dict[str, Values] | None:
    """A Principal element: ``"*"``, or a non-empty object of kinds to strings; else None."""
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, dict) or not value:
        return None
    out = {}
    for kind, entries in value.items():
        strings = _element_strings(entries)
        if strings is None:
            return None
        out[str(kind)] = strings
    return out


def _statement(index: int, raw: Any) -> _Statement | None:
    if not isinstance(raw, dict):
        return None
    effect = raw.get("Effect")
    sid = raw.get("Sid")
    unreadable = []
    not_action = "NotAction" in raw
    actions = _element_strings(raw.get("NotAction" if not_action else "Action"))
    if actions is None:  # junk, or neither element
        unreadable.append("Action")
    not_resource = "NotResource" in raw
    resources = None
    if not_resource or "Resource" in raw:
        resources = _element_strings(raw["NotResource" if not_resource else "Resource"])
        if resources is None:
            unreadable.append("Resource")
    not_principal = "NotPrincipal" in raw
    principals = None
    if not_principal or "Principal" in raw:
        principals = _principal_map(raw["NotPrincipal" if not_principal else "Principal"])
        if principals is None:
            unreadable.append("Principal")
    return _Statement(
        label=sid if isinstance(sid, str) and sid else f"#{index + 1}",
        effect=effect if effect in ("Allow", "Deny") else None,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=principals,
        not_principal=not_principal,
        conditions=_conditions(raw.get("Condition")),
        unreadable=tuple(unreadable),
        action_patterns=tuple(wildcards.compile_pattern(a.lower()) for a in actions or ()),
        resource_patterns=tuple(wildcards.compile_pattern(r) for r in resources or ()),
        cost=1
        + sum(map(wildcards.cost, actions or ()))
        + sum(map(wildcards.cost, resources or ()))
        + sum(len(names) for names in (principals or {}).values()),
    )


@dataclass(frozen=True)
class Policy:
    """A parsed policy document; ``problem`` is set when it could not be read.

    ``names_principals``: some statement's outcome can depend on who the principal is within
    its account (a user, role or service named, or an ``aws:Principal...`` condition);
    ``condition_keys``: the lower-case keys its conditions use.
    """

    statements: tuple[_Statement, ...]
    problem: str | None = None
    names_principals: bool = False
    condition_keys: frozenset[str] = frozenset()

    def evaluate(self, request: Request) -> Outcome:
        """Deny wins, then Allow (a direct Allow before one through the account), else None.

        A document that would take more than ``MAX_COMPARISONS`` comparisons for the request
        is not evaluated: it denies (``statement`` None), with a note saying why.
        """
        allow: Outcome | None = None
        notes: list[str] = []
        left = MAX_COMPARISONS
        for statement in self.statements:
            left -= statement.cost
            if left < 0:
                return _too_costly(notes)
            if statement.effect is None or not statement.action_matches(request.action):
                continue
            if not statement.resource_matches(request.resource):
                continue
            how = statement.names(request.principal)
            if not how:
                continue
            left -= _conditions_cost(statement, request)
            if left < 0:
                return _too_costly(notes)
            held, note = _holds(statement, request)
            if statement.unreadable and (held or note):
                held, note = False, "; ".join(filter(None, (statement.unreadable_note(), note)))
            if note:
                notes.append(note)
            if statement.effect == "Deny" and (held or note):
                return Outcome("Deny", statement.label, notes=tuple(notes))
            better = allow is None or (allow.via_account and how == "direct")
            if statement.effect == "Allow" and held and better:
                allow = Outcome("Allow", statement.label, via_account=how == "account")
        if allow is not None:
            return Outcome(allow.effect, allow.statement, allow.via_account, tuple(notes))
        return Outcome(None, notes=tuple(notes))


MAX_COMPARISONS = 10_000
"""The most comparisons (of a request value with a policy value or pattern) one evaluation of
one document makes; a document that needs more for a request denies it, unevaluated."""


def _conditions_cost(statement: _Statement, request: Request) -> int:
    context = request.context
    return sum(
        condition.cost * max(1, len(context.get(condition.key, ())))
        for condition in statement.conditions or ()
    )


def _too_costly(notes: list[str]) -> Outcome:
    notes.append(
        f"the document needs more than {MAX_COMPARISONS:,} comparisons for this request, "
        "more than the mock makes for one evaluation"
    )
    return Outcome("Deny", notes=tuple(notes))


def _holds(statement: _Statement, request: Request) -> tuple[bool, str | None]:
    """(conditions hold, note when one could not be evaluated)."""
    if statement.conditions is None:
        return False, f"statement {statement.label}: its Condition block could not be read"
    unevaluated = None
    for condition in statement.conditions:
        try:
            if not condition.holds(request):
                return False, None  # one condition known false: the rest can't change that
        except _Unevaluable as exc:
            unevaluated = unevaluated or f"statement {statement.label}: {exc}"
    return unevaluated is None, unevaluated


_PRINCIPAL_KEYS = ("aws:principal", "aws:userid", "aws:username")


def _parse(document: str) -> Policy:
    """The policy in ``document`` (JSON text), uncached: ``parse`` caches it per text."""
    if json_nesting.too_deep(document):
        return Policy((), "the policy is nested deeper than the mock can read")
    try:
        raw: Any = json.loads(document)
    except ValueError as exc:
        return Policy((), f"the policy is not valid JSON ({exc})")
    except RecursionError:
        return Policy((), "the policy is nested deeper than the mock can read")
    statements: Any = raw.get("Statement") if isinstance(raw, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return Policy((), "the policy has no Statement list")
    parsed = tuple(s for i, r in enumerate(statements) if (s := _statement(i, r)) is not None)
    keys = frozenset(c.key for s in parsed for c in s.conditions or ())
    return Policy(parsed, None, any(_names_principals(s) for s in parsed), keys)


# Cached by wrapping, not by a decorator: mutmut doesn't mutate decorated functions.
parse = functools.lru_cache(maxsize=256)(_parse)
"""The policy in ``document`` (JSON text); cached per text."""


def _names_principals(statement: _Statement) -> bool:
    """Whether the statement's outcome can depend on who the principal is within its account."""
    if statement.conditions is None:
        return True
    for entries in (statement.principals or {}).values():
        if any(e != "*" and not _ACCOUNT_ROOT.fullmatch(e) and not e.isdigit() for e in entries):
            return True
    return any(c.key.startswith(_PRINCIPAL_KEYS) for c in statement.conditions)


__all__ = ["Outcome", "Policy", "Principal", "Request", "parse"]
