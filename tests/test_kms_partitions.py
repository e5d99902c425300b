"""Customer managed keys in the partitions other than ``aws``: China, GovCloud, ISO (rule 16)."""

from __future__ import annotations

from typing import Any

import pytest

from moto_firehose_sse import FirehoseSSE

from .helpers import ACCOUNT, client, create_stream, error_code, settle, sse
from .kms_helpers import grants_for, start

PARTITIONS = [
    pytest.param("cn-north-1", "aws-cn", id="aws-cn"),
    pytest.param("us-gov-west-1", "aws-us-gov", id="aws-us-gov"),
    pytest.param("us-iso-east-1", "aws-iso", id="aws-iso"),
    pytest.param("us-isob-east-1", "aws-iso-b", id="aws-iso-b"),
    pytest.param("eu-west-1", "aws", id="aws"),
]


def clients(region: str) -> tuple[Any, Any]:
    return client("firehose", region=region), client("kms", region=region)


@pytest.mark.parametrize(("region", "partition"), PARTITIONS)
def test_key_of_the_stream_partition_is_used_and_granted(
    firehose_sse: FirehoseSSE, region: str, partition: str
) -> None:
    firehose, kms = clients(region)
    key = kms.create_key()["KeyMetadata"]
    assert key["Arn"].startswith(f"arn:{partition}:kms:{region}:{ACCOUNT}:key/")
    stream_arn = create_stream(firehose, "orders")
    assert stream_arn.startswith(f"arn:{partition}:firehose:")
    start(firehose, "orders", key["Arn"])
    assert settle(firehose, "orders") == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": key["Arn"],
        "Status": "ENABLED",
    }
    [grant] = grants_for(kms, key["KeyId"], stream_arn)
    assert grant["GranteePrincipal"] == "firehose.amazonaws.com"
    put = firehose.put_record(DeliveryStreamName="orders", Record={"Data": b"x"})
    assert put["Encrypted"] is True
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="orders")
    assert settle(firehose, "orders") == {"Status": "DISABLED"}
    assert grants_for(kms, key["KeyId"], stream_arn) == []


@pytest.mark.parametrize(("region", "partition"), PARTITIONS)
def test_alias_of_the_stream_partition_resolves(
    firehose_sse: FirehoseSSE, region: str, partition: str
) -> None:
    firehose, kms = clients(region)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    alias_arn = f"arn:{partition}:kms:{region}:{ACCOUNT}:alias/orders"
    stream_arn = create_stream(firehose, "orders")
    start(firehose, "orders", alias_arn)
    assert settle(firehose, "orders")["KeyARN"] == alias_arn
    assert len(grants_for(kms, key["KeyId"], stream_arn)) == 1


@pytest.mark.parametrize(
    ("region", "partition", "other"),
    [
        pytest.param(region.values[0], region.values[1], other, id=f"{region.id}-{other}")
        for region in PARTITIONS
        for other in ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b")
        if other != region.values[1]
    ],
)
def test_key_arn_naming_another_partition_is_not_found(
    firehose_sse: FirehoseSSE, region: str, partition: str, other: str
) -> None:
    firehose, kms = clients(region)
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    # The key exists in moto; only the ARN's partition is wrong for the region.
    wrong = key_arn.replace(f"arn:{partition}:", f"arn:{other}:", 1)
    create_stream(firehose, "orders")
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
        start(firehose, "orders", wrong)
    error = caught.value
    assert error_code(error) == "InvalidKMSResourceException"
    assert error.response["code"] == "KMS.NotFoundException"
    message = error.response["Error"]["Message"]
    assert f"KMS key {wrong} could not be used" in message
    assert f"it is in {other}/{region}" in message
    assert f"a Firehose stream in {region} can only use keys of its own region" in message
    assert sse(firehose, "orders") == {"Status": "DISABLED"}
