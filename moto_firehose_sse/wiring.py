"""The wiring into moto: the one module that changes moto, and undoes every change.

While installed: moto's Firehose ``BackendDict`` builds ``FirehoseSSEBackend`` (and every
existing Firehose backend is switched to it), ``DeliveryStream.MAX_STREAMS_PER_REGION``
follows the controller, and the ``firehose::encryption``, ``firehose::deletion`` and
``firehose::creation`` models are registered with moto's state manager. ``uninstall`` restores each of these exactly.

The session switch (``enable_session``, used by the pytest option ``--firehose-sse``) wraps
``MockAWS._enable_patching`` and ``_disable_patching``, which moto calls when the outermost
``mock_aws`` starts and stops, so that every ``mock_aws`` installs the rules;
``disable_session`` puts moto's two methods back.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from typing import Any

from moto.core import base_backend
from moto.firehose.models import DeliveryStream, FirehoseBackend, firehose_backends
from moto.moto_api import state_manager

from . import controller, presets
from .controller import DEFAULT_TRANSITIONS, MODEL_NAMES, FirehoseSSE
from .models import CREATIONS, DELETIONS, KEY_USERS, STATE, FirehoseSSEBackend
from .operations import LOCK
from .rules import DISABLED, ENABLED, adopt

_LEFT = "_firehose_sse_left"
_lock = threading.Lock()
_depth = 0
_saved_quota: Any = None


class _RegionQuota:
    """Stands for ``DeliveryStream.MAX_STREAMS_PER_REGION``: the active controller's quota."""

    def __get__(self, instance: Any, owner: Any = None) -> int:
        return controller.current().max_streams_per_region


def _switch(source: type, target: type) -> None:
    """Switch every Firehose backend, and the class new ones get, from ``source`` to ``target``.

    Under the plugin's lock (no operation is half-way) and moto's backend lock, which moto
    holds while it creates a backend: one made meanwhile gets ``target`` or is switched.
    """
    with LOCK, base_backend.backend_lock:
        _switch_locked(source, target)


def _switch_locked(source: type, target: type) -> None:
    firehose_backends.backend = target
    for account in list(firehose_backends.values()):
        account.backend = target
        for backend in list(dict.values(account)):
            if type(backend) is source:
                backend.__class__ = target
                if target is FirehoseBackend:
                    _leave(backend)
                else:
                    _rejoin(backend)


def _leave(backend: Any) -> None:
    """Write each stream's encryption back in plain moto's form: ENABLED with the key in force,
    else ``{"Status": "DISABLED"}``; keep the plugin's state for the next install on the same
    data (setUp and test of a decorated class share it)."""
    left: dict[str, tuple[Any, Any, dict[str, Any] | None]] = {}
    for name, enc in backend.__dict__.get(STATE, {}).items():
        stream = backend.delivery_streams.get(name)
        if stream is None:
            continue
        if enc is not None:  # a DirectPut stream
            block = enc.key.describe() if enc.key is not None else {}
            block["Status"] = ENABLED if enc.key is not None else DISABLED
            stream.delivery_stream_encryption_configuration = block
        config = stream.delivery_stream_encryption_configuration
        left[name] = (stream, config, dict(config) if config is not None else None)
    backend.__dict__[_LEFT] = left


def _rejoin(backend: Any) -> None:
    """Forget the kept state of each stream that plain moto changed or deleted meanwhile, and
    take on every stream as plain moto left it (its customer key resolved, granted, counted)."""
    left = backend.__dict__.pop(_LEFT, {})
    states = backend.__dict__.setdefault(STATE, {})
    users = backend.__dict__.setdefault(KEY_USERS, Counter())
    deletions = backend.__dict__.get(DELETIONS, {})
    creations = backend.__dict__.get(CREATIONS, {})
    for name in list(states):
        kept, config, content = left.get(name, (None, None, None))
        stream = backend.delivery_streams.get(name)
        current = stream.delivery_stream_encryption_configuration if stream else None
        if stream is None or stream is not kept or current is not config or current != content:
            deletions.pop(name, None)
            creations.pop(name, None)
            enc = states.pop(name)
            if enc is not None:
                users.subtract(enc.held_keys())
                enc.release()
    for name, stream in list(backend.delivery_streams.items()):
        if name not in states:
            enc = states[name] = adopt(stream, backend.account_id, backend.region_name)
            if enc is not None:
                users.update(enc.held_keys())


