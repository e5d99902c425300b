"""At most ``max_streams_per_key`` streams (500 on AWS) per customer managed key (rule 20;
issue 3 point 6)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import ACCOUNT, REGION, create_stream, delete_stream, error_code, settle, sse
from .kms_helpers import OTHER_ACCOUNT, cmk, other_account_client, sharing_policy, start

CMK = "CUSTOMER_MANAGED_CMK"
two_per_key = pytest.mark.firehose_sse(max_streams_per_key=2)


def assert_start_over_limit(firehose: Any, name: str, key_arn: str) -> None:
    before = sse(firehose, name)
    with pytest.raises(firehose.exceptions.LimitExceededException) as caught:
        start(firehose, name, key_arn)
    assert key_arn in caught.value.response["Error"]["Message"]
    assert sse(firehose, name) == before


def using(firehose: Any, key_arn: str, *names: str) -> None:
    """Streams ``names``, each ENABLED with ``key_arn``."""
    for name in names:
        create_stream(firehose, name)
        start(firehose, name, key_arn)
        assert settle(firehose, name)["Status"] == "ENABLED"


@two_per_key
def test_create_over_the_key_limit_is_refused(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    for name in ("c1", "c2"):
        create_stream(firehose, name, DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    with pytest.raises(firehose.exceptions.LimitExceededException) as caught:
        create_stream(firehose, "c3", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert error_code(caught.value) == "LimitExceededException"
    assert "c3" not in firehose.list_delivery_streams()["DeliveryStreamNames"]
    # Another key, and no key, are still fine.
    other = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "c3", DeliveryStreamEncryptionConfigurationInput=cmk(other))
    create_stream(firehose, "c4")
    assert len(kms.list_grants(KeyId=key_arn)["Grants"]) == 2


@two_per_key
def test_start_over_the_key_limit_is_refused(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    using(firehose, key_arn, "s1", "s2")
    create_stream(firehose, "s3")
    assert_start_over_limit(firehose, "s3", key_arn)
    # A stream already using the key may restart with it.
    start(firehose, "s1", key_arn)
    assert settle(firehose, "s1")["Status"] == "ENABLED"


@two_per_key
def test_key_and_alias_arns_count_as_one_key(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/counted", TargetKeyId=key["KeyId"])
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/counted"
    using(firehose, key["Arn"], "k1")
    using(firehose, alias_arn, "k2")
    create_stream(firehose, "k3")
    assert_start_over_limit(firehose, "k3", key["Arn"])
    assert_start_over_limit(firehose, "k3", alias_arn)


@two_per_key
def test_enabling_holds_a_slot_and_a_failed_enable_frees_it(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    for name in ("e1", "e2", "e3"):
        create_stream(firehose, name)
    start(firehose, "e1", key["Arn"])
    start(firehose, "e2", key["Arn"])
    assert_start_over_limit(firehose, "e3", key["Arn"])  # two ENABLING streams hold the key
    assert settle(firehose, "e1")["Status"] == "ENABLING_FAILED"
    kms.enable_key(KeyId=key["KeyId"])
    start(firehose, "e3", key["Arn"])
    assert settle(firehose, "e3")["Status"] == "ENABLED"


@two_per_key
def test_stop_frees_a_slot_once_disabled(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    using(firehose, key_arn, "p1", "p2")
    create_stream(firehose, "p3")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="p1")
    assert sse(firehose, "p1")["Status"] == "DISABLING"
    assert_start_over_limit(firehose, "p3", key_arn)
    assert settle(firehose, "p1") == {"Status": "DISABLED"}
    start(firehose, "p3", key_arn)
    assert settle(firehose, "p3")["Status"] == "ENABLED"


@two_per_key
def test_key_change_frees_a_slot_once_complete(firehose: Any, kms: Any) -> None:
    key_a = kms.create_key()["KeyMetadata"]["Arn"]
    key_b = kms.create_key()["KeyMetadata"]["Arn"]
    using(firehose, key_a, "r1", "r2")
    create_stream(firehose, "r3")
    start(firehose, "r1", key_b)
    assert sse(firehose, "r1")["Status"] == "ENABLING"
    assert_start_over_limit(firehose, "r3", key_a)  # r1 still encrypts with A
    assert settle(firehose, "r1")["KeyARN"] == key_b
    start(firehose, "r3", key_a)
    assert settle(firehose, "r3")["Status"] == "ENABLED"


@two_per_key
def test_delete_frees_a_slot(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    using(firehose, key_arn, "d1", "d2")
    delete_stream(firehose, "d1")
    create_stream(firehose, "d3", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert sse(firehose, "d3") == {**cmk(key_arn), "Status": "ENABLED"}


@two_per_key
def test_streams_of_every_account_count_against_a_shared_key(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key(Policy=sharing_policy(ACCOUNT, OTHER_ACCOUNT))["KeyMetadata"]["Arn"]
    other_firehose = other_account_client("firehose")
    using(other_firehose, key_arn, "theirs")
    assert (
        ":111122223333:"
        in other_firehose.describe_delivery_stream(DeliveryStreamName="theirs")[
            "DeliveryStreamDescription"
        ]["DeliveryStreamARN"]
    )
    using(firehose, key_arn, "mine")
    create_stream(firehose, "mine-too")
    assert_start_over_limit(firehose, "mine-too", key_arn)


@pytest.mark.firehose_sse(max_streams_per_region=510)
def test_the_501st_stream_with_one_key_is_refused(firehose: Any, kms: Any) -> None:
    """AWS's real figure: 500 streams per key fit in one region, the 501st is refused."""
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    for index in range(500):
        create_stream(
            firehose, f"n{index}", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn)
        )
    assert len(kms.list_grants(KeyId=key_arn)["Grants"]) == 500
    with pytest.raises(firehose.exceptions.LimitExceededException):
        create_stream(firehose, "n500", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    create_stream(firehose, "n500")
    assert_start_over_limit(firehose, "n500", key_arn)
    delete_stream(firehose, "n0")
    start(firehose, "n500", key_arn)
    assert settle(firehose, "n500")["Status"] == "ENABLED"
