"""CreateDeliveryStream with a customer managed key, and DeleteDeliveryStream (rules 26 and
27; issue 3 point 7)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import (
    ACCOUNT,
    REGION,
    create_stream,
    delete_stream,
    description,
    error_code,
    settle,
    sse,
)
from .kms_helpers import cmk

CMK = "CUSTOMER_MANAGED_CMK"


def test_create_with_a_good_key_is_active_and_enabled(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "good", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    stream = description(firehose, "good")
    assert stream["DeliveryStreamStatus"] == "ACTIVE"
    assert stream["DeliveryStreamEncryptionConfiguration"] == {**cmk(key_arn), "Status": "ENABLED"}
    assert "FailureDescription" not in stream
    [grant] = kms.list_grants(KeyId=key_arn)["Grants"]
    assert grant["GranteePrincipal"] == "firehose.amazonaws.com"
    assert firehose.put_record(DeliveryStreamName="good", Record={"Data": b"x"})["Encrypted"]


def test_create_with_an_alias_arn(firehose: Any, kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/create", TargetKeyId=key_id)
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/create"
    create_stream(firehose, "aliased", DeliveryStreamEncryptionConfigurationInput=cmk(alias_arn))
    assert sse(firehose, "aliased") == {**cmk(alias_arn), "Status": "ENABLED"}
    assert len(kms.list_grants(KeyId=key_id)["Grants"]) == 1


@pytest.mark.parametrize(
    ("key_arn", "kms_code"),
    [
        (
            f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "KMS.NotFoundException",
        ),
        (f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/none", "KMS.NotFoundException"),
        (
            f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "KMS.NotFoundException",
        ),
    ],
)
def test_create_with_a_missing_key_is_refused(firehose: Any, key_arn: str, kms_code: str) -> None:
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
        create_stream(firehose, "missing", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert caught.value.response["code"] == kms_code
    assert key_arn in caught.value.response["Error"]["Message"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_create_with_a_malformed_key_arn_is_invalid_argument(firehose: Any) -> None:
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        create_stream(
            firehose, "bad", DeliveryStreamEncryptionConfigurationInput=cmk("arn:aws:s3:::b")
        )
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def unusable_stream(firehose: Any, kms: Any) -> tuple[str, dict[str, Any]]:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    create_stream(firehose, "broken", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    return key["Arn"], description(firehose, "broken")


def test_create_with_an_unusable_key_is_creating_failed(firehose: Any, kms: Any) -> None:
    key_arn, stream = unusable_stream(firehose, kms)
    assert stream["DeliveryStreamStatus"] == "CREATING_FAILED"
    failure = stream["FailureDescription"]
    assert failure["Type"] == "DISABLED_KMS_KEY"
    assert key_arn in failure["Details"]
    assert stream["DeliveryStreamEncryptionConfiguration"] == {
        **cmk(key_arn),
        "Status": "ENABLING_FAILED",
        "FailureDescription": failure,
    }
    assert kms.list_grants(KeyId=key_arn)["Grants"] == []
    # Describe is stable: no transition is under way.
    assert description(firehose, "broken") == stream


@pytest.mark.parametrize(
    "make_key",
    [
        pytest.param(
            lambda kms: kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT"),
            id="asymmetric",
        ),
        pytest.param(
            lambda kms: kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"),
            id="hmac",
        ),
    ],
)
def test_create_with_a_wrong_kind_of_key_is_creating_failed(
    firehose: Any, kms: Any, make_key: Any
) -> None:
    key_arn = make_key(kms)["KeyMetadata"]["Arn"]
    create_stream(firehose, "wrong", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    stream = description(firehose, "wrong")
    assert stream["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert stream["FailureDescription"]["Type"] == "INVALID_KMS_KEY"


def test_creating_failed_stream_refuses_start_stop_and_puts(firehose: Any, kms: Any) -> None:
    key_arn, _ = unusable_stream(firehose, kms)
    good = kms.create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(firehose.exceptions.ResourceInUseException):
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="broken", DeliveryStreamEncryptionConfigurationInput=cmk(good)
        )
    with pytest.raises(firehose.exceptions.ResourceInUseException):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="broken")
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.put_record(DeliveryStreamName="broken", Record={"Data": b"x"})
    assert sse(firehose, "broken")["KeyARN"] == key_arn  # nothing changed


def test_creating_failed_stream_can_be_deleted_and_created_again(firehose: Any, kms: Any) -> None:
    unusable_stream(firehose, kms)
    assert delete_stream(firehose, "broken") == ["DELETING"]
    good = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "broken", DeliveryStreamEncryptionConfigurationInput=cmk(good))
    stream = description(firehose, "broken")
    assert stream["DeliveryStreamStatus"] == "ACTIVE"
    assert "FailureDescription" not in stream
    assert stream["DeliveryStreamEncryptionConfiguration"] == {**cmk(good), "Status": "ENABLED"}


def test_create_with_a_key_policy_denying_firehose_is_creating_failed(
    firehose: Any, kms: Any
) -> None:
    policy = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": '
        '{"Service": "firehose.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}]}'
    )
    key_arn = kms.create_key(Policy=policy)["KeyMetadata"]["Arn"]
    create_stream(firehose, "denied", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    stream = description(firehose, "denied")
    assert stream["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert stream["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"


def test_delete_of_an_encrypted_stream_retires_its_grant(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "short", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert delete_stream(firehose, "short") == ["DELETING"]
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    with pytest.raises(firehose.exceptions.ResourceNotFoundException) as caught:
        firehose.delete_delivery_stream(DeliveryStreamName="short")
    assert error_code(caught.value) == "ResourceNotFoundException"


def test_create_with_aws_owned_key_and_no_grant(firehose: Any) -> None:
    create_stream(
        firehose, "owned", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    assert settle(firehose, "owned") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
