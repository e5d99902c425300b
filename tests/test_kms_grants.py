"""Firehose's grants on customer managed keys, seen through ``kms.list_grants`` (rules 19
and 27; issue 3 point 5)."""

from __future__ import annotations

from typing import Any

import pytest
from moto.core.model_instances import reset_model_data

from .helpers import create_stream, delete_stream, description, settle, sse
from .kms_helpers import start

CMK = "CUSTOMER_MANAGED_CMK"
FIREHOSE = "firehose.amazonaws.com"


def grants(kms: Any, key_arn: str) -> list[dict[str, Any]]:
    return list(kms.list_grants(KeyId=key_arn)["Grants"])


def encrypted_stream(firehose: Any, kms: Any, name: str, key_arn: str | None = None) -> str:
    """A stream ENABLED with a customer key (a new one unless given); the key ARN."""
    key_arn = key_arn or kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, name)
    start(firehose, name, key_arn)
    assert settle(firehose, name)["Status"] == "ENABLED"
    return key_arn


def test_grant_names_firehose_with_the_operations_it_needs(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "granted")
    start(firehose, "granted", key["Arn"])
    assert sse(firehose, "granted")["Status"] == "ENABLING"
    assert grants(kms, key["Arn"]) == []  # the grant comes with the completed enable
    settle(firehose, "granted")
    [grant] = grants(kms, key["Arn"])
    assert grant["KeyId"] in (key["KeyId"], key["Arn"])
    assert grant["GranteePrincipal"] == FIREHOSE
    assert grant["RetiringPrincipal"] == FIREHOSE
    assert {"Encrypt", "Decrypt", "GenerateDataKey"} <= set(grant["Operations"])
    assert "granted" in grant["Name"]
    # The same grant is listed by key id.
    assert grants(kms, key["KeyId"]) == [grant]


def test_one_live_grant_per_stream_sharing_a_key(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    names = ["share-1", "share-2", "share-3"]
    for name in names:
        encrypted_stream(firehose, kms, name, key_arn)
    listed = grants(kms, key_arn)
    assert len(listed) == 3
    assert len({g["GrantId"] for g in listed}) == 3
    assert sorted(n for g in listed for n in names if g["Name"].endswith(n)) == names
    # Restarting with the same key keeps one grant per stream.
    start(firehose, "share-2", key_arn)
    settle(firehose, "share-2")
    assert {g["GrantId"] for g in grants(kms, key_arn)} == {g["GrantId"] for g in listed}
    delete_stream(firehose, "share-1")
    assert len(grants(kms, key_arn)) == 2


def test_key_change_retires_the_old_grant_when_it_completes(firehose: Any, kms: Any) -> None:
    old = encrypted_stream(firehose, kms, "rotate")
    new = kms.create_key()["KeyMetadata"]["Arn"]
    start(firehose, "rotate", new)
    assert sse(firehose, "rotate")["Status"] == "ENABLING"
    assert len(grants(kms, old)) == 1  # still in force while ENABLING
    assert grants(kms, new) == []
    settle(firehose, "rotate")
    assert grants(kms, old) == []
    assert len(grants(kms, new)) == 1


def test_switch_to_aws_owned_key_retires_the_grant(firehose: Any, kms: Any) -> None:
    key_arn = encrypted_stream(firehose, kms, "to-owned")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="to-owned",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )
    assert len(grants(kms, key_arn)) == 1
    assert settle(firehose, "to-owned") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    assert grants(kms, key_arn) == []


def test_stop_retires_the_grant_once_disabled(firehose: Any, kms: Any) -> None:
    key_arn = encrypted_stream(firehose, kms, "stop")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="stop")
    assert sse(firehose, "stop")["Status"] == "DISABLING"
    assert len(grants(kms, key_arn)) == 1  # records are encrypted until DISABLED
    assert settle(firehose, "stop") == {"Status": "DISABLED"}
    assert grants(kms, key_arn) == []


def test_stop_retires_a_grant_moto_no_longer_tracks(firehose: Any, kms: Any) -> None:
    """moto forgot its list of every grant made (what its reset does): the grant still goes."""
    key_arn = encrypted_stream(firehose, kms, "stop")
    reset_model_data()
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="stop")
    assert settle(firehose, "stop") == {"Status": "DISABLED"}
    assert grants(kms, key_arn) == []


def test_delete_retires_the_grant(firehose: Any, kms: Any) -> None:
    key_arn = encrypted_stream(firehose, kms, "gone")
    firehose.delete_delivery_stream(DeliveryStreamName="gone")
    assert description(firehose, "gone")["DeliveryStreamStatus"] == "DELETING"
    assert len(grants(kms, key_arn)) == 1  # retired when the deletion ends
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        description(firehose, "gone")
    assert grants(kms, key_arn) == []


def test_delete_while_changing_key_retires_the_grant_in_force(firehose: Any, kms: Any) -> None:
    old = encrypted_stream(firehose, kms, "gone-mid")
    new = kms.create_key()["KeyMetadata"]["Arn"]
    start(firehose, "gone-mid", new)
    delete_stream(firehose, "gone-mid")
    assert grants(kms, old) == []
    assert grants(kms, new) == []


def test_grant_of_a_user_stays_when_firehose_retires_its_own(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    mine = kms.create_grant(
        KeyId=key_arn, GranteePrincipal="arn:aws:iam::123456789012:role/app", Operations=["Decrypt"]
    )["GrantId"]
    encrypted_stream(firehose, kms, "coexist", key_arn)
    assert len(grants(kms, key_arn)) == 2
    delete_stream(firehose, "coexist")
    assert [g["GrantId"] for g in grants(kms, key_arn)] == [mine]


def test_disabling_failed_keeps_the_grant(firehose_sse: Any, firehose: Any, kms: Any) -> None:
    key_arn = encrypted_stream(firehose, kms, "stuck")
    firehose_sse.fail_next_disable()
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="stuck")
    block = settle(firehose, "stuck")
    assert block["Status"] == "DISABLING_FAILED"
    assert block["KeyARN"] == key_arn
    assert len(grants(kms, key_arn)) == 1
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="stuck")
    assert settle(firehose, "stuck") == {"Status": "DISABLED"}
    assert grants(kms, key_arn) == []


def test_stop_after_a_failed_key_change_retires_the_old_grant(firehose: Any, kms: Any) -> None:
    old = encrypted_stream(firehose, kms, "failed-change")
    bad = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
    start(firehose, "failed-change", bad)
    assert settle(firehose, "failed-change")["Status"] == "ENABLING_FAILED"
    assert len(grants(kms, old)) == 1
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="failed-change")
    assert settle(firehose, "failed-change") == {"Status": "DISABLED"}
    assert grants(kms, old) == [] and grants(kms, bad) == []
