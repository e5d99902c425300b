"""Rule 28: transitions through moto's state manager, model ``firehose::encryption``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import requests
import time_machine
from freezegun import freeze_time
from moto.moto_api import state_manager

from moto_firehose_sse import MODEL_NAME, FirehoseSSE, mock_firehose_sse

from .helpers import client, create_stream, sse

ENABLING = {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
ENABLED = {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
DISABLING = {"KeyType": "AWS_OWNED_CMK", "Status": "DISABLING"}
DISABLED = {"Status": "DISABLED"}
T0 = dt.datetime(2024, 3, 1, 12, 0, 0)


def statuses(firehose: Any, name: str, count: int) -> list[dict[str, Any] | None]:
    return [sse(firehose, name) for _ in range(count)]


def test_model_name_and_default_are_registered(firehose_sse: FirehoseSSE) -> None:
    assert MODEL_NAME == "firehose::encryption"
    assert MODEL_NAME in state_manager.get_registered_models()
    assert state_manager.get_transition(MODEL_NAME) == {"progression": "manual", "times": 1}


def test_default_one_describe_shows_the_in_between_status(firehose: Any) -> None:
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert statuses(firehose, "s", 3) == [ENABLING, ENABLED, ENABLED]
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert statuses(firehose, "s", 3) == [DISABLING, DISABLED, DISABLED]


@pytest.mark.parametrize("times", [2, 5])
def test_manual_times_through_the_state_manager(firehose: Any, times: int) -> None:
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": times})
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert statuses(firehose, "s", times + 1) == [ENABLING] * times + [ENABLED]
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert statuses(firehose, "s", times + 1) == [DISABLING] * times + [DISABLED]


def test_manual_times_through_the_controller(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 3})
    assert state_manager.get_transition(MODEL_NAME) == {"progression": "manual", "times": 3}
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert statuses(firehose, "s", 4) == [ENABLING] * 3 + [ENABLED]
    firehose_sse.unset_transition()
    assert state_manager.get_transition(MODEL_NAME) == {"progression": "manual", "times": 1}


def test_puts_do_not_advance_a_manual_transition(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    """Only Describe counts toward ``times``; puts and refused calls don't tick it."""
    firehose_sse.set_transition({"progression": "manual", "times": 2})
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    for _ in range(5):
        firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
    assert statuses(firehose, "s", 3) == [ENABLING, ENABLING, ENABLED]


@pytest.mark.parametrize("via", ["state_manager", "controller"])
def test_immediate(firehose: Any, firehose_sse: FirehoseSSE, via: str) -> None:
    if via == "controller":
        firehose_sse.set_transition({"progression": "immediate"})
    else:
        state_manager.set_transition(MODEL_NAME, {"progression": "immediate"})
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s") == ENABLED
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert sse(firehose, "s") == DISABLED


def test_immediate_settles_for_puts_without_a_describe(
    firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    firehose_sse.set_transition({"progression": "immediate"})
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["Encrypted"] is True


def test_time_with_freezegun(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    firehose_sse.set_transition({"progression": "time", "seconds": 30})
    create_stream(firehose, "s")
    with freeze_time(T0) as frozen:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        assert statuses(firehose, "s", 3) == [ENABLING] * 3  # no time passes
        frozen.tick(dt.timedelta(seconds=29))
        assert sse(firehose, "s") == ENABLING
        frozen.tick(dt.timedelta(seconds=2))
        assert sse(firehose, "s") == ENABLED
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        assert sse(firehose, "s") == DISABLING
        frozen.tick(dt.timedelta(seconds=31))
        assert sse(firehose, "s") == DISABLED


def test_time_with_time_machine(firehose: Any) -> None:
    state_manager.set_transition(MODEL_NAME, {"progression": "time", "seconds": 600})
    create_stream(firehose, "s")
    with time_machine.travel(T0, tick=False) as traveller:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        traveller.shift(dt.timedelta(seconds=599))
        assert sse(firehose, "s") == ENABLING
        traveller.shift(dt.timedelta(seconds=2))
        assert sse(firehose, "s") == ENABLED


@pytest.mark.parametrize("seconds", [0, 1, 30.5])
def test_time_is_over_once_exactly_the_seconds_have_passed(
    firehose: Any, firehose_sse: FirehoseSSE, seconds: float
) -> None:
    """ENABLING just before S seconds, ENABLED at exactly S: "after S seconds"."""
    firehose_sse.set_transition({"progression": "time", "seconds": seconds})
    create_stream(firehose, "s")
    with freeze_time(T0) as frozen:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        if seconds:
            frozen.tick(dt.timedelta(seconds=seconds - 0.001))
            assert sse(firehose, "s") == ENABLING
            frozen.tick(dt.timedelta(seconds=0.001))
        assert sse(firehose, "s") == ENABLED


def test_set_through_the_moto_api_endpoint(firehose: Any) -> None:
    """moto's HTTP API (the server-mode route) reaches the same model in-process."""
    response = requests.post(
        "http://motoapi.amazonaws.com/moto-api/state-manager/set-transition",
        data=json.dumps(
            {"model_name": MODEL_NAME, "transition": {"progression": "manual", "times": 2}}
        ),
        timeout=5,
    )
    assert response.status_code == 201
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert statuses(firehose, "s", 3) == [ENABLING, ENABLING, ENABLED]


# Undone when the mock exits ------------------------------------------------------------------


@pytest.mark.parametrize("via", ["state_manager", "controller"])
def test_transitions_set_inside_are_undone_on_exit(via: str) -> None:
    with mock_firehose_sse() as sse_controller:
        if via == "controller":
            sse_controller.set_transition({"progression": "immediate"})
        else:
            state_manager.set_transition(MODEL_NAME, {"progression": "immediate"})
        assert state_manager.get_transition(MODEL_NAME) == {"progression": "immediate"}
    assert MODEL_NAME not in state_manager._transitions
    assert MODEL_NAME not in state_manager.get_registered_models()
    with mock_firehose_sse():
        firehose = client("firehose")
        create_stream(firehose, "s")
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        assert statuses(firehose, "s", 2) == [ENABLING, ENABLED]


def test_a_transition_set_before_the_mock_is_kept() -> None:
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 2})
    try:
        with mock_firehose_sse() as controller:
            controller.set_transition({"progression": "immediate"})
        assert state_manager._transitions[MODEL_NAME] == {"progression": "manual", "times": 2}
        with mock_firehose_sse():
            firehose = client("firehose")
            create_stream(firehose, "s")
            firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
            assert statuses(firehose, "s", 3) == [ENABLING, ENABLING, ENABLED]
    finally:
        state_manager.unset_transition(MODEL_NAME)
