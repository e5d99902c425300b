"""Transitions out of range, for both models: refused by the controller (ValueError) and by the
server (HTTP 400); set straight on moto's state manager, they count as the default transition,
so a stream never becomes unusable."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import requests
from moto.moto_api import state_manager

from moto_firehose_sse import DELETION_MODEL_NAME, MODEL_NAME, FirehoseSSE

from .helpers import create_stream, description, sse
from .server_helpers import call

MODELS = (MODEL_NAME, DELETION_MODEL_NAME)
DEFAULT = {"progression": "manual", "times": 1}
BAD: list[Any] = [
    {"progression": "time", "seconds": math.inf},  # what JSON's 1e400 reads as
    {"progression": "time", "seconds": -math.inf},
    {"progression": "time", "seconds": math.nan},
    {"progression": "time", "seconds": -1},
    {"progression": "time", "seconds": "10"},
    {"progression": "time", "seconds": True},
    {"progression": "time"},
    {"progression": "manual", "times": "x"},
    {"progression": "manual", "times": 0},
    {"progression": "manual", "times": -3},
    {"progression": "manual", "times": 2.0},
    {"progression": "manual", "times": True},
    {"progression": "manual"},
    {"progression": "sometimes"},
    {"progression": None},
    {},
    "immediate",
    None,
]
GOOD: list[Any] = [
    {"progression": "immediate"},
    {"progression": "manual", "times": 1},
    {"progression": "manual", "times": 10**6},
    {"progression": "time", "seconds": 0},
    {"progression": "time", "seconds": 0.5},
    {"progression": "time", "seconds": 1e308},
]


def ids(values: list[Any]) -> list[str]:
    return [repr(value) for value in values]


# The controller -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("transition", BAD, ids=ids(BAD))
def test_controller_refuses_a_transition_out_of_range(
    firehose_sse: FirehoseSSE, model: str, transition: Any
) -> None:
    with pytest.raises(ValueError) as refused:
        firehose_sse.set_transition(transition, model=model)
    message = str(refused.value)
    assert message.startswith(f"{model}: ")
    assert '{"progression": "manual", "times": 2}' in message  # says what to give instead
    assert model not in state_manager._transitions


def test_controller_messages_name_what_is_wrong(firehose_sse: FirehoseSSE) -> None:
    def refusal(transition: Any) -> str:
        with pytest.raises(ValueError) as refused:
            firehose_sse.set_transition(transition)
        return str(refused.value)

    assert refusal("fast").startswith(f"{MODEL_NAME}: the transition must be a JSON object; e.g. ")
    assert refusal({"progression": "later"}) == (
        f'{MODEL_NAME}: progression must be "immediate", "manual" or "time", not \'later\'; '
        'e.g. {"progression": "manual", "times": 2} or {"progression": "time", "seconds": 10}'
    )

    assert "needs \"times\", a whole number of at least 1, not 'x'" in refusal(
        {"progression": "manual", "times": "x"}
    )
    assert 'needs "times", a whole number of at least 1, and it is missing' in refusal(
        {"progression": "manual"}
    )
    assert 'needs "seconds", a finite number of 0 or more, not inf' in refusal(
        {"progression": "time", "seconds": math.inf}
    )
    assert 'progression must be "immediate", "manual" or "time", not \'soon\'' in refusal(
        {"progression": "soon"}
    )
    assert "None" not in refusal({"progression": "manual"})


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("transition", GOOD, ids=ids(GOOD))
def test_controller_sets_a_transition_in_range(
    firehose_sse: FirehoseSSE, model: str, transition: Any
) -> None:
    firehose_sse.set_transition(transition, model=model)
    assert state_manager.get_transition(model) == transition
    firehose_sse.unset_transition(model=model)
    assert state_manager.get_transition(model) == DEFAULT


@pytest.mark.parametrize("model", ["firehose::other", "", None, ["firehose::deletion"]])
def test_controller_refuses_a_model_that_is_not_the_plugins(
    firehose_sse: FirehoseSSE, model: Any
) -> None:
    with pytest.raises(ValueError, match="model must be one of"):
        firehose_sse.set_transition({"progression": "immediate"}, model=model)
    with pytest.raises(ValueError, match="model must be one of"):
        firehose_sse.unset_transition(model=model)


# Set straight on moto's state manager: the default ---------------------------------------------


@pytest.mark.parametrize("transition", BAD, ids=ids(BAD))
def test_a_bad_encryption_transition_on_the_state_manager_counts_as_the_default(
    firehose: Any, transition: Any
) -> None:
    state_manager.set_transition(MODEL_NAME, transition)
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert [sse(firehose, "s")["Status"] for _ in range(2)] == ["ENABLING", "ENABLED"]  # type: ignore[index]
    assert firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["Encrypted"]
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert [sse(firehose, "s")["Status"] for _ in range(2)] == ["DISABLING", "DISABLED"]  # type: ignore[index]


@pytest.mark.parametrize("transition", BAD, ids=ids(BAD))
def test_a_bad_deletion_transition_on_the_state_manager_counts_as_the_default(
    firehose: Any, transition: Any
) -> None:
    state_manager.set_transition(DELETION_MODEL_NAME, transition)
    create_stream(firehose, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    assert description(firehose, "s")["DeliveryStreamStatus"] == "DELETING"
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        description(firehose, "s")
    create_stream(firehose, "s")


def test_a_bad_transition_through_motos_in_process_endpoint(firehose: Any) -> None:
    """moto's own HTTP API in-process doesn't pass the plugin's server: the default applies."""
    for model in MODELS:
        body = {"model_name": model, "transition": {"progression": "manual", "times": "x"}}
        response = requests.post(
            "http://motoapi.amazonaws.com/moto-api/state-manager/set-transition",
            data=json.dumps(body),
            timeout=5,
        )
        assert response.status_code == 201
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert [sse(firehose, "s")["Status"] for _ in range(2)] == ["ENABLING", "ENABLED"]  # type: ignore[index]
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    assert description(firehose, "s")["DeliveryStreamStatus"] == "DELETING"


