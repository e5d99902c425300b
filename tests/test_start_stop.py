"""Rules 5, 7-15: StartDeliveryStreamEncryption and StopDeliveryStreamEncryption on the
AWS-owned key path, and the refusals (each leaves the stream exactly as it was)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config

from moto_firehose_sse import FirehoseSSE

from .helpers import (
    ACCOUNT,
    client,
    create_kinesis_sourced_stream,
    create_stream,
    description,
    error_code,
    settle,
    sse,
)

AWS_OWNED = {"KeyType": "AWS_OWNED_CMK"}
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"


def refused(
    firehose: Any, name: str, call: Callable[[], Any], error: str, says: str
) -> dict[str, Any]:
    """Run ``call``, expect ``error`` with ``says`` in its message, and check the stream
    describes the same before and after (a stable status: Describe has no side effect)."""
    before = description(firehose, name)
    with pytest.raises(getattr(firehose.exceptions, error)) as info:
        call()
    assert error_code(info.value) == error
    assert says in info.value.response["Error"]["Message"]
    assert description(firehose, name) == before
    return before


def start(firehose: Any, name: str, **config: str) -> Any:
    if not config:
        return firehose.start_delivery_stream_encryption(DeliveryStreamName=name)
    return firehose.start_delivery_stream_encryption(
        DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=config
    )


def stop(firehose: Any, name: str) -> Any:
    return firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


# Start ----------------------------------------------------------------------------------


def test_start_returns_empty_then_enabling_then_enabled(firehose: Any) -> None:
    """Rule 5: Start answers {} at once; Describe shows ENABLING, then ENABLED."""
    create_stream(firehose, "s")
    response = start(firehose, "s", KeyType="AWS_OWNED_CMK")
    assert body(response) == {}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sse(firehose, "s") == {**AWS_OWNED, "Status": "ENABLING"}
    assert sse(firehose, "s") == {**AWS_OWNED, "Status": "ENABLED"}
    assert sse(firehose, "s") == {**AWS_OWNED, "Status": "ENABLED"}


def test_omitted_input_means_aws_owned_key(firehose: Any) -> None:
    """Rule 7: Start without DeliveryStreamEncryptionConfigurationInput uses AWS_OWNED_CMK
    (plain moto raises a TypeError here)."""
    create_stream(firehose, "s")
    assert body(start(firehose, "s")) == {}
    assert sse(firehose, "s") == {**AWS_OWNED, "Status": "ENABLING"}
    assert settle(firehose, "s") == {**AWS_OWNED, "Status": "ENABLED"}


@pytest.mark.parametrize(
    ("config", "says"),
    [
        (
            {"KeyType": "CUSTOMER_MANAGED_CMK"},
            "KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK",
        ),
        (
            {"KeyType": "AWS_OWNED_CMK", "KeyARN": KEY_ARN},
            "KeyARN must not be given with KeyType AWS_OWNED_CMK",
        ),
        ({"KeyType": "aws_owned_cmk"}, "KeyType 'aws_owned_cmk' is not valid"),
        ({"KeyType": ""}, "KeyType '' is not valid"),
    ],
    ids=["customer-without-arn", "aws-owned-with-arn", "lowercase-type", "empty-type"],
)
@pytest.mark.parametrize("status", ["DISABLED", "ENABLED"])
def test_bad_key_input_is_refused(
    firehose: Any, config: dict[str, str], says: str, status: str
) -> None:
    """Rule 8 and the KeyType enum: InvalidArgumentException, stream unchanged."""
    create_stream(firehose, "s")
    if status == "ENABLED":
        start(firehose, "s")
        settle(firehose, "s")
    before = refused(
        firehose, "s", lambda: start(firehose, "s", **config), "InvalidArgumentException", says
    )
    assert before["DeliveryStreamEncryptionConfiguration"]["Status"] == status


def test_start_and_stop_only_on_direct_put(firehose: Any) -> None:
    """Rule 9: Start and Stop on a KinesisStreamAsSource stream -> InvalidArgumentException."""
    create_kinesis_sourced_stream(firehose, "k")
    says = "can only be started or stopped on a DirectPut stream"
    refused(firehose, "k", lambda: start(firehose, "k"), "InvalidArgumentException", says)
    refused(firehose, "k", lambda: stop(firehose, "k"), "InvalidArgumentException", says)
    before = refused(
        firehose,
        "k",
        lambda: start(firehose, "k", KeyType="AWS_OWNED_CMK"),
        "InvalidArgumentException",
        says,
    )
    assert "DeliveryStreamEncryptionConfiguration" not in before


def test_start_while_enabled_is_allowed(firehose: Any) -> None:
    """Rule 10: Start on an ENABLED stream is accepted (it repeats or changes the key); the
    key stays in force throughout."""
    create_stream(firehose, "s")
    start(firehose, "s")
    settle(firehose, "s")
    assert body(start(firehose, "s", KeyType="AWS_OWNED_CMK")) == {}
    assert sse(firehose, "s") == {**AWS_OWNED, "Status": "ENABLING"}
    assert settle(firehose, "s") == {**AWS_OWNED, "Status": "ENABLED"}


def test_failed_key_change_keeps_the_old_key(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    """Rule 10: a key change that fails ends ENABLING_FAILED with the old key still shown
    and still encrypting records."""
    create_stream(firehose, "s")
    start(firehose, "s")
    settle(firehose, "s")
    firehose_sse.fail_next_enable("UNKNOWN_ERROR", "Injected failure.")
    start(firehose, "s")
    failure = {"Type": "UNKNOWN_ERROR", "Details": "Injected failure."}
    assert settle(firehose, "s") == {
        **AWS_OWNED,
        "Status": "ENABLING_FAILED",
        "FailureDescription": failure,
    }
    put = firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
    assert put["Encrypted"] is True


def test_start_again_after_enabling_failed(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    """Rule 11: from ENABLING_FAILED (never encrypted before), Start may be called again;
    the failure is cleared."""
    create_stream(firehose, "s")
    firehose_sse.fail_next_enable("CREATE_KMS_GRANT_FAILED")
    start(firehose, "s")
    failed = settle(firehose, "s")
    assert failed["Status"] == "ENABLING_FAILED"
    assert failed["KeyType"] == "AWS_OWNED_CMK"
    assert failed["FailureDescription"]["Type"] == "CREATE_KMS_GRANT_FAILED"
    assert "6 hours" in failed["FailureDescription"]["Details"]
    assert firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["Encrypted"] is False
    start(firehose, "s")
    assert sse(firehose, "s") == {**AWS_OWNED, "Status": "ENABLING"}
    assert settle(firehose, "s") == {**AWS_OWNED, "Status": "ENABLED"}


def test_stop_after_enabling_failed_from_disabled(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    """Stop from ENABLING_FAILED (no key in force) goes through DISABLING to a bare DISABLED."""
    create_stream(firehose, "s")
    firehose_sse.fail_next_enable("UNKNOWN_ERROR")
    start(firehose, "s")
    settle(firehose, "s")
    stop(firehose, "s")
    assert sse(firehose, "s") == {"Status": "DISABLING"}
    assert settle(firehose, "s") == {"Status": "DISABLED"}


@pytest.mark.parametrize("operation", ["start", "stop"])
@pytest.mark.parametrize("transition", ["ENABLING", "DISABLING"])
def test_start_or_stop_during_a_transition_is_refused(
    firehose: Any, firehose_sse: FirehoseSSE, operation: str, transition: str
) -> None:
    """Rule 12: Start or Stop while ENABLING or DISABLING -> ResourceInUseException; the
    transition goes on as if the call had not been made."""
    firehose_sse.set_transition({"progression": "manual", "times": 3})
    create_stream(firehose, "s")
    start(firehose, "s")
    if transition == "DISABLING":
        settle(firehose, "s")
        stop(firehose, "s")
    call = (lambda: start(firehose, "s")) if operation == "start" else (lambda: stop(firehose, "s"))
    with pytest.raises(firehose.exceptions.ResourceInUseException) as info:
        call()
    message = info.value.response["Error"]["Message"]
    assert f"has encryption status {transition}" in message
    # Three describes show the in-between status, exactly as without the refused call.
    shown = [sse(firehose, "s") for _ in range(4)]
    final = (
        {**AWS_OWNED, "Status": "ENABLED"} if transition == "ENABLING" else {"Status": "DISABLED"}
    )
    assert shown == [{**AWS_OWNED, "Status": transition}] * 3 + [final]


# Unknown streams, regions and names ------------------------------------------------------


@pytest.mark.parametrize("operation", ["start", "stop"])
def test_unknown_stream_is_not_found(firehose: Any, operation: str) -> None:
    """Rule 13: ResourceNotFoundException with AWS's message template."""
    call = start if operation == "start" else stop
    with pytest.raises(firehose.exceptions.ResourceNotFoundException) as info:
        call(firehose, "missing")
    assert info.value.response["Error"]["Message"] == (
        f"Firehose missing under account {ACCOUNT} not found."
    )


