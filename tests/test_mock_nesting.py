"""Nested mocks stopped in any order: the innermost live mock's settings apply, and once every
mock is stopped moto is plain moto again."""

from __future__ import annotations

import pytest

from moto_firehose_sse import controller, get_controller, mock_firehose_sse
from moto_firehose_sse.controller import current

from .helpers import client, create_stream, sse
from .test_usage_forms import assert_plain_moto


def test_outer_mock_stopped_first_leaves_the_inner_one_in_force() -> None:
    outer = mock_firehose_sse(max_streams_per_region=5)
    inner = mock_firehose_sse(max_streams_per_region=2)
    outer_sse = outer.start()
    inner_sse = inner.start()
    try:
        firehose = client("firehose")
        create_stream(firehose, "a")
        outer.stop()
        assert get_controller() is inner_sse  # the outer one is gone, the inner one remains
        assert inner_sse.max_streams_per_region == 2
        firehose.start_delivery_stream_encryption(DeliveryStreamName="a")
        assert sse(firehose, "a") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
        create_stream(firehose, "b")
        with pytest.raises(firehose.exceptions.LimitExceededException) as caught:
            create_stream(firehose, "c")
        assert "quota of 2 hoses" in caught.value.response["Error"]["Message"]
    finally:
        inner.stop()
    assert outer_sse is not inner_sse
    assert current() is not outer_sse and current() is not inner_sse
    with pytest.raises(RuntimeError, match="No mock_firehose_sse is active"):
        get_controller()
    assert_plain_moto()


def test_middle_mock_stopped_first() -> None:
    mocks = [mock_firehose_sse(max_streams_per_region=n) for n in (3, 4, 5)]
    controllers = [m.start() for m in mocks]
    try:
        mocks[1].stop()
        assert get_controller() is controllers[2]
        mocks[2].stop()
        assert get_controller() is controllers[0]  # not the stopped middle one
        assert get_controller().max_streams_per_region == 3
    finally:
        mocks[0].stop()
    assert current() not in controllers
    assert_plain_moto()


def test_stop_before_start_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"stop\(\) called before start\(\)"):
        mock_firehose_sse().stop()


def test_nested_mocks_from_a_fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a fresh process, where no controller was ever active: the first two mocks."""
    monkeypatch.setattr(controller, "_active", [])
    with mock_firehose_sse() as outer:
        with mock_firehose_sse() as inner:
            assert get_controller() is inner
        assert get_controller() is outer
    assert controller._active == []
