"""IAM's wildcards, matched in linear time: ``*`` any run of characters (none included),
``?`` any one character, every other character itself. No regular expression is involved.

A pattern is cut at its ``*`` into segments of fixed length. The first segment must start
the value and the last must end it; each one between is placed at its leftmost place after
the one before. Leftmost placement is never wrong for fixed-length segments, so nothing is
ever tried twice (no backtracking), however many ``*`` the pattern holds:

- a segment without ``?`` is found with ``str.find`` (linear in the value);
- a segment with ``?`` is found with bit sets: for each character of the value, the set of
  places where it occurs (computed once per value); the places where the segment matches
  are the intersection, for each literal character of the segment, of that character's
  places shifted by its offset. That is one operation on a small integer per literal
  character of the pattern, whatever the value holds.

A match therefore costs time linear in the length of the pattern plus that of the value.
"""

from __future__ import annotations

import functools
from typing import Any


def _places_of(value: str) -> dict[str, int]:
    """For each character of ``value``, the bit set of the indices where it occurs."""
    places: dict[str, int] = {}
    for index, char in enumerate(value):
        places[char] = places.get(char, 0) | (1 << index)
    return places


# Cached by wrapping, not by a decorator: mutmut doesn't mutate decorated functions.
_places = functools.lru_cache(maxsize=1024)(_places_of)


class _Segment:
    """A run of the pattern without ``*``: its length and its literal chunks (between ``?``)."""

    __slots__ = ("chunks", "length", "letters")

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self.letters: tuple[tuple[int, str], ...] | None = None
        if "?" not in text:
            self.chunks: tuple[tuple[int, str], ...] = ((0, text),) if text else ()
            return
        chunks = []
        offset = 0
        for piece in text.split("?"):
            if piece:
                chunks.append((offset, piece))
            offset += len(piece) + 1
        self.chunks = tuple(chunks)
        # (offset, character) of each literal character, for the bit-set search
        self.letters = tuple(
            (offset + i, char) for offset, piece in chunks for i, char in enumerate(piece)
        )

    def at(self, value: str, index: int) -> bool:
        """Whether the segment matches ``value`` at ``index`` (the caller checked the length)."""
        return all(value.startswith(text, index + offset) for offset, text in self.chunks)

    def find(self, value: str, start: int, end: int) -> int:
        """The leftmost index >= ``start`` where the segment matches within ``value[:end]``."""
        last = end - self.length  # the last index where the segment fits
        if last < start:
            return -1
        if self.letters is None:  # no "?": one literal chunk
            return value.find(self.chunks[0][1], start, end)
        fits = ((1 << (last + 1)) - 1) >> start << start  # indices start..last
        places = _places(value)
        for offset, char in self.letters:
            fits &= places.get(char, 0) >> offset
            if not fits:
                return -1
        return (fits & -fits).bit_length() - 1  # the lowest index left


class Pattern:
    """A compiled wildcard pattern; ``matches(value)`` runs in time linear in the value."""

    __slots__ = ("exact", "head", "least", "middle", "plain", "tail")

    def __init__(self, pattern: str) -> None:
        parts = pattern.split("*")
        self.least = len(pattern) - len(parts) + 1  # the shortest value that can match
        self.plain = "?" not in pattern  # then the segments are kept as strings
        self.exact = pattern if len(parts) == 1 and self.plain else None
        segment: type[str] | type[_Segment] = str if self.plain else _Segment
        self.head: Any = segment(parts[0])
        self.tail: Any = segment(parts[-1]) if len(parts) > 1 else None  # None: no "*"
        self.middle: tuple[Any, ...] = tuple(segment(part) for part in parts[1:-1] if part)

    def matches(self, value: str) -> bool:
        if self.exact is not None:
            return value == self.exact
        size = len(value)
        if size < self.least:
            return False
        if self.plain:
            return self._plain(value, size)
        head, tail = self.head, self.tail
        if tail is None:
            return size == head.length and bool(head.at(value, 0))
        end = size - tail.length
        if not head.at(value, 0) or not tail.at(value, end):
            return False
        position = head.length
        for segment in self.middle:
            index = segment.find(value, position, end)
            if index < 0:
                return False
            position = index + segment.length
        return True

    def _plain(self, value: str, size: int) -> bool:
        """``matches`` for a pattern without ``?``: every segment is a plain string."""
        head, tail = self.head, self.tail
        if not value.startswith(head) or not value.endswith(tail):
            return False
        position, end = len(head), size - len(tail)
        for segment in self.middle:
            index = value.find(segment, position, end)
            if index < 0:
                return False
            position = index + len(segment)
        return True


compile_pattern = functools.lru_cache(maxsize=8192)(Pattern)
"""``Pattern(pattern)``, cached per pattern text."""


def cost(pattern: str) -> int:
    """What comparing a value with ``pattern`` costs, in comparisons of a plain pattern: one
    bit-set operation per literal character makes a pattern with ``?`` dearer."""
    if "?" not in pattern:
        return 1
    return 1 + (len(pattern) - pattern.count("*") - pattern.count("?")) // 8


def matches(value: str, pattern: str, ignore_case: bool = False) -> bool:
    """Whether ``value`` matches the IAM wildcard ``pattern`` (``*`` and ``?``)."""
    if ignore_case:
        value, pattern = value.lower(), pattern.lower()
    if "*" not in pattern and "?" not in pattern:
        return value == pattern
    return compile_pattern(pattern).matches(value)


__all__ = ["Pattern", "compile_pattern", "cost", "matches"]
