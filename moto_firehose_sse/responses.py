"""The wire: moto's Firehose responses, with requests moto can't read answered as modelled errors.

A request reaches moto's ``FirehoseResponse`` unchanged (DeleteDeliveryStream also passes
``AllowForceDelete``, which moto drops, to the backend). Only when moto's own request parsing
fails on a member of the wrong type or encoding (botocore with ``parameter_validation=False``,
or a hand-made HTTP request) does the failure become the operation's
``InvalidArgumentException`` (``ResourceNotFoundException`` for the operations that model only
that) instead of a raw Python exception or an HTTP 500. Every answer says
``Content-Type: application/x-amz-json-1.1``, as AWS's do (moto 5.0's errors say
``application/json``, its successes nothing).
"""

from __future__ import annotations

import json
from typing import Any

from moto.firehose.responses import FirehoseResponse
from werkzeug.exceptions import HTTPException

from . import caller, describe_body
from .exceptions import (
    JSON_1_1,
    FirehoseSSEError,
    InvalidArgumentException,
    ResourceNotFoundException,
)

try:  # moto >= 5.1 serializes answers from the model
    from moto.core.responses import ActionResult
except ImportError:  # pragma: no cover - moto 5.0 writes JSON itself
    ActionResult = None  # type: ignore[assignment,misc]

_ONLY_NOT_FOUND = frozenset({"DescribeDeliveryStream", "DeleteDeliveryStream"})


class FirehoseSSEResponse(FirehoseResponse):
    """moto's Firehose request handler; no Python exception gets past it."""

    def call_action(self) -> Any:
        """moto's handling, with the request's access key known to the backend (``caller``)."""
        token = self.headers.get("X-Amz-Security-Token")
        with caller.request(
            self.get_access_key(), str(token) if token else None, caller.enforced_now()
        ):
            return super().call_action()

    @classmethod
    def dispatch(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            status, headers, body = super().dispatch(*args, **kwargs)
            headers["Content-Type"] = JSON_1_1
            return status, headers, body
        except HTTPException:
            raise
        except Exception as exc:
            headers = args[2] if len(args) > 2 else kwargs.get("headers") or {}
            operation = str(headers.get("X-Amz-Target", "")).rpartition(".")[2]
            error: type[FirehoseSSEError] = (
                ResourceNotFoundException
                if operation in _ONLY_NOT_FOUND
                else InvalidArgumentException
            )
            raise error(
                f"The {operation or 'Firehose'} request could not be read: a member has the "
                f"wrong type or encoding ({type(exc).__name__}: {exc}). Send it as botocore's "
                "Firehose model says."
            ) from exc

    def describe_delivery_stream(self) -> Any:
        """DescribeDeliveryStream, its body written by ``describe_body`` where it can vouch for
        it, else as moto writes it."""
        result = self.firehose_backend.describe_delivery_stream(
            self._get_param("DeliveryStreamName")
        )
        written = describe_body.body(
            result, getattr(self, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None)
        )
        if written is not None:
            return written
        return ActionResult(result) if ActionResult is not None else json.dumps(result)

    def delete_delivery_stream(self) -> Any:
        """DeleteDeliveryStream, with ``AllowForceDelete`` (moto's handler drops it)."""
        self.firehose_backend.delete_delivery_stream(  # type: ignore[call-arg]
            self._get_param("DeliveryStreamName"), self._get_param("AllowForceDelete")
        )
        return "{}"
