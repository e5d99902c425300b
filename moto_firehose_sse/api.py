"""``mock_firehose_sse``: decorator, class decorator and context manager."""

from __future__ import annotations

import functools
import inspect
import unittest
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

# Importing moto registers its botocore hook, so boto3 clients made from here on are mocked
# once a mock starts, as after `from moto import mock_aws`.
from moto import mock_aws

from . import controller, presets, process_owner
from .controller import FirehoseSSE
from .presets import Preset

# The wiring imports moto's Firehose and KMS models: it loads when a mock first starts.

_F = TypeVar("_F", bound=Callable[..., Any])
_SETUP_METHODS = ("setUp", "setup_method")


class MockFirehoseSSE:
    """moto's ``mock_aws`` with Firehose server-side encryption as AWS does it.

    Starts ``mock_aws`` (or joins one that is already running, keeping its state) and puts
    the SSE rules into moto's Firehose until it stops.
    """

    def __init__(self, *, preset: Preset | None = None, **settings: Any) -> None:
        # fail now, not at start, on a bad preset or setting
        self._settings = presets.settings(preset, settings)
        self._transitions = presets.transitions(preset)
        self._controller: FirehoseSSE | None = None
        self._active: list[tuple[Any, FirehoseSSE, dict[str, dict[str, Any] | None]]] = []

    def start(self, reset: bool = True) -> FirehoseSSE:
        """Start the mock; returns its controller. ``reset`` as in ``mock_aws().start``."""
        if reset or self._controller is None:
            self._controller = FirehoseSSE(**self._settings)
        from . import wiring

        sse = self._controller
        process_owner.claim_for_mock(sse)  # before mock_aws resets a running server's data
        try:
            inner = mock_aws()
            inner.start(reset=reset)
        except BaseException:
            process_owner.release_mock(sse)
            raise
        saved = wiring.saved_transitions()
        controller.activate(sse)
        wiring.install()
        wiring.drop_session_transitions()  # this mock follows its own preset
        wiring.set_transitions(self._transitions)
        self._active.append((inner, sse, saved))
        return sse

    def stop(self, remove_data: bool = True) -> None:
        """Stop the mock: moto's Firehose is plain moto again, and set transitions are undone."""
        if not self._active:
            raise RuntimeError("mock_firehose_sse: stop() called before start().")
        inner, settings, saved = self._active.pop()
        from . import wiring

        try:
            wiring.uninstall()
            controller.deactivate(settings)
            wiring.restore_transitions(saved)
        finally:
            try:
                inner.stop(remove_data=remove_data)
            finally:
                process_owner.release_mock(settings)

    def __enter__(self) -> FirehoseSSE:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __call__(self, func: _F, reset: bool = True, remove_data: bool = True) -> _F:
        if inspect.isclass(func):
            return self._decorate_class(func)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                self.start(reset=reset)
                try:
                    return await func(*args, **kwargs)
                finally:
                    self.stop(remove_data=remove_data)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.start(reset=reset)
            try:
                return func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return wrapper  # type: ignore[return-value]

    def _decorate_class(self, klass: type) -> type:
        """Wrap the class's methods as moto does: setUp and each test share one mock's data."""
        user_classes = [c for c in klass.__mro__ if c not in (unittest.TestCase, object)]
        has_setup = any(name in vars(c) for c in user_classes for name in _SETUP_METHODS)
        for name, value in list(vars(klass).items()):
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if name in _SETUP_METHODS:
                reset, remove_data = True, False
            elif name.startswith("test") and not has_setup:
                reset, remove_data = True, True
            else:
                reset, remove_data = False, False
            setattr(klass, name, self(value, reset=reset, remove_data=remove_data))
        return klass


@overload
def mock_firehose_sse(func: _F, /) -> _F: ...


@overload
def mock_firehose_sse(
    func: None = None,
    /,
    *,
    preset: Preset | None = ...,
    max_streams_per_region: int = ...,
    max_streams_per_key: int = ...,
    max_encryption_changes_per_day: int = ...,
    record_encryption_lag: float = ...,
    lenient_keys: bool = ...,
    producer_key_access: Literal["scheduled", "required", "not-required"] = ...,
    max_key_events: int = ...,
) -> MockFirehoseSSE: ...


def mock_firehose_sse(func: Callable[..., Any] | None = None, /, **settings: Any) -> Any:
    """Mock AWS with Firehose SSE rules: ``@mock_firehose_sse``, ``@mock_firehose_sse(...)``,
    on a class, or ``with mock_firehose_sse() as sse:``.

    Settings: ``max_streams_per_region`` (5,000, AWS's default quota), ``max_streams_per_key`` (500),
    ``max_encryption_changes_per_day`` (25), ``record_encryption_lag`` (0 seconds),
    ``lenient_keys`` (False: unknown KMS keys are refused), ``producer_key_access``
    ("scheduled": puts need the caller's KMS access on AWS's dates; "required"; "not-required"),
    ``max_key_events`` (10,000: the key events kept, the oldest dropped; 0 keeps none).
    ``preset="strict"`` (the defaults) or ``"compat"`` (immediate transitions, lenient keys) is
    applied first, the settings given on top; the transitions it sets are undone when the mock
    exits.
    """
    if func is not None and not callable(func):
        raise TypeError(
            "mock_firehose_sse takes settings as keywords, e.g. mock_firehose_sse(preset='compat') "
            f"or mock_firehose_sse(max_streams_per_region=600); got {func!r}."
        )
    mock = MockFirehoseSSE(**settings)
    if func is None:
        return mock
    return mock(func)


def get_controller() -> FirehoseSSE:
    """The controller of the innermost active ``mock_firehose_sse``.

    For decorated tests, which don't receive it. Raises ``RuntimeError`` when no mock is active.
    """
    from . import wiring

    if not wiring.installed() or not controller.active():
        raise RuntimeError(
            "No mock_firehose_sse is active: decorate the test with @mock_firehose_sse, "
            "or use `with mock_firehose_sse() as sse:` or the firehose_sse fixture, or run "
            "pytest with --firehose-sse to put the rules into every mock_aws. (A "
            "ThreadedFirehoseSSEServer's controller is its .controller.)"
        )
    return controller.current()
