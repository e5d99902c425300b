from typing import Any

from .helpers import create_stream, settle, sse


def test_start_then_enabled_after_one_describe(firehose: Any) -> None:
    create_stream(firehose, "smoke")
    assert sse(firehose, "smoke") == {"Status": "DISABLED"}
    firehose.start_delivery_stream_encryption(DeliveryStreamName="smoke")
    assert sse(firehose, "smoke") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
    assert settle(firehose, "smoke") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
