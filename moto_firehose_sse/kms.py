"""The KMS view: customer managed keys as Firehose sees them in moto's KMS."""

from __future__ import annotations

import contextlib
import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any

from moto.kms.models import Grant, kms_backends

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
_FIREHOSE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant")
_STATE_FAILURE = {"Disabled": "DISABLED_KMS_KEY"}
_STATE_PUT_ERROR = {"Disabled": "KMS.DisabledException"}


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


def resolve(key_arn: Any, account: str, region: str, *, lenient: bool) -> KeyRef:
    """The key a stream of ``account`` in ``region`` would use, or the modelled error."""
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
        raise _not_found(
            key_arn,
            f"it is in {match['partition']}/{key_region}, and a Firehose stream in {region} "
            "can only use keys of its own region.",
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
        raise _not_found(key_arn, f"no such key in account {key_account}, region {key_region}.")
    if key_account != account and not _policy_allows_account(key.policy, account):
        raise InvalidKMSResourceException(
            f"KMS key {key_arn} belongs to account {key_account}, and its key policy does not "
            f"allow account {account} to use it.",
            code="KMS.AccessDeniedException",
        )
    return KeyRef(key.arn, key_account, key_region, key.id)


def adopted(key_arn: str, account: str, region: str, *, lenient: bool) -> KeyRef:
    """The key of a stream plain moto encrypted; one the stream can't use resolves to no key."""
    try:
        return resolve(key_arn, account, region, lenient=lenient)
    except (InvalidArgumentException, InvalidKMSResourceException):
        return KeyRef(key_arn, account, region, key_id="")


def _key(ref: KeyRef) -> Any:
    backend = _kms_backend(ref.account, ref.region)
    return backend.keys.get(ref.key_id) if backend is not None else None


def problem(ref: KeyRef, stream_account: str) -> tuple[str, str] | None:
    """Why Firehose can't encrypt with the key now, as a FailureDescription (type, details)."""
    if not ref.known:
        return None
    key = _key(ref)
    if key is None:
        return "KMS_KEY_NOT_FOUND", f"KMS key {ref.arn} does not exist."
    state = key.key_state
    if state != "Enabled":
        return _STATE_FAILURE.get(state, "INVALID_KMS_KEY"), f"KMS key {ref.arn} is {state}."
    spec = getattr(key, "key_spec", None) or "SYMMETRIC_DEFAULT"
    usage = key.key_usage or "ENCRYPT_DECRYPT"
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        return (
            "INVALID_KMS_KEY",
            f"KMS key {ref.arn} is a {spec} key for {usage}; Firehose needs a symmetric "
            "ENCRYPT_DECRYPT key.",
        )
    if _policy_denies_firehose(key.policy, stream_account):
        return (
            "KMS_ACCESS_DENIED",
            f"The key policy of KMS key {ref.arn} denies Firehose the KMS operations it needs.",
        )
    return None


def put_error(ref: KeyRef) -> InvalidKMSResourceException | None:
    """The error a put gets while ``ref`` is the stream's key and KMS won't use it."""
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
    elif key.key_state != "Enabled":
        code = _STATE_PUT_ERROR.get(key.key_state, "KMS.InvalidStateException")
        why = f"is {key.key_state}"
    else:
        return None
    return InvalidKMSResourceException(
        f"Firehose could not encrypt the records: KMS key {ref.arn} {why}.", code=code
    )


def create_grant(ref: KeyRef, stream_arn: str, stream_name: str) -> str | None:
    """Give Firehose a grant on the key; its id, or None for a lenient key."""
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
    return str(grant.id)


# Where moto lists every instance of a model class until it resets (`instances` in moto 5.0).
_TRACKED = "instances_tracked" if hasattr(Grant, "instances_tracked") else "instances"


def retire_grant(ref: KeyRef, grant_id: str) -> None:
    """Retire Firehose's grant, and let go of it: moto tracks every model it made until reset."""
    key = _key(ref)
    grant = key.grants.pop(grant_id, None) if key is not None else None
    if grant is not None:
        tracked: list[Any] = getattr(type(grant), _TRACKED, [])
        with contextlib.suppress(ValueError):  # moto's reset dropped it already
            tracked.remove(grant)


# Key policies ----------------------------------------------------------------------------


def _statements(policy: Any) -> list[dict[str, Any]]:
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
        statements = document.get("Statement", [])
    except (ValueError, AttributeError):
        return []
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in statements if isinstance(s, dict)] if isinstance(statements, list) else []


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _action_matches(statement: dict[str, Any], action: str) -> bool:
    def matches(patterns: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)

    if "NotAction" in statement:
        return not matches(_as_list(statement["NotAction"]))
    return matches(_as_list(statement.get("Action")))


def _principals(statement: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(AWS principals, service principals) of a statement; ``*`` stands for everyone."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"], ["*"]
    if not isinstance(principal, dict):
        return [], []
    return _as_list(principal.get("AWS")), _as_list(principal.get("Service"))


def _names_account(principal: str, account: str) -> bool:
    return principal in ("*", account) or (
        principal.startswith("arn:") and principal.split(":")[4:5] == [account]
    )


def _policy_denies_firehose(policy: Any, stream_account: str) -> bool:
    """An unconditional Deny for Firehose, everyone, or the whole stream account.

    Conditions can't be evaluated here, so a conditional Deny is taken not to apply; a Deny
    naming one user or role of the account doesn't name the principal Firehose acts as.
    """
    root = f":iam::{stream_account}:root"
    for statement in _statements(policy):
        if statement.get("Effect") != "Deny" or statement.get("Condition"):
            continue
        aws, services = _principals(statement)
        applies = "*" in services or FIREHOSE_PRINCIPAL in services
        applies = applies or any(
            p in ("*", stream_account) or (p.startswith("arn:") and p.endswith(root)) for p in aws
        )
        if applies and any(_action_matches(statement, a) for a in _FIREHOSE_ACTIONS):
            return True
    return False


def _policy_allows_account(policy: Any, account: str) -> bool:
    for statement in _statements(policy):
        if statement.get("Effect") != "Allow":
            continue
        aws, _ = _principals(statement)
        if any(_names_account(p, account) for p in aws) and any(
            _action_matches(statement, a) for a in _FIREHOSE_ACTIONS
        ):
            return True
    return False
