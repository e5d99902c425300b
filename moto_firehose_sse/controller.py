"""The controller: what a test needs that AWS has no API for."""

from __future__ import annotations

import math
import re
import reprlib
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

MODEL_NAME = "firehose::encryption"
"""The model name of the SSE transitions in moto's state manager."""
DELETION_MODEL_NAME = "firehose::deletion"
"""The model name of the deletions (DeleteDeliveryStream) in moto's state manager."""
CREATION_MODEL_NAME = "firehose::creation"
"""The model name of the creations (CreateDeliveryStream) in moto's state manager."""
MODEL_NAMES = (MODEL_NAME, DELETION_MODEL_NAME, CREATION_MODEL_NAME)

FAILURE_TYPE_PATTERN = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
"""What fault injection takes as a type: upper-case WORD_WORD, as AWS's failure types are
(botocore's enum and the ones AWS reports beyond it, e.g. ``CREATE_PRIVATE_LINK_FAILED``)."""

STREAM_NAME_PATTERN = re.compile(r"[a-zA-Z0-9_.-]{1,64}")
"""botocore's ``DeliveryStreamName``: 1 to 64 characters of ``[a-zA-Z0-9_.-]``."""

SETTINGS = (
    "max_streams_per_region",
    "max_streams_per_key",
    "max_encryption_changes_per_day",
    "record_encryption_lag",
    "lenient_keys",
    "producer_key_access",
)
PRODUCER_KEY_ACCESS = ("scheduled", "required", "not-required")
"""Values of ``producer_key_access``: AWS's dates, always, never."""

_DEFAULT_DETAILS = {
    "CREATE_KMS_GRANT_FAILED": (
        "Firehose could not create a grant on the KMS key: the credentials of the call "
        "that started encryption are more than 6 hours old."
    ),
    "RETIRE_KMS_GRANT_FAILED": "Firehose could not retire its grant on the KMS key.",
}


class _Progression(TypedDict):
    progression: Literal["immediate", "manual", "time"]


class Transition(_Progression, total=False):
    """A moto state-manager transition, e.g. ``{"progression": "manual", "times": 2}``."""

    times: int
    seconds: float


DEFAULT_TRANSITION: Transition = {"progression": "manual", "times": 1}
"""The encryption and deletion models' default: the first Describe shows the in-between
status, the next the end."""
DEFAULT_TRANSITIONS: dict[str, Transition] = {
    MODEL_NAME: DEFAULT_TRANSITION,
    DELETION_MODEL_NAME: DEFAULT_TRANSITION,
    CREATION_MODEL_NAME: {"progression": "immediate"},
}
"""Each model's default. A creation is ACTIVE at once: suites create and use streams
everywhere, and creation is not what the plugin is about (rule 39)."""


def _got(transition: dict[str, Any], name: str) -> str:
    return f"not {transition[name]!r}" if name in transition else "and it is missing"


def transition_problem(transition: Any) -> str | None:
    """What makes ``transition`` one the plugin can't follow; None for a good one."""
    if not isinstance(transition, dict):
        return "the transition must be a JSON object"
    progression = transition.get("progression")
    if progression == "manual":
        times = transition.get("times")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            return 'a "manual" transition needs "times", a whole number of at least 1, ' + _got(
                transition, "times"
            )
    elif progression == "time":
        seconds = transition.get("seconds")
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not 0 <= seconds < math.inf
        ):
            return 'a "time" transition needs "seconds", a finite number of 0 or more, ' + _got(
                transition, "seconds"
            )
    elif progression != "immediate":
        return 'progression must be "immediate", "manual" or "time", ' + _got(
            transition, "progression"
        )
    return None


def check_transition(model: Any, transition: Any) -> None:
    """Raise ``ValueError`` unless ``model`` is one of the plugin's and ``transition`` valid."""
    if model not in MODEL_NAMES:
        raise ValueError(f"model must be one of {list(MODEL_NAMES)}, not {model!r}")
    problem = transition_problem(transition)
    if problem is not None:
        raise ValueError(
            f"{model}: {problem}; e.g. "
            '{"progression": "manual", "times": 2} or {"progression": "time", "seconds": 10}'
        )


@dataclass(frozen=True)
class Fault:
    """An injected failure, consumed by the next enable, disable or delete it matches."""

    operation: Literal["enable", "disable", "delete"]
    type: str
    details: str
    stream_name: str | None = None


