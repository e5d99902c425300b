"""Requests moto itself can't read (botocore's validation off) get modelled errors, in-process."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from moto_firehose_sse import FirehoseSSE

from .helpers import REGION, create_stream, error_code, sse

UNVALIDATED = Config(parameter_validation=False, retries={"total_max_attempts": 1})


@pytest.fixture
def raw(firehose_sse: FirehoseSSE) -> Any:
    """A Firehose client that sends whatever it is given."""
    return boto3.client("firehose", region_name=REGION, config=UNVALIDATED)


@pytest.mark.parametrize(
    ("operation", "kwargs", "allowed"),
    [
        ("describe_delivery_stream", {"Limit": "ten"}, {"ResourceNotFoundException", None}),
        ("list_delivery_streams", {"Limit": "ten"}, {"InvalidArgumentException", None}),
        (
            "start_delivery_stream_encryption",
            {"DeliveryStreamName": 7},
            {"InvalidArgumentException"},
        ),
        (
            "start_delivery_stream_encryption",
            {"DeliveryStreamEncryptionConfigurationInput": {"KeyType": 7}},
            {"InvalidArgumentException"},
        ),
        (
            "stop_delivery_stream_encryption",
            {"DeliveryStreamName": True},
            {"InvalidArgumentException"},
        ),
        ("put_record", {"Record": {}}, {"InvalidArgumentException"}),
        ("put_record_batch", {"Records": []}, {"InvalidArgumentException"}),
    ],
)
def test_wrongly_typed_members_get_modelled_errors(
    raw: Any, operation: str, kwargs: dict[str, Any], allowed: set[str | None]
) -> None:
    create_stream(raw, "typed")
    if operation != "list_delivery_streams":
        kwargs = {"DeliveryStreamName": "typed", **kwargs}
    try:
        getattr(raw, operation)(**kwargs)
        outcome = None
    except raw.exceptions.ClientError as exc:
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        outcome = error_code(exc)
    assert outcome in allowed
    assert sse(raw, "typed") == {"Status": "DISABLED"}


def test_moto_parse_failure_names_the_operation(raw: Any) -> None:
    """moto 5.1+ parses members by the model and fails on "ten"; older moto ignores Limit."""
    create_stream(raw, "parsed")
    try:
        raw.list_delivery_streams(Limit="ten")
    except raw.exceptions.InvalidArgumentException as exc:
        assert "ListDeliveryStreams request could not be read" in exc.response["Error"]["Message"]
    else:
        import moto

        assert moto.__version__.startswith("5.0.")


@pytest.mark.parametrize("name", ["bad\udc80name", "two words", "ünïcode"])
def test_not_found_message_quotes_names_outside_the_pattern(raw: Any, name: str) -> None:
    """AWS's template for names it could hold; a quoted name for others, so it always prints."""
    with pytest.raises(raw.exceptions.ResourceNotFoundException) as caught:
        raw.describe_delivery_stream(DeliveryStreamName=name)
    message = caught.value.response["Error"]["Message"]
    assert message == f"Firehose {name!r} under account 123456789012 not found."
    message.encode("utf-8")  # no lone surrogate left to break printing
