"""A call that answers an error changes nothing (issue 15, item 2).

For each operation, the internal steps it goes through (input checks, the KMS view, the rules
of a stream, moto's own backend methods, fault injection) are made to fail, one at a time, at
each point the operation reaches them: with a modelled error and with an unexpected Python
exception. Each time, the client gets a modelled error (or the call goes through, when the
plugin can absorb the failure), and after an error the state a client can see (streams,
statuses over several Describes, puts, the key's grants, pending faults, the changes counted
against the daily limit) is the same as if the call had not been made.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.firehose.models import FirehoseBackend, firehose_backends
from moto.kms.models import Grant

from moto_firehose_sse import (
    DELETION_MODEL_NAME,
    controller,
    creation,
    describe_defaults,
    inputs,
    key_events,
    kms,
    mock_firehose_sse,
    models,
    policy,
    rules,
)
from moto_firehose_sse import kms as kms_module
from moto_firehose_sse.exceptions import ResourceNotFoundException

from .helpers import ACCOUNT, REGION, client, create_stream, settle
from .kms_helpers import cmk

# Every internal step an operation can go through, as (owner, attribute).
STEPS: list[tuple[Any, str]] = [
    *((inputs, name) for name in ("stream_name", "stream_type", "encryption_input", "records")),
    *(
        (kms, name)
        for name in (
            "resolve",
            "problem",
            "create_grant",
            "retire_grant",
            "retire_problem",
            "put_error",
            "grant_alive",
        )
    ),
    (policy, "parse"),
    (rules, "transition_end"),
    *((models, name) for name in ("adopt", "created_at", "producer_rule")),
    *(
        (rules.StreamEncryption, name)
        for name in (
            "admit_change",
            "begin_enable",
            "begin_disable",
            "settle",
            "finish_enable",
            "_finish_disable",
            "release",
            "_flip",
            "advance",
            "describe",
            "encrypted",
            "held_keys",
        )
    ),
    *((rules.StreamDeletion, name) for name in ("begin", "settle", "advance")),
    (controller.FirehoseSSE, "_take_fault"),
    *(
        (models.FirehoseSSEBackend, name)
        for name in (
            "_track",
            "_requested_key",
            "_check_key_quota",
            "_check_not_busy",
            "_count_change",
            "_caller",
            "_settle_deletion",
            "_settle_creation",
        )
    ),
    *((creation.StreamCreation, name) for name in ("settle", "advance")),
    (rules.StreamEncryption, "begin_creation"),
    *((key_events, name) for name in ("record", "put")),
    (describe_defaults, "apply"),
    *(
        (FirehoseBackend, name)
        for name in (
            "create_delivery_stream",
            "delete_delivery_stream",
            "describe_delivery_stream",
            "put_record_batch",
        )
    ),
]


class _Injector:
    """Counts the steps an armed call goes through; makes step number ``fail_at`` raise."""

    def __init__(self) -> None:
        self.armed = False
        self.count = 0
        self.fail_at = 0
        self.error: Callable[[], Exception] = lambda: RuntimeError("injected")
        self.reached: list[str] = []

    def wrap(self, name: str, step: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(step)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self.armed:
                self.count += 1
                self.reached.append(name)
                if self.count == self.fail_at:
                    raise self.error()
            return step(*args, **kwargs)

        return wrapper

    def run(self, call: Callable[[], Any], fail_at: int, error: Callable[[], Exception]) -> Any:
        self.count, self.fail_at, self.error, self.reached = 0, fail_at, error, []
        self.armed = True
        try:
            return call()
        finally:
            self.armed = False


@pytest.fixture(scope="module")
def injector() -> Iterator[_Injector]:
    found = _Injector()
    saved = [(owner, name, owner.__dict__[name]) for owner, name in STEPS]
    for owner, name, step in saved:
        setattr(owner, name, found.wrap(f"{getattr(owner, '__name__', owner)}.{name}", step))
    try:
        yield found
    finally:
        for owner, name, step in saved:
            setattr(owner, name, step)


# Scenarios: a state, then one call ---------------------------------------------------------


@functools.cache
def _client(service: str) -> Any:
    return client(service)  # one per service: clients outlive the mocks


class World:
    """The clients of one mock, and a customer key whose policy lets the caller use it."""

    def __init__(self, sse: controller.FirehoseSSE) -> None:
        self.sse = sse
        self.firehose, self.kms, s3 = (_client(name) for name in ("firehose", "kms", "s3"))
        self.key = self.kms.create_key()["KeyMetadata"]["Arn"]
        s3.create_bucket(Bucket="firehose-sse-tests")

    def stream(self, name: str, encrypted: bool = True) -> None:
        extra = {"DeliveryStreamEncryptionConfigurationInput": cmk(self.key)} if encrypted else {}
        create_stream(self.firehose, name, **extra)

    def describe(self, name: str) -> dict[str, Any]:
        found = self.firehose.describe_delivery_stream(DeliveryStreamName=name)
        return {
            k: v
            for k, v in found["DeliveryStreamDescription"].items()
            if "Timestamp" not in k and k != "VersionId"
        }


def _setup_create(world: World) -> Callable[[], Any]:
    return lambda: create_stream(
        world.firehose,
        "new",
        DeliveryStreamEncryptionConfigurationInput=cmk(world.key),
        Tags=[{"Key": "team", "Value": "data"}],
    )


def _setup_delete(world: World) -> Callable[[], Any]:
    world.stream("s")
    world.sse.fail_next_delete(stream_name="other")  # not this stream's: must stay pending
    return lambda: world.firehose.delete_delivery_stream(DeliveryStreamName="s")


def _setup_delete_at_once(world: World) -> Callable[[], Any]:
    world.stream("s")
    world.sse.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
    return lambda: world.firehose.delete_delivery_stream(DeliveryStreamName="s")


def _setup_start(world: World) -> Callable[[], Any]:
    world.stream("s", encrypted=False)
    world.sse.fail_next_enable(stream_name="s")
    return lambda: world.firehose.start_delivery_stream_encryption(
        DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=cmk(world.key)
    )


def _setup_stop(world: World) -> Callable[[], Any]:
    world.stream("s")
    world.sse.fail_next_disable()
    return lambda: world.firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")


def _setup_put(world: World) -> Callable[[], Any]:
    world.stream("s")
    return lambda: world.firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})


def _setup_put_batch(world: World) -> Callable[[], Any]:
    world.stream("s")
    world.sse.producer_key_access = "required"
    return lambda: world.firehose.put_record_batch(
        DeliveryStreamName="s", Records=[{"Data": b"x"}, {"Data": b"y"}]
    )


def _setup_describe(world: World) -> Callable[[], Any]:
    world.stream("s", encrypted=False)
    world.firehose.start_delivery_stream_encryption(
        DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=cmk(world.key)
    )
    world.describe("s")  # ENABLING shown once: the next Describe ends the transition
    return lambda: world.describe("s")


def _setup_describe_deleting(world: World) -> Callable[[], Any]:
    world.stream("s")
    world.firehose.delete_delivery_stream(DeliveryStreamName="s")
    world.describe("s")  # DELETING shown once: the next Describe ends the deletion
    return lambda: world.describe("s")


SCENARIOS: dict[str, tuple[str, Callable[[World], Callable[[], Any]]]] = {
    "Create": ("CreateDeliveryStream", _setup_create),
    "Delete": ("DeleteDeliveryStream", _setup_delete),
    "Delete (at once)": ("DeleteDeliveryStream", _setup_delete_at_once),
    "Start": ("StartDeliveryStreamEncryption", _setup_start),
    "Stop": ("StopDeliveryStreamEncryption", _setup_stop),
    "PutRecord": ("PutRecord", _setup_put),
    "PutRecordBatch": ("PutRecordBatch", _setup_put_batch),
    "Describe": ("DescribeDeliveryStream", _setup_describe),
    "Describe (deleting)": ("DescribeDeliveryStream", _setup_describe_deleting),
}


def observe(world: World) -> dict[str, Any]:
    """What a client can see (and the change count), after the call."""
    firehose = world.firehose
    seen: dict[str, Any] = {"faults": world.sse.pending_faults}
    names = firehose.list_delivery_streams()["DeliveryStreamNames"]
    seen["streams"] = names
    for name in names:
        seen[name] = [world.describe(name) for _ in range(3)]
        try:
            seen[name + " put"] = firehose.put_record(
                DeliveryStreamName=name, Record={"Data": b"z"}
            )["Encrypted"]
        except ClientError as error:
            seen[name + " put"] = error.response["Error"]["Code"]
        seen[name + " tags"] = firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)[
            "Tags"
        ]
        state = firehose_backends[ACCOUNT][REGION]._sse.get(name)
        seen[name + " changes"] = len(state.changes) if state is not None else None
    seen["grants"] = sorted(
        (g["Name"], str(g.get("Constraints")))
        for g in world.kms.list_grants(KeyId=world.key)["Grants"]
    )
    seen["key users"] = +firehose_backends[ACCOUNT][REGION]._key_users
    # a stream taken back takes its tags along: a new stream of that name starts with none
    seen["tagged"] = sorted(firehose_backends[ACCOUNT][REGION].tagger.tags)
    # moto keeps every grant it made in a class list until reset: one put back when undone
    key_id = world.key.rsplit("/", 1)[1]
    tracked = getattr(Grant, kms_module._TRACKED)
    seen["tracked grants"] = sorted(g.name for g in tracked if g.key_id == key_id)
    return seen


def _modelled(operation: str) -> set[str]:
    model = client("firehose").meta.service_model.operation_model(operation)
    return {shape.name for shape in model.error_shapes}


ERRORS: dict[str, Callable[[], Exception]] = {
    "modelled": lambda: ResourceNotFoundException("injected"),
    "unexpected": lambda: RuntimeError("injected"),
}


def _in_fresh_mock(setup: Callable[[World], Callable[[], Any]], then: Callable[..., Any]) -> Any:
    """``then(world, call)`` in a new mock, after ``setup`` made the state and the call."""
    with mock_firehose_sse() as sse:
        world = World(sse)
        return then(world, setup(world))


def _seen(world: World) -> str:
    return repr(observe(world)).replace(world.key, "KEY")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIOS)
def test_a_call_that_fails_at_any_step_changes_nothing(injector: _Injector, scenario: str) -> None:
    operation, setup = SCENARIOS[scenario]
    modelled = _modelled(operation)
    expected = _in_fresh_mock(setup, lambda world, call: _seen(world))  # the call not made

    def count(world: World, call: Callable[[], Any]) -> list[str]:
        with contextlib.suppress(ClientError):  # a Describe once the deletion is over
            injector.run(call, 0, ERRORS["unexpected"])
        return list(injector.reached)

    steps = _in_fresh_mock(setup, count)
    assert len(steps) >= 3, steps
    refused = 0
    for kind, error in ERRORS.items():
        for index, step in enumerate(steps, start=1):

            def attempt(world: World, call: Callable[[], Any]) -> int:
                try:
                    injector.run(call, index, error)  # noqa: B023
                except ClientError as failed:
                    code = failed.response["Error"]["Code"]
                    assert code in modelled, (kind, step, code)  # noqa: B023
                    message = failed.response["Error"]["Message"]
                    if kind == "modelled":  # noqa: B023  # undoing the call never hides the error
                        assert message == "injected", (step, code, message)  # noqa: B023
                    assert _seen(world) == expected, (kind, index, step)  # noqa: B023
                    return 1
                _seen(world)  # absorbed (a transition ended failed): every call still works
                return 0

            refused += _in_fresh_mock(setup, attempt)
    assert refused > 0


def test_a_transition_that_can_not_be_finished_ends_failed_and_describe_keeps_working(
    firehose: Any, kms: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The root of "after a Start every Describe answers ResourceNotFoundException": the
    transition was finished inside Describe, whose only modelled error that is, and an
    exception there left it unfinished, to be tried (and fail) again on every Describe."""
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=cmk(key)
    )

    def broken(*args: Any) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(kms_module, "problem", broken)
    blocks = [
        firehose.describe_delivery_stream(DeliveryStreamName="s")["DeliveryStreamDescription"]
        for _ in range(3)
    ]
    statuses = [b["DeliveryStreamEncryptionConfiguration"]["Status"] for b in blocks]
    assert statuses == ["ENABLING", "ENABLING_FAILED", "ENABLING_FAILED"]
    failure = blocks[-1]["DeliveryStreamEncryptionConfiguration"]["FailureDescription"]
    assert failure == {
        "Type": "UNKNOWN_ERROR",
        "Details": "moto-firehose-sse could not finish the ENABLING of s (RecursionError: "
        "maximum recursion depth exceeded); please report it with the calls that led to it.",
    }
    shown = blocks[-1]["DeliveryStreamEncryptionConfiguration"]
    assert (shown["KeyType"], shown["KeyARN"]) == ("CUSTOMER_MANAGED_CMK", key)  # as it tried
    assert kms.list_grants(KeyId=key)["Grants"] == []  # nothing half done
    monkeypatch.undo()
    firehose.start_delivery_stream_encryption(  # and the stream can be encrypted again
        DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=cmk(key)
    )
    firehose.describe_delivery_stream(DeliveryStreamName="s")
    block = firehose.describe_delivery_stream(DeliveryStreamName="s")["DeliveryStreamDescription"]
    assert block["DeliveryStreamEncryptionConfiguration"]["Status"] == "ENABLED"


