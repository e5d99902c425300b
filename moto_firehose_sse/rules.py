"""The rules of one stream: SSE status, keys, transitions, the daily change window, deletion."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

from moto.moto_api import state_manager

from . import caller, controller, kms
from .controller import (
    DEFAULT_TRANSITIONS,
    DELETION_MODEL_NAME,
    MODEL_NAME,
    Fault,
    transition_problem,
)
from .inputs import AWS_OWNED_CMK, CUSTOMER_MANAGED_CMK

ENABLED, ENABLING, ENABLING_FAILED = "ENABLED", "ENABLING", "ENABLING_FAILED"
DISABLED, DISABLING, DISABLING_FAILED = "DISABLED", "DISABLING", "DISABLING_FAILED"
IN_TRANSITION = (ENABLING, DISABLING)

DELETING, DELETING_FAILED = "DELETING", "DELETING_FAILED"

WINDOW_SECONDS = 24 * 60 * 60
_NEVER = float("-inf")

_UTC = datetime.timezone.utc
PRODUCER_RULE_START = datetime.datetime(2026, 4, 20, tzinfo=_UTC).timestamp()
"""Streams created with a customer key from this day need producers with key access."""
PRODUCER_RULE_EXISTING = datetime.datetime(2027, 2, 28, tzinfo=_UTC).timestamp()
"""Streams created before ``PRODUCER_RULE_START`` need it from this day."""


def created_at(stream: Any) -> float:
    """When moto made the stream (an aware ISO text in moto 5.0, a naive UTC datetime later)."""
    stamp: Any = stream.create_timestamp
    if isinstance(stamp, str):
        stamp = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if isinstance(stamp, datetime.datetime):
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=_UTC)
        seconds: float = stamp.timestamp()
        return seconds
    return float(stamp)


def producer_rule(setting: str, created_at: float, now: float) -> bool:
    """Whether puts need the caller's kms:GenerateDataKey and kms:Decrypt on the stream's key.

    ``scheduled`` follows AWS's dates (by stream creation time, on the mock's clock);
    ``required`` always; ``not-required`` never.
    """
    if setting == "required":
        return True
    if setting == "not-required":
        return False
    return now >= (created_at if created_at >= PRODUCER_RULE_START else PRODUCER_RULE_EXISTING)


def transition_end(model: str, started_at: float, ticks: int, now: float) -> float | None:
    """When the transition of ``model`` begun at ``started_at`` ended, as of ``now`` after
    ``ticks`` Describes showed it; None while it is under way.

    moto's progressions: ``immediate``; ``manual`` after ``times`` Describes; ``time`` once
    ``seconds`` have passed, exactly S included (moto's own models wait for more). A transition
    the plugin can't follow, set straight on moto's state manager, counts as the model's default.
    """
    transition: Any = state_manager.get_transition(model)
    if transition_problem(transition) is not None:
        transition = DEFAULT_TRANSITIONS[model]
    progression = transition["progression"]
    if progression == "time":
        # The transition ended when the time was up, not when somebody first looked.
        ends_at: float = started_at + transition["seconds"]
        return ends_at if now >= ends_at else None
    if progression == "manual" and ticks < transition["times"]:
        return None
    return now


@dataclass(frozen=True)
class Key:
    """A key setting as the user gave it (``arn`` is None for AWS_OWNED_CMK)."""

    type: str
    arn: str | None = None
    ref: kms.KeyRef | None = None
    caller: caller.Caller | None = field(default=None, compare=False)
    """Who asked for it (Start, or Create): the one whose KMS permissions count."""

    def describe(self) -> dict[str, str]:
        block = {"KeyType": self.type}
        if self.arn is not None:
            block["KeyARN"] = self.arn
        return block


class StreamEncryption:
    """The encryption state of one DirectPut stream.

    ``key`` is the key in force (records are encrypted with it); ``target`` is the key being
    enabled, or the one whose enabling failed while no key was in force. While the stream is
    CREATING with an encryption input, the enable is ``creating``: the stream's creation ends
    it (``creation.StreamCreation``), not the ``firehose::encryption`` transition.
    """

    __slots__ = (
        "changes",
        "creating",
        "encrypted_before",
        "failure",
        "fault",
        "flipped_at",
        "grant",
        "key",
        "started_at",
        "status",
        "target",
        "ticks",
    )

    def __init__(self, status: str = DISABLED, key: Key | None = None) -> None:
        self.status = status
        self.key = key
        self.target: Key | None = None
        self.failure: dict[str, str] | None = None
        self.grant: str | None = None
        self.ticks = 0  # Describes that showed the in-between status of this transition
        self.started_at = _NEVER
        self.fault: Fault | None = None
        # a list, not a deque: an empty deque takes 600 bytes, and the window is short
        self.changes: list[float] = []
        self.flipped_at = _NEVER
        self.encrypted_before = False
        self.creating = False

    # Reading -------------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """The ``DeliveryStreamEncryptionConfiguration`` block."""
        shown = self.key or self.target
        block: dict[str, Any] = shown.describe() if shown and self.status != DISABLED else {}
        block["Status"] = self.status
        if self.failure is not None:
            block["FailureDescription"] = dict(self.failure)
        return block

    def encrypted(self, now: float, lag: float) -> bool:
        """The ``Encrypted`` flag of a put at ``now``, ``lag`` seconds behind status changes."""
        if now - self.flipped_at < lag:
            return self.encrypted_before
        return self.key is not None

    def held_keys(self) -> tuple[str, ...]:
        """Customer key ARNs this stream counts against (500 streams per key)."""
        held = [
            k.ref.arn
            for k in (self.key, self.target if self.status == ENABLING else None)
            if k and k.ref
        ]
        return tuple(dict.fromkeys(held))

    # Changes -------------------------------------------------------------------------------

    def admit_change(self, now: float, limit: int) -> float | None:
        """Count an accepted Start/Stop; or, over the limit, the time a slot frees (nothing counted)."""
        changes = self.changes
        while changes and changes[0] <= now - WINDOW_SECONDS:
            del changes[0]
        if len(changes) >= limit:
            return changes[len(changes) - limit] + WINDOW_SECONDS
        changes.append(now)
        return None

    def begin_enable(self, key: Key, fault: Fault | None) -> None:
        self._begin(ENABLING, fault)
        self.target = key

    def begin_creation(self, key: Key, fault: Fault | None) -> None:
        """Create with an encryption input: ENABLING with ``key`` until the creation ends."""
        self.begin_enable(key, fault)
        self.creating = True

    def begin_disable(self, fault: Fault | None) -> None:
        self._begin(DISABLING, fault)
        self.target = None

    def _begin(self, status: str, fault: Fault | None) -> None:
        self.status, self.failure, self.fault = status, None, fault
        self.ticks, self.started_at = 0, time.time()

    def advance(self) -> None:
        """One Describe has shown the in-between status."""
        if self.status in IN_TRANSITION:
            self.ticks += 1

    def settle(self, account: str, stream_arn: str, stream_name: str, now: float) -> None:
        """Finish the transition under way if the state manager's transition says it is over."""
        if self.status not in IN_TRANSITION or self.creating:
            return
        ended = transition_end(MODEL_NAME, self.started_at, self.ticks, now)
        if ended is None:
            return
        if self.status == ENABLING:
            assert self.target is not None
            self.finish_enable(self.target, account, stream_arn, stream_name, ended)
        else:
            self._finish_disable(ended)

    def finish_enable(
        self, key: Key, account: str, stream_arn: str, stream_name: str, now: float
    ) -> None:
        """End an enable with ``key``: ENABLED, or ENABLING_FAILED keeping the old key."""
        fault, self.fault, self.creating = self.fault, None, False
        failure = (
            (fault.type, fault.details) if fault else self._key_problem(key, account, stream_arn)
        )
        if failure:
            self.status = ENABLING_FAILED
            self.failure = {"Type": failure[0], "Details": failure[1]}
            self.target = key if self.key is None else None
            return
        old = self.key.ref if self.key is not None else None
        if (
            old is not None
            and key.ref is not None
            and old.arn == key.ref.arn
            and self.grant
            and kms.grant_alive(key.ref, self.grant)
        ):
            grant: str | None = self.grant  # same key: its grant goes on
        else:
            self.release()
            grant = kms.create_grant(key.ref, stream_arn, stream_name) if key.ref else None
        self._flip(key, now)
        self.grant, self.status, self.failure, self.target = grant, ENABLED, None, None

    @staticmethod
    def _key_problem(key: Key, account: str, stream_arn: str) -> tuple[str, str] | None:
        ref = key.ref
        if ref is None:
            return None
        by = key.caller or caller.current(account, ref.region, kms.partition_of(ref.region))
        return kms.problem(ref, kms.Use(by, stream_arn))

    def _finish_disable(self, now: float) -> None:
        fault, self.fault = self.fault, None
        if fault is not None:
            self.status = DISABLING_FAILED
            self.failure = {"Type": fault.type, "Details": fault.details}
            return
        self.release()
        self._flip(None, now)
        self.status, self.failure = DISABLED, None

    def release(self) -> None:
        """Retire the grant (the stream stops using its key, or is deleted)."""
        if self.key is not None and self.key.ref is not None and self.grant is not None:
            kms.retire_grant(self.key.ref, self.grant)
        self.grant = None

    def _flip(self, key: Key | None, now: float) -> None:
        if (key is None) != (self.key is None):
            self.encrypted_before, self.flipped_at = self.key is not None, now
        self.key = key


class StreamDeletion:
    """The deletion of one stream (of any source): DELETING until the ``firehose::deletion``
    transition ends; then the stream is gone, or DELETING_FAILED when Firehose's grant on the
    customer key can't be retired and the delete didn't allow a forced deletion."""

    __slots__ = ("failure", "fault", "force", "started_at", "status", "ticks")

    def __init__(self) -> None:
        self.status = DELETING
        self.failure: dict[str, str] | None = None
        self.fault: Fault | None = None
        self.force = False
        self.ticks = 0
        self.started_at = _NEVER

    def begin(self, force: bool, fault: Fault | None) -> None:
        """A DeleteDeliveryStream call: the first, or a retry after DELETING_FAILED."""
        self.status, self.failure, self.fault, self.force = DELETING, None, fault, force
        self.ticks, self.started_at = 0, time.time()

    def advance(self) -> None:
        """One Describe has shown DELETING."""
        if self.status == DELETING:
            self.ticks += 1

    def settle(self, enc: StreamEncryption | None, now: float) -> bool:
        """End the deletion if its transition is over; True when the stream is gone.

        The grant on the customer key in force is retired then. If it can't be (an injected
        fault, or KMS refuses), the stream is DELETING_FAILED, unless the delete was forced:
        then it is gone and the grant stays on the key for the user to revoke.
        """
        if self.status != DELETING:
            return False
        if transition_end(DELETION_MODEL_NAME, self.started_at, self.ticks, now) is None:
            return False
        fault, self.fault = self.fault, None
        failure = (fault.type, fault.details) if fault is not None else None
        key = enc.key.ref if enc is not None and enc.key is not None else None
        if failure is None and key is not None and enc is not None and enc.grant is not None:
            failure = kms.retire_problem(key, enc.grant)
        if failure is not None and not self.force:
            self.status = DELETING_FAILED
            self.failure = {"Type": failure[0], "Details": failure[1]}
            return False
        if failure is None and enc is not None:
            enc.release()
        return True


def adopt(stream: Any, account: str, region: str) -> StreamEncryption | None:
    """The state of a stream plain moto made or changed: its encryption taken on as it stands.

    A customer key plain moto enabled is resolved, granted and counted as if Start had
    enabled it; one the stream can't use (unknown, malformed, another region) stays in force,
    and puts are refused until a Start with a usable key or a Stop.
    """
    if stream.delivery_stream_type != "DirectPut":
        return None
    config = stream.delivery_stream_encryption_configuration
    # plain moto's Create stores the input without a Status: AWS would have enabled it
    if not isinstance(config, dict) or config.get("Status", ENABLED) != ENABLED:
        return StreamEncryption()
    key_type, arn = config.get("KeyType"), config.get("KeyARN")
    if key_type == AWS_OWNED_CMK:
        return StreamEncryption(ENABLED, Key(AWS_OWNED_CMK))
    if key_type != CUSTOMER_MANAGED_CMK or not isinstance(arn, str):
        return StreamEncryption()  # an encryption AWS would have refused
    ref = kms.adopted(
        arn, account, region, stream.delivery_stream_arn, lenient=controller.current().lenient_keys
    )
    enc = StreamEncryption(ENABLED, Key(CUSTOMER_MANAGED_CMK, arn, ref))
    enc.grant = kms.create_grant(ref, stream.delivery_stream_arn, stream.delivery_stream_name)
    return enc
