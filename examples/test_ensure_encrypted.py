"""Tests of ``ensure_encrypted``, written against the plugin as a user would write them."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from moto_firehose_sse import FirehoseSSE

from .ensure_encrypted import (
    ALREADY_ENCRYPTED,
    ENCRYPTED,
    EncryptionError,
    EncryptionFailed,
    EncryptionLimitReached,
    EncryptionNotSupported,
    EncryptionTimeout,
    ensure_encrypted,
)

DESTINATION = {
    "RoleARN": "arn:aws:iam::123456789012:role/firehose",
    "BucketARN": "arn:aws:s3:::example-bucket",
}


class FakeTime:
    """An injected clock and sleep: sleeping moves the clock, nobody waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def firehose(firehose_sse: FirehoseSSE) -> Any:
    client = boto3.client(
        "firehose",
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    client.create_delivery_stream(
        DeliveryStreamName="events", ExtendedS3DestinationConfiguration=DESTINATION
    )
    return client


@pytest.fixture
def kms(firehose_sse: FirehoseSSE) -> Any:
    return boto3.client("kms", region_name="us-east-1")


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def status(firehose: Any, name: str = "events") -> dict[str, Any]:
    return dict(
        firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
            "DeliveryStreamEncryptionConfiguration"
        ]
    )


def run(firehose: Any, fake_time: FakeTime, name: str = "events", **kwargs: Any) -> str:
    kwargs.setdefault("poll", 5)
    return ensure_encrypted(firehose, name, sleep=fake_time.sleep, clock=fake_time.clock, **kwargs)


def test_encrypts_and_waits_for_enabled(firehose: Any, fake_time: FakeTime) -> None:
    assert run(firehose, fake_time) == ENCRYPTED
    assert fake_time.sleeps == [5]  # the default transition: one Describe shows ENABLING
    assert status(firehose) == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    put = firehose.put_record(DeliveryStreamName="events", Record={"Data": b"{}"})
    assert put["Encrypted"] is True


def test_polls_as_long_as_firehose_is_enabling(
    firehose: Any, firehose_sse: FirehoseSSE, fake_time: FakeTime
) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 4})
    assert run(firehose, fake_time, poll=2) == ENCRYPTED
    assert fake_time.sleeps == [2, 2, 2, 2]


def test_nothing_to_do_when_already_encrypted(
    firehose: Any, firehose_sse: FirehoseSSE, fake_time: FakeTime
) -> None:
    firehose_sse.max_encryption_changes_per_day = 1
    assert run(firehose, fake_time) == ENCRYPTED
    # A second Start would be over the limit of 1: the helper must not call it.
    assert run(firehose, fake_time) == ALREADY_ENCRYPTED
    assert status(firehose)["Status"] == "ENABLED"


def test_waits_for_a_running_disable_then_encrypts(
    firehose: Any, firehose_sse: FirehoseSSE, fake_time: FakeTime
) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 2})
    firehose.start_delivery_stream_encryption(DeliveryStreamName="events")
    for _ in range(3):
        status(firehose)
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="events")
    assert run(firehose, fake_time) == ENCRYPTED
    assert len(fake_time.sleeps) == 4  # two polls see DISABLING, two see ENABLING
    assert status(firehose)["Status"] == "ENABLED"


def test_enabling_failed_is_a_clear_error(
    firehose: Any, firehose_sse: FirehoseSSE, fake_time: FakeTime
) -> None:
    firehose_sse.fail_next_enable("CREATE_KMS_GRANT_FAILED", "Credentials older than 6 hours.")
    with pytest.raises(EncryptionFailed) as info:
        run(firehose, fake_time)
    error = info.value
    assert error.failure_type == "CREATE_KMS_GRANT_FAILED"
    assert error.details == "Credentials older than 6 hours."
    assert error.key_in_force is None
    assert "Records are NOT encrypted" in str(error)
    # Firehose allows a new Start from ENABLING_FAILED: running the helper again succeeds.
    assert run(firehose, fake_time) == ENCRYPTED


def test_failed_key_change_says_the_old_key_is_still_used(
    firehose: Any, firehose_sse: FirehoseSSE, fake_time: FakeTime, kms: Any
) -> None:
    run(firehose, fake_time)
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    firehose_sse.fail_next_enable("UNKNOWN_ERROR", "Injected.")
    with pytest.raises(EncryptionFailed) as info:
        run(firehose, fake_time, key_arn=key_arn)
    assert info.value.key_in_force == "AWS_OWNED_CMK"
    assert "still encrypted with AWS_OWNED_CMK" in str(info.value)


def test_switches_to_a_customer_key(firehose: Any, fake_time: FakeTime, kms: Any) -> None:
    run(firehose, fake_time)
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    assert run(firehose, fake_time, key_arn=key_arn) == ENCRYPTED
    assert status(firehose) == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": key_arn,
        "Status": "ENABLED",
    }
    assert run(firehose, fake_time, key_arn=key_arn) == ALREADY_ENCRYPTED
    assert run(firehose, fake_time) == ENCRYPTED  # back to the AWS-owned key


def test_daily_limit_is_reported(
    firehose: Any, firehose_sse: FirehoseSSE, fake_time: FakeTime
) -> None:
    firehose_sse.max_encryption_changes_per_day = 2
    firehose_sse.set_transition({"progression": "immediate"})
    firehose.start_delivery_stream_encryption(DeliveryStreamName="events")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="events")
    with pytest.raises(EncryptionLimitReached, match="the next call is accepted from"):
        run(firehose, fake_time)
    assert status(firehose) == {"Status": "DISABLED"}


def test_kinesis_sourced_stream_is_not_supported(firehose: Any, fake_time: FakeTime) -> None:
    firehose.create_delivery_stream(
        DeliveryStreamName="from-kinesis",
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={
            "KinesisStreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/events",
            "RoleARN": DESTINATION["RoleARN"],
        },
        ExtendedS3DestinationConfiguration=DESTINATION,
    )
    with pytest.raises(EncryptionNotSupported, match="KinesisStreamAsSource"):
        run(firehose, fake_time, name="from-kinesis")
    assert fake_time.sleeps == []


def test_times_out_when_enabling_takes_too_long(
    firehose: Any, firehose_sse: FirehoseSSE, fake_time: FakeTime
) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 100})
    with pytest.raises(EncryptionTimeout, match="still ENABLING after 12 seconds"):
        run(firehose, fake_time, poll=5, timeout=12)
    assert fake_time.sleeps == [5, 5, 5]


def test_refused_key_is_an_encryption_error(firehose: Any, fake_time: FakeTime) -> None:
    with pytest.raises(EncryptionError, match="Firehose refused the key") as info:
        run(firehose, fake_time, key_arn="not-an-arn")
    assert type(info.value) is EncryptionError
    assert status(firehose) == {"Status": "DISABLED"}


def test_unknown_stream_error_passes_through(firehose: Any, fake_time: FakeTime) -> None:
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        run(firehose, fake_time, name="missing")


def test_demo_runs_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(Path(__file__).with_name("ensure_encrypted.py")), run_name="__main__")
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "-> encrypted" in out
    assert "PutRecord Encrypted=True" in out
    assert "-> already-encrypted" in out
    assert "-> EncryptionFailed: Encryption of audit-log failed: CREATE_KMS_GRANT_FAILED" in out
    assert "-> EncryptionLimitReached" in out
    assert "-> EncryptionNotSupported" in out