def install() -> None:
    """Put the SSE rules into moto's Firehose (nested calls are counted)."""
    global _depth, _saved_quota
    with _lock:
        _depth += 1
        if _depth > 1:
            return
        _switch(FirehoseBackend, FirehoseSSEBackend)
        _saved_quota = DeliveryStream.__dict__["MAX_STREAMS_PER_REGION"]
        DeliveryStream.MAX_STREAMS_PER_REGION = _RegionQuota()  # type: ignore[assignment]
        for model in MODEL_NAMES:
            state_manager.register_default_transition(
                model, transition=dict(DEFAULT_TRANSITIONS[model])
            )


def uninstall() -> None:
    """Undo ``install`` once the last nested user is gone."""
    global _depth
    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth > 0:
            return
        _switch(FirehoseSSEBackend, FirehoseBackend)
        DeliveryStream.MAX_STREAMS_PER_REGION = _saved_quota
        for model in MODEL_NAMES:
            state_manager._default_transitions.pop(model, None)


def installed() -> bool:
    return _depth > 0


# Transitions: saved when a mock starts, restored when it exits --------------------------

SavedTransitions = dict[str, "dict[str, Any] | None"]


def saved_transitions() -> SavedTransitions:
    """The transitions set (by a user or a preset) on the plugin's state-manager models."""
    found = state_manager._transitions
    # a copy, and any value kept as it is: one set straight on moto may not be an object
    return {name: copy.copy(found[name]) if name in found else None for name in MODEL_NAMES}


def restore_transitions(saved: SavedTransitions) -> None:
    for name, transition in saved.items():
        if transition is None:
            state_manager.unset_transition(name)
        else:
            state_manager.set_transition(name, transition)


def set_transitions(transitions: dict[str, dict[str, Any]]) -> None:
    for name, transition in transitions.items():
        state_manager.set_transition(name, dict(transition))


# The session switch -----------------------------------------------------------------------


class _Session:
    """Every outermost ``mock_aws`` start installs the rules with the preset; its stop undoes them."""

    def __init__(self, preset: str, originals: tuple[Any, Any]) -> None:
        self.preset = preset
        self.settings = presets.settings(preset, {})
        self.transitions = presets.transitions(preset)
        self.originals = originals
        self.controller: FirehoseSSE | None = None
        self.saved: SavedTransitions | None = None  # None while no mock_aws is running

    def start(self, reset: bool) -> None:
        if reset or self.controller is None:  # setUp and test of a decorated class share one
            self.controller = FirehoseSSE(**self.settings)
        self.saved = saved_transitions()
        controller.activate(self.controller)
        install()
        set_transitions(self.transitions)

    def stop(self) -> None:
        saved, self.saved = self.saved, None
        if saved is None:  # that mock_aws started before the switch was turned on
            return
        assert self.controller is not None
        uninstall()
        controller.deactivate(self.controller)
        restore_transitions(saved)

    def owns(self, name: str) -> bool:
        """Whether the current transition of model ``name`` is the one this switch set."""
        return (
            self.saved is not None
            and name in self.transitions
            and state_manager._transitions.get(name) == self.transitions[name]
        )


_session: _Session | None = None


def enable_session(preset: str) -> None:
    """Make every moto ``mock_aws`` carry the rules with ``preset`` (``strict`` or ``compat``)."""
    global _session
    from moto.core.models import MockAWS

    if _session is not None:
        raise RuntimeError("The Firehose SSE session switch is already on.")
    enable, disable = MockAWS.__dict__["_enable_patching"], MockAWS.__dict__["_disable_patching"]
    session = _Session(preset, (enable, disable))

    def _enable_patching(self: Any, reset: bool = True) -> None:
        enable(self, reset=reset)
        session.start(reset)

    def _disable_patching(self: Any, remove_data: bool) -> None:
        try:
            session.stop()
        finally:
            disable(self, remove_data)

    MockAWS._enable_patching = _enable_patching  # type: ignore[method-assign]
    MockAWS._disable_patching = _disable_patching  # type: ignore[method-assign]
    _session = session


def disable_session() -> None:
    """Turn the switch off: moto's ``MockAWS`` is exactly as it was (a no-op when off)."""
    global _session
    from moto.core.models import MockAWS

    session, _session = _session, None
    if session is None:
        return
    MockAWS._enable_patching, MockAWS._disable_patching = session.originals  # type: ignore[method-assign]
    session.stop()


def session_preset() -> str | None:
    """The preset of the session switch, None when it is off."""
    return _session.preset if _session is not None else None


def drop_session_transitions() -> None:
    """Unset the transitions the session switch set (a ``mock_firehose_sse`` inside follows
    its own preset); the caller restores them from ``saved_transitions()`` when it exits."""
    if _session is not None:
        for name in MODEL_NAMES:
            if _session.owns(name):
                state_manager.unset_transition(name)
