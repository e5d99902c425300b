"""The wiring into moto: the one module that changes moto, and undoes every change.

While installed: moto's Firehose ``BackendDict`` builds ``FirehoseSSEBackend`` (and every
existing Firehose backend is switched to it), ``DeliveryStream.MAX_STREAMS_PER_REGION``
follows the controller, and the ``firehose::encryption``, ``firehose::deletion`` and
``firehose::creation`` models are registered with moto's state manager, moto's CloudFormation
has ``AWS::KinesisFirehose::DeliveryStream`` (see the section below), and moto's KMS policy
check reads a template key's object policy. ``uninstall`` restores each of these exactly.

The session switch (``enable_session``, used by the pytest option ``--firehose-sse``) wraps
``MockAWS._enable_patching`` and ``_disable_patching``, which moto calls when the outermost
``mock_aws`` starts and stops, so that every ``mock_aws`` installs the rules;
``disable_session`` puts moto's two methods back.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.abc
import json
import sys
import threading
from collections import Counter
from types import SimpleNamespace
from typing import Any

from moto.core import base_backend
from moto.firehose.models import DeliveryStream, FirehoseBackend, firehose_backends
from moto.moto_api import state_manager

from . import cloudformation, controller, presets
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
        _attach_templates()


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
        _detach_templates()


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


# CloudFormation and template keys ---------------------------------------------------------
#
# While installed, moto's CloudFormation has the resource AWS::KinesisFirehose::DeliveryStream
# (``cloudformation.DeliveryStreamResource`` joins moto's model tree, and the caches moto
# keeps of that tree are emptied), its stacks wait for the streams, fail and roll back
# (wraps of a few methods of moto's Stack, backend and responses), and moto's KMS reads a
# template key's object KeyPolicy. moto's CloudFormation takes seconds to import: it is
# wired when it is loaded (an import hook waits for it), never imported by the plugin.

_CFN_MODULE = "moto.cloudformation.models"
_cfn_lock = threading.RLock()
_cfn_saved: list[tuple[Any, str, Any]] = []  # moto's CloudFormation, while wired
_kms_saved: list[tuple[Any, str, Any]] = []


def _loaded(name: str) -> bool:
    module = sys.modules.get(name)
    spec = getattr(module, "__spec__", None)
    return module is not None and not getattr(spec, "_initializing", False)


class _CloudFormationLoader(importlib.abc.Loader):
    """Runs moto's loader of the CloudFormation models, then wires them."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        module.__spec__.loader = module.__loader__ = self.loader
        self.loader.exec_module(module)
        with _cfn_lock:
            if _depth > 0 and not _cfn_saved:
                _cfn_attach()


class _CloudFormationFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _CFN_MODULE:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _CloudFormationLoader(spec.loader)
                return spec
        return None


_finder = _CloudFormationFinder()


def _patch(owner: Any, name: str, make: Any, saved: list[tuple[Any, str, Any]]) -> None:
    original = owner.__dict__[name]
    saved.append((owner, name, original))
    setattr(owner, name, make(original))


def _unpatch(saved: list[tuple[Any, str, Any]]) -> None:
    while saved:
        owner, name, original = saved.pop()
        setattr(owner, name, original)


