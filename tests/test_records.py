"""Rule 24: the ``Encrypted`` flag of PutRecord and PutRecordBatch, and rule 6 (puts keep
working during a transition)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from freezegun import freeze_time

from moto_firehose_sse import FirehoseSSE

from .helpers import create_stream, settle, sse

T0 = dt.datetime(2024, 3, 1, 12, 0, 0)


def put_flags(firehose: Any, name: str) -> tuple[bool, bool]:
    """``Encrypted`` of one PutRecord and of one PutRecordBatch (of three records)."""
    single = firehose.put_record(DeliveryStreamName=name, Record={"Data": b"one"})
    assert isinstance(single["RecordId"], str) and single["RecordId"]
    batch = firehose.put_record_batch(
        DeliveryStreamName=name, Records=[{"Data": b"a"}, {"Data": b"b"}, {"Data": b"c"}]
    )
    assert batch["FailedPutCount"] == 0
    assert len(batch["RequestResponses"]) == 3
    assert all("RecordId" in r for r in batch["RequestResponses"])
    return single["Encrypted"], batch["Encrypted"]


def encrypted_stream(firehose: Any, name: str) -> None:
    """A DirectPut stream with the AWS-owned key ENABLED."""
    create_stream(firehose, name)
    firehose.start_delivery_stream_encryption(DeliveryStreamName=name)
    assert settle(firehose, name)["Status"] == "ENABLED"


@pytest.fixture
def slow(firehose_sse: FirehoseSSE) -> FirehoseSSE:
    """Transitions that stay in between for three describes, so puts can land there."""
    firehose_sse.set_transition({"progression": "manual", "times": 3})
    return firehose_sse


def test_disabled_stream_records_are_not_encrypted(firehose: Any) -> None:
    create_stream(firehose, "s")
    assert put_flags(firehose, "s") == (False, False)


def test_enabling_from_disabled_is_not_encrypted_yet(firehose: Any, slow: FirehoseSSE) -> None:
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s")["Status"] == "ENABLING"
    assert put_flags(firehose, "s") == (False, False)
    assert settle(firehose, "s")["Status"] == "ENABLED"
    assert put_flags(firehose, "s") == (True, True)


def test_enabled_stream_records_are_encrypted(firehose: Any) -> None:
    encrypted_stream(firehose, "s")
    assert put_flags(firehose, "s") == (True, True)


def test_created_encrypted_stream_records_are_encrypted(firehose: Any) -> None:
    create_stream(
        firehose, "s", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    assert put_flags(firehose, "s") == (True, True)


def test_disabling_stream_records_stay_encrypted(firehose: Any, slow: FirehoseSSE) -> None:
    encrypted_stream(firehose, "s")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s")["Status"] == "DISABLING"
    assert put_flags(firehose, "s") == (True, True)
    assert settle(firehose, "s") == {"Status": "DISABLED"}
    assert put_flags(firehose, "s") == (False, False)


def test_key_change_keeps_records_encrypted(firehose: Any, slow: FirehoseSSE) -> None:
    encrypted_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s")["Status"] == "ENABLING"
    assert put_flags(firehose, "s") == (True, True)
    settle(firehose, "s")
    assert put_flags(firehose, "s") == (True, True)


@pytest.mark.parametrize(("was_enabled", "expected"), [(False, False), (True, True)])
def test_enabling_failed_follows_the_key_in_force(
    firehose: Any, firehose_sse: FirehoseSSE, was_enabled: bool, expected: bool
) -> None:
    create_stream(firehose, "s")
    if was_enabled:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        settle(firehose, "s")
    firehose_sse.fail_next_enable("UNKNOWN_ERROR")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert settle(firehose, "s")["Status"] == "ENABLING_FAILED"
    assert put_flags(firehose, "s") == (expected, expected)


def test_disabling_failed_records_stay_encrypted(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    encrypted_stream(firehose, "s")
    firehose_sse.fail_next_disable()
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert settle(firehose, "s")["Status"] == "DISABLING_FAILED"
    assert put_flags(firehose, "s") == (True, True)


def test_puts_to_an_unknown_stream_are_not_found(firehose: Any) -> None:
    with pytest.raises(firehose.exceptions.ResourceNotFoundException) as info:
        firehose.put_record(DeliveryStreamName="missing", Record={"Data": b"x"})
    assert info.value.response["Error"]["Message"] == (
        "Firehose missing under account 123456789012 not found."
    )
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.put_record_batch(DeliveryStreamName="missing", Records=[{"Data": b"x"}])


MSK_SOURCE = {
    "MSKClusterARN": "arn:aws:kafka:us-east-1:123456789012:cluster/source/abc-1",
    "TopicName": "orders",
    "AuthenticationConfiguration": {
        "RoleARN": "arn:aws:iam::123456789012:role/firehose",
        "Connectivity": "PRIVATE",
    },
}


@pytest.mark.parametrize(
    ("stream_type", "source"),
    [
        (
            "KinesisStreamAsSource",
            {
                "KinesisStreamSourceConfiguration": {
                    "KinesisStreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/source",
                    "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                }
            },
        ),
        ("MSKAsSource", {"MSKSourceConfiguration": MSK_SOURCE}),
    ],
)
def test_puts_to_a_stream_with_another_source_are_refused(
    firehose: Any, stream_type: str, source: dict[str, Any]
) -> None:
    """Rule 25b: a stream fed by its source takes no PutRecord or PutRecordBatch."""
    create_stream(firehose, "sourced", DeliveryStreamType=stream_type, **source)
    message = f"This operation is not permitted on {stream_type} delivery stream type."
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as single:
        firehose.put_record(DeliveryStreamName="sourced", Record={"Data": b"x"})
    assert single.value.response["Error"]["Message"] == message
    assert single.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as batch:
        firehose.put_record_batch(DeliveryStreamName="sourced", Records=[{"Data": b"x"}] * 2)
    assert batch.value.response["Error"]["Message"] == message
    assert sse(firehose, "sourced") is None


# The lag (AWS allows up to 5 s after a status change) ----------------------------------------


def test_lag_is_zero_by_default(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    assert firehose_sse.record_encryption_lag == 0.0
    create_stream(firehose, "s")
    with freeze_time(T0):
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        settle(firehose, "s")
        assert put_flags(firehose, "s") == (True, True)


def test_lag_after_enable_and_after_disable(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    firehose_sse.configure(record_encryption_lag=5)
    create_stream(firehose, "s")
    with freeze_time(T0) as frozen:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        assert settle(firehose, "s")["Status"] == "ENABLED"  # the status flips at T0
        assert put_flags(firehose, "s") == (False, False)
        frozen.tick(dt.timedelta(seconds=4.999))
        assert put_flags(firehose, "s") == (False, False)
        frozen.tick(dt.timedelta(seconds=0.001))
        assert put_flags(firehose, "s") == (True, True)
        frozen.tick(dt.timedelta(minutes=1))
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        assert settle(firehose, "s")["Status"] == "DISABLED"
        assert put_flags(firehose, "s") == (True, True)
        frozen.tick(dt.timedelta(seconds=5))
        assert put_flags(firehose, "s") == (False, False)


def test_lag_does_not_apply_to_a_key_change(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    """Changing from one key to another never makes records unencrypted."""
    create_stream(firehose, "s")
    with freeze_time(T0) as frozen:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        settle(firehose, "s")
        firehose_sse.record_encryption_lag = 5
        frozen.tick(dt.timedelta(seconds=10))  # past the lag of the first enable
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        assert put_flags(firehose, "s") == (True, True)  # ENABLING: old key in force
        settle(firehose, "s")
        assert put_flags(firehose, "s") == (True, True)  # new key, no gap


def test_lag_counts_from_the_end_of_a_timed_transition(
    firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    """With a time transition the status changes at Start + S seconds, whether or not
    anybody looked: a put long after that is encrypted, however late the first look is."""
    firehose_sse.configure(record_encryption_lag=5)
    firehose_sse.set_transition({"progression": "time", "seconds": 60})
    create_stream(firehose, "s")
    with freeze_time(T0) as frozen:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        frozen.tick(dt.timedelta(seconds=62))  # ENABLED from about T0+60
        assert put_flags(firehose, "s") == (False, False)  # still inside the 5 s lag
        frozen.tick(dt.timedelta(seconds=100))
        assert put_flags(firehose, "s") == (True, True)
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        frozen.tick(dt.timedelta(hours=1))
        assert put_flags(firehose, "s") == (False, False)
        assert sse(firehose, "s") == {"Status": "DISABLED"}


def test_lag_setting_is_validated(firehose_sse: FirehoseSSE) -> None:
    for bad in (-1, float("inf"), float("nan"), "5", True):
        with pytest.raises(ValueError, match="record_encryption_lag"):
            firehose_sse.record_encryption_lag = bad  # type: ignore[assignment]
    assert firehose_sse.record_encryption_lag == 0.0
