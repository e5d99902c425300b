"""Rotate a Firehose stream to a new customer managed KMS key, and handle what can go wrong.

``rotate_stream_key`` switches a DirectPut stream's server-side encryption to another
customer managed key (CUSTOMER_MANAGED_CMK), waits for the change to finish and checks it:

- the change is refused at call time (the key does not exist, is in another account that
  does not share it, the ARN is malformed, the key already encrypts 500 streams, the stream
  is busy): nothing changed, the report says why;
- the change ends ENABLING_FAILED (the key is disabled, pending deletion, asymmetric, or its
  policy denies Firehose): Firehose keeps encrypting with the old key; the report names the
  key still in force and the failure, and with ``restore=True`` the old key is started again
  so that the stream's status is ENABLED once more.

Run ``python examples/rotate_key.py`` for a demo against moto with moto-firehose-sse.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CMK = "CUSTOMER_MANAGED_CMK"
IN_TRANSITION = ("ENABLING", "DISABLING")


@dataclass(frozen=True)
class Rotation:
    """What ``rotate_stream_key`` did.

    ``key_arn``/``key_type`` are the key in force afterwards (None/"" when the stream is not
    encrypted); ``failure`` is ``{"Type", "Details"}`` when the new key was not taken.
    """

    stream: str
    rotated: bool
    status: str
    key_type: str
    key_arn: str | None
    failure: dict[str, str] | None = None
    restored: bool = False

    def summary(self) -> str:
        if self.rotated:
            return f"{self.stream}: now encrypted with {self.key_arn}"
        kept = f"{self.key_type} {self.key_arn or ''}".strip() or "no key"
        why = f"{self.failure['Type']}: {self.failure['Details']}" if self.failure else "no change"
        restored = " (old key restored, status ENABLED)" if self.restored else ""
        return f"{self.stream}: not rotated ({why}); still in force: {kept}{restored}"


def _encryption(firehose: Any, stream: str) -> dict[str, Any]:
    description = firehose.describe_delivery_stream(DeliveryStreamName=stream)
    return dict(
        description["DeliveryStreamDescription"].get("DeliveryStreamEncryptionConfiguration") or {}
    )


def wait_for_encryption(
    firehose: Any,
    stream: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = 5.0,
    max_polls: int = 120,
) -> dict[str, Any]:
    """Describe ``stream`` until its encryption status is not ENABLING/DISABLING."""
    for poll in range(max_polls):
        block = _encryption(firehose, stream)
        if block.get("Status") not in IN_TRANSITION:
            return block
        if poll + 1 < max_polls:
            sleep(poll_seconds)
    raise TimeoutError(f"{stream}: encryption still {block.get('Status')} after {max_polls} polls")


def _start(firehose: Any, stream: str, key_type: str, key_arn: str | None) -> None:
    config = {"KeyType": key_type, **({"KeyARN": key_arn} if key_arn else {})}
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=stream, DeliveryStreamEncryptionConfigurationInput=config
    )


def _refusals(firehose: Any) -> tuple[type[Exception], ...]:
    errors = firehose.exceptions
    return (
        errors.InvalidKMSResourceException,
        errors.InvalidArgumentException,
        errors.LimitExceededException,
        errors.ResourceInUseException,
    )


def rotate_stream_key(
    firehose: Any,
    stream: str,
    new_key_arn: str,
    *,
    restore: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = 5.0,
    max_polls: int = 120,
) -> Rotation:
    """Switch ``stream`` to the customer managed key ``new_key_arn`` and wait for the result.

    Raises ``ResourceNotFoundException`` for an unknown stream and ``TimeoutError`` when a
    transition does not end within ``max_polls`` polls; every other outcome is reported.
    """
    wait = functools.partial(
        wait_for_encryption,
        firehose,
        stream,
        sleep=sleep,
        poll_seconds=poll_seconds,
        max_polls=max_polls,
    )
    before = wait()
    old_type, old_arn = before.get("KeyType", ""), before.get("KeyARN")
    # Only then is the key Describe shows surely in force (after ENABLING_FAILED it may be
    # the key that failed, when no key was in force).
    had_key = before.get("Status") in ("ENABLED", "DISABLING_FAILED")

    def report(block: dict[str, Any], failure: dict[str, str] | None, **kw: Any) -> Rotation:
        return Rotation(
            stream,
            rotated=failure is None and block.get("KeyARN") == new_key_arn,
            status=block.get("Status", "DISABLED"),
            key_type=block.get("KeyType", ""),
            key_arn=block.get("KeyARN"),
            failure=failure,
            **kw,
        )

    if before.get("Status") == "ENABLED" and old_arn == new_key_arn:
        return report(before, None)
    try:
        _start(firehose, stream, CMK, new_key_arn)
    except _refusals(firehose) as error:
        response = error.response  # type: ignore[attr-defined]
        code = response.get("code") or response["Error"]["Code"]
        return report(before, {"Type": code, "Details": response["Error"]["Message"]})

    after = wait()
    if after.get("Status") == "ENABLED" and after.get("KeyARN") == new_key_arn:
        return report(after, None)
    failure = after.get("FailureDescription") or {
        "Type": "UNEXPECTED_STATE",
        "Details": f"status {after.get('Status')} with key {after.get('KeyARN')}",
    }
    if restore and had_key and after.get("Status") == "ENABLING_FAILED":
        # Firehose still encrypts with the old key; starting it again clears the failure.
        _start(firehose, stream, old_type, old_arn)
        restored = wait()
        return report(restored, failure, restored=restored.get("Status") == "ENABLED")
    return report(after, failure)


def main() -> int:
    """A demo against moto: one rotation that works, and two that don't."""
    import boto3

    from moto_firehose_sse import mock_firehose_sse

    region = "us-east-1"
    with mock_firehose_sse():
        firehose = boto3.client("firehose", region_name=region)
        kms = boto3.client("kms", region_name=region)
        first = kms.create_key(Description="first")["KeyMetadata"]["Arn"]
        second = kms.create_key(Description="second")["KeyMetadata"]["Arn"]
        disabled = kms.create_key(Description="disabled")["KeyMetadata"]
        kms.disable_key(KeyId=disabled["KeyId"])
        firehose.create_delivery_stream(
            DeliveryStreamName="orders",
            DeliveryStreamEncryptionConfigurationInput={"KeyType": CMK, "KeyARN": first},
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": "arn:aws:s3:::orders",
            },
        )
        missing = f"arn:aws:kms:{region}:123456789012:alias/no-such-key"
        outcomes = [
            rotate_stream_key(firehose, "orders", second, poll_seconds=0),
            rotate_stream_key(firehose, "orders", disabled["Arn"], restore=True, poll_seconds=0),
            rotate_stream_key(firehose, "orders", missing, poll_seconds=0),
        ]
        for outcome in outcomes:
            print(outcome.summary())
        expected = [True, False, False]
        ok = [o.rotated for o in outcomes] == expected and outcomes[-1].key_arn == second
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
