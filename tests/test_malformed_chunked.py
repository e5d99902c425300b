"""Malformed chunked bodies over HTTP: a 400 on every path, never a 500 or an HTML page.

Raw requests over loopback sockets to the session's ``moto-firehose-sse-server``: a
``Transfer-Encoding: chunked`` body with bad chunk sizes, cut short, or without its CRLFs.
"""

from __future__ import annotations

import collections
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moto_firehose_sse.server.chunked import ChunkedInput, MalformedChunks

from .hypothesis_profiles import FUZZ
from .server_helpers import call
from .test_hostile_http import AUTH, DESCRIBE, JSON_1_1, firehose_error, send_raw, still_serves

FIREHOSE = {"Authorization": AUTH, "X-Amz-Target": DESCRIBE, "Content-Type": JSON_1_1}

MALFORMED = {
    "size-not-hex": b"zz\r\nabc\r\n0\r\n\r\n",
    "size-negative": b"-5\r\nabc\r\n0\r\n\r\n",
    "size-empty": b"\r\nabc\r\n0\r\n\r\n",
    "size-huge-then-cut": b"ffffffffffffffff\r\n{}",
    "cut-in-a-chunk": b'20\r\n{"DeliveryStreamName"',
    "no-crlf-after-data": b"3\r\n{}}X\r\n0\r\n\r\n",
    "no-last-chunk": b"2\r\n{}\r\n",
    "no-chunk-at-all": b"",
    "size-0x": b"0x2\r\n{}\r\n0\r\n\r\n",
    "size-plus": b"+2\r\n{}\r\n0\r\n\r\n",
    "size-line-endless": b"2" * 10_000,
}

OTHER_PATHS = [
    "/moto-api/firehose-sse/settings",
    "/moto-api/firehose-sse/faults",
    "/moto-api/state-manager/set-transition",
    "/moto-api/state-manager/unset-transition",
    "/moto-api/reset",
    "/",  # no Firehose headers: another service's request
    "/some-bucket/some-key",
]


def chunked(path: str, body: bytes, headers: dict[str, str], method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_chunked_body_to_firehose_is_a_serialization_exception(
    server: str, body: bytes
) -> None:
    reply = send_raw(server, chunked("/", body, FIREHOSE))
    assert "chunked" in firehose_error(reply, 400, "SerializationException")
    still_serves(server)


@pytest.mark.parametrize("path", OTHER_PATHS)
@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_chunked_body_is_a_json_400_on_every_other_path(
    server: str, path: str, body: bytes
) -> None:
    call(server, "POST", "/moto-api/firehose-sse/settings", {"max_streams_per_region": 7})
    status, headers, reply = send_raw(server, chunked(path, body, {}))
    assert (status, headers["content-type"]) == (400, "application/json"), reply[:200]
    assert "chunked" in json.loads(reply)["message"]
    # Nothing happened: not even the reset on /moto-api/reset.
    assert call(server, "GET", "/moto-api/firehose-sse/settings")[1]["max_streams_per_region"] == 7


def test_a_well_formed_chunked_body_still_reaches_every_path(server: str) -> None:
    settings = b'{"lenient_keys": true}'
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(settings), settings)
    status, _, reply = send_raw(server, chunked("/moto-api/firehose-sse/settings", body, {}))
    assert (status, json.loads(reply)["lenient_keys"]) == (200, True)
    describe = b'{"DeliveryStreamName": "a"}'
    body = b"5;name=value\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (
        describe[:5],
        len(describe) - 5,
        describe[5:],
    )
    firehose_error(send_raw(server, chunked("/", body, FIREHOSE)), 400, "ResourceNotFoundException")
    status, _, reply = send_raw(server, chunked("/moto-api/reset", b"0\r\n\r\n", {}))
    assert status == 200
    assert call(server, "GET", "/moto-api/firehose-sse/settings")[1]["lenient_keys"] is False


def test_a_chunked_body_with_a_content_length_is_read_as_chunked(server: str) -> None:
    describe = b'{"DeliveryStreamName": "a"}'
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(describe), describe)
    headers = {**FIREHOSE, "Content-Length": "3"}  # Transfer-Encoding wins, as HTTP/1.1 says
    firehose_error(send_raw(server, chunked("/", body, headers)), 400, "ResourceNotFoundException")
    reply = send_raw(server, chunked("/", b"zz\r\n", {"Content-Length": "3"}))
    assert reply[0] == 400


# The reader itself ---------------------------------------------------------------------


def encode(parts: list[bytes], trailers: list[bytes]) -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts if part)
    return body + b"0\r\n" + b"".join(line + b"\r\n" for line in trailers) + b"\r\n"


@settings(FUZZ)
@given(
    parts=st.lists(st.binary(max_size=300), max_size=8),
    trailers=st.lists(st.sampled_from([b"X-Checksum: abc", b"Expires: 0"]), max_size=2),
    size=st.integers(1, 200),
)
def test_well_formed_chunks_read_back_whole(
    parts: list[bytes], trailers: list[bytes], size: int
) -> None:
    reader = ChunkedInput(io.BufferedReader(io.BytesIO(encode(parts, trailers))))  # type: ignore[arg-type]
    got = b""
    while chunk := reader.read(size):
        got += chunk
    assert got == b"".join(parts)


@settings(FUZZ)
@given(parts=st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=8), data=st.data())
def test_a_body_cut_anywhere_is_malformed_never_padded(parts: list[bytes], data: Any) -> None:
    whole = encode(parts, [])
    cut = data.draw(st.integers(0, len(whole) - 1))
    reader = ChunkedInput(io.BufferedReader(io.BytesIO(whole[:cut])))  # type: ignore[arg-type]
    with pytest.raises(MalformedChunks):
        reader.read()


@settings(FUZZ)
@given(raw=st.binary(max_size=400), size=st.integers(1, 100))
def test_any_bytes_read_as_data_or_malformed_never_endless(raw: bytes, size: int) -> None:
    reader = ChunkedInput(io.BufferedReader(io.BytesIO(raw)))  # type: ignore[arg-type]
    got = b""
    try:
        for _ in range(len(raw) + 2):  # each read consumes input, or the body has ended
            chunk = reader.read(size)
            if not chunk:
                break
            got += chunk
        else:
            raise AssertionError("the reader kept returning data past its input")
    except MalformedChunks:
        return
    sent, read = collections.Counter(raw), collections.Counter(got)
    assert all(sent[byte] >= count for byte, count in read.items())  # no byte from elsewhere
