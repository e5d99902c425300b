"""Absurd numbers in transitions (issue 15, item 4): an integer too large for a float, a
``manual`` count past any API integer, numbers too long to print. Refused by the controller
(``ValueError``) and the server (HTTP 400); set straight on moto's state manager, they count
as the default, and no call on a stream ever fails on them (``OverflowError`` included)."""

from __future__ import annotations

from typing import Any

import pytest
from moto.moto_api import state_manager

from moto_firehose_sse import DELETION_MODEL_NAME, MODEL_NAME, FirehoseSSE

from .helpers import create_stream, description, sse
from .server_helpers import call

MODELS = (MODEL_NAME, DELETION_MODEL_NAME)
HUGE: list[Any] = [
    {"progression": "time", "seconds": 10**400},  # too large for a float
    {"progression": "time", "seconds": -(10**400)},
    {"progression": "time", "seconds": 10**5000},  # too long for int -> str
    {"progression": "manual", "times": 10**400},
    {"progression": "manual", "times": 2**31},
    {"progression": "manual", "times": 10**5000},
]
IDS = [
    "seconds=10**400",
    "seconds=-10**400",
    "seconds=10**5000",
    "times=10**400",
    "times=2**31",
    "times=10**5000",
]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("transition", HUGE, ids=IDS)
def test_the_controller_refuses_absurd_numbers(
    firehose_sse: FirehoseSSE, model: str, transition: Any
) -> None:
    with pytest.raises(ValueError, match=f"^{model}: a ") as refused:
        firehose_sse.set_transition(transition, model=model)
    assert len(str(refused.value)) < 400  # the number is not printed in full
    assert model not in state_manager._transitions


def test_the_largest_numbers_that_are_taken(firehose_sse: FirehoseSSE) -> None:
    for transition in (
        {"progression": "manual", "times": 2**31 - 1},
        {"progression": "time", "seconds": 10**308},  # an integer a float can hold
        {"progression": "time", "seconds": 1.7e308},
    ):
        firehose_sse.set_transition(transition)  # type: ignore[arg-type]
        assert state_manager.get_transition(MODEL_NAME) == transition


@pytest.mark.parametrize("transition", HUGE, ids=IDS)
def test_set_on_moto_directly_they_count_as_the_default_for_every_call(
    firehose: Any, transition: Any
) -> None:
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    create_stream(firehose, "gone")
    firehose.delete_delivery_stream(DeliveryStreamName="gone")
    for model in MODELS:  # set mid-transition: Start's and Delete's are under way
        state_manager.set_transition(model, transition)
    assert [sse(firehose, "s")["Status"] for _ in range(2)] == ["ENABLING", "ENABLED"]  # type: ignore[index]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["gone", "s"]
    assert description(firehose, "gone")["DeliveryStreamStatus"] == "DELETING"
    create_stream(firehose, "gone")  # the deletion ended: the name is free again
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    assert description(firehose, "s")["DeliveryStreamStatus"] == "DELETING"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["gone"]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "transition",
    [
        b'{"progression": "time", "seconds": 1' + b"0" * 400 + b"}",
        b'{"progression": "time", "seconds": 1' + b"0" * 5000 + b"}",
        b'{"progression": "manual", "times": 1' + b"0" * 400 + b"}",
        b'{"progression": "manual", "times": 2147483648}',
    ],
    ids=["seconds=10**400", "seconds=10**5000", "times=10**400", "times=2**31"],
)
def test_the_server_refuses_absurd_numbers(server: str, model: str, transition: bytes) -> None:
    body = b'{"model_name": "' + model.encode() + b'", "transition": ' + transition + b"}"
    status, got = call(server, "POST", "/moto-api/state-manager/set-transition", body)
    assert status == 400
    assert "transition" in got["message"] or "JSON" in got["message"]
    path = f"/moto-api/state-manager/get-transition?model_name={model}"
    assert call(server, "GET", path) == (200, {"progression": "manual", "times": 1})