@pytest.mark.parametrize("operation", ["start", "stop"])
def test_stream_of_another_region_is_not_found(firehose: Any, operation: str) -> None:
    """Rule 13: streams are per region; the other region's stream is untouched."""
    create_stream(firehose, "s")
    elsewhere = client("firehose", "eu-west-1")
    call = start if operation == "start" else stop
    with pytest.raises(elsewhere.exceptions.ResourceNotFoundException) as info:
        call(elsewhere, "s")
    assert (
        info.value.response["Error"]["Message"] == f"Firehose s under account {ACCOUNT} not found."
    )
    assert sse(firehose, "s") == {"Status": "DISABLED"}


@pytest.mark.parametrize("operation", ["start", "stop"])
def test_stream_of_another_account_is_not_found(
    firehose: Any, operation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rule 13: streams are per account (moto takes the account from MOTO_ACCOUNT_ID)."""
    create_stream(firehose, "s")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "210987654321")
    other = client("firehose")
    call = start if operation == "start" else stop
    with pytest.raises(other.exceptions.ResourceNotFoundException) as info:
        call(other, "s")
    assert (
        info.value.response["Error"]["Message"]
        == "Firehose s under account 210987654321 not found."
    )
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    assert sse(firehose, "s") == {"Status": "DISABLED"}


@pytest.mark.parametrize("name", ["has space", "a/b", "x" * 65, "émoji", "semi;colon"])
@pytest.mark.parametrize("operation", ["start", "stop"])
def test_names_breaking_the_pattern_are_invalid(firehose: Any, name: str, operation: str) -> None:
    """Names outside [a-zA-Z0-9_.-]{1,64} -> InvalidArgumentException (a validation message)."""
    create_stream(firehose, "s")
    call = start if operation == "start" else stop
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as info:
        call(firehose, name)
    message = info.value.response["Error"]["Message"]
    assert message.startswith("1 validation error detected")
    assert "deliveryStreamName" in message
    assert sse(firehose, "s") == {"Status": "DISABLED"}


def test_empty_name_is_invalid_on_the_wire(firehose_sse: FirehoseSSE) -> None:
    """botocore refuses an empty name client-side; without that check the mock does too."""
    unchecked = boto3.client(
        "firehose",
        region_name="us-east-1",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    for call in (start, stop):
        with pytest.raises(unchecked.exceptions.InvalidArgumentException):
            call(unchecked, "")


# Stop -----------------------------------------------------------------------------------


def test_stop_is_asynchronous(firehose: Any) -> None:
    """Rule 14: Stop answers {} at once; DISABLING (key still shown), then DISABLED."""
    create_stream(firehose, "s")
    start(firehose, "s")
    settle(firehose, "s")
    assert body(stop(firehose, "s")) == {}
    assert sse(firehose, "s") == {**AWS_OWNED, "Status": "DISABLING"}
    assert sse(firehose, "s") == {"Status": "DISABLED"}


def test_stop_on_disabled_stream_is_a_no_op(firehose: Any) -> None:
    """Rule 15: Stop on a never-encrypted stream succeeds and changes nothing (plain moto
    raises a TypeError here)."""
    create_stream(firehose, "s")
    before = description(firehose, "s")
    assert body(stop(firehose, "s")) == {}
    assert description(firehose, "s") == before
    assert before["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}


def test_stop_that_fails_keeps_the_key(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    """Rule 14: DISABLING_FAILED keeps the key in force; Stop may be tried again."""
    create_stream(firehose, "s")
    start(firehose, "s")
    settle(firehose, "s")
    firehose_sse.fail_next_disable()
    stop(firehose, "s")
    failed = settle(firehose, "s")
    assert failed == {
        **AWS_OWNED,
        "Status": "DISABLING_FAILED",
        "FailureDescription": {
            "Type": "RETIRE_KMS_GRANT_FAILED",
            "Details": "Firehose could not retire its grant on the KMS key.",
        },
    }
    assert firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["Encrypted"] is True
    stop(firehose, "s")
    assert settle(firehose, "s") == {"Status": "DISABLED"}


def test_faults_can_target_one_stream(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    """A fault for one stream is not consumed by another stream's enable."""
    create_stream(firehose, "a")
    create_stream(firehose, "b")
    firehose_sse.fail_next_enable("UNKNOWN_ERROR", stream_name="b")
    start(firehose, "a")
    assert settle(firehose, "a")["Status"] == "ENABLED"
    assert len(firehose_sse.pending_faults) == 1
    start(firehose, "b")
    assert settle(firehose, "b")["Status"] == "ENABLING_FAILED"
    assert firehose_sse.pending_faults == ()
