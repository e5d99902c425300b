"""Static checks of the public API's types: `mypy --strict tests/typing` (nox -s typing).

Never run, only type-checked. An ``assert_type`` that no longer holds, or a
``# type: ignore`` that is no longer needed (strict mode reports unused ignores), fails.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from moto_firehose_sse import (
    CREATION_MODEL_NAME,
    DELETION_MODEL_NAME,
    MODEL_NAME,
    Fault,
    FirehoseSSE,
    MockFirehoseSSE,
    ThreadedFirehoseSSEServer,
    Transition,
    get_controller,
    mock_firehose_sse,
)


@mock_firehose_sse
def bare(name: str, count: int = 1) -> list[str]:
    return [name] * count


@mock_firehose_sse(max_streams_per_region=600, lenient_keys=True)
def configured(name: str) -> int:
    return len(name)


@mock_firehose_sse
async def coroutine(name: str) -> str:
    return name


@mock_firehose_sse
class Suite:
    def test_it(self) -> None: ...


def check_decorators() -> None:
    # A bare decorator keeps the function's signature.
    assert_type(bare("a", 2), list[str])
    assert_type(configured("a"), int)
    assert_type(Suite, type[Suite])
    bare(3)  # type: ignore[arg-type]
    configured()  # type: ignore[call-arg]


async def check_coroutine() -> None:
    assert_type(await coroutine("a"), str)


def check_settings_and_context_manager() -> None:
    mock = mock_firehose_sse(max_streams_per_key=10, record_encryption_lag=0.5)
    assert_type(mock, MockFirehoseSSE)
    assert_type(mock_firehose_sse(), MockFirehoseSSE)
    mock_firehose_sse(max_streams_per_region="many")  # type: ignore[call-overload]
    mock_firehose_sse(no_such_setting=1)  # type: ignore[call-overload]
    mock_firehose_sse(producer_key_access="required")
    mock_firehose_sse(producer_key_access="sometimes")  # type: ignore[call-overload]

    with mock_firehose_sse() as sse:
        assert_type(sse, FirehoseSSE)
        assert_type(sse.max_streams_per_region, int)
        assert_type(sse.record_encryption_lag, float)
        assert_type(sse.lenient_keys, bool)
        assert_type(sse.producer_key_access, str)
        assert_type(sse.settings(), dict[str, Any])
        assert_type(sse.pending_faults, tuple[Fault, ...])
        sse.fail_next_enable("KMS_ACCESS_DENIED", "denied", stream_name="s")
        sse.fail_next_disable(stream_name="s")
        sse.fail_next_delete("RETIRE_KMS_GRANT_FAILED", "details", stream_name="s")
        sse.fail_next_delete(stream_name=3)  # type: ignore[arg-type]
        sse.set_transition({"progression": "manual", "times": 2})
        sse.set_transition({"progression": "sometimes"})  # type: ignore[typeddict-item]
        transition: Transition = {"progression": "time", "seconds": 10}
        sse.set_transition(transition)
        sse.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
        sse.set_transition(transition, DELETION_MODEL_NAME)  # type: ignore[call-arg]
        sse.unset_transition(model=MODEL_NAME)
        assert_type(DELETION_MODEL_NAME, str)
        sse.set_transition({"progression": "time", "seconds": 5}, model=CREATION_MODEL_NAME)
        assert_type(CREATION_MODEL_NAME, str)
        assert_type(get_controller(), FirehoseSSE)

    assert_type(mock.start(), FirehoseSSE)
    mock.stop()


def check_presets_and_the_threaded_server() -> None:
    assert_type(mock_firehose_sse(preset="compat"), MockFirehoseSSE)
    assert_type(mock_firehose_sse(preset="strict", max_streams_per_key=10), MockFirehoseSSE)
    mock_firehose_sse(preset="loose")  # type: ignore[call-overload]

    server = ThreadedFirehoseSSEServer(port=0, preset="compat", lenient_keys=False)
    assert_type(server.start(), ThreadedFirehoseSSEServer)
    assert_type(server.endpoint_url, str)
    assert_type(server.controller, FirehoseSSE)
    server.stop()
    ThreadedFirehoseSSEServer(preset="loose")  # type: ignore[arg-type]
    with ThreadedFirehoseSSEServer() as running:
        assert_type(running, ThreadedFirehoseSSEServer)
