"""Streams plain moto made before the plugin joined a running ``mock_aws``: their encryption
as the plugin takes it over."""

from __future__ import annotations

import json
from typing import Any

import moto
import pytest

from moto_firehose_sse import mock_firehose_sse

from .helpers import ACCOUNT, BUCKET_ARN, REGION, ROLE_ARN, client, create_stream, settle, sse
from .kms_helpers import cmk

DISABLED = {"Status": "DISABLED"}


def test_stream_plain_moto_encrypted_with_a_customer_key_keeps_it() -> None:
    with moto.mock_aws():
        firehose, kms = client("firehose"), client("kms")
        key_arn = kms.create_key()["KeyMetadata"]["Arn"]
        create_stream(firehose, "cmk")
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="cmk", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn)
        )
        with mock_firehose_sse():
            assert sse(firehose, "cmk") == {
                "KeyType": "CUSTOMER_MANAGED_CMK",
                "KeyARN": key_arn,
                "Status": "ENABLED",
            }
            # the key resolved in the stream's account: the plugin made Firehose's grant
            grants = kms.list_grants(KeyId=key_arn)["Grants"]
            assert [g["Name"] for g in grants] == ["firehose-sse-cmk"]
            put = firehose.put_record(DeliveryStreamName="cmk", Record={"Data": b"x"})
            assert put["Encrypted"] is True
            firehose.stop_delivery_stream_encryption(DeliveryStreamName="cmk")
            assert settle(firehose, "cmk") == DISABLED
            assert kms.list_grants(KeyId=key_arn)["Grants"] == []


def test_stream_plain_moto_stopped_is_disabled() -> None:
    with moto.mock_aws():
        firehose = client("firehose")
        create_stream(firehose, "stopped")
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="stopped",
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
        )
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="stopped")
        # plain moto keeps the key type with the DISABLED status
        assert sse(firehose, "stopped") == {"KeyType": "AWS_OWNED_CMK", "Status": "DISABLED"}
        with mock_firehose_sse():
            assert sse(firehose, "stopped") == DISABLED
            put = firehose.put_record(DeliveryStreamName="stopped", Record={"Data": b"x"})
            assert put["Encrypted"] is False


def test_aws_owned_stream_plain_moto_took_a_key_arn_for_shows_none() -> None:
    with moto.mock_aws():
        firehose = client("firehose")
        create_stream(firehose, "owned")
        # plain moto stores the input as given, a key ARN with AWS_OWNED_CMK included
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="owned",
            DeliveryStreamEncryptionConfigurationInput={
                "KeyType": "AWS_OWNED_CMK",
                "KeyARN": "arn:aws:kms:us-east-1:123456789012:key/made-up",
            },
        )
        with mock_firehose_sse():
            assert sse(firehose, "owned") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}


def test_a_stream_plain_moto_makes_while_the_plugin_is_on_is_taken_over() -> None:
    """A stream made by moto's own code meanwhile (its base class, bypassing the plugin's rules)
    gets its encryption state at its first call: DISABLED, and Start works on it."""
    with mock_firehose_sse():
        firehose, kms = client("firehose"), client("kms")
        _made_by_moto_s_code("raw")
        assert sse(firehose, "raw") == DISABLED
        key_arn = kms.create_key()["KeyMetadata"]["Arn"]
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="raw", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn)
        )
        assert settle(firehose, "raw") == {
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": key_arn,
            "Status": "ENABLED",
        }


def _made_by_moto_s_code(name: str, region: str = REGION, **kwargs: Any) -> None:
    """A DirectPut stream made by moto's own Firehose code, bypassing the plugin's rules."""
    import inspect

    from moto.firehose.models import FirehoseBackend, firehose_backends

    backend = firehose_backends[ACCOUNT][region]
    names = list(inspect.signature(FirehoseBackend.create_delivery_stream).parameters)[1:]
    args: dict[str, Any] = dict.fromkeys(names)
    args.update(
        region=region,
        delivery_stream_name=name,
        delivery_stream_type="DirectPut",
        extended_s3_destination_configuration={"RoleARN": ROLE_ARN, "BucketARN": BUCKET_ARN},
        **kwargs,
    )
    FirehoseBackend.create_delivery_stream(backend, *(args[n] for n in names))


def test_the_grant_of_a_stream_moto_s_code_made_is_made_by_its_first_caller() -> None:
    """A stream moto's own code made with a customer key while the plugin is on is taken over
    at its first call: the CreateGrant is logged as that call's caller (here an assumed-role
    session), as CloudTrail would name it."""
    with mock_firehose_sse() as firehose_sse:
        key_arn = client("kms").create_key()["KeyMetadata"]["Arn"]
        _made_by_moto_s_code("cmk", delivery_stream_encryption_configuration_input=cmk(key_arn))
        credentials = client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ops", RoleSessionName="first"
        )["Credentials"]
        as_role = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
        assert sse(client("firehose", **as_role), "cmk") == {
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": key_arn,
            "Status": "ENABLED",
        }
        events = [(e.operation, e.principal) for e in firehose_sse.key_events("cmk")]
        assert events == [("CreateGrant", f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/first")]


def test_the_default_caller_of_a_take_over_is_named_in_the_stream_s_partition() -> None:
    region = "cn-north-1"
    with mock_firehose_sse() as firehose_sse:
        key_arn = client("kms", region).create_key()["KeyMetadata"]["Arn"]
        assert key_arn.startswith("arn:aws-cn:kms:cn-north-1:")
        _made_by_moto_s_code(
            "cn", region, delivery_stream_encryption_configuration_input=cmk(key_arn)
        )
        assert sse(client("firehose", region), "cn")["Status"] == "ENABLED"
        events = [(e.operation, e.principal) for e in firehose_sse.key_events("cn")]
        assert events == [("CreateGrant", f"arn:aws-cn:sts::{ACCOUNT}:user/moto")]


def test_a_same_account_key_is_taken_over_whatever_its_policy_says() -> None:
    """Only another account's key is judged by its key policy when plain moto's stream is taken
    over; a key of the stream's own account gets Firehose's grant at once."""
    only_a_role = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    with moto.mock_aws():
        firehose, kms = client("firehose"), client("kms")
        key_arn = kms.create_key(Policy=json.dumps(only_a_role))["KeyMetadata"]["Arn"]
        create_stream(firehose, "cmk")
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="cmk", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn)
        )
        with mock_firehose_sse():
            grants = kms.list_grants(KeyId=key_arn)["Grants"]
            assert [g["Name"] for g in grants] == ["firehose-sse-cmk"]


def test_a_stream_taken_over_counts_toward_its_key_s_quota() -> None:
    with mock_firehose_sse(max_streams_per_key=1):
        key_arn = client("kms").create_key()["KeyMetadata"]["Arn"]
        _made_by_moto_s_code("first", delivery_stream_encryption_configuration_input=cmk(key_arn))
        firehose = client("firehose")
        assert sse(firehose, "first")["Status"] == "ENABLED"  # taken over: holds the key
        with pytest.raises(firehose.exceptions.LimitExceededException):
            create_stream(
                firehose, "second", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn)
            )
