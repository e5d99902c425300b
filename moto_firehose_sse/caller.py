"""Who is calling: the request's access key, the identity moto gives it, its IAM policies.

The Firehose response class records each request's access key (and whether moto's IAM
enforcement judged the request) for the duration of the call; the backend reads it here.
A call made straight on the backend, outside a request, is the default user's, unenforced.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_REQUEST: contextvars.ContextVar[tuple[str, str | None, bool] | None] = contextvars.ContextVar(
    "moto_firehose_sse_request", default=None
)
_DEFAULT_KEY = "AKIAEXAMPLE"  # what moto's responses assume when a request names no key


@contextlib.contextmanager
def request(access_key: str, session_token: str | None, enforced: bool) -> Iterator[None]:
    """Calls inside are made with ``access_key``; ``enforced``: moto's IAM judged the request."""
    token = _REQUEST.set((access_key, session_token, enforced))
    try:
        yield
    finally:
        _REQUEST.reset(token)


@dataclass(frozen=True)
class Caller:
    """The principal of a Firehose call, as ``sts get-caller-identity`` shows it.

    ``arn`` is the identity ARN (an assumed-role session's ``...:assumed-role/ROLE/SESSION``);
    ``principal_arn`` is what ``aws:PrincipalArn`` matches (the role's ARN for a session).
    ``enforced`` is True when moto's IAM enforcement is on for the call: then the caller's
    identity policies count; otherwise the caller has every IAM permission (moto's convention).
    The identity is looked up in moto's STS and IAM on first use.
    """

    access_key: str
    session_token: str | None
    enforced: bool
    account: str
    region: str
    partition: str

    @functools.cached_property
    def _identity(self) -> tuple[str, str, str]:
        """(user id, identity ARN, principal ARN)."""
        return _identity(self.access_key, self.account, self.region, self.partition)

    @property
    def arn(self) -> str:
        return self._identity[1]

    @property
    def principal_arn(self) -> str:
        return self._identity[2]

    @property
    def user_id(self) -> str:
        return self._identity[0]

    @property
    def arns(self) -> frozenset[str]:
        """The ARNs a key policy's Principal may use to name this caller."""
        return _names(self.arn, self.principal_arn, self.partition)

    def identity_policies(self) -> list[str]:
        """The caller's IAM policy documents (user, its groups, or the session's role)."""
        from moto.iam.access_control import CreateAccessKeyFailure, create_access_key

        token = self.session_token
        headers = {"X-Amz-Security-Token": token} if token is not None else {}
        try:
            key = create_access_key(self.account, self.partition, self.access_key, headers)
        except (CreateAccessKeyFailure, KeyError):
            return []
        try:
            return [_document(p) for p in key.collect_policies()]
        except Exception:  # a policy moto can't list: none, so nothing is allowed
            return []


def _identity(access_key: str, account: str, region: str, partition: str) -> tuple[str, str, str]:
    """(user id, identity ARN, principal ARN) of ``access_key`` in moto's STS."""
    from moto.sts.models import sts_backends

    sts = sts_backends[account][partition]
    role = sts.get_assumed_role_from_access_key(access_key)
    if role is not None:
        return str(role.user_id), str(role.arn), str(role.role_arn)
    user_id, arn, _ = sts.get_caller_identity(access_key, region)
    return str(user_id), str(arn), str(arn)


def _names(arn: str, principal_arn: str, partition: str) -> frozenset[str]:
    names = {arn, principal_arn}
    if arn.startswith(f"arn:{partition}:sts::") and ":user/" in arn:
        names.add(arn.replace(":sts::", ":iam::", 1))  # moto's default user
    return frozenset(names)


def _document(policy: Any) -> str:
    """A policy as moto lists it (managed Policy, inline text, or inline dict) as JSON text."""
    if isinstance(policy, str):
        return policy
    if isinstance(policy, dict):
        return str(policy.get("policy_document", ""))
    versions = getattr(policy, "versions", [])
    default = next((v for v in versions if getattr(v, "is_default", False)), None)
    return str(getattr(default, "document", "")) if default is not None else ""


def current(account: str, region: str, partition: str) -> Caller:
    """The caller of the request under way in ``account`` (the default user outside one)."""
    access_key, session_token, enforced = _REQUEST.get() or (_DEFAULT_KEY, None, False)
    return Caller(access_key, session_token, enforced, account, region, partition)


@functools.cache
def _authenticator() -> Any:
    """moto's class that counts requests for IAM enforcement (looked up once)."""
    try:  # moto >= 5.1
        from moto.core.authorization import ActionAuthenticatorMixin
    except ImportError:  # pragma: no cover - moto 5.0
        from moto.core.responses import (  # type: ignore[attr-defined,no-redef,unused-ignore]
            ActionAuthenticatorMixin,
        )
    return ActionAuthenticatorMixin


def enforced_now() -> bool:
    """Whether moto's IAM enforcement judges the request about to be handled."""
    from moto import settings

    return bool(_authenticator().request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT)
