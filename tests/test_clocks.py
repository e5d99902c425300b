"""freezegun and time-machine both move the SSE clocks: "time" transitions and the 24-hour window."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import time_machine
from freezegun import freeze_time

from moto_firehose_sse import FirehoseSSE

from .helpers import create_stream, error_code, sse

START = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
DAY = 24 * 60 * 60
Tick = Callable[[float], None]


@contextlib.contextmanager
def frozen_by_freezegun() -> Iterator[Tick]:
    with freeze_time(START) as frozen:
        yield lambda seconds: frozen.tick(seconds)


@contextlib.contextmanager
def frozen_by_time_machine() -> Iterator[Tick]:
    with time_machine.travel(START, tick=False) as traveller:
        yield lambda seconds: traveller.shift(seconds)


CLOCKS = pytest.mark.parametrize(
    "clock", [frozen_by_freezegun, frozen_by_time_machine], ids=["freezegun", "time-machine"]
)


@CLOCKS
def test_time_transition_follows_the_frozen_clock(
    clock: Callable[[], contextlib.AbstractContextManager[Tick]],
    firehose: Any,
    firehose_sse: FirehoseSSE,
) -> None:
    firehose_sse.set_transition({"progression": "time", "seconds": 60})
    with clock() as tick:
        create_stream(firehose, "slow")
        firehose.start_delivery_stream_encryption(DeliveryStreamName="slow")
        for _ in range(3):  # describes alone don't move a "time" transition
            assert sse(firehose, "slow") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
        tick(59)
        assert sse(firehose, "slow") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
        tick(2)
        assert sse(firehose, "slow") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}

        firehose.stop_delivery_stream_encryption(DeliveryStreamName="slow")
        tick(30)
        assert sse(firehose, "slow") == {"KeyType": "AWS_OWNED_CMK", "Status": "DISABLING"}
        tick(31)
        assert sse(firehose, "slow") == {"Status": "DISABLED"}


@CLOCKS
def test_daily_change_window_follows_the_frozen_clock(
    clock: Callable[[], contextlib.AbstractContextManager[Tick]],
    firehose: Any,
    firehose_sse: FirehoseSSE,
) -> None:
    firehose_sse.configure(max_encryption_changes_per_day=2)
    firehose_sse.set_transition({"progression": "immediate"})
    with clock() as tick:
        create_stream(firehose, "busy")
        firehose.start_delivery_stream_encryption(DeliveryStreamName="busy")  # at 12:00
        tick(3600)
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="busy")  # at 13:00
        tick(DAY - 3600 - 1)  # one second before the first call leaves the window
        with pytest.raises(firehose.exceptions.LimitExceededException) as refused:
            firehose.start_delivery_stream_encryption(DeliveryStreamName="busy")
        assert "2024-05-02T12:00:00Z" in refused.value.response["Error"]["Message"]

        tick(1)
        firehose.start_delivery_stream_encryption(DeliveryStreamName="busy")  # a slot is free
        assert sse(firehose, "busy") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
        with pytest.raises(firehose.exceptions.LimitExceededException) as again:
            firehose.stop_delivery_stream_encryption(DeliveryStreamName="busy")
        assert error_code(again.value) == "LimitExceededException"
        assert "2024-05-02T13:00:00Z" in again.value.response["Error"]["Message"]
