"""IAM's wildcards, matched without backtracking: ``*`` any run of characters (none
included), ``?`` any one character, every other character itself.

A pattern is cut at its ``*`` into segments of fixed length. The first segment must start
the value and the last must end it; each one between is placed at its leftmost place after
the one before. Leftmost placement is never wrong for fixed-length segments, so nothing is
ever retried: a match costs one pass over the value (``str.find`` and ``str.startswith`` do
the scanning), however many ``*`` the pattern holds. No regular expression is involved.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class _Segment:
    """A run of the pattern without ``*``: its length and its literal chunks (between ``?``)."""

    length: int
    chunks: tuple[tuple[int, str], ...]  # (offset, text), ``?`` left out
    anchor: tuple[int, str] | None  # the longest chunk: where a search looks first

    def at(self, value: str, index: int) -> bool:
        """Whether the segment matches ``value`` at ``index`` (the caller checked the length)."""
        return all(value.startswith(text, index + offset) for offset, text in self.chunks)

    def find(self, value: str, start: int, end: int) -> int:
        """The leftmost index >= ``start`` where the segment matches within ``value[:end]``."""
        last = end - self.length  # the last index where the segment fits
        if self.anchor is None:  # only "?": any place will do
            return start if start <= last else -1
        offset, text = self.anchor
        while start <= last:
            found = value.find(text, start + offset, last + offset + len(text))
            if found < 0:
                return -1
            index = found - offset
            if self.at(value, index):
                return index
            start = index + 1
        return -1


def _segment(text: str) -> _Segment:
    chunks = []
    offset = 0
    for piece in text.split("?"):
        if piece:
            chunks.append((offset, piece))
        offset += len(piece) + 1
    anchor = max(chunks, key=lambda chunk: len(chunk[1])) if chunks else None
    return _Segment(len(text), tuple(chunks), anchor)


@dataclass(frozen=True)
class Pattern:
    """A compiled wildcard pattern; ``matches(value)`` runs in time linear in the value."""

    head: _Segment
    middle: tuple[_Segment, ...]
    tail: _Segment | None  # None: no ``*`` in the pattern
    least: int  # the shortest value that can match

    def matches(self, value: str) -> bool:
        size = len(value)
        if size < self.least:
            return False
        head, tail = self.head, self.tail
        if tail is None:
            return size == head.length and head.at(value, 0)
        if not head.at(value, 0):
            return False
        end = size - tail.length
        if not tail.at(value, end):
            return False
        position = head.length
        for segment in self.middle:
            index = segment.find(value, position, end)
            if index < 0:
                return False
            position = index + segment.length
        return True


@functools.lru_cache(maxsize=8192)
def compile_pattern(pattern: str) -> Pattern:
    """``pattern`` compiled (cached per pattern text)."""
    parts = pattern.split("*")
    segments = [_segment(part) for part in parts]
    least = sum(segment.length for segment in segments)
    if len(parts) == 1:
        return Pattern(segments[0], (), None, least)
    middle = tuple(segment for segment in segments[1:-1] if segment.length)
    return Pattern(segments[0], middle, segments[-1], least)


def matches(value: str, pattern: str, ignore_case: bool = False) -> bool:
    """Whether ``value`` matches the IAM wildcard ``pattern`` (``*`` and ``?``)."""
    if ignore_case:
        value, pattern = value.lower(), pattern.lower()
    if "*" not in pattern and "?" not in pattern:
        return value == pattern
    return compile_pattern(pattern).matches(value)


__all__ = ["Pattern", "compile_pattern", "matches"]
