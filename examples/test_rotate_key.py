"""Tests of the key-rotation example, against moto with moto-firehose-sse."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from moto_firehose_sse import FirehoseSSE

from .rotate_key import Rotation, rotate_stream_key, wait_for_encryption

REGION = "us-east-1"
CMK = "CUSTOMER_MANAGED_CMK"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def clients(firehose_sse: FirehoseSSE) -> Iterator[tuple[Any, Any]]:
    yield (
        boto3.client("firehose", region_name=REGION, config=NO_RETRIES),
        boto3.client("kms", region_name=REGION, config=NO_RETRIES),
    )


class Sleeps:
    """Stands for ``time.sleep``: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def stream_with(firehose: Any, name: str, key_arn: str | None) -> None:
    extra = {"KeyType": CMK, "KeyARN": key_arn} if key_arn else {"KeyType": "AWS_OWNED_CMK"}
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamEncryptionConfigurationInput=extra,
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::bucket",
        },
    )


def new_key(kms: Any, **kwargs: Any) -> dict[str, str]:
    return dict(kms.create_key(**kwargs)["KeyMetadata"])


def grants(kms: Any, key_arn: str) -> int:
    return len(kms.list_grants(KeyId=key_arn)["Grants"])


def test_rotation_to_a_good_key(clients: tuple[Any, Any]) -> None:
    firehose, kms = clients
    old, new = new_key(kms)["Arn"], new_key(kms)["Arn"]
    stream_with(firehose, "s", old)
    sleeps = Sleeps()
    outcome = rotate_stream_key(firehose, "s", new, sleep=sleeps, poll_seconds=2)
    assert outcome == Rotation("s", True, "ENABLED", CMK, new)
    assert sleeps.calls == [2]  # one Describe showed ENABLING
    assert (grants(kms, old), grants(kms, new)) == (0, 1)
    assert "now encrypted with" in outcome.summary()


def test_rotation_from_aws_owned_key(clients: tuple[Any, Any]) -> None:
    firehose, kms = clients
    new = new_key(kms)["Arn"]
    stream_with(firehose, "s", None)
    assert rotate_stream_key(firehose, "s", new, sleep=Sleeps()).rotated


def test_rotation_to_the_key_in_force_changes_nothing(clients: tuple[Any, Any]) -> None:
    firehose, kms = clients
    key = new_key(kms)["Arn"]
    stream_with(firehose, "s", key)
    sleeps = Sleeps()
    outcome = rotate_stream_key(firehose, "s", key, sleep=sleeps)
    assert outcome.rotated and sleeps.calls == []
    assert grants(kms, key) == 1


@pytest.mark.parametrize(
    ("spoil", "failure_type"),
    [
        (lambda kms, key: kms.disable_key(KeyId=key["KeyId"]), "DISABLED_KMS_KEY"),
        (
            lambda kms, key: kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7),
            "INVALID_KMS_KEY",
        ),
    ],
)
def test_failed_rotation_keeps_the_old_key(
    clients: tuple[Any, Any], spoil: Any, failure_type: str
) -> None:
    firehose, kms = clients
    old, bad = new_key(kms)["Arn"], new_key(kms)
    spoil(kms, bad)
    stream_with(firehose, "s", old)
    outcome = rotate_stream_key(firehose, "s", bad["Arn"], sleep=Sleeps())
    assert not outcome.rotated and not outcome.restored
    assert (outcome.status, outcome.key_arn) == ("ENABLING_FAILED", old)
    assert outcome.failure is not None and outcome.failure["Type"] == failure_type
    assert firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["Encrypted"]
    assert grants(kms, old) == 1
    assert "still in force: CUSTOMER_MANAGED_CMK " + old in outcome.summary()


