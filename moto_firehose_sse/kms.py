"""The KMS view: customer managed keys as Firehose sees them in moto's KMS."""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from moto.kms.models import Grant, kms_backends

from . import key_events, policy, undo
from .caller import Caller
from .caller import current as current_caller
from .exceptions import InvalidArgumentException, InvalidKMSResourceException

KEY_ARN_PATTERN = re.compile(
    r"arn:(?P<partition>.*):kms:(?P<region>[a-zA-Z0-9\-]+):(?P<account>\d{12}):"
    r"(?P<kind>key|alias)/(?P<name>[a-zA-Z_0-9+=,.@\-/]+)"
)
"""botocore's ``AWSKMSKeyARN`` pattern, with names for its parts."""

FIREHOSE_PRINCIPAL = "firehose.amazonaws.com"
GRANT_OPERATIONS = (
    "Encrypt",
    "Decrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "DescribeKey",
    "RetireGrant",
)
ENABLE_ACTIONS = ("kms:DescribeKey", "kms:CreateGrant")
"""What the caller of Start (or Create with a customer key) needs, through Firehose."""
PRODUCER_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
"""What PutRecord and PutRecordBatch callers need while the producer rule is in force."""
GRANT_USE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")
"""What Firehose itself does with its grant; only a key-policy Deny can stop it."""
PRODUCER_DENIED = (
    "The grant for the CMK to this delivery stream might have been revoked or caller might "
    "not have sufficient permissions for the CMK."
)
"""AWS's message for a put whose caller may not use the key, or whose grant is gone."""
_STATE_FAILURE = {"Disabled": "DISABLED_KMS_KEY"}
_STATE_PUT_ERROR = {"Disabled": "KMS.DisabledException"}
# Key states in which KMS lets a grant be retired (others: KMSInvalidStateException).
_RETIRABLE_STATES = frozenset({"Enabled", "Disabled", "PendingImport"})


@dataclass(frozen=True)
class KeyRef:
    """A customer managed key, resolved to its key ARN; ``known`` is False for lenient keys."""

    arn: str
    account: str
    region: str
    key_id: str
    known: bool = True


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def _not_found(key_arn: str, why: str) -> InvalidKMSResourceException:
    return InvalidKMSResourceException(
        f"KMS key {key_arn} could not be used: {why}", code="KMS.NotFoundException"
    )


def _kms_backend(account: str, region: str) -> Any:
    try:
        return kms_backends[account][region]
    except KeyError:
        return None


def _alias_target(backend: Any, alias: str) -> str | None:
    by_key = getattr(backend, "key_to_aliases", None)  # moto 5.0
    if by_key is not None:
        return next((kid for kid, names in list(by_key.items()) if alias in names), None)
    return next(
        (key.id for key in list(backend.keys.values()) if alias in getattr(key, "aliases", ())),
        None,
    )


def resolve(
    key_arn: Any, account: str, region: str, *, lenient: bool, use: Use | None = None
) -> KeyRef:
    """The key a stream of ``account`` in ``region`` would use, or the modelled error.

    A key of another account is refused at once unless its key policy lets ``use``'s
    caller (or the caller's account) describe it and create grants on it.
    """
    if not isinstance(key_arn, str) or not 1 <= len(key_arn) <= 512:
        raise InvalidArgumentException("KeyARN must be a KMS key ARN of 1 to 512 characters.")
    match = KEY_ARN_PATTERN.fullmatch(key_arn)
    if match is None:
        raise InvalidArgumentException(
            f"KeyARN {key_arn!r} is not a KMS key ARN: it must look like "
            f"arn:aws:kms:{region}:{account}:key/KEY-ID or arn:aws:kms:{region}:{account}:alias/NAME."
        )
    key_region, key_account = match["region"], match["account"]
    if key_region != region or match["partition"] != partition_of(region):
        raise _refused(
            _not_found(
                key_arn,
                f"it is in {match['partition']}/{key_region}, and a Firehose stream in "
                f"{region} can only use keys of its own region.",
            ),
            key_arn,
            use,
        )
    backend = _kms_backend(key_account, key_region)
    key_id: str | None = match["name"]
    if match["kind"] == "alias" and backend is not None:
        key_id = _alias_target(backend, f"alias/{match['name']}")
    key = backend.keys.get(key_id) if backend is not None and key_id else None
    if key is None:
        if lenient:  # made-up key ids and alias names alike
            name = key_id or f"alias/{match['name']}"
            return KeyRef(key_arn, key_account, key_region, name, known=False)
        raise _refused(
            _not_found(key_arn, f"no such key in account {key_account}, region {key_region}."),
            key_arn,
            use,
        )
    if key_account != account and use is not None:
        why = _account_refusal(key, use)
        if why is not None:
            raise _refused(
                InvalidKMSResourceException(
                    f"KMS key {key_arn} belongs to account {key_account}, and its key policy "
                    f"does not let {use.caller.arn} of account {account} use it ({why}); add a "
                    "key policy statement that allows it.",
                    code="KMS.AccessDeniedException",
                ),
                key.arn,
                use,
            )
    return KeyRef(key.arn, key_account, key_region, key.id)


