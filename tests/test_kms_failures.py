"""Keys that exist but can't be used: the enable ends ENABLING_FAILED (rule 18, issue 3
point 3), and key changes that fail keep the old key (rules 10 and 11, issue 3 point 4)."""

from __future__ import annotations

from typing import Any

from moto.kms.models import kms_backends

from .helpers import ACCOUNT, REGION, create_stream, settle, sse
from .kms_helpers import key_policy, start

CMK = "CUSTOMER_MANAGED_CMK"


def failed_enable(firehose: Any, kms: Any, key_arn: str, name: str = "s") -> dict[str, Any]:
    """Create a stream, start encryption with ``key_arn``, and return the settled block."""
    create_stream(firehose, name)
    start(firehose, name, key_arn)
    assert sse(firehose, name) == {"KeyType": CMK, "KeyARN": key_arn, "Status": "ENABLING"}
    block = settle(firehose, name)
    assert block["Status"] == "ENABLING_FAILED"
    assert block["KeyType"] == CMK and block["KeyARN"] == key_arn
    assert key_arn in block["FailureDescription"]["Details"]
    # No grant for a key that could not be enabled, and records are not encrypted.
    assert kms.list_grants(KeyId=key_arn)["Grants"] == []
    assert not firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"})["Encrypted"]
    return block


def deny_policy(principal: Any, actions: dict[str, Any]) -> str:
    deny = {"Sid": "Deny", "Effect": "Deny", "Principal": principal, "Resource": "*", **actions}
    return key_policy(ACCOUNT, deny)


