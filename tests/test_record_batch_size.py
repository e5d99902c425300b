"""PutRecordBatch's size limits as the plugin checks them: 1 to 500 records."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from moto_firehose_sse import FirehoseSSE

from .helpers import NO_RETRIES, REGION, create_stream

RECORDS_MESSAGE = "Records must be a list of 1 to 500 records, each with Data."


def unvalidated_client() -> Any:
    """A Firehose client that sends what botocore would refuse client-side."""
    config = NO_RETRIES.merge(Config(parameter_validation=False))
    return boto3.client("firehose", region_name=REGION, config=config)


def test_a_batch_of_500_records_is_taken(firehose: Any) -> None:
    create_stream(firehose, "s")
    result = firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}] * 500)
    assert result["FailedPutCount"] == 0
    assert len(result["RequestResponses"]) == 500
    assert result["Encrypted"] is False


@pytest.mark.parametrize(
    "records",
    [[], [{"Data": b"x"}] * 501],
    ids=["empty", "501"],
)
def test_batches_outside_the_limits_are_refused(firehose_sse: FirehoseSSE, records: Any) -> None:
    firehose = unvalidated_client()
    create_stream(firehose, "s")
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        firehose.put_record_batch(DeliveryStreamName="s", Records=records)
    assert caught.value.response["Error"]["Message"] == RECORDS_MESSAGE
