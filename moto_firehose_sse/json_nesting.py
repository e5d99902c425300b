"""How deep a JSON request body may nest, the same on every Python.

``json.loads`` refuses deep nesting with ``RecursionError`` at a depth that depends on the
Python version: about 1,000 levels up to 3.12 (the interpreter's recursion limit), but Python
3.13's decoder parses several thousand. The server refuses a body nested deeper than
``MAX_DEPTH`` before parsing it, so that every Python answers such a body alike. No Firehose
or controller request nests more than a few levels.
"""

from __future__ import annotations

import re
from itertools import accumulate, repeat
from operator import sub

MAX_DEPTH = 512

# A JSON string, removed whole: brackets inside it don't count.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# What is left is reduced to its brackets, each opening one 2 and each closing one 0.
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def too_deep(body: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """True when ``body`` (JSON text, valid or not) opens more than ``limit`` arrays or objects
    inside one another. Linear in the body's length, at C speed; a body with at most ``limit``
    opening brackets is answered without a scan."""
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    steps = _STRING.sub(b"", data).translate(_STEPS, _NOT_BRACKETS)
    return max(accumulate(map(sub, steps, repeat(1))), default=0) > limit