def test_failed_rotation_with_restore_is_enabled_again(clients: tuple[Any, Any]) -> None:
    firehose, kms = clients
    old = new_key(kms)["Arn"]
    asymmetric = new_key(kms, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["Arn"]
    stream_with(firehose, "s", old)
    outcome = rotate_stream_key(firehose, "s", asymmetric, restore=True, sleep=Sleeps())
    assert outcome.restored and not outcome.rotated
    assert (outcome.status, outcome.key_arn) == ("ENABLED", old)
    assert outcome.failure is not None and outcome.failure["Type"] == "INVALID_KMS_KEY"
    block = firehose.describe_delivery_stream(DeliveryStreamName="s")["DeliveryStreamDescription"][
        "DeliveryStreamEncryptionConfiguration"
    ]
    assert block == {"KeyType": CMK, "KeyARN": old, "Status": "ENABLED"}
    assert grants(kms, old) == 1


def test_failed_first_encryption_is_not_restored(
    clients: tuple[Any, Any], firehose_sse: FirehoseSSE
) -> None:
    firehose, kms = clients
    new = new_key(kms)["Arn"]
    firehose.create_delivery_stream(
        DeliveryStreamName="plain",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::bucket",
        },
    )
    firehose_sse.fail_next_enable("CREATE_KMS_GRANT_FAILED")
    outcome = rotate_stream_key(firehose, "plain", new, restore=True, sleep=Sleeps())
    assert not outcome.rotated and not outcome.restored
    assert outcome.failure is not None and outcome.failure["Type"] == "CREATE_KMS_GRANT_FAILED"
    assert outcome.status == "ENABLING_FAILED"


@pytest.mark.parametrize(
    ("key_arn", "code"),
    [
        ("arn:aws:kms:us-east-1:123456789012:alias/none", "KMS.NotFoundException"),
        (
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "KMS.NotFoundException",
        ),
        ("arn:aws:s3:::not-a-key", "InvalidArgumentException"),
    ],
)
def test_refused_key_is_reported_and_nothing_changes(
    clients: tuple[Any, Any], key_arn: str, code: str
) -> None:
    firehose, kms = clients
    old = new_key(kms)["Arn"]
    stream_with(firehose, "s", old)
    sleeps = Sleeps()
    outcome = rotate_stream_key(firehose, "s", key_arn, sleep=sleeps)
    assert not outcome.rotated
    assert (outcome.status, outcome.key_arn) == ("ENABLED", old)
    assert outcome.failure is not None and outcome.failure["Type"] == code
    assert key_arn in outcome.failure["Details"]
    assert sleeps.calls == []


@pytest.mark.firehose_sse(max_streams_per_key=1)
def test_key_already_used_by_the_most_streams_is_reported(clients: tuple[Any, Any]) -> None:
    firehose, kms = clients
    busy, old = new_key(kms)["Arn"], new_key(kms)["Arn"]
    stream_with(firehose, "a", busy)
    stream_with(firehose, "b", old)
    outcome = rotate_stream_key(firehose, "b", busy, sleep=Sleeps())
    assert outcome.failure is not None and outcome.failure["Type"] == "LimitExceededException"
    assert outcome.key_arn == old


def test_waits_for_a_transition_under_way_first(
    clients: tuple[Any, Any], firehose_sse: FirehoseSSE
) -> None:
    firehose, kms = clients
    new = new_key(kms)["Arn"]
    stream_with(firehose, "s", None)
    firehose_sse.set_transition({"progression": "manual", "times": 3})
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    sleeps = Sleeps()
    outcome = rotate_stream_key(firehose, "s", new, sleep=sleeps, poll_seconds=1)
    assert outcome.rotated
    assert sleeps.calls == [1] * 6  # three DISABLING, then three ENABLING


def test_unknown_stream_raises(clients: tuple[Any, Any]) -> None:
    firehose, kms = clients
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        rotate_stream_key(firehose, "nope", new_key(kms)["Arn"], sleep=Sleeps())


def test_transition_that_never_ends_times_out(
    clients: tuple[Any, Any], firehose_sse: FirehoseSSE
) -> None:
    firehose = clients[0]
    stream_with(firehose, "s", None)
    firehose_sse.set_transition({"progression": "manual", "times": 50})
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    sleeps = Sleeps()
    with pytest.raises(TimeoutError, match="DISABLING"):
        wait_for_encryption(firehose, "s", sleep=sleeps, poll_seconds=3, max_polls=4)
    assert sleeps.calls == [3, 3, 3]


def test_runs_as_a_script_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).with_name("rotate_key.py")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(path), run_name="__main__")
    assert exited.value.code == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert "now encrypted with" in out[0]
    assert "DISABLED_KMS_KEY" in out[1] and "restored" in out[1]
    assert "KMS.NotFoundException" in out[2]
