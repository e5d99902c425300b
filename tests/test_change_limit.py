"""Rule 22 (and the setting of rule 23): 25 accepted Start/Stop calls per stream per rolling
24 hours, on a clock that freezegun and time-machine move."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import botocore.endpoint
import pytest
import time_machine
from botocore.config import Config
from freezegun import freeze_time

from moto_firehose_sse import FirehoseSSE, mock_firehose_sse

from .helpers import (
    client,
    create_kinesis_sourced_stream,
    create_stream,
    delete_stream,
    description,
    sse,
)

T0 = dt.datetime(2024, 3, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(hours=24)


@pytest.fixture
def immediate(firehose_sse: FirehoseSSE) -> FirehoseSSE:
    """Transitions end at once, so calls can follow each other without describes."""
    firehose_sse.set_transition({"progression": "immediate"})
    return firehose_sse


def toggle(firehose: Any, name: str, index: int) -> None:
    """The index-th change: Start on even, Stop on odd (each settles at once)."""
    if index % 2 == 0:
        firehose.start_delivery_stream_encryption(DeliveryStreamName=name)
    else:
        firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)
    assert sse(firehose, name)["Status"] == ("ENABLED" if index % 2 == 0 else "DISABLED")


def assert_limited(firehose: Any, name: str, call: str = "start") -> str:
    before = description(firehose, name)
    with pytest.raises(firehose.exceptions.LimitExceededException) as info:
        if call == "start":
            firehose.start_delivery_stream_encryption(DeliveryStreamName=name)
        else:
            firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert description(firehose, name) == before
    return str(info.value.response["Error"]["Message"])


def test_the_26th_change_is_refused(firehose: Any, immediate: FirehoseSSE) -> None:
    create_stream(firehose, "s")
    for index in range(25):
        toggle(firehose, "s", index)
    assert sse(firehose, "s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    message = assert_limited(firehose, "s", "stop")
    assert message.startswith(
        "Firehose s has had 25 StartDeliveryStreamEncryption and "
        "StopDeliveryStreamEncryption calls in the last 24 hours"
    )
    assert_limited(firehose, "s", "start")


def test_rolling_window_frees_a_slot_when_the_oldest_call_is_24h_old(
    firehose: Any, immediate: FirehoseSSE
) -> None:
    create_stream(firehose, "s")
    half_hour = dt.timedelta(minutes=30)
    with freeze_time(T0) as frozen:
        for index in range(25):  # one call every 30 minutes: T0, T0+0:30, ..., T0+12:00
            toggle(firehose, "s", index)
            frozen.tick(half_hour)
        frozen.move_to(T0 + DAY - dt.timedelta(microseconds=1))
        message = assert_limited(firehose, "s", "stop")
        assert "the next call is accepted from 2024-03-02T12:00:00Z" in message
        frozen.move_to(T0 + DAY)  # the T0 call is now 24 h old: one slot frees
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        message = assert_limited(firehose, "s")
        assert "accepted from 2024-03-02T12:30:00Z" in message  # the T0+0:30 call is next
        frozen.move_to(T0 + DAY + half_hour)
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        assert_limited(firehose, "s", "stop")
        # At T0+36:00 the calls up to T0+12:00 are 24 h old: the two of T0+24:00 and
        # T0+24:30 are left, so 23 more are accepted.
        frozen.move_to(T0 + DAY + 12 * 2 * half_hour)
        for index in range(1, 24):
            toggle(firehose, "s", index)
        assert_limited(firehose, "s")


def test_window_follows_time_machine(firehose: Any, immediate: FirehoseSSE) -> None:
    create_stream(firehose, "s")
    with time_machine.travel(T0, tick=False) as traveller:
        for index in range(25):
            toggle(firehose, "s", index)
        assert_limited(firehose, "s", "stop")
        traveller.shift(DAY - dt.timedelta(seconds=1))
        assert_limited(firehose, "s", "stop")
        traveller.shift(dt.timedelta(seconds=1))
        toggle(firehose, "s", 1)


def test_no_op_stop_and_repeated_start_count(firehose: Any, immediate: FirehoseSSE) -> None:
    """Every accepted call counts: Stop on DISABLED, and Start repeating the current key."""
    create_stream(firehose, "s")
    for _ in range(12):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s") == {"Status": "DISABLED"}
    for _ in range(13):
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    assert_limited(firehose, "s")


def test_refused_calls_do_not_count(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    """ResourceInUse, InvalidArgument and LimitExceeded refusals leave the count alone."""
    firehose_sse.configure(max_encryption_changes_per_day=2)
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")  # 1st
    for _ in range(3):
        with pytest.raises(firehose.exceptions.ResourceInUseException):
            firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s")["Status"] == "ENABLING"
    assert sse(firehose, "s")["Status"] == "ENABLED"
    for _ in range(3):
        with pytest.raises(firehose.exceptions.InvalidArgumentException):
            firehose.start_delivery_stream_encryption(
                DeliveryStreamName="s",
                DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK"},
            )
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")  # 2nd
    assert sse(firehose, "s")["Status"] == "DISABLING"
    assert sse(firehose, "s")["Status"] == "DISABLED"
    for _ in range(3):
        assert_limited(firehose, "s")
    firehose_sse.max_encryption_changes_per_day = 3  # had the refusals counted, still full
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s")["Status"] == "ENABLING"


def test_standard_retries_of_a_refused_call_do_not_count(
    firehose_sse: FirehoseSSE, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore's standard mode retries LimitExceededException: each retry is refused too
    and none of them uses a slot."""
    firehose_sse.configure(max_encryption_changes_per_day=1)
    firehose_sse.set_transition({"progression": "immediate"})
    sleeps: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", sleeps.append)  # no back-off wait
    retrying = boto3.client(
        "firehose",
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
    )
    create_stream(retrying, "s")
    retrying.stop_delivery_stream_encryption(DeliveryStreamName="s")
    with pytest.raises(retrying.exceptions.LimitExceededException) as info:
        retrying.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(sleeps) == 2
    firehose_sse.max_encryption_changes_per_day = 2
    retrying.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(retrying, "s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}


def test_setting_changes_the_limit(immediate: FirehoseSSE) -> None:
    firehose = client("firehose")
    immediate.max_encryption_changes_per_day = 3
    create_stream(firehose, "s")
    for index in range(3):
        toggle(firehose, "s", index)
    assert "has had 3 StartDeliveryStreamEncryption" in assert_limited(firehose, "s", "stop")
    immediate.max_encryption_changes_per_day = 100
    for index in range(3, 40):
        toggle(firehose, "s", index)


def test_setting_through_the_decorator() -> None:
    @mock_firehose_sse(max_encryption_changes_per_day=1)
    def scenario() -> None:
        firehose = client("firehose")
        create_stream(firehose, "s")
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        assert_limited(firehose, "s", "stop")

    scenario()


@pytest.mark.firehose_sse(max_encryption_changes_per_day=2)
def test_setting_through_the_marker(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    assert firehose_sse.max_encryption_changes_per_day == 2
    create_stream(firehose, "s")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert_limited(firehose, "s", "stop")


def test_streams_are_counted_separately(firehose: Any, immediate: FirehoseSSE) -> None:
    create_stream(firehose, "a")
    create_stream(firehose, "b")
    for index in range(25):
        toggle(firehose, "a", index)
    assert_limited(firehose, "a", "stop")
    for index in range(25):
        toggle(firehose, "b", index)
    assert_limited(firehose, "b", "stop")


def test_same_name_in_another_region_has_its_own_count(
    firehose: Any, immediate: FirehoseSSE
) -> None:
    immediate.max_encryption_changes_per_day = 1
    other = client("firehose", "eu-west-1")
    create_stream(firehose, "s")
    create_stream(other, "s")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert_limited(firehose, "s", "stop")
    other.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert_limited(other, "s", "stop")


def test_a_recreated_stream_starts_with_a_fresh_count(
    firehose: Any, immediate: FirehoseSSE
) -> None:
    """[ours] the count belongs to the stream: delete and re-create gives a new one."""
    immediate.max_encryption_changes_per_day = 1
    create_stream(firehose, "s")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert_limited(firehose, "s", "stop")
    delete_stream(firehose, "s")
    create_stream(firehose, "s")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert_limited(firehose, "s", "stop")


def test_non_direct_put_refusal_is_not_a_limit(firehose: Any, immediate: FirehoseSSE) -> None:
    immediate.max_encryption_changes_per_day = 1
    create_kinesis_sourced_stream(firehose, "k")
    for _ in range(3):
        with pytest.raises(firehose.exceptions.InvalidArgumentException):
            firehose.stop_delivery_stream_encryption(DeliveryStreamName="k")
