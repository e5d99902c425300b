"""The encryption input a Create or Start gets: how long a KeyARN may be, and what each refusal
says (rules 7 and 8)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from moto_firehose_sse import FirehoseSSE

from .helpers import ACCOUNT, NO_RETRIES, REGION, create_stream, sse

LENGTH_MESSAGE = "KeyARN must be a KMS key ARN of 1 to 512 characters."
PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/"


def unvalidated_client() -> Any:
    """A Firehose client that sends what botocore would refuse client-side."""
    return boto3.client(
        "firehose",
        region_name=REGION,
        config=NO_RETRIES.merge(Config(parameter_validation=False)),
    )


def refusal(firehose: Any, config: dict[str, Any]) -> Any:
    with pytest.raises(firehose.exceptions.ClientError) as caught:
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=config
        )
    return caught.value


def cmk(key_arn: str) -> dict[str, str]:
    return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key_arn}


@pytest.mark.parametrize(
    ("key_arn", "code", "says"),
    [
        ("", "InvalidArgumentException", LENGTH_MESSAGE),
        ("x", "InvalidArgumentException", "KeyARN 'x' is not a KMS key ARN"),
        (PREFIX + "a" * (512 - len(PREFIX)), "InvalidKMSResourceException", "no such key"),
        (PREFIX + "a" * (513 - len(PREFIX)), "InvalidArgumentException", LENGTH_MESSAGE),
    ],
    ids=["0", "1", "512", "513"],
)
def test_key_arn_length_bounds(
    firehose_sse: FirehoseSSE, key_arn: str, code: str, says: str
) -> None:
    firehose = unvalidated_client()
    create_stream(firehose, "s")
    error = refusal(firehose, cmk(key_arn))
    assert error.response["Error"]["Code"] == code
    message = error.response["Error"]["Message"]
    assert message == says if says == LENGTH_MESSAGE else says in message
    assert sse(firehose, "s") == {"Status": "DISABLED"}


def test_aws_owned_key_with_an_arn_says_to_leave_it_out(firehose: Any) -> None:
    create_stream(firehose, "s")
    error = refusal(firehose, {"KeyType": "AWS_OWNED_CMK", "KeyARN": PREFIX + "orders"})
    assert error.response["Error"]["Message"] == (
        "KeyARN must not be given with KeyType AWS_OWNED_CMK; leave it out, or use "
        "KeyType CUSTOMER_MANAGED_CMK for your own key."
    )


def test_customer_key_without_an_arn_says_which_key_to_give(firehose: Any) -> None:
    create_stream(firehose, "s")
    error = refusal(firehose, {"KeyType": "CUSTOMER_MANAGED_CMK"})
    assert error.response["Error"]["Message"] == (
        "KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK: give the ARN of a "
        "symmetric KMS key (or alias) in the stream's account and region."
    )


@pytest.mark.firehose_sse(lenient_keys=True, max_streams_per_key=1)
def test_made_up_keys_each_count_against_their_own_limit(firehose: Any) -> None:
    for name in ("a", "b", "c"):
        create_stream(firehose, name)
    start_a, start_b = (
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{n}" for n in ("made-up-a", "made-up-b")
    )
    for name, key_arn in (("a", start_a), ("b", start_b)):
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=cmk(key_arn)
        )
    with pytest.raises(firehose.exceptions.LimitExceededException) as caught:
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="c", DeliveryStreamEncryptionConfigurationInput=cmk(start_a)
        )
    assert start_a in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize("given", ["CUSTOMER_MANAGED_CMK", ["KeyType"], 7])
def test_an_input_that_is_no_structure_is_refused_on_the_backend_too(
    firehose_sse: FirehoseSSE, firehose: Any, given: Any
) -> None:
    """The wire refuses such a body before it is read; a call made on moto's backend itself
    gets the modelled error too."""
    from moto.firehose.models import firehose_backends

    from moto_firehose_sse.exceptions import InvalidArgumentException

    create_stream(firehose, "s")
    with pytest.raises(InvalidArgumentException) as caught:
        firehose_backends[ACCOUNT][REGION].start_delivery_stream_encryption("s", given)
    assert caught.value.message == "DeliveryStreamEncryptionConfigurationInput must be a structure."
    assert sse(firehose, "s") == {"Status": "DISABLED"}
