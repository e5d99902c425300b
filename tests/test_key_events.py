"""Key events (rule 48): the KMS calls Firehose makes for a stream, in order, with their outcome.

Driven through boto3; read with ``FirehoseSSE.key_events()`` and over HTTP.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterator
from typing import Any

import freezegun
import pytest
import time_machine
from moto.kms.models import kms_backends

import moto_firehose_sse
from moto_firehose_sse import (
    FirehoseSSE,
    KeyEvent,
    ThreadedFirehoseSSEServer,
    key_events,
    mock_firehose_sse,
)
from moto_firehose_sse.server import main

from .helpers import ACCOUNT, REGION, client, create_stream, delete_stream, settle
from .kms_helpers import (
    OTHER_ACCOUNT,
    cmk,
    deny_firehose,
    grants,
    key_policy,
    other_account_client,
    start,
)
from .server_helpers import call, remote

FIREHOSE = "firehose.amazonaws.com"
STS_USER = f"arn:aws:sts::{ACCOUNT}:user/moto"  # moto's default caller
START = datetime.datetime(2030, 3, 1, 9, 0, 0, tzinfo=datetime.timezone.utc)
EVENTS_PATH = "/moto-api/firehose-sse/key-events"


def stream_arn(name: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:firehose:{region}:{account}:deliverystream/{name}"


def context(name: str) -> dict[str, str]:
    return {"aws:firehose:arn": stream_arn(name)}


def seen(events: list[KeyEvent]) -> list[tuple[str, str, str, str | None]]:
    """(operation, key ARN, principal, error) of each event."""
    return [(e.operation, e.key_arn, e.principal, e.error) for e in events]


def put(firehose: Any, name: str) -> dict[str, Any]:
    return dict(firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"}))


def put_batch(firehose: Any, name: str) -> dict[str, Any]:
    return dict(firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}] * 3))


@pytest.fixture
def immediate(firehose_sse: FirehoseSSE) -> Iterator[FirehoseSSE]:
    """Transitions end at once (one call, one set of events)."""
    firehose_sse.set_transition({"progression": "immediate"})
    yield firehose_sse


# A whole key life ------------------------------------------------------------------------------


@pytest.mark.parametrize("clock", ["freezegun", "time-machine"])
def test_a_whole_key_life_in_order(clock: str) -> None:
    """Create with a key, put, change the key, put, disable it, puts refused, stop, delete."""
    travel = (
        freezegun.freeze_time(START)
        if clock == "freezegun"
        else time_machine.travel(START, tick=False)
    )
    with travel as traveller, mock_firehose_sse() as sse:

        def tick(seconds: int) -> None:
            if clock == "freezegun":
                traveller.tick(seconds)
            else:
                traveller.shift(seconds)

        firehose, kms = client("firehose"), client("kms")
        first = kms.create_key()["KeyMetadata"]
        second = kms.create_key()["KeyMetadata"]
        old, new = first["Arn"], second["Arn"]
        create_stream(firehose, "life", DeliveryStreamEncryptionConfigurationInput=cmk(old))
        tick(1)
        assert put(firehose, "life")["Encrypted"] is True  # 09:00:01
        tick(1)
        start(firehose, "life", new)  # 09:00:02: ENABLING until the next Describe
        tick(1)
        assert settle(firehose, "life")["KeyARN"] == new  # 09:00:03: the change ends
        tick(1)
        assert put_batch(firehose, "life")["Encrypted"] is True  # 09:00:04
        kms.disable_key(KeyId=second["KeyId"])
        tick(1)
        for refused in (put, put_batch):  # 09:00:05
            with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
                refused(firehose, "life")
        tick(1)
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="life")  # 09:00:06
        tick(1)
        assert settle(firehose, "life") == {"Status": "DISABLED"}  # 09:00:07: grant retired
        tick(1)
        assert delete_stream(firehose, "life") == ["DELETING"]  # no key: no KMS call
        events = sse.key_events()

    assert seen(events) == [
        ("DescribeKey", old, STS_USER, None),
        ("CreateGrant", old, STS_USER, None),
        ("GenerateDataKey", old, FIREHOSE, None),
        ("Decrypt", old, FIREHOSE, None),
        ("DescribeKey", new, STS_USER, None),
        ("RetireGrant", old, FIREHOSE, None),
        ("CreateGrant", new, STS_USER, None),
        ("GenerateDataKey", new, FIREHOSE, None),
        ("Decrypt", new, FIREHOSE, None),
        ("GenerateDataKey", new, FIREHOSE, "DisabledException"),
        ("GenerateDataKey", new, FIREHOSE, "DisabledException"),
        ("RetireGrant", new, FIREHOSE, None),
    ]
    seconds = [int((e.time - START).total_seconds()) for e in events]
    assert seconds == [0, 0, 1, 1, 3, 3, 3, 4, 4, 5, 5, 7]
    for event in events:
        assert event.time.tzinfo is datetime.timezone.utc
        assert (event.account, event.region, event.stream_name) == (ACCOUNT, REGION, "life")
        data = event.operation in ("GenerateDataKey", "Decrypt")
        assert event.encryption_context == (context("life") if data else {})


def test_the_grants_the_events_show_are_the_ones_kms_lists(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    firehose_sse = immediate
    key = kms.create_key()["KeyMetadata"]
    for name in ("a", "b"):
        create_stream(firehose, name, DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert len(grants(kms, key["KeyId"])) == 2
    delete_stream(firehose, "a")  # the deletion retires a's grant
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="b")
    assert settle(firehose, "b") == {"Status": "DISABLED"}  # the transition ends when read
    assert grants(kms, key["KeyId"]) == []
    created = [e.stream_name for e in firehose_sse.key_events() if e.operation == "CreateGrant"]
    retired = [e.stream_name for e in firehose_sse.key_events() if e.operation == "RetireGrant"]
    assert (created, retired) == (["a", "b"], ["a", "b"])


def test_a_rotation_audit_reads_which_key_encrypted_which_records(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    old, new = kms.create_key()["KeyMetadata"]["Arn"], kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(old))
    put(firehose, "s")
    start(firehose, "s", new)
    put(firehose, "s")
    put_batch(firehose, "s")
    data_keys = [e.key_arn for e in immediate.key_events("s") if e.operation == "GenerateDataKey"]
    assert data_keys == [old, new, new]
    retired = [e.key_arn for e in immediate.key_events("s") if e.operation == "RetireGrant"]
    assert retired == [old]


# No event ----------------------------------------------------------------------------------------


def test_aws_owned_keys_and_plain_streams_make_no_event(
    immediate: FirehoseSSE, firehose: Any
) -> None:
    create_stream(
        firehose, "owned", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    create_stream(firehose, "plain")
    for name in ("owned", "plain"):
        put(firehose, name)
        put_batch(firehose, name)
    start(firehose, "plain")  # AWS owned
    put(firehose, "plain")
    for name in ("owned", "plain"):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)
        delete_stream(firehose, name)
    assert immediate.key_events() == []


def test_records_while_no_customer_key_is_in_force_make_no_event(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s")
    start(firehose, "s", key)  # ENABLING from DISABLED: no key in force yet
    assert put(firehose, "s")["Encrypted"] is False
    assert firehose_sse.key_events() == []


def test_an_injected_fault_makes_no_event(immediate: FirehoseSSE, firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s")
    immediate.fail_next_enable("CREATE_KMS_GRANT_FAILED")
    start(firehose, "s", key)
    assert settle(firehose, "s")["Status"] == "ENABLING_FAILED"
    assert immediate.key_events() == []


# Enables that fail, and refusals at call time ------------------------------------------------------


def test_a_disabled_key_is_described_and_no_grant_is_asked_for(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    assert settle(firehose, "s")["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"
    assert seen(immediate.key_events()) == [("DescribeKey", key["Arn"], STS_USER, None)]


@pytest.mark.parametrize(
    ("denied", "expected"),
    [
        ("kms:DescribeKey", [("DescribeKey", "AccessDeniedException")]),
        ("kms:CreateGrant", [("DescribeKey", None), ("CreateGrant", "AccessDeniedException")]),
    ],
)
def test_a_key_policy_deny_of_the_caller_is_the_refused_call(
    immediate: FirehoseSSE, firehose: Any, kms: Any, denied: str, expected: list[Any]
) -> None:
    deny = {
        "Effect": "Deny",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": denied,
        "Resource": "*",
    }
    key = kms.create_key(Policy=key_policy(ACCOUNT, deny))["KeyMetadata"]
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    assert settle(firehose, "s")["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    events = immediate.key_events()
    assert [(e.operation, e.error) for e in events] == expected
    assert {e.principal for e in events} == {STS_USER}
    assert grants(kms, key["KeyId"]) == []


def test_a_key_policy_deny_of_firehose_itself_is_its_data_key_refused(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key = kms.create_key(Policy=key_policy(ACCOUNT, deny_firehose()))["KeyMetadata"]
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    assert settle(firehose, "s")["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    events = immediate.key_events()
    assert seen(events) == [
        ("DescribeKey", key["Arn"], STS_USER, None),
        ("GenerateDataKey", key["Arn"], FIREHOSE, "AccessDeniedException"),
    ]
    assert events[1].encryption_context == context("s")


def test_a_missing_key_is_a_describe_key_refused_at_call_time(
    immediate: FirehoseSSE, firehose: Any
) -> None:
    missing = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/nothing"
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(missing))
    create_stream(firehose, "t")
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        start(firehose, "t", missing)
    events = immediate.key_events()
    assert seen(events) == [("DescribeKey", missing, STS_USER, "NotFoundException")] * 2
    assert [e.stream_name for e in events] == ["s", "t"]


def test_a_malformed_key_arn_makes_no_kms_call(immediate: FirehoseSSE, firehose: Any) -> None:
    create_stream(firehose, "s")
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        start(firehose, "s", "arn:aws:s3:::not-a-key")
    assert immediate.key_events() == []


def test_another_accounts_key_refused_by_its_policy(immediate: FirehoseSSE, firehose: Any) -> None:
    theirs = other_account_client("kms").create_key()["KeyMetadata"]  # shared with nobody
    create_stream(firehose, "s")
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        start(firehose, "s", theirs["Arn"])
    assert seen(immediate.key_events()) == [
        ("DescribeKey", theirs["Arn"], STS_USER, "AccessDeniedException")
    ]
    assert immediate.key_events()[0].account == ACCOUNT  # the stream's account
    assert OTHER_ACCOUNT in immediate.key_events()[0].key_arn


def test_the_same_key_again_keeps_its_grant(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    immediate.clear_key_events()
    start(firehose, "s", key)
    assert settle(firehose, "s")["Status"] == "ENABLED"
    assert seen(immediate.key_events()) == [("DescribeKey", key, STS_USER, None)]


@pytest.mark.firehose_sse(producer_key_access="not-required")
def test_a_revoked_grant_refuses_the_data_key(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    (grant,) = grants(kms, key["KeyId"])
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        put(firehose, "s")
    assert seen(immediate.key_events())[-1] == (
        "GenerateDataKey",
        key["Arn"],
        FIREHOSE,
        "AccessDeniedException",
    )
    # A grant that is gone is nothing to retire: Stop makes no RetireGrant.
    count = len(immediate.key_events())
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert len(immediate.key_events()) == count


def test_a_grant_kms_wont_retire_is_a_refused_retire_grant(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    immediate.set_transition(
        {"progression": "immediate"}, model=moto_firehose_sse.DELETION_MODEL_NAME
    )
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    assert settle_deletion(firehose, "s") == "DELETING_FAILED"
    assert seen(immediate.key_events())[-1] == (
        "RetireGrant",
        key["Arn"],
        FIREHOSE,
        "KMSInvalidStateException",
    )
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    kms.enable_key(KeyId=key["KeyId"])
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    assert settle_deletion(firehose, "s") == "gone"
    assert seen(immediate.key_events())[-1] == ("RetireGrant", key["Arn"], FIREHOSE, None)


def settle_deletion(firehose: Any, name: str) -> str:
    try:
        status = firehose.describe_delivery_stream(DeliveryStreamName=name)
    except firehose.exceptions.ResourceNotFoundException:
        return "gone"
    return str(status["DeliveryStreamDescription"]["DeliveryStreamStatus"])


@pytest.mark.firehose_sse(lenient_keys=True)
def test_a_key_moto_does_not_know_has_no_grant_events(
    immediate: FirehoseSSE, firehose: Any
) -> None:
    made_up = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(made_up))
    put(firehose, "s")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert [e.operation for e in immediate.key_events()] == [
        "DescribeKey",
        "GenerateDataKey",
        "Decrypt",
    ]


def test_each_region_and_account_is_its_own(immediate: FirehoseSSE) -> None:
    west, west_kms = client("firehose", "eu-west-1"), client("kms", "eu-west-1")
    key = west_kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(west, "w", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    put(west, "w")
    events = immediate.key_events("w")
    assert {(e.account, e.region) for e in events} == {(ACCOUNT, "eu-west-1")}
    data = [e for e in events if e.operation == "GenerateDataKey"]
    assert data[0].encryption_context == {"aws:firehose:arn": stream_arn("w", "eu-west-1")}


# The event type ------------------------------------------------------------------------------------


def test_an_event_is_a_frozen_hashable_dataclass(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    assert moto_firehose_sse.KeyEvent is KeyEvent
    assert "KeyEvent" in moto_firehose_sse.__all__
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    put(firehose, "s")
    event = immediate.key_events()[-1]
    assert dataclasses.is_dataclass(event)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.error = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.encryption_context["aws:firehose:arn"] = "changed"  # type: ignore[index]
    assert immediate.key_events()[-1] == event  # equal when read again
    assert len({*immediate.key_events(), *immediate.key_events()}) == 4
    assert [f.name for f in dataclasses.fields(KeyEvent)] == [
        "time",
        "account",
        "region",
        "stream_name",
        "key_arn",
        "operation",
        "principal",
        "encryption_context",
        "error",
    ]


def test_events_filter_by_stream_name(immediate: FirehoseSSE, firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    for name in ("a", "ab", "b.a"):
        create_stream(firehose, name, DeliveryStreamEncryptionConfigurationInput=cmk(key))
    assert {e.stream_name for e in immediate.key_events("a")} == {"a"}
    assert len(immediate.key_events("a")) == 2
    assert immediate.key_events("nothing") == []
    assert len(immediate.key_events()) == 6


@pytest.mark.parametrize("name", ["", "a" * 65, "a/b", "a b", 3, b"a", ["a"], True])
def test_a_bad_stream_name_filter_is_a_value_error(firehose_sse: FirehoseSSE, name: Any) -> None:
    with pytest.raises(ValueError, match="stream_name must be a delivery stream name"):
        firehose_sse.key_events(name)


def test_a_new_mock_starts_with_no_event(
    firehose: Any, kms: Any, firehose_sse: FirehoseSSE
) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    assert firehose_sse.key_events() != []
    firehose_sse.clear_key_events()
    assert firehose_sse.key_events() == []
    with mock_firehose_sse() as inner:
        assert inner.key_events() == []


# max_key_events ------------------------------------------------------------------------------------


def test_max_key_events_defaults_to_ten_thousand(firehose_sse: FirehoseSSE) -> None:
    assert firehose_sse.max_key_events == 10_000
    assert firehose_sse.settings()["max_key_events"] == 10_000


@pytest.mark.firehose_sse(max_key_events=3)
def test_the_oldest_events_are_dropped(immediate: FirehoseSSE, firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    put(firehose, "s")  # DescribeKey, CreateGrant, GenerateDataKey, Decrypt: four made
    assert [e.operation for e in immediate.key_events()] == [
        "CreateGrant",
        "GenerateDataKey",
        "Decrypt",
    ]
    immediate.max_key_events = 1  # the newest stays
    assert [e.operation for e in immediate.key_events()] == ["Decrypt"]
    immediate.configure(max_key_events=0)  # keep none
    put(firehose, "s")
    assert immediate.key_events() == []
    immediate.max_key_events = 5
    put(firehose, "s")
    assert len(immediate.key_events()) == 2


def test_a_long_run_keeps_only_max_key_events(
    immediate: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    immediate.max_key_events = 50
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    for _ in range(40):
        put(firehose, "s")
    events = immediate.key_events()
    assert len(events) == 50
    assert len(immediate._key_log) == 50
    assert events[0].operation == "GenerateDataKey" and events[-1].operation == "Decrypt"


@pytest.mark.parametrize("value", [-1, 1_000_001, 2.5, "100", None, True, [10]])
def test_a_bad_max_key_events_is_a_value_error(value: Any) -> None:
    with pytest.raises(ValueError, match="max_key_events must be a whole number from 0"):
        mock_firehose_sse(max_key_events=value)
    with pytest.raises(ValueError, match="max_key_events"):
        ThreadedFirehoseSSEServer(max_key_events=value)
    with mock_firehose_sse(max_key_events=7) as sse:
        with pytest.raises(ValueError, match="max_key_events"):
            sse.max_key_events = value
        with pytest.raises(ValueError, match="max_key_events"):
            sse.configure(max_key_events=value, lenient_keys=True)
        assert (sse.max_key_events, sse.lenient_keys) == (7, False)
        assert sse._key_log.maxlen == 7


def test_the_message_of_a_bad_value_says_no_value_not_none() -> None:
    with pytest.raises(ValueError) as raised:
        mock_firehose_sse(max_key_events=None)
    assert "None" not in str(raised.value) and "no value" in str(raised.value)


# Over HTTP -----------------------------------------------------------------------------------------


@pytest.fixture
def threaded() -> Iterator[ThreadedFirehoseSSEServer]:
    with ThreadedFirehoseSSEServer() as server:
        try:
            server.controller.set_transition({"progression": "immediate"})
            yield server
        finally:
            server.reset()


def test_key_events_over_http(threaded: ThreadedFirehoseSSEServer) -> None:
    url = threaded.endpoint_url
    firehose, kms = remote(url, "firehose"), remote(url, "kms")
    key = kms.create_key()["KeyMetadata"]
    for name in ("a", "b"):
        create_stream(firehose, name, DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    put(firehose, "a")
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        put(firehose, "a")

    status, events = call(url, "GET", EVENTS_PATH)
    assert status == 200
    expected = [e.to_json() for e in threaded.controller.key_events()]
    assert events == expected and len(events) == 7
    user = "arn:aws:sts::123456789012:user/moto"
    refused = events[-1]
    assert set(refused) == {f.name for f in dataclasses.fields(KeyEvent)}
    assert refused["operation"] == "GenerateDataKey"
    assert refused["error"] == "DisabledException"
    assert refused["principal"] == FIREHOSE
    assert refused["encryption_context"] == context("a")
    assert events[0]["principal"] == user and events[0]["encryption_context"] == {}
    assert datetime.datetime.fromisoformat(refused["time"]).utcoffset() == datetime.timedelta(0)

    status, only_b = call(url, "GET", EVENTS_PATH + "?stream_name=b")
    assert status == 200
    assert [e["operation"] for e in only_b] == ["DescribeKey", "CreateGrant"]
    assert {e["stream_name"] for e in only_b} == {"b"}
    assert call(url, "GET", EVENTS_PATH + "/?stream_name=nothing") == (200, [])

    assert call(url, "POST", "/moto-api/reset")[0] == 200
    assert call(url, "GET", EVENTS_PATH) == (200, [])


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("stream_name=", "stream_name must be a delivery stream name"),
        ("stream_name=a&stream_name=b", "give stream_name once"),
        ("name=a", "unknown query parameter(s) ['name']"),
        ("stream_name", "can't be read"),
        ("stream_name=a&&", "can't be read"),
        ("stream_name=%C3%28", "can't be read"),
        ("stream_name=a%2Fb", "stream_name must be a delivery stream name"),
        ("stream_name=%00", "stream_name must be a delivery stream name"),
        ("stream_name=" + "a" * 65, "stream_name must be a delivery stream name"),
        ("stream_name=" + "a" * 2000, "over 1024 characters"),
        ("a=1&b=2&c=3&d=4&e=5", "can't be read"),
    ],
)
def test_a_hostile_query_is_a_400_with_a_message(
    threaded: ThreadedFirehoseSSEServer, query: str, words: str
) -> None:
    status, answer = call(threaded.endpoint_url, "GET", f"{EVENTS_PATH}?{query}")
    assert status == 400
    assert words in answer["message"]
    assert "None" not in answer["message"]


def test_a_raw_non_utf8_query_is_a_value_error(threaded: ThreadedFirehoseSSEServer) -> None:
    # WSGI hands the query's raw bytes over decoded as latin-1: b"\xff" is not UTF-8.
    with pytest.raises(ValueError, match="can't be read"):
        key_events.http_payload(threaded.controller, "stream_name=\xff")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_key_events_take_get_only(threaded: ThreadedFirehoseSSEServer, method: str) -> None:
    status, answer = call(threaded.endpoint_url, method, EVENTS_PATH, {})
    assert status == 405
    assert "use GET" in answer["message"]


def test_the_404_of_the_controller_names_key_events(threaded: ThreadedFirehoseSSEServer) -> None:
    status, answer = call(threaded.endpoint_url, "GET", "/moto-api/firehose-sse/events")
    assert status == 404
    assert "/moto-api/firehose-sse/key-events" in answer["message"]


@pytest.mark.parametrize("value", [-1, "5", None, True, 10**7, 1.5])
def test_a_bad_max_key_events_over_http_is_a_400(
    threaded: ThreadedFirehoseSSEServer, value: Any
) -> None:
    url = threaded.endpoint_url
    status, answer = call(url, "POST", "/moto-api/firehose-sse/settings", {"max_key_events": value})
    assert status == 400
    assert "max_key_events" in answer["message"]
    assert call(url, "GET", "/moto-api/firehose-sse/settings")[1]["max_key_events"] == 10_000


def test_max_key_events_over_http_and_reset(threaded: ThreadedFirehoseSSEServer) -> None:
    url = threaded.endpoint_url
    status, settings = call(url, "POST", "/moto-api/firehose-sse/settings", {"max_key_events": 2})
    assert (status, settings["max_key_events"]) == (200, 2)
    firehose, kms = remote(url, "firehose"), remote(url, "kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    put(firehose, "s")
    assert [e["operation"] for e in call(url, "GET", EVENTS_PATH)[1]] == [
        "GenerateDataKey",
        "Decrypt",
    ]
    assert call(url, "POST", "/moto-api/reset")[0] == 200
    assert call(url, "GET", "/moto-api/firehose-sse/settings")[1]["max_key_events"] == 10_000


def test_the_command_line_takes_max_key_events(capsys: pytest.CaptureFixture[str]) -> None:
    from moto_firehose_sse.server.cli import _parser

    assert _parser().parse_args(["--max-key-events", "5"]).max_key_events == 5
    assert _parser().parse_args([]).max_key_events == 10_000
    with pytest.raises(SystemExit) as exited:
        main(["--max-key-events", "-1"])
    assert exited.value.code == 2
    assert "max_key_events must be a whole number from 0" in capsys.readouterr().err


def test_the_events_json_is_plain_json(threaded: ThreadedFirehoseSSEServer) -> None:
    firehose = remote(threaded.endpoint_url, "firehose")
    key = remote(threaded.endpoint_url, "kms").create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    put(firehose, "s")
    payload = key_events.http_payload(threaded.controller, "")
    assert json.loads(json.dumps(payload)) == payload
    assert [
        KeyEvent(**{**e, "time": datetime.datetime.fromisoformat(e["time"])}) for e in payload
    ] == (threaded.controller.key_events())


def test_the_caller_of_start_is_named_when_another_caller_s_describe_ends_it(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    """The transition ends at a later Describe, by someone else: the KMS calls made then are
    still in the name of whoever called Start (their permissions count)."""
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s")
    credentials = client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ops", RoleSessionName="starter"
    )["Credentials"]
    as_role = client(
        "firehose",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    start(as_role, "s", key)
    assert settle(firehose, "s")["Status"] == "ENABLED"  # Describes by moto's default user
    starter = f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/starter"
    assert [(e.operation, e.principal) for e in firehose_sse.key_events("s")] == [
        ("DescribeKey", starter),
        ("CreateGrant", starter),
    ]


def test_a_key_gone_from_kms_while_enabling_is_a_describe_key_not_found(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    kms_backends[ACCOUNT][REGION].delete_key(key["KeyId"])  # gone, not pending deletion
    assert settle(firehose, "s")["FailureDescription"]["Type"] == "KMS_KEY_NOT_FOUND"
    assert seen(firehose_sse.key_events()) == [  # Firehose's check as the change ends
        ("DescribeKey", key["Arn"], STS_USER, "NotFoundException")
    ]


def test_a_key_of_another_region_is_a_describe_key_refused_at_call_time(
    immediate: FirehoseSSE, firehose: Any
) -> None:
    elsewhere = client("kms", "eu-west-1").create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s")
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        start(firehose, "s", elsewhere)
    assert seen(immediate.key_events()) == [
        ("DescribeKey", elsewhere, STS_USER, "NotFoundException")
    ]
