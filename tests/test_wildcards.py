"""Unit tests of the linear wildcard matcher's parts (``moto_firehose_sse.wildcards``).

The behaviour through boto3 is in ``test_hostile_policies.py``; these pin what a key policy
can't show on its own: the bit sets, a segment's search bounds, and the cost estimate."""

from __future__ import annotations

import pytest

from moto_firehose_sse import wildcards
from moto_firehose_sse.wildcards import _places_of, _Segment


def test_places_are_the_bit_sets_of_each_characters_indices() -> None:
    assert _places_of("abca") == {"a": 0b1001, "b": 0b10, "c": 0b100}
    assert _places_of("") == {}


@pytest.mark.parametrize(
    ("segment", "value", "start", "end", "found"),
    [
        ("a?", "xxa", 0, 3, -1),  # "a" at 2 leaves no room for the "?" before end
        ("a?", "xxay", 0, 4, 2),
        ("a?", "axay", 1, 4, 2),  # not before start
        ("ab", "xxab", 0, 3, -1),  # a plain segment must end by end too
        ("ab", "xxab", 0, 4, 2),
        ("ab", "abxab", 1, 5, 3),  # a plain segment not before start either
        ("b", "xbyy", 2, 4, -1),
        ("a?c", "xxc", 0, 3, -1),  # every literal must be in place, not the last alone
        ("a?c", "xaxcxabc", 0, 8, 1),
        ("a?c", "xaxcxabc", 2, 8, 5),  # the lowest index left
        ("a?", "a", 0, 1, -1),  # longer than what is left
    ],
)
def test_a_segment_is_found_leftmost_within_its_bounds(
    segment: str, value: str, start: int, end: int, found: int
) -> None:
    assert _Segment(segment).find(value, start, end) == found


@pytest.mark.parametrize(
    ("pattern", "cost"),
    [
        ("kms:*", 1),
        ("abcdefghijklmnop", 1),  # no "?": one plain comparison, however long
        ("abcdefgh?", 2),  # 8 literal characters: one more bit-set step
        ("abcdefghi?", 2),
        ("abcdefg?*", 1),
        ("?" * 16, 1),  # "?" and "*" cost nothing
        ("*" * 16 + "?", 1),
        ("abcdefghijklmnop?", 3),
    ],
)
def test_the_cost_counts_literal_characters_of_patterns_with_a_question_mark(
    pattern: str, cost: int
) -> None:
    assert wildcards.cost(pattern) == cost
    assert type(wildcards.cost(pattern)) is int


def test_matching_is_case_sensitive_unless_asked() -> None:
    assert not wildcards.matches("ABC", "abc")
    assert not wildcards.matches("ABC", "a*")
    assert wildcards.matches("ABC", "a*", ignore_case=True)


def test_a_middle_segment_may_not_overlap_the_tail() -> None:
    assert not wildcards.matches("xab", "*ab*b")
    assert not wildcards.matches("xab", "*a?*b")
    assert wildcards.matches("xabb", "*ab*b")


def test_a_plain_middle_segment_is_not_found_again_before_its_place() -> None:
    """Patterns with a "?" take the general path even where a segment is plain."""
    assert not wildcards.matches("xbyy", "?*b*b*")
    assert wildcards.matches("xbyb", "?*b*b*")


def test_middle_segments_match_in_their_order() -> None:
    assert not wildcards.matches("ab", "*b*a*")
    assert wildcards.matches("ba", "*b*a*")