class FirehoseSSE:
    """Settings and fault injection of an active ``mock_firehose_sse``.

    Yielded by ``with mock_firehose_sse() as sse:`` and by the ``firehose_sse`` fixture.
    Settings can be changed at any time; they apply to the next call.
    """

    max_streams_per_region: int
    max_streams_per_key: int
    max_encryption_changes_per_day: int
    record_encryption_lag: float
    lenient_keys: bool
    producer_key_access: str

    def __init__(
        self,
        *,
        max_streams_per_region: int = 5000,
        max_streams_per_key: int = 500,
        max_encryption_changes_per_day: int = 25,
        record_encryption_lag: float = 0.0,
        lenient_keys: bool = False,
        producer_key_access: str = "scheduled",
    ) -> None:
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.max_streams_per_region = max_streams_per_region
        self.max_streams_per_key = max_streams_per_key
        self.max_encryption_changes_per_day = max_encryption_changes_per_day
        self.record_encryption_lag = record_encryption_lag
        self.lenient_keys = lenient_keys
        self.producer_key_access = producer_key_access

    def __setattr__(self, name: str, value: Any) -> None:
        if name in (
            "max_streams_per_region",
            "max_streams_per_key",
            "max_encryption_changes_per_day",
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{name} must be a whole number of at least 1; got {shown_value(value)}"
                )
        elif name == "record_encryption_lag":
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 <= value < float("inf")
            ):
                raise ValueError(
                    f"record_encryption_lag is in seconds, 0 or more; got {shown_value(value)}"
                )
            value = float(value)
        elif name == "lenient_keys" and not isinstance(value, bool):
            raise ValueError(f"lenient_keys must be True or False; got {shown_value(value)}")
        elif name == "producer_key_access" and (
            not isinstance(value, str) or value not in PRODUCER_KEY_ACCESS
        ):
            raise ValueError(
                f"producer_key_access must be one of {', '.join(map(repr, PRODUCER_KEY_ACCESS))}; "
                f"got {shown_value(value)}"
            )
        super().__setattr__(name, value)

    def settings(self) -> dict[str, Any]:
        """The current settings, by name."""
        return {name: getattr(self, name) for name in SETTINGS}

    def configure(self, **settings: Any) -> None:
        """Change several settings at once, all or nothing: a bad value (``ValueError``) or
        an unknown name (``TypeError``) leaves every setting as it was."""
        unknown = set(settings) - set(SETTINGS)
        if unknown:
            raise TypeError(
                f"unknown setting(s) {sorted(unknown)}; the settings are {list(SETTINGS)}"
            )
        FirehoseSSE(**{**self.settings(), **settings})  # raises before anything changes
        for name, value in settings.items():
            setattr(self, name, value)

    # Fault injection -------------------------------------------------------------------

    def fail_next_enable(
        self,
        type: str = "CREATE_KMS_GRANT_FAILED",
        details: str | None = None,
        *,
        stream_name: str | None = None,
    ) -> None:
        """Make the next encryption enable (Start, or Create with SSE) end ENABLING_FAILED."""
        self._add_fault("enable", type, details, stream_name)

    def fail_next_disable(
        self,
        type: str = "RETIRE_KMS_GRANT_FAILED",
        details: str | None = None,
        *,
        stream_name: str | None = None,
    ) -> None:
        """Make the next encryption disable (Stop) end DISABLING_FAILED."""
        self._add_fault("disable", type, details, stream_name)

    def fail_next_delete(
        self,
        type: str = "RETIRE_KMS_GRANT_FAILED",
        details: str | None = None,
        *,
        stream_name: str | None = None,
    ) -> None:
        """Make the next DeleteDeliveryStream end DELETING_FAILED (unless AllowForceDelete)."""
        self._add_fault("delete", type, details, stream_name)

    @property
    def pending_faults(self) -> tuple[Fault, ...]:
        """The injected faults not consumed yet, oldest first."""
        with self._lock:
            return tuple(self._faults)

    def clear_faults(self) -> None:
        """Drop every injected fault not consumed yet."""
        with self._lock:
            self._faults.clear()

    def _add_fault(
        self,
        operation: Literal["enable", "disable", "delete"],
        type: str,
        details: str | None,
        stream_name: str | None,
    ) -> None:
        if not isinstance(type, str) or FAILURE_TYPE_PATTERN.fullmatch(type) is None:
            raise ValueError(
                "type must be a DeliveryStreamFailureType: an upper-case WORD_WORD name such "
                "as CREATE_KMS_GRANT_FAILED, or one AWS reports beyond botocore's list, e.g. "
                f"CREATE_PRIVATE_LINK_FAILED; got {shown_value(type)}"
            )
        if details is not None and (not isinstance(details, str) or not details):
            raise ValueError(
                "details must be a non-empty string, or left out for the default text; "
                f"got {shown_value(details)}"
            )
        if stream_name is not None and (
            not isinstance(stream_name, str) or STREAM_NAME_PATTERN.fullmatch(stream_name) is None
        ):
            raise ValueError(
                "stream_name must be a delivery stream name (1 to 64 characters of "
                f"a-z, A-Z, 0-9, _ . -), or left out for any stream; got {shown_value(stream_name)}"
            )
        text = details or _DEFAULT_DETAILS.get(type, f"Injected failure {type}.")
        with self._lock:
            self._faults.append(Fault(operation, type, text, stream_name))

    def _take_fault(self, operation: str, stream_name: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.operation == operation and fault.stream_name in (None, stream_name):
                    self._faults.remove(fault)
                    return fault
        return None

    # Transitions -----------------------------------------------------------------------

    def set_transition(self, transition: Transition, *, model: str = MODEL_NAME) -> None:
        """Set the transition of ``model`` (``firehose::encryption``, ``firehose::deletion`` or
        ``firehose::creation``); undone when the mock exits. A transition the plugin can't follow → ``ValueError``."""
        from moto.moto_api import state_manager

        check_transition(model, transition)
        state_manager.set_transition(model, dict(transition))

    def unset_transition(self, *, model: str = MODEL_NAME) -> None:
        """Go back to ``model``'s default (one Describe shows the in-between status; a
        creation is immediate)."""
        from moto.moto_api import state_manager

        if model not in MODEL_NAMES:
            raise ValueError(f"model must be one of {list(MODEL_NAMES)}, not {model!r}")
        state_manager.unset_transition(model)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings().items())
        return f"FirehoseSSE({settings})"


def shown_value(value: Any) -> str:
    """``value`` for a message: short, and never Python's ``None``."""
    return "no value" if value is None else reprlib.repr(value)


_active: list[FirehoseSSE] = []
_DEFAULT = FirehoseSSE()


def current() -> FirehoseSSE:
    """The controller of the innermost active mock (defaults when none is active)."""
    return _active[-1] if _active else _DEFAULT


def activate(settings: FirehoseSSE) -> None:
    _active.append(settings)


def deactivate(settings: FirehoseSSE) -> None:
    for index in range(len(_active) - 1, -1, -1):
        if _active[index] is settings:
            del _active[index]
            return
