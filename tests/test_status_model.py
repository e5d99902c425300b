"""Rules 1-4: the shape of DeliveryStreamEncryptionConfiguration in DescribeDeliveryStream,
and CreateDeliveryStream with an AWS-owned encryption input (rules 9 and 26, AWS-owned path)."""

from __future__ import annotations

from typing import Any

import pytest

from moto_firehose_sse import FirehoseSSE

from .helpers import (
    BUCKET_ARN,
    ROLE_ARN,
    create_kinesis_sourced_stream,
    create_stream,
    description,
    error_code,
    settle,
    sse,
)

STATUSES = {"ENABLED", "ENABLING", "ENABLING_FAILED", "DISABLED", "DISABLING", "DISABLING_FAILED"}
AWS_OWNED = {"KeyType": "AWS_OWNED_CMK"}


def test_block_members_are_the_modelled_ones(firehose: Any) -> None:
    """Rule 1: the block's members and statuses are those of botocore's model."""
    shape = firehose.meta.service_model.shape_for("DeliveryStreamEncryptionConfiguration")
    assert set(shape.members) == {"KeyARN", "KeyType", "Status", "FailureDescription"}
    assert set(shape.members["Status"].enum) == STATUSES
    create_stream(firehose, "members")
    seen = [sse(firehose, "members")]
    firehose.start_delivery_stream_encryption(DeliveryStreamName="members")
    seen += [sse(firehose, "members"), sse(firehose, "members")]
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="members")
    seen += [sse(firehose, "members"), sse(firehose, "members")]
    assert [block["Status"] for block in seen if block] == [
        "DISABLED",
        "ENABLING",
        "ENABLED",
        "DISABLING",
        "DISABLED",
    ]
    for block in seen:
        assert block is not None
        assert set(block) <= set(shape.members)


def test_never_encrypted_direct_put_stream_shows_only_disabled(firehose: Any) -> None:
    """Rule 2: a DirectPut stream that never had SSE describes as {"Status": "DISABLED"}."""
    create_stream(firehose, "plain")
    assert sse(firehose, "plain") == {"Status": "DISABLED"}
    assert "FailureDescription" not in description(firehose, "plain")


def test_kinesis_sourced_stream_has_no_encryption_block(firehose: Any) -> None:
    """Rule 2: a KinesisStreamAsSource stream has no encryption block at all."""
    create_kinesis_sourced_stream(firehose, "from-kinesis")
    desc = description(firehose, "from-kinesis")
    assert desc["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert "DeliveryStreamEncryptionConfiguration" not in desc


def test_aws_owned_key_shows_no_key_arn(firehose: Any) -> None:
    """Rule 3: with AWS_OWNED_CMK, Describe shows KeyType but never a KeyARN."""
    create_stream(firehose, "owned")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="owned",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )
    enabling = sse(firehose, "owned")
    assert enabling == {**AWS_OWNED, "Status": "ENABLING"}
    assert settle(firehose, "owned") == {**AWS_OWNED, "Status": "ENABLED"}


def test_after_stop_the_key_fields_are_gone(firehose: Any) -> None:
    """Rule 4: after Stop the status is DISABLED and KeyType/KeyARN are dropped."""
    create_stream(firehose, "stopped")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="stopped")
    settle(firehose, "stopped")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="stopped")
    assert sse(firehose, "stopped") == {**AWS_OWNED, "Status": "DISABLING"}
    assert settle(firehose, "stopped") == {"Status": "DISABLED"}


def test_describe_leaks_no_plugin_state(firehose: Any) -> None:
    """Describe carries exactly moto's members plus the shaped encryption block."""
    create_stream(firehose, "clean")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="clean")
    settle(firehose, "clean")
    shape = firehose.meta.service_model.shape_for("DeliveryStreamDescription")
    assert set(description(firehose, "clean")) <= set(shape.members)


def test_create_with_aws_owned_input_is_enabled_at_once(firehose: Any) -> None:
    """Rule 26 (AWS-owned path): Create with an encryption input gives an ACTIVE stream
    with SSE ENABLED; the first Describe already shows it."""
    create_stream(
        firehose,
        "born-encrypted",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )
    desc = description(firehose, "born-encrypted")
    assert desc["DeliveryStreamStatus"] == "ACTIVE"
    assert desc["DeliveryStreamEncryptionConfiguration"] == {**AWS_OWNED, "Status": "ENABLED"}


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({"KeyType": "CUSTOMER_MANAGED_CMK"}, "KeyARN is required"),
        (
            {
                "KeyType": "AWS_OWNED_CMK",
                "KeyARN": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
            },
            "KeyARN must not be given",
        ),
        ({"KeyType": "SOME_KEY"}, "KeyType 'SOME_KEY' is not valid"),
    ],
)
def test_create_validates_the_encryption_input_like_start(
    firehose: Any, config: dict[str, str], says: str
) -> None:
    """Rules 7-8 through Create (rule 26): a bad input refuses the Create; no stream is made."""
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as info:
        create_stream(firehose, "refused", DeliveryStreamEncryptionConfigurationInput=config)
    assert says in info.value.response["Error"]["Message"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_create_non_direct_put_with_encryption_input_is_refused(firehose: Any) -> None:
    """Rule 9: an encryption input on a non-DirectPut Create -> InvalidArgumentException."""
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as info:
        firehose.create_delivery_stream(
            DeliveryStreamName="kinesis-encrypted",
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/source",
                "RoleARN": ROLE_ARN,
            },
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
            ExtendedS3DestinationConfiguration={"RoleARN": ROLE_ARN, "BucketARN": BUCKET_ARN},
        )
    assert error_code(info.value) == "InvalidArgumentException"
    assert "only allowed for DirectPut" in info.value.response["Error"]["Message"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_create_that_fails_to_enable_is_creating_failed(
    firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    """Rule 26: a Create whose encryption fails leaves the stream CREATING_FAILED, with the
    FailureDescription at the top level and in the block; Start/Stop are then refused."""
    firehose_sse.fail_next_enable("UNKNOWN_ERROR", "Injected for the test.")
    create_stream(
        firehose, "broken", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    failure = {"Type": "UNKNOWN_ERROR", "Details": "Injected for the test."}
    desc = description(firehose, "broken")
    assert desc["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert desc["FailureDescription"] == failure
    assert desc["DeliveryStreamEncryptionConfiguration"] == {
        **AWS_OWNED,
        "Status": "ENABLING_FAILED",
        "FailureDescription": failure,
    }
    assert firehose_sse.pending_faults == ()
    for call in (
        lambda: firehose.start_delivery_stream_encryption(DeliveryStreamName="broken"),
        lambda: firehose.stop_delivery_stream_encryption(DeliveryStreamName="broken"),
    ):
        with pytest.raises(firehose.exceptions.ResourceInUseException) as info:
            call()
        assert "CREATING_FAILED, not ACTIVE" in info.value.response["Error"]["Message"]
    assert description(firehose, "broken") == desc
