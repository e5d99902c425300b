"""Reading request bodies and writing JSON answers; the ``BadRequest`` every check raises."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

from .. import json_nesting

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

FIREHOSE_BODY_LIMIT = 8 * 1024 * 1024
"""The largest Firehose request body the server reads (bytes). Every request AWS accepts fits:
a PutRecordBatch at AWS's 4 MiB of record data is about 5.6 MB of JSON (the data in base64)."""
CONTROL_BODY_LIMIT = 64 * 1024
"""The largest body of a ``/moto-api/firehose-sse/...`` or state-manager request (bytes)."""
_CHUNK = 64 * 1024


class BadRequest(Exception):
    """A request refused before it reaches moto: an error name, a message and an HTTP status."""

    def __init__(self, code: str, message: str, status: str = "400 Bad Request") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def respond(
    start_response: StartResponse,
    status: str,
    payload: Any,
    content_type: str = "application/json",
    error_type: str | None = None,
) -> list[bytes]:
    """Answer ``payload`` as JSON."""
    body = json.dumps(payload).encode()
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    if error_type is not None:
        headers.append(("x-amzn-ErrorType", error_type))
    start_response(status, headers)
    return [body]


def _too_large(limit: int) -> BadRequest:
    return BadRequest(
        "RequestEntityTooLargeException",
        f"The request body is over {limit} bytes, the most this server reads on this path; "
        "send a smaller request.",
        "413 Request Entity Too Large",
    )


def is_chunked(environ: dict[str, Any]) -> bool:
    """Whether the request's body is read to its end, not to a length: ``Transfer-Encoding:
    chunked`` (which overrides a ``Content-Length``, as HTTP/1.1 says)."""
    return bool(environ.get("wsgi.input_terminated"))


def _malformed(exc: Exception) -> BadRequest:
    return BadRequest(
        "SerializationException",
        f"The request body can't be read: it is not well-formed chunked transfer coding "
        f"({exc or type(exc).__name__}). Send a Content-Length, or chunks as HTTP/1.1 "
        "defines them (a hexadecimal size line, the data, CRLF; a last chunk of size 0).",
    )


def _read(stream: Any, size: int) -> bytes:
    """Up to ``size`` bytes of the body; a malformed chunked body is a ``BadRequest``."""
    try:
        return bytes(stream.read(size))
    except (OSError, ValueError, EOFError) as exc:  # werkzeug's dechunker raises these
        raise _malformed(exc) from exc


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, read in chunks; ``wsgi.input`` is replaced so that the next app can
    read it again. A body (or a ``Content-Length``) over ``limit`` bytes is refused with 413,
    a malformed chunked body with 400 ``SerializationException``."""
    stream = environ["wsgi.input"]
    if is_chunked(environ):  # read to the end
        length = limit + 1
    else:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # no body
        if length > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    while length > 0:
        chunk = _read(stream, min(_CHUNK, length))
        if not chunk:  # the client sent less than it announced
            break
        chunks.append(chunk)
        length -= len(chunk)
    body = b"".join(chunks)
    if len(body) > limit:
        raise _too_large(limit)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def spool_chunked_body(environ: dict[str, Any]) -> None:
    """Read a chunked body whole before the next app does, into memory up to
    ``FIREHOSE_BODY_LIMIT`` and a temporary file beyond, so that a malformed one is a
    ``BadRequest`` and not the next app's 500. No limit: the next app sets its own."""
    stream = environ["wsgi.input"]
    spool = tempfile.SpooledTemporaryFile(max_size=FIREHOSE_BODY_LIMIT)  # noqa: SIM115 - handed on
    try:
        while chunk := _read(stream, _CHUNK):
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    environ["CONTENT_LENGTH"] = str(spool.tell())
    spool.seek(0)
    environ["wsgi.input"] = spool


def parse_json(body: bytes | str) -> Any:
    """``json.loads`` whose every failure is a ``ValueError``, nesting too deep included."""
    try:
        if json_nesting.too_deep(body):
            raise RecursionError
        return json.loads(body)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
