"""Tests of the key-rotation audit example, against moto with moto-firehose-sse."""

from __future__ import annotations

import datetime
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from moto_firehose_sse import FirehoseSSE, KeyEvent, ThreadedFirehoseSSEServer

from .key_rotation_audit import RotationAudit, audit_rotation, events_from_server

REGION = "us-east-1"
CMK = "CUSTOMER_MANAGED_CMK"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
DESTINATION = {
    "RoleARN": "arn:aws:iam::123456789012:role/firehose",
    "BucketARN": "arn:aws:s3:::bucket",
}


@pytest.fixture
def clients(firehose_sse: FirehoseSSE) -> Iterator[tuple[Any, Any]]:
    firehose_sse.set_transition({"progression": "immediate"})
    yield (
        boto3.client("firehose", region_name=REGION, config=NO_RETRIES),
        boto3.client("kms", region_name=REGION, config=NO_RETRIES),
    )


def new_key(kms: Any) -> dict[str, str]:
    return dict(kms.create_key()["KeyMetadata"])


def stream_with(firehose: Any, name: str, key_arn: str | None) -> None:
    config = {"KeyType": CMK, "KeyARN": key_arn} if key_arn else {"KeyType": "AWS_OWNED_CMK"}
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamEncryptionConfigurationInput=config,
        ExtendedS3DestinationConfiguration=DESTINATION,
    )


def rotate(firehose: Any, name: str, key_arn: str) -> None:
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=name,
        DeliveryStreamEncryptionConfigurationInput={"KeyType": CMK, "KeyARN": key_arn},
    )
    firehose.describe_delivery_stream(DeliveryStreamName=name)  # the change ends when read


def put(firehose: Any, name: str, times: int = 1) -> None:
    for _ in range(times):
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"{}"})


def test_a_clean_rotation(clients: tuple[Any, Any], firehose_sse: FirehoseSSE) -> None:
    firehose, kms = clients
    old, new = new_key(kms)["Arn"], new_key(kms)["Arn"]
    stream_with(firehose, "s", old)
    put(firehose, "s", 2)
    rotate(firehose, "s", new)
    put(firehose, "s", 3)
    audit = audit_rotation(firehose_sse.key_events(), "s", new)
    assert audit == RotationAudit(
        "s", new, rotated=True, old_key=old, old_grant_retired=True, data_keys_after={new: 3}
    )
    assert audit.problems() == []
    assert audit.summary().endswith("3 put(s) since, all under it")


def test_a_rotation_from_an_aws_owned_key_has_no_old_grant(
    clients: tuple[Any, Any], firehose_sse: FirehoseSSE
) -> None:
    firehose, kms = clients
    new = new_key(kms)["Arn"]
    stream_with(firehose, "s", None)
    rotate(firehose, "s", new)
    put(firehose, "s")
    audit = audit_rotation(firehose_sse.key_events("s"), "s", new)
    assert (audit.rotated, audit.old_key, audit.problems()) == (True, None, [])


def test_a_rotation_to_a_disabled_key_did_not_happen(
    clients: tuple[Any, Any], firehose_sse: FirehoseSSE
) -> None:
    firehose, kms = clients
    old, bad = new_key(kms)["Arn"], new_key(kms)
    kms.disable_key(KeyId=bad["KeyId"])
    stream_with(firehose, "s", old)
    rotate(firehose, "s", bad["Arn"])
    put(firehose, "s")  # still under the old key
    audit = audit_rotation(firehose_sse.key_events(), "s", bad["Arn"])
    assert not audit.rotated
    assert audit.problems() == [
        f"Firehose got no grant on {bad['Arn']}: the rotation did not happen"
    ]


def test_refusals_after_the_rotation_are_flagged(
    clients: tuple[Any, Any], firehose_sse: FirehoseSSE
) -> None:
    firehose, kms = clients
    old, new = new_key(kms)["Arn"], new_key(kms)
    stream_with(firehose, "s", old)
    rotate(firehose, "s", new["Arn"])
    kms.disable_key(KeyId=new["KeyId"])
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        put(firehose, "s")
    (problem,) = audit_rotation(firehose_sse.key_events(), "s", new["Arn"]).problems()
    assert problem.startswith(f"GenerateDataKey on {new['Arn']} refused at ")
    assert problem.endswith(": DisabledException")


def event(operation: str, key: str, minute: int) -> KeyEvent:
    arn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/s"
    data = operation in ("GenerateDataKey", "Decrypt")
    return KeyEvent(
        time=datetime.datetime(2030, 1, 1, 0, minute, tzinfo=datetime.timezone.utc),
        account="123456789012",
        region=REGION,
        stream_name="s",
        key_arn=key,
        operation=operation,  # type: ignore[arg-type]
        principal="firehose.amazonaws.com",
        encryption_context={"aws:firehose:arn": arn} if data else {},
    )


def test_old_key_use_and_an_unretired_grant_are_flagged() -> None:
    # A log an auditor should not accept: the old grant stays, and a put after the rotation
    # used the old key.
    events = [
        event("CreateGrant", "old", 0),
        event("CreateGrant", "new", 1),
        event("GenerateDataKey", "old", 2),
        event("GenerateDataKey", "new", 3),
    ]
    assert audit_rotation(events, "s", "new").problems() == [
        "the grant on the old key old was not retired",
        "1 put(s) after the rotation used old",
    ]
    assert audit_rotation(events, "other", "new").rotated is False


def test_the_audit_reads_the_servers_json_the_same() -> None:
    with ThreadedFirehoseSSEServer() as server:
        try:
            server.controller.set_transition({"progression": "immediate"})
            url = server.endpoint_url
            options: dict[str, Any] = {
                "region_name": REGION,
                "endpoint_url": url,
                "config": NO_RETRIES,
                "aws_access_key_id": "testing",
                "aws_secret_access_key": "testing",
            }
            firehose, kms = boto3.client("firehose", **options), boto3.client("kms", **options)
            old, new = new_key(kms)["Arn"], new_key(kms)["Arn"]
            stream_with(firehose, "web", old)
            rotate(firehose, "web", new)
            put(firehose, "web", 2)
            over_http = audit_rotation(events_from_server(url, "web"), "web", new)
            in_process = audit_rotation(server.controller.key_events(), "web", new)
        finally:
            server.reset()
    assert over_http == in_process
    assert over_http.problems() == [] and over_http.data_keys_after == {new: 2}


def test_runs_as_a_script_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).with_name("key_rotation_audit.py")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(path), run_name="__main__")
    assert exited.value.code == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith("orders: rotated to ") and "3 put(s) since" in out[0]
    assert out[1].startswith("payments: Firehose got no grant on ")
