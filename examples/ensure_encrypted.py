"""Make sure a Firehose stream is encrypted at rest, and wait until it is.

The kind of helper a platform team keeps in its tooling: it starts server-side encryption
when needed, waits for ENABLED, and turns Firehose's failure modes into clear errors.

Run this file to see it work end to end against moto with ``moto-firehose-sse``::

    python examples/ensure_encrypted.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

AWS_OWNED_CMK = "AWS_OWNED_CMK"
CUSTOMER_MANAGED_CMK = "CUSTOMER_MANAGED_CMK"
IN_TRANSITION = ("ENABLING", "DISABLING")

ALREADY_ENCRYPTED = "already-encrypted"
ENCRYPTED = "encrypted"


class EncryptionError(Exception):
    """The stream could not be encrypted as asked."""


class EncryptionNotSupported(EncryptionError):
    """Only DirectPut streams take server-side encryption (others encrypt at their source)."""


class EncryptionFailed(EncryptionError):
    """Firehose ended the change ENABLING_FAILED; ``failure_type`` and ``details`` say why."""

    def __init__(self, stream_name: str, failure: dict[str, str], key_in_force: str | None):
        self.stream_name = stream_name
        self.failure_type = failure.get("Type", "UNKNOWN_ERROR")
        self.details = failure.get("Details", "")
        self.key_in_force = key_in_force
        still = (
            f" Records are still encrypted with {key_in_force}."
            if key_in_force
            else " Records are NOT encrypted."
        )
        super().__init__(
            f"Encryption of {stream_name} failed: {self.failure_type}: {self.details}{still}"
        )


class EncryptionLimitReached(EncryptionError):
    """The stream has used its Start/Stop encryption calls for the last 24 hours."""


class EncryptionTimeout(EncryptionError):
    """The stream was still changing when the timeout ran out."""


def _block(client: Any, stream_name: str) -> tuple[str, dict[str, Any] | None]:
    description = client.describe_delivery_stream(DeliveryStreamName=stream_name)[
        "DeliveryStreamDescription"
    ]
    return description["DeliveryStreamType"], description.get(
        "DeliveryStreamEncryptionConfiguration"
    )


def _key_label(block: dict[str, Any]) -> str:
    return str(block.get("KeyARN") or block.get("KeyType", "an unknown key"))


def _is_wanted(block: dict[str, Any], key_arn: str | None) -> bool:
    if block.get("Status") != "ENABLED":
        return False
    if key_arn is None:
        return bool(block.get("KeyType") == AWS_OWNED_CMK)
    return bool(block.get("KeyType") == CUSTOMER_MANAGED_CMK and block.get("KeyARN") == key_arn)


def ensure_encrypted(
    client: Any,
    stream_name: str,
    key_arn: str | None = None,
    *,
    poll: float = 5.0,
    timeout: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    log: Callable[[str], None] = lambda message: None,
) -> str:
    """Make sure ``stream_name`` is encrypted with ``key_arn`` (or the AWS-owned key).

    Returns ``"already-encrypted"`` when nothing had to change, ``"encrypted"`` when it
    started encryption and saw it reach ENABLED. Raises ``EncryptionNotSupported``,
    ``EncryptionFailed``, ``EncryptionLimitReached`` or ``EncryptionTimeout``; other
    ``ClientError``s (e.g. ResourceNotFoundException) pass through.

    ``sleep`` and ``clock`` are injectable so that tests never wait.
    """
    deadline = clock() + timeout

    def wait_while_changing() -> dict[str, Any]:
        while True:
            stream_type, block = _block(client, stream_name)
            if block is None:
                raise EncryptionNotSupported(
                    f"{stream_name} is a {stream_type} stream: its data is encrypted at the "
                    "source, and Firehose server-side encryption applies to DirectPut streams only."
                )
            if block["Status"] not in IN_TRANSITION:
                return block
            if clock() >= deadline:
                raise EncryptionTimeout(
                    f"{stream_name} is still {block['Status']} after {timeout:g} seconds."
                )
            log(f"{stream_name}: {block['Status']}, checking again in {poll:g}s")
            sleep(poll)

    current = wait_while_changing()
    if _is_wanted(current, key_arn):
        log(f"{stream_name}: already encrypted with {_key_label(current)}")
        return ALREADY_ENCRYPTED

    config = {"KeyType": AWS_OWNED_CMK}
    if key_arn is not None:
        config = {"KeyType": CUSTOMER_MANAGED_CMK, "KeyARN": key_arn}
    try:
        client.start_delivery_stream_encryption(
            DeliveryStreamName=stream_name, DeliveryStreamEncryptionConfigurationInput=config
        )
    except client.exceptions.LimitExceededException as error:
        raise EncryptionLimitReached(
            f"{stream_name}: no encryption change left for now: {error.response['Error']['Message']}"
        ) from error
    except client.exceptions.InvalidArgumentException as error:
        raise EncryptionError(
            f"{stream_name}: Firehose refused the key: {error.response['Error']['Message']}"
        ) from error
    log(f"{stream_name}: started encryption with {config.get('KeyARN', AWS_OWNED_CMK)}")

    final = wait_while_changing()
    if final["Status"] == "ENABLING_FAILED":
        in_force = _key_label(final) if current.get("Status") == "ENABLED" else None
        raise EncryptionFailed(stream_name, final.get("FailureDescription", {}), in_force)
    if not _is_wanted(final, key_arn):
        raise EncryptionError(f"{stream_name}: unexpected encryption state {final}")
    log(f"{stream_name}: ENABLED with {_key_label(final)}")
    return ENCRYPTED


def demo() -> int:
    """Run the helper against moto with the plugin; print what happens."""
    import boto3
    from botocore.config import Config

    from moto_firehose_sse import mock_firehose_sse

    with mock_firehose_sse(max_encryption_changes_per_day=3) as sse:
        sse.set_transition({"progression": "manual", "times": 2})  # two polls see ENABLING
        # botocore retries LimitExceededException with back-off; the demo doesn't wait for it.
        no_retries = Config(retries={"mode": "standard", "total_max_attempts": 1})
        firehose = boto3.client("firehose", region_name="us-east-1", config=no_retries)
        destination = {
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::example-bucket",
        }
        for name in ("clickstream", "audit-log"):
            firehose.create_delivery_stream(
                DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination
            )

        def show(message: str) -> None:
            print(f"  {message}")

        def no_wait(seconds: float) -> None:
            print(f"  (would sleep {seconds:g}s)")

        print("1. Encrypt a new stream with the AWS-owned key:")
        outcome = ensure_encrypted(firehose, "clickstream", poll=5, sleep=no_wait, log=show)
        print(f"   -> {outcome}")
        put = firehose.put_record(DeliveryStreamName="clickstream", Record={"Data": b"{}"})
        print(f"   PutRecord Encrypted={put['Encrypted']}")

        print("2. Run it again: nothing to do.")
        print(f"   -> {ensure_encrypted(firehose, 'clickstream', sleep=no_wait, log=show)}")

        print("3. Firehose fails the change (injected: CREATE_KMS_GRANT_FAILED):")
        sse.fail_next_enable("CREATE_KMS_GRANT_FAILED")
        try:
            ensure_encrypted(firehose, "audit-log", sleep=no_wait, log=show)
        except EncryptionFailed as error:
            print(f"   -> EncryptionFailed: {error}")

        print("4. Retry, then run out of changes for the day (limit set to 3 here):")
        print(f"   -> {ensure_encrypted(firehose, 'audit-log', sleep=no_wait, log=show)}")
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="audit-log")
        try:
            ensure_encrypted(firehose, "audit-log", sleep=no_wait, log=show)
        except EncryptionLimitReached as error:
            print(f"   -> EncryptionLimitReached: {error}")

        print("5. A stream fed by Kinesis can't take Firehose encryption:")
        firehose.create_delivery_stream(
            DeliveryStreamName="from-kinesis",
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/events",
                "RoleARN": destination["RoleARN"],
            },
            ExtendedS3DestinationConfiguration=destination,
        )
        try:
            ensure_encrypted(firehose, "from-kinesis", sleep=no_wait, log=show)
        except EncryptionNotSupported as error:
            print(f"   -> EncryptionNotSupported: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(demo())