def _refused(
    error: InvalidKMSResourceException, key_arn: str, use: Use | None
) -> InvalidKMSResourceException:
    """A Start or Create refused at call time: KMS answered its DescribeKey with ``error``."""
    if use is not None:
        code = key_events.KMS_ERROR_CODES.get(error.kms_code, error.kms_code)
        key_events.record("DescribeKey", use.stream_arn, key_arn, use.caller.arn, code)
    return error


def adopted(key_arn: str, account: str, region: str, stream_arn: str, *, lenient: bool) -> KeyRef:
    """The key of a stream plain moto encrypted; one the stream can't use resolves to no key.

    Another account's key is judged for the default caller, as no request is under way.
    """
    use = Use(current_caller(account, region, partition_of(region)), stream_arn)
    try:
        return resolve(key_arn, account, region, lenient=lenient, use=use)
    except (InvalidArgumentException, InvalidKMSResourceException):
        return KeyRef(key_arn, account, region, key_id="")


def _key(ref: KeyRef) -> Any:
    backend = _kms_backend(ref.account, ref.region)
    return backend.keys.get(ref.key_id) if backend is not None else None


def problem(ref: KeyRef, use: Use) -> tuple[str, str] | None:
    """Why Firehose can't encrypt with the key now, as a FailureDescription (type, details).

    The check is Firehose's DescribeKey with the caller's credentials, and the KMS call the
    caller or Firehose was refused, if any: both are key events.
    """
    failure, refused = _problem(ref, use)
    if refused is None or refused[0] != "DescribeKey":
        key_events.record("DescribeKey", use.stream_arn, ref.arn, use.caller.arn)
    if refused is not None:
        operation, principal, error = refused
        key_events.record(operation, use.stream_arn, ref.arn, principal, error)
    return failure


_Refused = tuple[key_events.Operation, str, str]
"""A KMS call that was refused: (operation, principal, KMS error code)."""


def _problem(ref: KeyRef, use: Use) -> tuple[tuple[str, str] | None, _Refused | None]:
    if not ref.known:
        return None, None
    key = _key(ref)
    if key is None:
        return (
            ("KMS_KEY_NOT_FOUND", f"KMS key {ref.arn} does not exist."),
            ("DescribeKey", use.caller.arn, "NotFoundException"),
        )
    state = key_state(key)
    if state != "Enabled":
        return (
            _STATE_FAILURE.get(state, "INVALID_KMS_KEY"),
            f"KMS key {ref.arn} is {state}.",
        ), None
    spec = getattr(key, "key_spec", None) or "SYMMETRIC_DEFAULT"
    usage = key.key_usage or "ENCRYPT_DECRYPT"
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        return (
            "INVALID_KMS_KEY",
            f"KMS key {ref.arn} is a {spec} key for {usage}; Firehose needs a symmetric "
            "ENCRYPT_DECRYPT key.",
        ), None
    denied = _access_refusal(key, ref, use)
    if denied is not None:
        operation, principal, details = denied
        return ("KMS_ACCESS_DENIED", details), (operation, principal, "AccessDeniedException")
    return None, None


def put_error(
    ref: KeyRef, grant: str | None, producer: Use | None
) -> InvalidKMSResourceException | None:
    """The error a put gets while ``ref`` is the stream's key and KMS won't use it.

    ``grant`` is Firehose's grant on the key, if it made one; ``producer`` the put's
    caller when the producer rule is in force.
    """
    if not ref.known:
        return None
    key = _key(ref)
    if key is None:
        code = "KMS.NotFoundException"
        why = (
            "does not exist"
            if ref.key_id
            else "is not a key this stream's account and region can use"
        )
    elif (state := key_state(key)) != "Enabled":
        code = _STATE_PUT_ERROR.get(state, "KMS.InvalidStateException")
        why = f"is {state}"
    else:
        revoked = grant is not None and grant not in key.grants
        if revoked or (producer is not None and _producer_refused(key, producer)):
            return InvalidKMSResourceException(PRODUCER_DENIED, code="KMS.AccessDeniedException")
        return None
    return InvalidKMSResourceException(
        f"Firehose could not encrypt the records: KMS key {ref.arn} {why}.", code=code
    )