def test_an_enable_that_fails_after_its_grant_was_made_takes_the_grant_back(
    firehose: Any, kms: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=cmk(key)
    )
    record = key_events.record

    def broken(event: str, *args: Any) -> None:  # fails right after the CreateGrant
        if event == "CreateGrant":
            raise RuntimeError("injected")
        record(event, *args)

    monkeypatch.setattr(key_events, "record", broken)
    assert settle(firehose, "s")["Status"] == "ENABLING_FAILED"
    assert kms.list_grants(KeyId=key)["Grants"] == []
    key_id = key.rsplit("/", 1)[1]
    tracked = getattr(Grant, kms_module._TRACKED)
    assert [g for g in tracked if g.key_id == key_id] == []


def test_a_key_change_or_a_stop_that_can_not_be_finished_keeps_the_key_in_force(
    firehose: Any, kms: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENABLING_FAILED with the old key still shown, DISABLING_FAILED with the key kept."""
    first, second = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(first))
    settle(firehose, "s")

    def broken(*args: Any) -> None:
        raise RuntimeError("injected")

    with monkeypatch.context() as patched:
        patched.setattr(kms_module, "problem", broken)
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=cmk(second)
        )
        shown = settle(firehose, "s")
    assert (shown["Status"], shown["KeyARN"]) == ("ENABLING_FAILED", first)
    assert shown["FailureDescription"]["Type"] == "UNKNOWN_ERROR"
    firehose.start_delivery_stream_encryption(  # a good Start puts it right
        DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=cmk(first)
    )
    assert settle(firehose, "s")["Status"] == "ENABLED"
    with monkeypatch.context() as patched:
        patched.setattr(kms_module, "retire_grant", broken)
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        shown = settle(firehose, "s")
    assert (shown["Status"], shown["KeyARN"]) == ("DISABLING_FAILED", first)
    assert "RuntimeError: injected" in shown["FailureDescription"]["Details"]
    assert [g["Name"] for g in kms.list_grants(KeyId=first)["Grants"]] == ["firehose-sse-s"]


def test_a_key_change_that_can_not_be_finished_frees_the_new_key_and_holds_the_old(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With one stream per key: after the failed change the old key is still taken, the new
    one is free again."""
    with mock_firehose_sse(max_streams_per_key=1):
        firehose, kms = client("firehose"), client("kms")
        first, second = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
        create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(first))
        settle(firehose, "s")

        def broken(*args: Any) -> None:
            raise RuntimeError("injected")

        with monkeypatch.context() as patched:
            patched.setattr(kms_module, "problem", broken)
            firehose.start_delivery_stream_encryption(
                DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=cmk(second)
            )
            assert settle(firehose, "s")["Status"] == "ENABLING_FAILED"
        with pytest.raises(firehose.exceptions.LimitExceededException):
            create_stream(
                firehose, "on-first", DeliveryStreamEncryptionConfigurationInput=cmk(first)
            )
        create_stream(firehose, "on-second", DeliveryStreamEncryptionConfigurationInput=cmk(second))
        assert settle(firehose, "on-second")["Status"] == "ENABLED"


