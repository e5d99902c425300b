"""The wiring into moto: the one module that changes moto, and undoes every change.

While installed: moto's Firehose ``BackendDict`` builds ``FirehoseSSEBackend`` (and every
existing Firehose backend is switched to it), ``DeliveryStream.MAX_STREAMS_PER_REGION``
follows the controller, and the ``firehose::encryption`` model is registered with moto's
state manager. ``uninstall`` restores each of these exactly.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from moto.core import base_backend
from moto.firehose.models import DeliveryStream, FirehoseBackend, firehose_backends
from moto.moto_api import state_manager

from . import controller
from .controller import MODEL_NAME
from .models import _LOCK, KEY_USERS, STATE, FirehoseSSEBackend
from .rules import DISABLED, ENABLED, adopt

DEFAULT_TRANSITION = {"progression": "manual", "times": 1}
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
    with _LOCK, base_backend.backend_lock:
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
    for name in list(states):
        kept, config, content = left.get(name, (None, None, None))
        stream = backend.delivery_streams.get(name)
        current = stream.delivery_stream_encryption_configuration if stream else None
        if stream is None or stream is not kept or current is not config or current != content:
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
        state_manager.register_default_transition(MODEL_NAME, transition=dict(DEFAULT_TRANSITION))


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
        state_manager._default_transitions.pop(MODEL_NAME, None)


def installed() -> bool:
    return _depth > 0


def user_transition() -> dict[str, Any] | None:
    """The ``firehose::encryption`` transition a user set, if any."""
    found = state_manager._transitions.get(MODEL_NAME)
    return dict(found) if found is not None else None


def restore_user_transition(saved: dict[str, Any] | None) -> None:
    if saved is None:
        state_manager.unset_transition(MODEL_NAME)
    else:
        state_manager.set_transition(MODEL_NAME, saved)