def test_disabled_key_fails_with_disabled_kms_key(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    block = failed_enable(firehose, kms, key["Arn"])
    assert block["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"


def test_key_pending_deletion_fails_with_invalid_kms_key(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    block = failed_enable(firehose, kms, key["Arn"])
    assert block["FailureDescription"]["Type"] == "INVALID_KMS_KEY"
    assert "PendingDeletion" in block["FailureDescription"]["Details"]


def test_key_pending_import_fails_with_invalid_kms_key(firehose: Any, kms: Any) -> None:
    # moto creates Origin=EXTERNAL keys Enabled and has no ImportKeyMaterial, so it can't
    # reach PendingImport through its API: put its key into that state directly.
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    kms_backends[ACCOUNT][REGION].keys[key["KeyId"]].key_state = "PendingImport"
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    block = failed_enable(firehose, kms, key["Arn"])
    assert block["FailureDescription"]["Type"] == "INVALID_KMS_KEY"
    assert "PendingImport" in block["FailureDescription"]["Details"]


def test_key_not_symmetric_encrypt_decrypt_fails_with_invalid_kms_key(
    firehose: Any, kms: Any
) -> None:
    kinds = [
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("RSA_2048", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ]
    for index, (spec, usage) in enumerate(kinds):
        key_arn = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["Arn"]
        block = failed_enable(firehose, kms, key_arn, name=f"kind-{index}")
        assert block["FailureDescription"]["Type"] == "INVALID_KMS_KEY"
        assert spec in block["FailureDescription"]["Details"]


def test_explicit_symmetric_encrypt_decrypt_key_is_enabled(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT")[
        "KeyMetadata"
    ]["Arn"]
    create_stream(firehose, "sym")
    start(firehose, "sym", key_arn)
    assert settle(firehose, "sym")["Status"] == "ENABLED"


DENYING = {
    "service-encrypt": ({"Service": "firehose.amazonaws.com"}, {"Action": "kms:Encrypt"}),
    "service-list": (
        {"Service": ["s3.amazonaws.com", "firehose.amazonaws.com"]},
        {"Action": ["kms:GenerateDataKey"]},
    ),
    "everyone-star": ("*", {"Action": "kms:*"}),
    "aws-star": ({"AWS": "*"}, {"Action": "kms:Decrypt"}),
    "account-root": ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, {"Action": "kms:CreateGrant"}),
    # the caller's own DescribeKey through Firehose (an account Deny of kms:Gen* stops puts
    # instead: tests/test_key_access.py)
    "account-id": ({"AWS": ACCOUNT}, {"Action": "kms:Describe*"}),
    "not-action": ({"Service": "firehose.amazonaws.com"}, {"NotAction": "kms:DescribeKey"}),
}
SPARING = {
    "other-service": ({"Service": "s3.amazonaws.com"}, {"Action": "kms:*"}),
    "other-action": ({"Service": "firehose.amazonaws.com"}, {"Action": "kms:ScheduleKeyDeletion"}),
    "other-account": ({"AWS": "arn:aws:iam::444455556666:root"}, {"Action": "kms:*"}),
    "not-action-all": ({"Service": "firehose.amazonaws.com"}, {"NotAction": "kms:*"}),
    # [ours] one IAM user or role of the account: not the principal Firehose acts as
    "one-user": ({"AWS": f"arn:aws:iam::{ACCOUNT}:user/intern"}, {"Action": "kms:*"}),
    # the condition is evaluated: Firehose's requests come through Firehose
    "conditional": (
        "*",
        {
            "Action": "kms:*",
            "Condition": {
                "StringNotEquals": {"kms:ViaService": "firehose.us-east-1.amazonaws.com"}
            },
        },
    ),
}


def test_key_policy_denying_firehose_fails_with_kms_access_denied(firehose: Any, kms: Any) -> None:
    for case, (principal, actions) in DENYING.items():
        key_arn = kms.create_key(Policy=deny_policy(principal, actions))["KeyMetadata"]["Arn"]
        block = failed_enable(firehose, kms, key_arn, name=case)
        assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED", case


def test_key_policy_deny_that_spares_firehose_is_enabled(firehose: Any, kms: Any) -> None:
    for case, (principal, actions) in SPARING.items():
        key_arn = kms.create_key(Policy=deny_policy(principal, actions))["KeyMetadata"]["Arn"]
        create_stream(firehose, case)
        start(firehose, case, key_arn)
        assert settle(firehose, case)["Status"] == "ENABLED", case


def test_key_disabled_while_enabling_fails_the_transition(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "mid")
    start(firehose, "mid", key["Arn"])
    kms.disable_key(KeyId=key["KeyId"])
    assert sse(firehose, "mid")["Status"] == "ENABLING"
    block = settle(firehose, "mid")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_key_enabled_while_enabling_lets_the_transition_succeed(firehose: Any, kms: Any) -> None:
    # [ours] the key is judged when the transition completes, as AWS does its checks then.
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    create_stream(firehose, "late")
    start(firehose, "late", key["Arn"])
    kms.enable_key(KeyId=key["KeyId"])
    assert settle(firehose, "late")["Status"] == "ENABLED"


def test_retry_after_failure_with_a_good_key_clears_the_failure(firehose: Any, kms: Any) -> None:
    bad = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=bad["KeyId"])
    failed_enable(firehose, kms, bad["Arn"], name="retry")
    good = kms.create_key()["KeyMetadata"]["Arn"]
    start(firehose, "retry", good)
    assert sse(firehose, "retry") == {"KeyType": CMK, "KeyARN": good, "Status": "ENABLING"}
    assert settle(firehose, "retry") == {"KeyType": CMK, "KeyARN": good, "Status": "ENABLED"}
    assert firehose.put_record(DeliveryStreamName="retry", Record={"Data": b"x"})["Encrypted"]


def test_retry_with_the_same_key_once_enabled_succeeds(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    failed_enable(firehose, kms, key["Arn"], name="fixed")
    kms.enable_key(KeyId=key["KeyId"])
    start(firehose, "fixed", key["Arn"])
    assert settle(firehose, "fixed") == {"KeyType": CMK, "KeyARN": key["Arn"], "Status": "ENABLED"}
    assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1


def test_failed_key_change_keeps_the_old_key_in_force(firehose: Any, kms: Any) -> None:
    key_a = kms.create_key()["KeyMetadata"]["Arn"]
    key_b = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    key_c = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "change")
    start(firehose, "change", key_a)
    settle(firehose, "change")
    grant_a = kms.list_grants(KeyId=key_a)["Grants"]
    assert len(grant_a) == 1

    start(firehose, "change", key_b)
    # [ours] during the change Describe shows the key in force (A); records stay encrypted.
    assert sse(firehose, "change") == {"KeyType": CMK, "KeyARN": key_a, "Status": "ENABLING"}
    assert firehose.put_record(DeliveryStreamName="change", Record={"Data": b"x"})["Encrypted"]
    block = settle(firehose, "change")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["KeyARN"] == key_a and block["KeyType"] == CMK
    assert block["FailureDescription"]["Type"] == "INVALID_KMS_KEY"
    assert key_b in block["FailureDescription"]["Details"]
    batch = firehose.put_record_batch(DeliveryStreamName="change", Records=[{"Data": b"x"}])
    assert batch["Encrypted"] is True
    assert kms.list_grants(KeyId=key_a)["Grants"] == grant_a
    assert kms.list_grants(KeyId=key_b)["Grants"] == []

    start(firehose, "change", key_c)
    assert settle(firehose, "change") == {"KeyType": CMK, "KeyARN": key_c, "Status": "ENABLED"}
    assert kms.list_grants(KeyId=key_a)["Grants"] == []
    assert len(kms.list_grants(KeyId=key_c)["Grants"]) == 1
    assert firehose.put_record(DeliveryStreamName="change", Record={"Data": b"x"})["Encrypted"]


def test_failed_change_from_aws_owned_keeps_aws_owned(firehose: Any, kms: Any) -> None:
    bad = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=bad["KeyId"])
    create_stream(firehose, "owned")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="owned")
    settle(firehose, "owned")
    start(firehose, "owned", bad["Arn"])
    block = settle(firehose, "owned")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["KeyType"] == "AWS_OWNED_CMK" and "KeyARN" not in block
    assert block["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"
    assert firehose.put_record(DeliveryStreamName="owned", Record={"Data": b"x"})["Encrypted"]


def test_stop_after_failed_enable_clears_the_failure(firehose: Any, kms: Any) -> None:
    bad = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=bad["KeyId"])
    failed_enable(firehose, kms, bad["Arn"], name="stop")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="stop")
    assert settle(firehose, "stop") == {"Status": "DISABLED"}
