"""Unit tests of the key-event log's parts (``moto_firehose_sse.key_events``).

The log through boto3 is in ``test_key_events.py``; its HTTP query is read in the server's
process there, so the query reader's answers are pinned here, in-process."""

from __future__ import annotations

import re

import pytest

from moto_firehose_sse import key_events
from moto_firehose_sse.key_events import KeyEventLog, _query_stream_name

ARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/{}"
KEY = "arn:aws:kms:us-east-1:123456789012:key/k"


def test_each_streams_data_events_carry_its_own_encryption_context() -> None:
    log = KeyEventLog()
    for name in ("one", "two", "one"):
        log.append((0.0, ARN.format(name), KEY, "GenerateDataKey", "firehose.amazonaws.com", None))
    events = log.events()
    assert [dict(e.encryption_context) for e in events] == [
        {"aws:firehose:arn": ARN.format(name)} for name in ("one", "two", "one")
    ]
    assert [e.stream_name for e in events] == ["one", "two", "one"]


def test_a_stream_name_filter_that_is_not_a_name_is_refused_with_the_rule() -> None:
    with pytest.raises(ValueError) as caught:
        key_events.check_stream_name(5)
    assert str(caught.value) == (
        "stream_name must be a delivery stream name (1 to 64 characters of a-z, A-Z, "
        "0-9, _ . -), or left out for every stream; got 5"
    )


def test_a_query_of_the_longest_length_is_read() -> None:
    query = "stream_name=" + "a" * 64 + "&" * (key_events.QUERY_LIMIT - 76)
    assert len(query) == key_events.QUERY_LIMIT
    with pytest.raises(ValueError, match="can't be read"):  # empty fields: read, then refused
        _query_stream_name(query)
    assert _query_stream_name("stream_name=" + "a" * 64) == "a" * 64


def test_a_query_over_the_limit_is_refused_saying_what_to_send() -> None:
    with pytest.raises(ValueError) as caught:
        _query_stream_name("x" * (key_events.QUERY_LIMIT + 1))
    assert str(caught.value) == (
        f"key-events: the query string is over {key_events.QUERY_LIMIT} characters; use "
        "?stream_name=NAME or no query."
    )


def test_an_unreadable_query_is_refused_showing_its_first_100_characters() -> None:
    query = "stream_name=" + "\xff" * 150  # bytes that are not UTF-8
    with pytest.raises(ValueError) as caught:
        _query_stream_name(query)
    message = str(caught.value)
    assert message.startswith(f"key-events: the query string {query[:100]!r} can't be read (")
    assert message.endswith("); use ?stream_name=NAME (URL-encoded), or no query.")


def test_a_query_in_utf8_is_read_from_its_latin1_wsgi_form() -> None:
    raw = "stream_name=s\u00e9".encode().decode("latin-1")  # as WSGI passes it
    with pytest.raises(ValueError, match=re.escape("got 'sé'")):
        _query_stream_name(raw)
    assert _query_stream_name("stream_name=a%2Db") == "a-b"


def test_stream_name_given_twice_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        _query_stream_name("stream_name=a&stream_name=b")
    assert str(caught.value) == "key-events: give stream_name once."


def test_an_event_is_stamped_with_the_time_its_caller_read() -> None:
    """A put reads the mock's clock once; its events carry that instant, not a later one."""
    import datetime

    import time_machine

    from moto_firehose_sse import mock_firehose_sse

    moment = datetime.datetime(2030, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)
    with time_machine.travel(moment, tick=False), mock_firehose_sse() as firehose_sse:
        key_events.record("DescribeKey", ARN.format("s"), KEY, now=123.5)
        key_events.record("DescribeKey", ARN.format("s"), KEY)  # now: the mock's clock
        first, second = firehose_sse.key_events("s")
    assert first.time == datetime.datetime(1970, 1, 1, 0, 2, 3, 500000, datetime.timezone.utc)
    assert second.time == moment


@pytest.mark.parametrize("value", [0, 1, 1_000_000])
def test_max_key_events_takes_every_whole_number_up_to_a_million(value: int) -> None:
    assert key_events.check_max_key_events(value) == value


@pytest.mark.parametrize(
    ("value", "shown"), [(-1, "-1"), (1_000_001, "1000001"), (True, "True"), (2.0, "2.0")]
)
def test_max_key_events_out_of_range_is_refused_saying_the_range(value: object, shown: str) -> None:
    with pytest.raises(ValueError) as refused:
        key_events.check_max_key_events(value)
    assert str(refused.value) == (
        "max_key_events must be a whole number from 0 (keep no key event) to 1,000,000; "
        f"got {shown}"
    )


def test_a_log_keeps_its_newest_events_up_to_its_size() -> None:
    log = KeyEventLog(2)
    for when in (1.0, 2.0, 3.0):
        log.append((when, ARN.format("s"), KEY, "DescribeKey", "firehose.amazonaws.com", None))
    assert [e.time.timestamp() for e in log.events()] == [2.0, 3.0]
    with pytest.raises(ValueError, match="max_key_events must be a whole number"):
        KeyEventLog(-1)
