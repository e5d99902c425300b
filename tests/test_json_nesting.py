"""JSON nesting is refused at the same depth on every Python: ``json.loads`` raises
``RecursionError`` near 1,000 levels up to Python 3.12, but Python 3.13 parses several
thousand, so the server checks the depth itself (``json_nesting.MAX_DEPTH``)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from moto_firehose_sse.json_nesting import MAX_DEPTH, too_deep

from .test_hostile_http import firehose_error, firehose_headers, send, still_serves


def arrays(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def objects(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("make", [arrays, objects])
def test_the_limit(make: Callable[[int], bytes]) -> None:
    assert not too_deep(make(MAX_DEPTH))
    assert too_deep(make(MAX_DEPTH + 1))
    assert too_deep(make(MAX_DEPTH + 1).decode())  # text as well as bytes
    assert too_deep(make(100_000))
    json.loads(make(MAX_DEPTH))  # what is let through parses on every Python


@pytest.mark.parametrize(
    "body",
    [
        b'["' + b"[" * 2000 + b'"]',  # brackets in a string don't count
        b'["\\"' + b"[{" * 1000 + b'"]',  # nor after an escaped quote
        b'["\\\\", ' + b"[]," * 2000 + b"[]]",  # an escaped backslash ends no string
        b"[" + b"[]," * 2000 + b"[]]",  # many arrays side by side
        b'{"Records": [' + b'{"Data": "eA=="},' * 499 + b'{"Data": "eA=="}]}',  # a full batch
        b"",
        b"not json [[[",
    ],
)
def test_shallow_bodies_pass(body: bytes) -> None:
    assert not too_deep(body)


def test_text_with_a_lone_surrogate_is_measured_too() -> None:
    """A str body may hold what UTF-8 can't encode (``\\ud800`` read from JSON escapes)."""
    lone = '["\ud800"]'
    assert not too_deep(lone)
    assert too_deep("[" * MAX_DEPTH + lone + "]" * MAX_DEPTH)


def test_brackets_only_in_strings_are_no_depth() -> None:
    assert not too_deep(b'"' + b"[" * 2000 + b'"')
    assert not too_deep(b'"[["', limit=0)


def test_exactly_the_limit_deep_is_let_through_whatever_the_brackets_beside() -> None:
    assert not too_deep(arrays(MAX_DEPTH) + b"[]")


def test_mixed_nesting_counts_both_kinds() -> None:
    half = MAX_DEPTH // 2 + 1
    assert too_deep(b'{"a": [' * half + b"]}" * half)


def test_an_unterminated_string_counts_what_follows_it() -> None:
    """Not JSON either way: its brackets count, and the answer is a 400 all the same."""
    assert too_deep(b'"' + b"[" * (MAX_DEPTH + 1))


@pytest.mark.parametrize("make", [arrays, objects])
def test_the_server_refuses_past_the_limit_on_every_python(
    server: str, make: Callable[[int], bytes]
) -> None:
    """Between MAX_DEPTH and Python's own limit: refused alike by every Python."""
    reply = send(server, "POST", "/", make(MAX_DEPTH + 100), firehose_headers())
    assert "nested too deeply" in firehose_error(reply, 400, "SerializationException")
    status, _, body = send(server, "POST", "/moto-api/firehose-sse/settings", make(MAX_DEPTH + 100))
    assert status == 400
    assert "nested too deeply" in json.loads(body)["message"]
    still_serves(server)


def test_the_server_reads_a_body_at_the_limit(server: str) -> None:
    body = b'{"DeliveryStreamName": ' + arrays(MAX_DEPTH - 1) + b"}"
    message = firehose_error(
        send(server, "POST", "/", body, firehose_headers()), 400, "SerializationException"
    )
    assert "nested too deeply" not in message
