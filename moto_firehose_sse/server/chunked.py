"""A strict reader of ``Transfer-Encoding: chunked`` request bodies.

werkzeug's development server (which moto's server and this one run on) reads a chunked body
with ``werkzeug.serving.DechunkedInput``, which, on a body cut short inside a chunk, never
ends and hands out bytes of uninitialised memory. ``ChunkedInput`` reads chunks as HTTP/1.1
defines them and raises ``MalformedChunks`` on anything else, so that the server answers 400.
"""

from __future__ import annotations

import io
import re
from typing import Any

_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_LINE_LIMIT = 4096
_TRAILER_LIMIT = 64


class MalformedChunks(ValueError):
    """A chunked body that is not well-formed."""


class ChunkedInput(io.RawIOBase):
    """The data of a chunked body read from ``rfile``: ``SIZE[;ext] CRLF DATA CRLF`` ... up to
    a last chunk of size 0, trailer lines and an empty line."""

    def __init__(self, rfile: Any) -> None:
        self._rfile = rfile
        self._left = 0  # bytes left in the current chunk
        self._done = False

    def readable(self) -> bool:
        return True

    def _line(self) -> bytes:
        line = bytes(self._rfile.readline(_LINE_LIMIT + 1))
        if not line.endswith(b"\n"):
            raise MalformedChunks(
                "a chunk size or trailer line is over 4096 bytes"
                if len(line) > _LINE_LIMIT
                else "the body ends before its last chunk"
            )
        return line.rstrip(b"\r\n")

    def _next_size(self) -> int:
        size = self._line().split(b";", 1)[0].strip(b" \t")
        if not _SIZE.fullmatch(size):
            raise MalformedChunks(f"{size[:40]!r} is not a chunk size (hexadecimal digits)")
        return int(size, 16)

    def _end_of_chunk(self) -> None:
        if self._line():
            raise MalformedChunks("a chunk's data is longer than its size")

    def _trailers(self) -> None:
        for _ in range(_TRAILER_LIMIT):
            if not self._line():
                return
        raise MalformedChunks(f"over {_TRAILER_LIMIT} trailer lines")

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and not self._done:
            if self._left == 0:
                self._left = self._next_size()
                if self._left == 0:
                    self._trailers()
                    self._done = True
                    break
            data = self._rfile.read(min(self._left, len(view) - done))
            if not data:
                raise MalformedChunks("the body ends inside a chunk")
            view[done : done + len(data)] = data
            done += len(data)
            self._left -= len(data)
            if self._left == 0:
                self._end_of_chunk()
        return done