@pytest.mark.parametrize("removed", [False, True], ids=["before-removal", "after-removal"])
def test_a_deletion_that_can_not_be_finished_keeps_the_stream_whole(
    monkeypatch: pytest.MonkeyPatch, removed: bool
) -> None:
    """Finishing the deletion retires the grant, then moto's removal fails, before or after
    it took the stream and its tags away: the stream is back with its tags, and the retire is
    undone in the key's grants and in the list moto tracks its grants in until reset."""
    remove = FirehoseBackend.delete_delivery_stream
    with mock_firehose_sse() as sse:
        world = World(sse)
        world.stream("s")
        world.firehose.tag_delivery_stream(
            DeliveryStreamName="s", Tags=[{"Key": "team", "Value": "data"}]
        )
        sse.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)

        def broken(backend: Any, name: str) -> None:
            if removed:
                remove(backend, name)
            raise RuntimeError("injected")

        monkeypatch.setattr(FirehoseBackend, "delete_delivery_stream", broken)
        world.firehose.delete_delivery_stream(DeliveryStreamName="s")
        monkeypatch.undo()
        assert world.describe("s")["DeliveryStreamStatus"] == "DELETING_FAILED"
        assert world.describe("s")["FailureDescription"] == {
            "Type": "UNKNOWN_ERROR",
            "Details": "moto-firehose-sse could not finish the deletion of s "
            "(RuntimeError: injected); please report it with the calls that led to it.",
        }
        seen = observe(world)
        assert seen["streams"] == ["s"]
        assert seen["s tags"] == [{"Key": "team", "Value": "data"}]
        assert [name for name, _ in seen["grants"]] == ["firehose-sse-s"]
        assert seen["tracked grants"] == ["firehose-sse-s"]
        assert seen["key users"] == {world.key: 1}  # the stream still counts toward its key


def test_a_rollback_runs_every_step_even_if_one_fails() -> None:
    from moto_firehose_sse import undo

    done: list[int] = []

    def broken() -> None:
        raise KeyError("gone")

    log = undo.begin()
    undo.record(lambda: done.append(1))
    undo.record(broken)
    undo.record(lambda: done.append(3))
    with pytest.raises(KeyError):
        undo.rollback(log)
    assert done == [3, 1]
    undo.record(lambda: done.append(4))  # no transaction under way: nothing is recorded
    assert done == [3, 1]
