"""Small helpers shared by the tests: clients, streams, reading the SSE block."""

from __future__ import annotations

from typing import Any

import boto3
import moto
import moto.firehose.models
from botocore.config import Config
from moto.firehose.models import DeliveryStream, FirehoseBackend
from moto.moto_api import state_manager

from moto_firehose_sse import CREATION_MODEL_NAME, DELETION_MODEL_NAME, MODEL_NAME

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/firehose"
BUCKET_ARN = "arn:aws:s3:::firehose-sse-tests"

# botocore's standard retry mode retries LimitExceededException; tests want each call once.
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
IN_TRANSITION = ("ENABLING", "DISABLING")


def client(service: str, region: str = REGION, **kwargs: Any) -> Any:
    return boto3.client(service, region_name=region, config=NO_RETRIES, **kwargs)


def create_stream(firehose: Any, name: str, **kwargs: Any) -> str:
    """A DirectPut stream with an S3 destination (unless kwargs say otherwise); its ARN."""
    if not any(k.endswith("DestinationConfiguration") for k in kwargs):
        kwargs["ExtendedS3DestinationConfiguration"] = {
            "RoleARN": ROLE_ARN,
            "BucketARN": BUCKET_ARN,
        }
    return str(
        firehose.create_delivery_stream(DeliveryStreamName=name, **kwargs)["DeliveryStreamARN"]
    )


def create_kinesis_sourced_stream(firehose: Any, name: str) -> str:
    return create_stream(
        firehose,
        name,
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={
            "KinesisStreamARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/source",
            "RoleARN": ROLE_ARN,
        },
    )


def description(firehose: Any, name: str) -> dict[str, Any]:
    return dict(
        firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    )


def sse(firehose: Any, name: str) -> dict[str, Any] | None:
    """The DeliveryStreamEncryptionConfiguration block of one Describe (None if absent)."""
    return description(firehose, name).get("DeliveryStreamEncryptionConfiguration")


def settle(firehose: Any, name: str, limit: int = 10) -> dict[str, Any]:
    """Describe until the encryption status is no longer ENABLING/DISABLING; the final block."""
    for _ in range(limit):
        block = sse(firehose, name)
        assert block is not None
        if block["Status"] not in IN_TRANSITION:
            return block
    raise AssertionError(f"{name} still in transition after {limit} describes: {block}")


def error_code(exc: Any) -> str:
    return str(exc.response["Error"]["Code"])


def delete_stream(firehose: Any, name: str, limit: int = 10, **kwargs: Any) -> list[str]:
    """DeleteDeliveryStream, then Describe until ResourceNotFoundException, as deployment tools
    do; the statuses Describe showed on the way (DELETING with the default transition)."""
    firehose.delete_delivery_stream(DeliveryStreamName=name, **kwargs)
    seen: list[str] = []
    for _ in range(limit):
        try:
            seen.append(description(firehose, name)["DeliveryStreamStatus"])
        except firehose.exceptions.ResourceNotFoundException:
            return seen
    raise AssertionError(f"{name} still there after {limit} describes: {seen}")


def assert_plain_moto() -> None:
    """moto's Firehose is exactly plain moto again (run outside any mock)."""
    assert moto.firehose.models.firehose_backends.backend is FirehoseBackend
    assert DeliveryStream.__dict__["MAX_STREAMS_PER_REGION"] == 50
    assert DeliveryStream.MAX_STREAMS_PER_REGION == 50
    for model in (MODEL_NAME, DELETION_MODEL_NAME, CREATION_MODEL_NAME):
        assert model not in state_manager.get_registered_models()
        assert model not in state_manager._transitions
    with moto.mock_aws():
        firehose = client("firehose")
        create_stream(firehose, "plain")
        assert "DeliveryStreamEncryptionConfiguration" not in description(firehose, "plain")
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="plain",
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
        )
        assert sse(firehose, "plain") == {
            "KeyType": "AWS_OWNED_CMK",
            "Status": "ENABLED",
        }  # plain moto: at once
        firehose.delete_delivery_stream(DeliveryStreamName="plain")  # at once too
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
        for backend in moto.firehose.models.firehose_backends["123456789012"].values():
            assert type(backend) is FirehoseBackend