# Over HTTP ------------------------------------------------------------------------------------

RAW_BAD = [
    b'{"progression": "time", "seconds": 1e400}',
    b'{"progression": "time", "seconds": NaN}',
    b'{"progression": "time", "seconds": -Infinity}',
    b'{"progression": "time", "seconds": -3}',
    b'{"progression": "time"}',
    b'{"progression": "manual", "times": "x"}',
    b'{"progression": "manual", "times": 0}',
    b'{"progression": "manual", "times": -3}',
    b'{"progression": "manual"}',
    b'{"progression": "later"}',
]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("transition", RAW_BAD, ids=[t.decode() for t in RAW_BAD])
def test_server_refuses_a_transition_out_of_range(
    server: str, model: str, transition: bytes
) -> None:
    body = b'{"model_name": "' + model.encode() + b'", "transition": ' + transition + b"}"
    status, got = call(server, "POST", "/moto-api/state-manager/set-transition", body)
    assert status == 400
    assert got["message"].startswith(f"{model}: ")
    path = f"/moto-api/state-manager/get-transition?model_name={model}"
    assert call(server, "GET", path) == (200, DEFAULT)  # nothing was set


@pytest.mark.parametrize("model", MODELS)
def test_server_sets_a_transition_in_range(server: str, model: str) -> None:
    body = {"model_name": model, "transition": {"progression": "time", "seconds": 0.5}}
    assert call(server, "POST", "/moto-api/state-manager/set-transition", body)[0] == 201
    path = f"/moto-api/state-manager/get-transition?model_name={model}"
    assert call(server, "GET", path) == (200, {"progression": "time", "seconds": 0.5})


def test_times_over_the_limit_is_refused_naming_the_limit_and_the_value() -> None:
    from moto_firehose_sse.controller import MAX_TIMES, transition_problem

    assert transition_problem({"progression": "manual", "times": MAX_TIMES}) is None
    assert transition_problem({"progression": "manual", "times": MAX_TIMES + 1}) == (
        'a "manual" transition takes "times" up to 2147483647, not 2147483648'
    )
