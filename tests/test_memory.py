"""Memory on a long-running mock: nothing the plugin retired is kept (issue 12 item 9).

moto tracks every model instance it makes (``BaseModel.instances_tracked``) until it resets;
a grant the plugin retires must not stay reachable there. Many Start/Stop cycles with a
customer managed key, the clock moving so that the 24-hour change window stays full, must
not make the process grow.
"""

from __future__ import annotations

import datetime
import gc
import sys
import tracemalloc
from typing import Any

import pytest
import time_machine
from moto.kms.models import Grant

from moto_firehose_sse import FirehoseSSE

from .helpers import create_stream, settle
from .kms_helpers import grants, session_client, start

WARM_UP = 50
CYCLES = 200
# Allowed growth per Start/Stop cycle once warm (measured: 3-4 bytes); a kept grant costs
# ~830 bytes a cycle.
BYTES_PER_CYCLE = 64


def tracked_grants() -> list[Any]:
    """moto's list of every Grant it made (``instances`` in moto 5.0)."""
    found = getattr(Grant, "instances_tracked", None)
    return list(found if found is not None else Grant.instances)  # type: ignore[attr-defined]


def cycle(firehose: Any, traveller: Any, key_arn: str | None) -> None:
    start(firehose, "long-running", key_arn)
    assert settle(firehose, "long-running")["Status"] == "ENABLED"
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="long-running")
    assert settle(firehose, "long-running") == {"Status": "DISABLED"}
    traveller.shift(datetime.timedelta(hours=2))  # 24 changes in any 24 hours


def settle_caches() -> None:
    """Free what is only garbage or cached by the interpreter (its attribute-lookup cache
    keeps the names botocore and moto build for ``getattr``)."""
    gc.collect()
    sys._clear_type_cache()


def growth_per_cycle(firehose: Any, traveller: Any, key_arn: str | None) -> float:
    """Bytes allocated and still reachable per Start/Stop cycle, once the caches are warm."""
    tracemalloc.start()
    try:
        for _ in range(WARM_UP):  # traced: the caches then hold traced objects
            cycle(firehose, traveller, key_arn)
        settle_caches()
        before = tracemalloc.take_snapshot()
        for _ in range(CYCLES):
            cycle(firehose, traveller, key_arn)
        settle_caches()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return grown / CYCLES


# Each cycle makes three key events (DescribeKey, CreateGrant, RetireGrant), kept up to
# max_key_events: a log of 100 is full after the warm-up, so what grows is anything else.
@pytest.mark.firehose_sse(max_key_events=100)
def test_start_stop_with_a_customer_key_keeps_no_retired_grant(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.set_transition({"progression": "immediate"})
    firehose, kms = session_client("firehose"), session_client("kms")
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "long-running")
    tracked = len(tracked_grants())
    with time_machine.travel(datetime.datetime(2026, 1, 1), tick=False) as traveller:
        per_cycle = growth_per_cycle(firehose, traveller, key["Arn"])
    assert grants(kms, key["KeyId"]) == []
    assert len(tracked_grants()) == tracked
    assert per_cycle < BYTES_PER_CYCLE, f"{per_cycle:.0f} bytes kept per Start/Stop cycle"


def test_start_stop_with_an_aws_owned_key_keeps_nothing(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.set_transition({"progression": "immediate"})
    firehose = session_client("firehose")
    create_stream(firehose, "long-running")
    with time_machine.travel(datetime.datetime(2026, 1, 1), tick=False) as traveller:
        per_cycle = growth_per_cycle(firehose, traveller, None)
    assert per_cycle < BYTES_PER_CYCLE, f"{per_cycle:.0f} bytes kept per Start/Stop cycle"
