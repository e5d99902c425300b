"""Faults aimed at one stream (``stream_name=``): only that stream's matching change uses them."""

from __future__ import annotations

from typing import Any

from moto_firehose_sse import Fault, FirehoseSSE

from .helpers import create_stream, settle
from .kms_helpers import cmk, start

RETIRE_DETAILS = "Firehose could not retire its grant on the KMS key."


def test_disable_fault_for_one_stream_waits_for_its_stop(
    firehose_sse: FirehoseSSE, firehose: Any
) -> None:
    for name in ("a", "b"):
        create_stream(firehose, name)
        start(firehose, name)
        settle(firehose, name)
    firehose_sse.fail_next_disable(stream_name="b")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="a")
    assert settle(firehose, "a") == {"Status": "DISABLED"}
    assert firehose_sse.pending_faults == (
        Fault("disable", "RETIRE_KMS_GRANT_FAILED", RETIRE_DETAILS, "b"),
    )
    start(firehose, "b")  # an enable of b doesn't use a disable fault
    assert settle(firehose, "b")["Status"] == "ENABLED"
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="b")
    assert settle(firehose, "b") == {
        "KeyType": "AWS_OWNED_CMK",
        "Status": "DISABLING_FAILED",
        "FailureDescription": {"Type": "RETIRE_KMS_GRANT_FAILED", "Details": RETIRE_DETAILS},
    }
    assert firehose_sse.pending_faults == ()


def test_a_fault_for_another_stream_is_passed_over(
    firehose_sse: FirehoseSSE, firehose: Any
) -> None:
    for name in ("a", "b"):
        create_stream(firehose, name)
        start(firehose, name)
        settle(firehose, name)
    firehose_sse.fail_next_disable("UNKNOWN_ERROR", "for b", stream_name="b")
    firehose_sse.fail_next_disable("SUBNET_NOT_FOUND", "for anyone")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="a")
    assert settle(firehose, "a")["FailureDescription"] == {
        "Type": "SUBNET_NOT_FOUND",
        "Details": "for anyone",
    }
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="b")
    assert settle(firehose, "b")["FailureDescription"] == {
        "Type": "UNKNOWN_ERROR",
        "Details": "for b",
    }


def test_enable_fault_for_one_stream_is_left_by_a_create_of_another(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    firehose_sse.fail_next_enable("KMS_ACCESS_DENIED", stream_name="b")
    create_stream(firehose, "a", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert settle(firehose, "a")["Status"] == "ENABLED"
    create_stream(firehose, "b", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    described = firehose.describe_delivery_stream(DeliveryStreamName="b")
    assert described["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert settle(firehose, "b")["FailureDescription"] == {
        "Type": "KMS_ACCESS_DENIED",
        "Details": "Injected failure KMS_ACCESS_DENIED.",
    }