def create_grant(ref: KeyRef, stream_arn: str, stream_name: str, principal: str) -> str | None:
    """Give Firehose a grant on the key (``principal``'s CreateGrant); its id, or None for a
    lenient key."""
    key = _key(ref)
    if key is None:
        return None
    grant = key.add_grant(
        name=f"firehose-sse-{re.sub(r'[^a-zA-Z0-9:/_-]', '-', stream_name)}",
        grantee_principal=FIREHOSE_PRINCIPAL,
        operations=list(GRANT_OPERATIONS),
        constraints={"EncryptionContextSubset": {"aws:firehose:arn": stream_arn}},
        retiring_principal=FIREHOSE_PRINCIPAL,
    )
    undo.record(lambda: _drop_grant(key, grant.id))
    key_events.record("CreateGrant", stream_arn, ref.arn, principal)
    return str(grant.id)


def _granted_stream(grant: Any) -> str:
    """The ARN of the stream Firehose's grant is for (its encryption context constraint)."""
    subset = (grant.constraints or {}).get("EncryptionContextSubset") or {}
    return str(subset.get(key_events.CONTEXT_KEY, ""))


# Where moto lists every instance of a model class until it resets (`instances` in moto 5.0).
_TRACKED = "instances_tracked" if hasattr(Grant, "instances_tracked") else "instances"


def retire_grant(ref: KeyRef, grant_id: str) -> None:
    """Retire Firehose's grant, and let go of it: moto tracks every model it made until reset."""
    key = _key(ref)
    grant = _drop_grant(key, grant_id) if key is not None else None
    if grant is not None:
        undo.record(lambda: _put_grant_back(key, grant))
        stream_arn = _granted_stream(grant)
        if stream_arn:
            key_events.record("RetireGrant", stream_arn, ref.arn)


def _drop_grant(key: Any, grant_id: str) -> Any:
    grant = key.grants.pop(grant_id, None)
    if grant is not None:
        tracked: list[Any] = getattr(type(grant), _TRACKED, [])
        with contextlib.suppress(ValueError):  # moto's reset dropped it already
            tracked.remove(grant)
    return grant


def _put_grant_back(key: Any, grant: Any) -> None:
    key.grants[grant.id] = grant
    getattr(type(grant), _TRACKED, []).append(grant)


def retire_problem(ref: KeyRef, grant_id: str) -> tuple[str, str] | None:
    """Why Firehose can't retire its grant now, as a FailureDescription (type, details).

    A grant that is already gone (revoked or retired by the user, or its key deleted) is
    nothing to retire.
    """
    key = _key(ref)
    if key is None or grant_id not in key.grants or key_state(key) in _RETIRABLE_STATES:
        return None
    stream_arn = _granted_stream(key.grants[grant_id])
    if stream_arn:
        key_events.record("RetireGrant", stream_arn, ref.arn, error="KMSInvalidStateException")
    return (
        "RETIRE_KMS_GRANT_FAILED",
        f"Firehose could not retire its grant {grant_id} on KMS key {ref.arn}: KMS answered "
        f"KMSInvalidStateException, the key is {key.key_state}. Make the key usable (cancel a "
        "scheduled deletion) and delete the stream again, or delete it with "
        "AllowForceDelete=True and revoke the grant yourself.",
    )


# Who may use the key ------------------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """A use of a key through Firehose: ``caller`` acting on the stream ``stream_arn``."""

    caller: Caller
    stream_arn: str


_FIREHOSE_SERVICE = policy.Principal(None, frozenset(), FIREHOSE_PRINCIPAL)
_MODELLED_KEYS = frozenset(
    {
        "kms:viaservice",
        "kms:calleraccount",
        "kms:grantisforawsresource",
        "kms:grantoperations",
        "kms:granteeprincipal",
        "kms:retiringprincipal",
        "kms:encryptioncontextkeys",
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalisawsservice",
        "aws:principalservicename",
        "aws:userid",
        "aws:username",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
        "aws:viaawsservice",
        "aws:requestedregion",
        "aws:currenttime",
        "aws:epochtime",
    }
)
"""The condition keys the mock models (lower case); any other can't be evaluated."""
_TIME_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
_CONTEXT_PREFIX = "kms:encryptioncontext:"


def _modelled(key: str) -> bool:
    return key in _MODELLED_KEYS or key.startswith(_CONTEXT_PREFIX)


