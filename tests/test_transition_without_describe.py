"""A timed transition ends when its time is up, whether or not a Describe looked: the next
Start or Stop finds it over (rule 28)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from freezegun import freeze_time

from moto_firehose_sse import FirehoseSSE

from .helpers import create_stream, sse

T0 = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


def test_stop_after_the_time_is_up_is_accepted_without_a_describe(
    firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    firehose_sse.set_transition({"progression": "time", "seconds": 30})
    create_stream(firehose, "s")
    with freeze_time(T0) as frozen:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        frozen.tick(dt.timedelta(seconds=31))
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        assert sse(firehose, "s") == {"KeyType": "AWS_OWNED_CMK", "Status": "DISABLING"}
        frozen.tick(dt.timedelta(seconds=30))
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        assert sse(firehose, "s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
