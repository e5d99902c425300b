"""Two ``ThreadedFirehoseSSEServer``s, or a server and ``mock_firehose_sse``, in one process.

moto's data, transitions and the plugin's rules are process-wide: the second start is refused
with ``RuntimeError`` naming the one running, and nothing of the first changes. Each server's
requests follow its own settings, whatever mock runs in the process meanwhile.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import moto
import pytest
from moto.moto_api import state_manager

from moto_firehose_sse import (
    DELETION_MODEL_NAME,
    MODEL_NAME,
    ThreadedFirehoseSSEServer,
    get_controller,
    mock_firehose_sse,
    wiring,
)

from .helpers import assert_plain_moto, client, create_stream, sse
from .server_helpers import remote

IMMEDIATE = {"progression": "immediate"}


def refused(start: Any, running: ThreadedFirehoseSSEServer) -> str:
    with pytest.raises(RuntimeError) as caught:
        start()
    message = str(caught.value)
    assert running.endpoint_url in message  # it names the running server
    return message


def test_a_second_server_is_refused_and_the_strict_one_keeps_its_settings() -> None:
    with ThreadedFirehoseSSEServer(max_streams_per_region=1) as strict:
        compat = ThreadedFirehoseSSEServer(preset="compat")
        assert "max_streams_per_region=1" in refused(compat.start, strict)
        firehose = remote(strict.endpoint_url, "firehose")
        create_stream(firehose, "only")
        with pytest.raises(firehose.exceptions.LimitExceededException):
            create_stream(firehose, "more")  # still the strict server's quota of 1
        with pytest.raises(RuntimeError, match="call start"):
            compat.endpoint_url  # noqa: B018  # never started
    assert_plain_moto()


def test_a_refused_server_takes_no_transition_away() -> None:
    with ThreadedFirehoseSSEServer(preset="compat") as compat:
        before = dict(state_manager._transitions)
        strict = ThreadedFirehoseSSEServer()
        refused(strict.start, compat)
        with pytest.raises(RuntimeError, match="before start"):
            strict.stop()
        assert state_manager._transitions == before
        assert before[MODEL_NAME] == before[DELETION_MODEL_NAME] == IMMEDIATE
        firehose = remote(compat.endpoint_url, "firehose")
        create_stream(firehose, "web")
        firehose.start_delivery_stream_encryption(DeliveryStreamName="web")
        assert sse(firehose, "web") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    assert_plain_moto()


def test_a_mock_inside_a_running_server_is_refused_and_leaves_its_data() -> None:
    with ThreadedFirehoseSSEServer(preset="compat") as compat:
        firehose = remote(compat.endpoint_url, "firehose")
        create_stream(firehose, "kept")
        message = refused(mock_firehose_sse().start, compat)
        assert "mock_firehose_sse" in message
        with pytest.raises(RuntimeError):

            @mock_firehose_sse
            def decorated() -> None:
                raise AssertionError("never runs")

            decorated()
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["kept"]  # no reset
        assert state_manager._transitions[MODEL_NAME] == IMMEDIATE
        with pytest.raises(RuntimeError, match=re.escape(".controller")):
            get_controller()  # no mock: the server's controller is compat.controller
    assert_plain_moto()


def test_a_server_inside_an_active_mock_is_refused_and_the_mock_is_untouched() -> None:
    with mock_firehose_sse(max_streams_per_key=3) as mocked:
        server = ThreadedFirehoseSSEServer(preset="compat")
        with pytest.raises(RuntimeError, match="inside an active mock_firehose_sse") as caught:
            server.start()
        assert "max_streams_per_key=3" in str(caught.value)  # it names the mock
        assert get_controller() is mocked
        assert MODEL_NAME not in state_manager._transitions
        firehose = client("firehose")
        create_stream(firehose, "s")
        firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
        assert sse(firehose, "s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
    assert_plain_moto()


def test_servers_one_after_the_other_follow_their_own_settings() -> None:
    with ThreadedFirehoseSSEServer(max_streams_per_region=1) as first:
        firehose = remote(first.endpoint_url, "firehose")
        create_stream(firehose, "a")
        with pytest.raises(firehose.exceptions.LimitExceededException):
            create_stream(firehose, "b")
        first.reset()
    with ThreadedFirehoseSSEServer(preset="compat") as second:
        firehose = remote(second.endpoint_url, "firehose")
        for name in ("a", "b"):
            create_stream(firehose, name)
        firehose.start_delivery_stream_encryption(DeliveryStreamName="a")
        assert sse(firehose, "a") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
        second.reset()
    with mock_firehose_sse():  # and a mock after them
        firehose = client("firehose")
        create_stream(firehose, "c")
        firehose.start_delivery_stream_encryption(DeliveryStreamName="c")
        assert sse(firehose, "c") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
    assert_plain_moto()


def test_a_server_in_a_switched_on_session_and_the_session_keep_their_own_settings() -> None:
    wiring.enable_session("compat")
    try:
        with moto.mock_aws(), ThreadedFirehoseSSEServer(max_streams_per_region=1) as server:
            served = remote(server.endpoint_url, "firehose")
            local = client("firehose")  # the session's in-process mock: 5,000 a region
            create_stream(served, "served")
            with pytest.raises(served.exceptions.LimitExceededException):
                create_stream(served, "refused")  # the server's quota of 1
            for name in ("local-1", "local-2"):
                create_stream(local, name)  # the session's quota, not the server's
            with pytest.raises(served.exceptions.LimitExceededException):
                create_stream(served, "still-refused")
    finally:
        wiring.disable_session()
    assert_plain_moto()


def test_two_servers_started_at_once_from_two_threads_one_wins() -> None:
    servers = [ThreadedFirehoseSSEServer(), ThreadedFirehoseSSEServer(preset="compat")]
    barrier = threading.Barrier(len(servers))
    outcomes: list[str] = []

    def start(server: ThreadedFirehoseSSEServer) -> None:
        barrier.wait()
        try:
            server.start()
            outcomes.append("started")
        except RuntimeError as exc:
            outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = [server for server in servers if "http://" in repr(server)]
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["refused", "started"]
    assert len(started) == 1
    refusal = next(o for o in outcomes if o.startswith("refused"))
    # it names the other one: running (its URL) or, in the race, starting (its address)
    assert started[0].endpoint_url in refusal or "starting on 127.0.0.1:0" in refusal
    assert f"lenient_keys={started[0].controller.lenient_keys}" in refusal
    started[0].stop()
    assert_plain_moto()
