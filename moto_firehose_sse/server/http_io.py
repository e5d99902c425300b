"""Reading request bodies and writing JSON answers; the ``BadRequest`` every check raises."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any, Callable

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


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, read in chunks; ``wsgi.input`` is replaced so that the next app can
    read it again. A body (or a ``Content-Length``) over ``limit`` bytes is refused with 413."""
    stream = environ["wsgi.input"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length > limit:
        raise _too_large(limit)
    if length < 0:  # chunked: read to the end; otherwise there is no body
        length = limit + 1 if environ.get("wsgi.input_terminated") else 0
    chunks: list[bytes] = []
    while length > 0:
        chunk = stream.read(min(_CHUNK, length))
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


def parse_json(body: bytes | str) -> Any:
    """``json.loads`` whose every failure is a ``ValueError``, nesting too deep included."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
