"""The lenient switch for suites with made-up key ARNs (issue 3 point 10)."""

from __future__ import annotations

from typing import Any

import pytest

from moto_firehose_sse import FirehoseSSE, mock_firehose_sse

from .helpers import ACCOUNT, REGION, client, create_stream, description, settle
from .kms_helpers import start

CMK = "CUSTOMER_MANAGED_CMK"
MADE_UP = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MADE_UP_ALIAS = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/made-up"
lenient = pytest.mark.firehose_sse(lenient_keys=True)


def test_strict_is_the_default(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    assert firehose_sse.lenient_keys is False
    create_stream(firehose, "s")
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
        start(firehose, "s", MADE_UP)
    assert caught.value.response["code"] == "KMS.NotFoundException"


@pytest.mark.parametrize("key_arn", [MADE_UP, MADE_UP_ALIAS])
def test_made_up_key_is_accepted_without_a_grant(key_arn: str) -> None:
    with mock_firehose_sse(lenient_keys=True):
        firehose = client("firehose")
        create_stream(firehose, "s")
        start(firehose, "s", key_arn)
        assert settle(firehose, "s") == {"KeyType": CMK, "KeyARN": key_arn, "Status": "ENABLED"}
        assert firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["Encrypted"]
        assert client("kms").list_keys()["Keys"] == []  # nothing made up in moto's KMS
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        assert settle(firehose, "s") == {"Status": "DISABLED"}


def test_switch_set_at_run_time(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    create_stream(firehose, "s")
    firehose_sse.lenient_keys = True
    create_stream(
        firehose,
        "c",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": CMK, "KeyARN": MADE_UP},
    )
    assert description(firehose, "c")["DeliveryStreamStatus"] == "ACTIVE"
    firehose_sse.lenient_keys = False
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        start(firehose, "s", MADE_UP)
    # A stream already using a made-up key keeps working.
    assert firehose.put_record(DeliveryStreamName="c", Record={"Data": b"x"})["Encrypted"]


@lenient
def test_lenient_still_checks_keys_moto_knows(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    assert settle(firehose, "s")["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"


@lenient
def test_lenient_still_refuses_malformed_arns(firehose: Any) -> None:
    create_stream(firehose, "s")
    for key_arn in ("arn:aws:s3:::bucket", "1234abcd-12ab-34cd-56ef-1234567890ab", "x:key/y"):
        with pytest.raises(firehose.exceptions.InvalidArgumentException):
            start(firehose, "s", key_arn)


@lenient
def test_lenient_still_refuses_keys_of_another_region(firehose: Any) -> None:
    create_stream(firehose, "s")
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
        start(firehose, "s", MADE_UP.replace(REGION, "eu-west-1"))
    assert caught.value.response["code"] == "KMS.NotFoundException"


@pytest.mark.firehose_sse(lenient_keys=True, max_streams_per_key=1)
def test_made_up_keys_count_against_the_key_limit(firehose: Any) -> None:
    for name in ("a", "b"):
        create_stream(firehose, name)
    start(firehose, "a", MADE_UP)
    settle(firehose, "a")
    with pytest.raises(firehose.exceptions.LimitExceededException):
        start(firehose, "b", MADE_UP)


def test_lenient_keys_setting_must_be_a_bool(firehose_sse: FirehoseSSE) -> None:
    with pytest.raises(ValueError):
        firehose_sse.lenient_keys = 1  # type: ignore[assignment]
    with pytest.raises(ValueError):
        mock_firehose_sse(lenient_keys="yes")  # type: ignore[arg-type]
    assert firehose_sse.lenient_keys is False
