"""A call that answers an error changes nothing: each operation runs as a transaction.

Every step that changes state (a stream added to or removed from moto, the plugin's state of
a stream, a grant created or retired on a key, a fault consumed, a counter moved) records
how to undo itself in the log of the operation under way; when the operation raises, the
log is played backwards, so the state is as before the call, whatever step failed.

Finishing a transition (``settle``) is not the call's doing but the clock's: it runs as a
transaction of its own that is kept even if the call then fails. If finishing it fails, it
is undone, and the transition ends failed (``UNKNOWN_ERROR``) instead of failing every read
of the stream.

The logs are per thread (operations already run one at a time, under the plugin's lock).
Outside an operation, recording does nothing.
"""

from __future__ import annotations

import contextlib
import operator
import threading
from collections.abc import Callable, Iterator
from typing import Any

Step = Callable[[], None]


class _Log:
    __slots__ = ("kept", "steps")

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.kept: set[int] = set()

    def rollback(self) -> None:
        """Play the steps backwards, every one even if one fails (the first error is raised)."""
        failed: BaseException | None = None
        for step in reversed(self.steps):
            try:
                step()
            except Exception as exc:  # the other steps must still run
                failed = failed or exc
        if failed is not None:
            raise failed


class _Logs(threading.local):
    def __init__(self) -> None:
        self.stack: list[_Log] = []


_logs = _Logs()


def record(step: Step) -> None:
    """Remember how to undo a change just made (or about to be made)."""
    stack = _logs.stack
    if stack:
        stack[-1].steps.append(step)


def keep(obj: Any) -> None:
    """Remember the attributes of ``obj`` (a ``__slots__`` object whose slots are all set) as
    they are now, once per transaction; the lists among them are copied, as they are changed
    in place."""
    stack = _logs.stack
    if not stack or id(obj) in stack[-1].kept:
        return
    log = stack[-1]
    log.kept.add(id(obj))
    cls = type(obj)
    shape = _SHAPES.get(cls) or _shape(cls)
    saved = shape[0](obj)
    lists = [(index, list(saved[index])) for index in shape[2]]

    def restore() -> None:
        for name, value in zip(shape[1], saved, strict=True):
            setattr(obj, name, value)
        for index, items in lists:
            saved[index][:] = items

    log.steps.append(restore)


_Shape = tuple[Callable[[Any], tuple[Any, ...]], tuple[str, ...], tuple[int, ...]]
_SHAPES: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    """(getter of every slot, the slot names, the indices of the list-valued ones)."""
    names = tuple(cls.__slots__)  # type: ignore[attr-defined]
    lists = tuple(getattr(cls, "_UNDO_LISTS", ()))
    getter: Callable[[Any], tuple[Any, ...]] = operator.attrgetter(*names)
    if len(names) == 1:  # attrgetter of one name answers the value, not a 1-tuple
        one = getter
        getter = lambda obj: (one(obj),)  # noqa: E731
    shape = (getter, names, tuple(names.index(n) for n in lists))
    _SHAPES[cls] = shape
    return shape


def begin() -> _Log:
    """Start a transaction; end it with ``commit`` or ``rollback``."""
    log = _Log()
    _logs.stack.append(log)
    return log


def commit(log: _Log) -> None:
    _logs.stack.pop()


def rollback(log: _Log) -> None:
    """Undo what the transaction did (it is over)."""
    _logs.stack.pop()
    log.rollback()


def _transaction() -> Iterator[None]:
    """Run the body as one transaction: undone if it raises."""
    stack = _logs.stack
    log = _Log()
    stack.append(log)
    try:
        yield
    except BaseException:
        stack.pop()
        log.rollback()
        raise
    stack.pop()


# Wrapped, not decorated: mutmut doesn't mutate decorated functions.
transaction = contextlib.contextmanager(_transaction)
"""Run the body as one transaction: undone if it raises."""


def settle(finish: Step, fail: Callable[[Exception], None]) -> None:
    """Finish a transition as a transaction of its own, kept whatever the call does next.

    If ``finish`` raises, what it did is undone and ``fail(exc)`` ends the transition failed.
    """
    stack = _logs.stack
    outer, _logs.stack = stack, []
    try:
        try:
            with transaction():
                finish()
        except Exception as exc:  # any failure ends the transition failed
            fail(exc)
    finally:
        _logs.stack = outer


def set_item(mapping: Any, key: Any, value: Any) -> None:
    """``mapping[key] = value``, undoable."""
    record(_restorer(mapping, key))
    mapping[key] = value


def pop_item(mapping: Any, key: Any) -> Any:
    """``mapping.pop(key, None)``, undoable."""
    record(_restorer(mapping, key))
    return mapping.pop(key, None)


def _restorer(mapping: Any, key: Any) -> Step:
    had, before = key in mapping, mapping.get(key)

    def restore() -> None:
        if had:
            mapping[key] = before
        else:
            mapping.pop(key, None)

    return restore


def set_attribute(obj: Any, name: str, value: Any) -> None:
    """``setattr(obj, name, value)``, undoable."""
    before = getattr(obj, name)
    record(lambda: setattr(obj, name, before))
    setattr(obj, name, value)


def unknown_error(what: str, exc: BaseException) -> dict[str, str]:
    """The FailureDescription of a transition the plugin could not finish."""
    return {
        "Type": "UNKNOWN_ERROR",
        "Details": (
            f"moto-firehose-sse could not finish {what} ({type(exc).__name__}: {exc}); "
            "please report it with the calls that led to it."
        ),
    }


__all__ = [
    "begin",
    "commit",
    "keep",
    "pop_item",
    "record",
    "rollback",
    "set_attribute",
    "set_item",
    "settle",
    "transaction",
    "unknown_error",
]