def _clear_model_caches() -> None:
    from moto.cloudformation import parsing

    for name in ("get_model_list", "get_model_map", "get_name_type_map"):
        cached: Any = getattr(parsing, name, None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()


def _cfn_attach() -> None:
    from moto.cloudformation import models, parsing, responses
    from moto.cloudformation.exceptions import ValidationError
    from moto.core.common_models import CloudFormationModel

    stack_class = getattr(models, "Stack", None) or getattr(models, "FakeStack")  # noqa: B009

    def refuse_busy(stack: Any) -> None:
        if cloudformation.busy(stack):
            raise ValidationError(
                stack.stack_id,
                message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.",
            )

    def create_resources(original: Any) -> Any:
        def wrapper(self: Any) -> None:
            with cloudformation.scope(self, "CREATE") as found:
                original(self)
            cloudformation.begin(self, found)

        return wrapper

    def update(original: Any) -> Any:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
            refuse_busy(self)
            snapshot = cloudformation._Snapshot.take(self)
            with cloudformation.scope(self, "UPDATE") as found:
                original(self, *args, **kwargs)
            cloudformation.begin(self, found, snapshot)

        return wrapper

    def delete(original: Any) -> Any:
        def wrapper(self: Any) -> None:
            cloudformation.forget(self)
            with cloudformation.scope(self, "DELETE") as found:
                original(self)
            cloudformation.begin(self, found)

        return wrapper

    def execute_change_set(original: Any) -> Any:
        def wrapper(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
            change_set: Any = self.change_sets.get(change_set_name) or next(
                (c for c in self.change_sets.values() if c.change_set_name == change_set_name),
                None,
            )
            stack = self.stacks.get(getattr(change_set, "stack_id", None))
            if stack is None:
                return original(self, change_set_name, stack_name)  # type: ignore[no-any-return]
            refuse_busy(stack)
            kind = "CREATE" if change_set.change_set_type == "CREATE" else "UPDATE"
            snapshot = cloudformation._Snapshot.take(stack) if kind == "UPDATE" else None
            with cloudformation.scope(stack, kind) as found:
                original(self, change_set_name, stack_name)
            if found.resources:  # moto keeps the outputs of the empty template it started with
                stack._parse_template()
                stack.output_map = stack._create_output_map()
            cloudformation.begin(stack, found, snapshot)
            return None

        return wrapper

    def delete_stack(original: Any) -> Any:
        def wrapper(self: Any, name_or_stack_id: str) -> None:
            original(self, name_or_stack_id)
            for stack in list(self.deleted_stacks.values()):
                if cloudformation.deleting(stack):  # listed until its streams are gone
                    del self.deleted_stacks[stack.stack_id]
                    self.stacks[stack.stack_id] = stack

        return wrapper

    def read_one(original: Any) -> Any:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            stack = original(self, *args, **kwargs)
            cloudformation.settle(stack)
            return stack

        return wrapper

    def read_found(original: Any) -> Any:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            stacks = original(self, *args, **kwargs)
            for stack in list(stacks):
                cloudformation.settle(stack)
            return stacks

        return wrapper

    def read_all(original: Any) -> Any:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            for stack in list(self.stacks.values()):
                cloudformation.settle(stack)
            return original(self, *args, **kwargs)

        return wrapper

    def failure_mode(original: Any) -> Any:
        def wrapper(self: Any) -> Any:
            mode = cloudformation.on_failure(
                self._get_param("DisableRollback"), self._get_param("OnFailure")
            )
            with cloudformation.request_failure_mode(mode):
                return original(self)

        return wrapper

    _patch(stack_class, "create_resources", create_resources, _cfn_saved)
    _patch(stack_class, "update", update, _cfn_saved)
    _patch(stack_class, "delete", delete, _cfn_saved)
    backend_class = models.CloudFormationBackend
    _patch(backend_class, "execute_change_set", execute_change_set, _cfn_saved)
    _patch(backend_class, "delete_stack", delete_stack, _cfn_saved)
    _patch(backend_class, "get_stack", read_one, _cfn_saved)
    _patch(backend_class, "describe_stacks", read_found, _cfn_saved)
    _patch(backend_class, "list_stacks", read_all, _cfn_saved)

    def parse_resource(original: Any) -> Any:
        def wrapper(logical_id: str, resource_json: Any, resources_map: Any) -> Any:
            if (
                isinstance(resource_json, dict)
                and resource_json.get("Type") == cloudformation.RESOURCE_TYPE
                and not isinstance(resource_json.get("Properties", {}), dict)
            ):
                properties = cloudformation.NotAnObject(resource_json["Properties"])
                resource_json = dict(resource_json, Properties=properties)
            return original(logical_id, resource_json, resources_map)

        return wrapper

    _patch(parsing, "parse_resource_and_generate_name", parse_resource, _cfn_saved)
    response_class = responses.CloudFormationResponse
    for action in ("create_stack", "update_stack", "execute_change_set"):
        _patch(response_class, action, failure_mode, _cfn_saved)
    cloudformation.DeliveryStreamResource.__bases__ = (CloudFormationModel,)
    _clear_model_caches()


def _cfn_detach() -> None:
    _unpatch(_cfn_saved)
    if cloudformation.DeliveryStreamResource.__bases__ != (cloudformation._Detached,):
        cloudformation.DeliveryStreamResource.__bases__ = (cloudformation._Detached,)
        _clear_model_caches()
    cloudformation.clear()


def _template_keys_attach() -> None:
    """moto's KMS policy check reads a template key's KeyPolicy object as the policy (its
    ``json.loads`` raises TypeError on it)."""
    from moto.kms import responses as kms_responses

    def validate_policy(original: Any) -> Any:
        def wrapper(key: Any, action: str) -> None:
            if isinstance(key.policy, (dict, list)):
                key = SimpleNamespace(policy=json.dumps(key.policy), arn=key.arn)
            original(key, action)

        return wrapper

    _patch(kms_responses, "validate_policy", validate_policy, _kms_saved)


def _attach_templates() -> None:
    with _cfn_lock:
        _template_keys_attach()
        if _cfn_saved:
            return
        if _loaded(_CFN_MODULE):
            _cfn_attach()
        elif _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)


def _detach_templates() -> None:
    with _cfn_lock:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(_finder)
        _cfn_detach()
        _unpatch(_kms_saved)
