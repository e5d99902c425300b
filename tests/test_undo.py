"""Unit tests of the transaction log (``moto_firehose_sse.undo``).

That a failed call changes nothing is tested through boto3 in
``test_failed_calls_change_nothing.py``; these pin each undoable step on its own."""

from __future__ import annotations

from typing import Any

import pytest

from moto_firehose_sse import undo


class _Boom(Exception):
    pass


class _Slots:
    __slots__ = ("items", "name", "other")
    _UNDO_LISTS = ("items",)

    def __init__(self) -> None:
        self.name = "before"
        self.items = [1, 2]
        self.other = [3]


def test_keep_restores_every_slot_and_the_listed_lists_in_place() -> None:
    obj = _Slots()
    items, other = obj.items, obj.other
    with pytest.raises(_Boom), undo.transaction():
        undo.keep(obj)
        obj.name = "after"
        obj.items.append(9)
        obj.other = [4]
        undo.keep(obj)  # once per transaction: the first state is the one restored
        raise _Boom
    assert (obj.name, obj.items, obj.other) == ("before", [1, 2], [3])
    assert obj.items is items and obj.other is other


def test_pop_item_is_undone_and_answers_none_for_a_missing_key() -> None:
    mapping: dict[str, Any] = {"k": 1}
    with pytest.raises(_Boom), undo.transaction():
        assert undo.pop_item(mapping, "k") == 1
        assert undo.pop_item(mapping, "missing") is None
        assert mapping == {}
        raise _Boom
    assert mapping == {"k": 1}


def test_set_item_is_undone_whether_the_key_was_there_or_not() -> None:
    mapping: dict[str, Any] = {"k": 1}
    with pytest.raises(_Boom), undo.transaction():
        undo.set_item(mapping, "k", 2)
        undo.set_item(mapping, "new", 3)
        raise _Boom
    assert mapping == {"k": 1}


def test_set_attribute_is_undone() -> None:
    obj = _Slots()
    with pytest.raises(_Boom), undo.transaction():
        undo.set_attribute(obj, "name", "after")
        assert obj.name == "after"
        raise _Boom
    assert obj.name == "before"


def test_a_transaction_that_ends_well_keeps_its_changes() -> None:
    obj = _Slots()
    mapping: dict[str, Any] = {}
    with undo.transaction():
        undo.set_attribute(obj, "name", "after")
        undo.set_item(mapping, "k", 1)
    assert obj.name == "after" and mapping == {"k": 1}


def test_an_unknown_error_is_a_failure_description() -> None:
    assert undo.unknown_error("the enable", ValueError("bad")) == {
        "Type": "UNKNOWN_ERROR",
        "Details": (
            "moto-firehose-sse could not finish the enable (ValueError: bad); "
            "please report it with the calls that led to it."
        ),
    }


class _NoLists:
    __slots__ = ("name",)

    def __init__(self) -> None:
        self.name = "before"


def test_keep_takes_objects_without_lists() -> None:
    obj = _NoLists()
    with pytest.raises(_Boom), undo.transaction():
        undo.keep(obj)
        obj.name = "after"
        raise _Boom
    assert obj.name == "before"


def test_outside_a_transaction_nothing_is_recorded() -> None:
    obj = _Slots()
    undo.keep(obj)
    undo.set_attribute(obj, "name", "after")
    assert obj.name == "after"
