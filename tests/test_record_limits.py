"""AWS's size limits on puts: 1,000 KiB (1,024,000 bytes) of data a record, 4 MiB a
PutRecordBatch; over them → InvalidArgumentException, and nothing is taken."""

from __future__ import annotations

from typing import Any

import pytest

from moto_firehose_sse.inputs import MAX_BATCH_BYTES, MAX_RECORD_BYTES

from .helpers import create_stream

pytestmark = pytest.mark.usefixtures("firehose_sse")


def test_a_record_of_exactly_1000_kib_is_accepted(firehose: Any) -> None:
    create_stream(firehose, "big")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="big")
    reply = firehose.put_record(DeliveryStreamName="big", Record={"Data": b"x" * MAX_RECORD_BYTES})
    assert reply["Encrypted"] is False
    assert reply["RecordId"]


@pytest.mark.parametrize("method", ["put_record", "put_record_batch"])
def test_a_record_over_1000_kib_is_refused(firehose: Any, method: str) -> None:
    create_stream(firehose, "big")
    record = {"Data": b"x" * (MAX_RECORD_BYTES + 1)}
    params: dict[str, Any] = (
        {"Record": record} if method == "put_record" else {"Records": [{"Data": b"small"}, record]}
    )
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        getattr(firehose, method)(DeliveryStreamName="big", **params)
    message = caught.value.response["Error"]["Message"]
    assert "Member must have length less than or equal to 1024000" in message
    assert f"record {1 if method == 'put_record' else 2} " in message
    assert str(MAX_RECORD_BYTES + 1) in message


@pytest.mark.parametrize("over", [1, 2, 3])  # base64 padding "=", none, "==" (moto 5.0)
def test_the_refusal_names_the_records_size_in_bytes(firehose: Any, over: int) -> None:
    create_stream(firehose, "big")
    size = MAX_RECORD_BYTES + over
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        firehose.put_record(DeliveryStreamName="big", Record={"Data": b"x" * size})
    assert caught.value.response["Error"]["Message"] == (
        f"1 validation error detected: Value at record 1 (its Data, {size} bytes) failed to "
        "satisfy constraint: Member must have length less than or equal to 1024000. Split the "
        "record."
    )


def test_a_batch_of_exactly_4_mib_is_accepted_and_one_byte_more_is_refused(firehose: Any) -> None:
    create_stream(firehose, "big")
    full = MAX_BATCH_BYTES // 5  # five records, each under the record limit
    records = [{"Data": b"x" * full} for _ in range(4)]
    records.append({"Data": b"x" * (MAX_BATCH_BYTES - 4 * full)})
    reply = firehose.put_record_batch(DeliveryStreamName="big", Records=records)
    assert (reply["FailedPutCount"], len(reply["RequestResponses"])) == (0, 5)

    records[-1] = {"Data": b"x" * (MAX_BATCH_BYTES - 4 * full + 1)}
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        firehose.put_record_batch(DeliveryStreamName="big", Records=records)
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("Records size exceeds 4 MB limit")
    assert str(MAX_BATCH_BYTES + 1) in message


def test_size_is_checked_before_the_stream(firehose: Any) -> None:
    """AWS validates the request before it looks the stream up."""
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        firehose.put_record(
            DeliveryStreamName="none", Record={"Data": b"x" * (MAX_RECORD_BYTES + 1)}
        )