def _context(action: str, use: Use, service: bool) -> dict[str, tuple[str, ...]]:
    """The request context of ``action`` made through Firehose for ``use``."""
    caller, region = use.caller, use.caller.region
    now = time.time()
    context: dict[str, tuple[str, ...]] = {
        "kms:viaservice": (f"firehose.{region}.amazonaws.com",),
        "kms:calleraccount": (caller.account,),
        "aws:sourceaccount": (caller.account,),
        "aws:sourcearn": (use.stream_arn,),
        "aws:requestedregion": (region,),
        "aws:principalisawsservice": ("true" if service else "false",),
        "aws:currenttime": (
            datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
        ),
        "aws:epochtime": (str(int(now)),),
    }
    if service:
        context["aws:principalservicename"] = (FIREHOSE_PRINCIPAL,)
    else:
        context["aws:principalarn"] = (caller.principal_arn,)
        context["aws:principalaccount"] = (caller.account,)
        context["aws:userid"] = (caller.user_id,)
        if ":user/" in caller.arn:
            context["aws:username"] = (caller.arn.rpartition("/")[2],)
        context["aws:calledvia"] = (FIREHOSE_PRINCIPAL,)
        context["aws:calledviafirst"] = (FIREHOSE_PRINCIPAL,)
        context["aws:calledvialast"] = (FIREHOSE_PRINCIPAL,)
        context["aws:viaawsservice"] = ("true",)
    if action != "kms:DescribeKey":  # the grant's constraint, or the data key's context
        context[_CONTEXT_PREFIX + "aws:firehose:arn"] = (use.stream_arn,)
        context["kms:encryptioncontextkeys"] = ("aws:firehose:arn",)
    if action == "kms:CreateGrant":
        context["kms:grantisforawsresource"] = ("true",)
        context["kms:grantoperations"] = GRANT_OPERATIONS
        context["kms:granteeprincipal"] = (FIREHOSE_PRINCIPAL,)
        context["kms:retiringprincipal"] = (FIREHOSE_PRINCIPAL,)
    return context


def _request(action: str, key_arn: str, use: Use, service: bool) -> policy.Request:
    principal = (
        _FIREHOSE_SERVICE if service else policy.Principal(use.caller.account, use.caller.arns)
    )
    return policy.Request(principal, action, key_arn, _context(action, use, service), _modelled)


def _with_notes(reason: str, outcome: policy.Outcome) -> str:
    if not outcome.notes:
        return reason
    return (
        f"{reason} (not evaluated by the mock, so taken against the caller: "
        f"{'; '.join(outcome.notes)})"
    )


def _denier(outcome: policy.Outcome, where: str) -> str:
    """Which statement of ``where`` denies; ``where`` itself when it was not evaluated."""
    return where if outcome.statement is None else f"statement {outcome.statement} of {where}"


def key_state(key: Any) -> str:
    """The key's state as AWS reads it (rule 45): a key moto holds as not enabled (a template
    key with ``Enabled: false``) is ``Disabled`` whatever its ``key_state`` says."""
    state: str = key.key_state
    enabled = getattr(key, "enabled", True)
    if enabled is True or state != "Enabled":
        return state
    return "Disabled" if enabled is False or str(enabled).lower() == "false" else state


def policy_text(key: Any) -> str:
    """The key policy as JSON text: moto keeps a template key's ``KeyPolicy`` as the template's
    object (rule 45), which is the policy too; anything else reads as no policy."""
    found = key.policy
    if isinstance(found, str):
        return found
    if isinstance(found, (dict, list)):
        return json.dumps(found)
    return ""


def _key_policy(key: Any) -> policy.Policy:
    return policy.parse(policy_text(key))


def _refusal(key: Any, action: str, use: Use, *, key_policy_only: bool = False) -> str | None:
    """Why the caller may not do ``action`` on the key through Firehose; None if it may."""
    document = _key_policy(key)
    request = _request(action, key.arn, use, service=False)
    outcome = document.evaluate(request)
    where = "the key policy"
    if document.problem is not None:
        return f"{where} could not be read ({document.problem}), so it allows nothing"
    if outcome.effect == "Deny":
        return _with_notes(f"{_denier(outcome, where)} denies it", outcome)
    same_account = use.caller.account == key.account_id
    if outcome.effect == "Allow" and same_account and not outcome.via_account:
        return None
    if outcome.effect is None:
        return _with_notes(f"no statement of {where} allows it", outcome)
    if key_policy_only:
        return None
    identity = _identity_outcome(use.caller, request)
    if identity.effect == "Deny":
        return _with_notes(_denier(identity, "the caller's IAM policies") + " denies it", identity)
    if identity.effect == "Allow":
        return None
    needs = (
        "the key is in another account"
        if not outcome.via_account
        else f"{where} leaves it to IAM (statement {outcome.statement} allows the account)"
    )
    return _with_notes(f"{needs}, and no IAM policy of the caller allows it", identity)


