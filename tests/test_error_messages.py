"""The messages users read: each names what went wrong and what to do, in full."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.kms.models import kms_backends

from moto_firehose_sse import FirehoseSSE

from .helpers import (
    ACCOUNT,
    NO_RETRIES,
    REGION,
    create_kinesis_sourced_stream,
    create_stream,
    settle,
)
from .kms_helpers import start

RECORD = {"Data": b"x"}


def message(caught: pytest.ExceptionInfo[Any]) -> str:
    return str(caught.value.response["Error"]["Message"])


def test_unknown_setting_names_it_and_lists_the_settings(firehose_sse: FirehoseSSE) -> None:
    with pytest.raises(TypeError) as caught:
        firehose_sse.configure(max_streams=3)
    text = str(caught.value)
    assert text.startswith("unknown setting(s) ['max_streams']; the settings are [")
    assert text.endswith("]")
    for name in firehose_sse.settings():
        assert repr(name) in text


def test_empty_fault_details_say_what_is_allowed(firehose_sse: FirehoseSSE) -> None:
    for inject in (
        firehose_sse.fail_next_enable,
        firehose_sse.fail_next_disable,
        firehose_sse.fail_next_delete,
    ):
        with pytest.raises(ValueError) as caught:
            inject("UNKNOWN_ERROR", "")
        assert str(caught.value) == (
            "details must be a non-empty string, or left out for the default text; got ''"
        )


def test_controller_repr_lists_each_setting(firehose_sse: FirehoseSSE) -> None:
    text = repr(firehose_sse)
    assert re.fullmatch(r"FirehoseSSE\((\w+=[^,]+)(, \w+=[^,]+)*\)", text), text
    assert "max_streams_per_key=500, max_encryption_changes_per_day=25" in text


def test_put_with_a_deleted_key_says_it_does_not_exist(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    settle(firehose, "s")
    kms_backends[ACCOUNT][REGION].delete_key(key["KeyId"])
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
        firehose.put_record(DeliveryStreamName="s", Record=RECORD)
    assert message(caught) == (
        f"Firehose could not encrypt the records: KMS key {key['Arn']} does not exist."
    )


def test_put_with_a_disabled_key_says_its_state(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    settle(firehose, "s")
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
        firehose.put_record(DeliveryStreamName="s", Record=RECORD)
    assert message(caught) == (
        f"Firehose could not encrypt the records: KMS key {key['Arn']} is Disabled."
    )


@pytest.mark.firehose_sse(max_streams_per_key=1)
def test_key_limit_says_which_key_and_what_to_do(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    for name in ("a", "b"):
        create_stream(firehose, name)
    start(firehose, "a", key_arn)
    with pytest.raises(firehose.exceptions.LimitExceededException) as caught:
        start(firehose, "b", key_arn)
    assert message(caught) == (
        f"KMS key {key_arn} already encrypts 1 Firehose streams, the most one customer managed "
        "key can encrypt; use another key, or stop encryption on a stream that uses this one."
    )


def test_unknown_key_says_where_it_was_looked_for(firehose: Any) -> None:
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    create_stream(firehose, "s")
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
        start(firehose, "s", key_arn)
    assert message(caught) == (
        f"KMS key {key_arn} could not be used: no such key in account {ACCOUNT}, region {REGION}."
    )


def test_malformed_key_arn_shows_the_expected_form(firehose: Any) -> None:
    create_stream(firehose, "s")
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        start(firehose, "s", "alias/orders")
    assert message(caught) == (
        "KeyARN 'alias/orders' is not a KMS key ARN: it must look like "
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/KEY-ID or "
        f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/NAME."
    )


def test_start_on_a_kinesis_sourced_stream_names_its_source(firehose: Any) -> None:
    create_kinesis_sourced_stream(firehose, "k")
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="k")
    assert message(caught) == (
        "Firehose k has source KinesisStreamAsSource: server-side encryption can only be "
        "started or stopped on a DirectPut stream."
    )


def test_start_during_a_transition_says_to_wait(firehose: Any) -> None:
    create_stream(firehose, "s")
    start(firehose, "s")
    with pytest.raises(firehose.exceptions.ResourceInUseException) as caught:
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert message(caught) == (
        f"Firehose s under account {ACCOUNT} has encryption status ENABLING; wait until "
        "DescribeDeliveryStream shows the transition is over before calling "
        "StopDeliveryStreamEncryption."
    )


def test_bad_stream_name_gets_the_validation_message(firehose: Any) -> None:
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="a/b")
    assert message(caught) == (
        "1 validation error detected: Value 'a/b' at 'deliveryStreamName' failed to satisfy "
        "constraint: Member must have length between 1 and 64 and match the regular expression "
        "pattern [a-zA-Z0-9_.-]+"
    )


def test_a_missing_stream_name_gets_the_not_null_message(firehose: Any) -> None:
    unvalidated = boto3.client(
        "firehose", region_name=REGION, config=NO_RETRIES.merge(Config(parameter_validation=False))
    )
    with pytest.raises(unvalidated.exceptions.InvalidArgumentException) as caught:
        unvalidated.stop_delivery_stream_encryption()
    assert message(caught) == (
        "1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy "
        "constraint: Member must not be null"
    )
