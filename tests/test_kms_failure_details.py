"""The FailureDescription of an enable that ends ENABLING_FAILED, word for word (rule 18)."""

from __future__ import annotations

from typing import Any

from moto.kms.models import kms_backends

from .helpers import ACCOUNT, REGION, create_stream, settle, sse
from .kms_helpers import start


def test_key_deleted_while_enabling_fails_with_kms_key_not_found(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    assert sse(firehose, "s")["Status"] == "ENABLING"
    kms_backends[ACCOUNT][REGION].delete_key(key["KeyId"])
    assert settle(firehose, "s") == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": key["Arn"],
        "Status": "ENABLING_FAILED",
        "FailureDescription": {
            "Type": "KMS_KEY_NOT_FOUND",
            "Details": f"KMS key {key['Arn']} does not exist.",
        },
    }


def test_hmac_key_fails_saying_which_key_firehose_needs(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"][
        "Arn"
    ]
    create_stream(firehose, "s")
    start(firehose, "s", key_arn)
    assert settle(firehose, "s")["FailureDescription"] == {
        "Type": "INVALID_KMS_KEY",
        "Details": f"KMS key {key_arn} is a HMAC_256 key for GENERATE_VERIFY_MAC; Firehose "
        "needs a symmetric ENCRYPT_DECRYPT key.",
    }


def test_disabled_key_details_name_the_key_and_its_state(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    assert settle(firehose, "s")["FailureDescription"] == {
        "Type": "DISABLED_KMS_KEY",
        "Details": f"KMS key {key['Arn']} is Disabled.",
    }