def _identity_outcome(caller: Caller, request: policy.Request) -> policy.Outcome:
    """What the caller's IAM policies say: everything is allowed without moto's enforcement."""
    if not caller.enforced:
        return policy.Outcome("Allow", "moto's default (IAM enforcement off)")
    allow: policy.Outcome | None = None
    notes: list[str] = []
    for text in caller.identity_policies():
        outcome = policy.parse(text).evaluate(request)
        notes.extend(outcome.notes)
        if outcome.effect == "Deny":
            return policy.Outcome("Deny", outcome.statement, notes=tuple(notes))
        if outcome.effect == "Allow" and allow is None:
            allow = outcome
    if allow is not None:
        return policy.Outcome("Allow", allow.statement, notes=tuple(notes))
    return policy.Outcome(None, notes=tuple(notes))


_DECISIONS: dict[tuple[str, str, str, str, str, bool], str | None] = {}
_MAX_DECISIONS = 4096


def _cached(key: Any, action: str, use: Use, service: bool) -> str | None:
    """Why the caller (``service``: Firehose itself) may not do ``action``; None if it may.

    Remembered per policy text when the answer can't depend on who the caller is within its
    account, on IAM policies (moto's enforcement off) or on the clock: a stream with
    moto's default key policy then pays a dictionary lookup per put.
    """
    text = policy_text(key)
    document = policy.parse(text)
    cacheable = not (document.condition_keys & _TIME_KEYS) and (
        service or not (use.caller.enforced or document.names_principals)
    )
    compute = _firehose_refusal if service else _refusal
    if not cacheable:
        return compute(key, action, use)
    cache_key = (text, action, key.arn, use.caller.account, use.stream_arn, service)
    try:
        return _DECISIONS[cache_key]
    except KeyError:
        pass
    if len(_DECISIONS) >= _MAX_DECISIONS:
        _DECISIONS.clear()
    found = _DECISIONS[cache_key] = compute(key, action, use)
    return found


def _firehose_refusal(key: Any, action: str, use: Use) -> str | None:
    """Why Firehose itself may not use its grant for ``action``: only a key-policy Deny."""
    outcome = _key_policy(key).evaluate(_request(action, key.arn, use, service=True))
    if outcome.effect != "Deny":
        return None
    return _with_notes(
        f"{_denier(outcome, 'the key policy')} denies Firehose ({FIREHOSE_PRINCIPAL}) {action}",
        outcome,
    )


def _access_refusal(
    key: Any, ref: KeyRef, use: Use
) -> tuple[key_events.Operation, str, str] | None:
    """The KMS call of an enable that is refused on permissions: (operation, principal,
    KMS_ACCESS_DENIED details); None when every one is allowed."""
    for action in ENABLE_ACTIONS:
        why = _cached(key, action, use, service=False)
        if why is not None:
            operation: key_events.Operation = (
                "DescribeKey" if action == "kms:DescribeKey" else "CreateGrant"
            )
            return (
                operation,
                use.caller.arn,
                f"{use.caller.arn} is not allowed {action} on KMS key {ref.arn} through "
                f"Firehose: {why}.",
            )
    for action in GRANT_USE_ACTIONS:
        why = _cached(key, action, use, service=True)
        if why is not None:
            # Firehose finds out when it first uses the key for data.
            operation = "Decrypt" if action == "kms:Decrypt" else "GenerateDataKey"
            return (
                operation,
                FIREHOSE_PRINCIPAL,
                f"Firehose may not use KMS key {ref.arn}: {why}.",
            )
    return None


def _account_refusal(key: Any, use: Use) -> str | None:
    """Why the key policy of another account's key does not let the caller in."""
    for action in ENABLE_ACTIONS:
        why = _refusal(key, action, use, key_policy_only=True)
        if why is not None:
            return f"{action}: {why}"
    return None


def grant_alive(ref: KeyRef, grant_id: str) -> bool:
    """Whether Firehose's grant is still on the key (the user may have revoked or retired it)."""
    key = _key(ref)
    return key is not None and grant_id in key.grants


def _producer_refused(key: Any, use: Use) -> bool:
    """Whether the put's caller lacks kms:GenerateDataKey or kms:Decrypt on the key."""
    return any(_cached(key, action, use, service=False) is not None for action in PRODUCER_ACTIONS)
