"""Puts on a stream whose customer managed key became unusable (rule 25; issue 3 point 8)."""

from __future__ import annotations

from typing import Any

import pytest
from moto.kms.models import kms_backends

from .helpers import ACCOUNT, REGION, create_stream, settle

CMK = "CUSTOMER_MANAGED_CMK"
RECORD = {"Data": b"record"}


def encrypted_stream(firehose: Any, key_arn: str, name: str = "rec") -> None:
    create_stream(firehose, name)
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=name,
        DeliveryStreamEncryptionConfigurationInput={"KeyType": CMK, "KeyARN": key_arn},
    )
    assert settle(firehose, name)["Status"] == "ENABLED"


def assert_puts_refused(firehose: Any, key_arn: str, kms_code: str, name: str = "rec") -> None:
    """PutRecord and PutRecordBatch both fail with InvalidKMSResourceException ``kms_code``."""
    calls = (
        lambda: firehose.put_record(DeliveryStreamName=name, Record=RECORD),
        lambda: firehose.put_record_batch(DeliveryStreamName=name, Records=[RECORD, RECORD]),
    )
    for call in calls:
        with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
            call()
        assert caught.value.response["code"] == kms_code
        assert key_arn in caught.value.response["Error"]["Message"]


def assert_puts_encrypted(firehose: Any, name: str = "rec") -> None:
    assert firehose.put_record(DeliveryStreamName=name, Record=RECORD)["Encrypted"] is True
    batch = firehose.put_record_batch(DeliveryStreamName=name, Records=[RECORD])
    assert batch["Encrypted"] is True and batch["FailedPutCount"] == 0


def test_disabled_key_refuses_puts_until_enabled_again(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    encrypted_stream(firehose, key["Arn"])
    assert_puts_encrypted(firehose)
    kms.disable_key(KeyId=key["KeyId"])
    assert_puts_refused(firehose, key["Arn"], "KMS.DisabledException")
    # The stream itself is unchanged: still ENABLED with the key, its grant in place.
    assert settle(firehose, "rec") == {"KeyType": CMK, "KeyARN": key["Arn"], "Status": "ENABLED"}
    assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1
    kms.enable_key(KeyId=key["KeyId"])
    assert_puts_encrypted(firehose)


def test_key_pending_deletion_refuses_puts(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    encrypted_stream(firehose, key["Arn"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert_puts_refused(firehose, key["Arn"], "KMS.InvalidStateException")
    kms.cancel_key_deletion(KeyId=key["KeyId"])  # KMS leaves a cancelled key Disabled
    assert_puts_refused(firehose, key["Arn"], "KMS.DisabledException")
    kms.enable_key(KeyId=key["KeyId"])
    assert_puts_encrypted(firehose)


def test_deleted_key_refuses_puts_with_not_found(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    key_arn = key["Arn"]
    encrypted_stream(firehose, key_arn)
    assert_puts_encrypted(firehose)
    # KMS deletes a key when its deletion window ends; moto never does, and has no API for it
    # (only a CloudFormation stack deletion, which is slow to import): delete it as that does.
    kms_backends[ACCOUNT][REGION].delete_key(key["KeyId"])
    assert kms.list_keys()["Keys"] == []
    assert_puts_refused(firehose, key_arn, "KMS.NotFoundException")
    # Stop still works, and the stream takes plain records again.
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="rec")
    assert settle(firehose, "rec") == {"Status": "DISABLED"}
    assert firehose.put_record(DeliveryStreamName="rec", Record=RECORD)["Encrypted"] is False


def test_puts_refused_while_disabling_then_plain_once_disabled(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    encrypted_stream(firehose, key["Arn"])
    kms.disable_key(KeyId=key["KeyId"])
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="rec")
    # Records are encrypted (with the disabled key) until DISABLED.
    assert_puts_refused(firehose, key["Arn"], "KMS.DisabledException")
    assert settle(firehose, "rec") == {"Status": "DISABLED"}
    assert firehose.put_record(DeliveryStreamName="rec", Record=RECORD)["Encrypted"] is False


def test_unusable_key_being_enabled_does_not_block_plain_puts(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    create_stream(firehose, "plain")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="plain",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": CMK, "KeyARN": key["Arn"]},
    )
    put = firehose.put_record(DeliveryStreamName="plain", Record=RECORD)  # while ENABLING
    assert put["Encrypted"] is False
    assert settle(firehose, "plain")["Status"] == "ENABLING_FAILED"
    assert firehose.put_record(DeliveryStreamName="plain", Record=RECORD)["Encrypted"] is False


def test_disabled_new_key_does_not_block_puts_with_the_old_one(firehose: Any, kms: Any) -> None:
    old = kms.create_key()["KeyMetadata"]["Arn"]
    new = kms.create_key()["KeyMetadata"]
    encrypted_stream(firehose, old)
    kms.disable_key(KeyId=new["KeyId"])
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="rec",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": CMK, "KeyARN": new["Arn"]},
    )
    assert_puts_encrypted(firehose)
    assert settle(firehose, "rec")["Status"] == "ENABLING_FAILED"
    assert_puts_encrypted(firehose)


def test_other_streams_are_not_affected(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    other = kms.create_key()["KeyMetadata"]["Arn"]
    encrypted_stream(firehose, key["Arn"], "affected")
    encrypted_stream(firehose, other, "other-key")
    create_stream(firehose, "owned")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="owned")
    settle(firehose, "owned")
    kms.disable_key(KeyId=key["KeyId"])
    assert_puts_refused(firehose, key["Arn"], "KMS.DisabledException", name="affected")
    assert_puts_encrypted(firehose, "other-key")
    assert_puts_encrypted(firehose, "owned")
