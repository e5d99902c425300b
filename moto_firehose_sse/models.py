"""``FirehoseSSEBackend``: moto's Firehose backend with the SSE rules applied."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Any

from moto.firehose.models import DeliveryStream, FirehoseBackend, firehose_backends

from . import caller, controller, creation, describe_defaults, inputs, key_events, kms, undo, urls
from .exceptions import (
    InvalidArgumentException,
    InvalidKMSResourceException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceUnavailableException,
)
from .operations import LOCK
from .operations import operation as _operation
from .rules import (
    DELETING,
    DISABLED,
    IN_TRANSITION,
    Key,
    StreamDeletion,
    StreamEncryption,
    adopt,
    created_at,
    producer_rule,
)

# Where a backend keeps the plugin's state (moto's reset() wipes the backend's __dict__).
STATE = "_firehose_sse"  # stream name -> StreamEncryption, None for non-DirectPut streams
KEY_USERS = "_firehose_sse_key_users"  # customer key ARN -> streams of this backend using it
DELETIONS = "_firehose_sse_deletions"  # stream name -> StreamDeletion, while DELETING(_FAILED)
CREATIONS = "_firehose_sse_creations"  # stream name -> StreamCreation, while CREATING


class FirehoseSSEBackend(FirehoseBackend):
    """moto's Firehose backend, with server-side encryption as AWS documents it.

    SSE state lives in ``self.__dict__`` (created lazily, wiped by moto's ``reset()``),
    never on moto's ``DeliveryStream`` objects, whose attributes Describe serialises.
    """

    @property
    def _url_module(self) -> Any:
        return urls

    # State -----------------------------------------------------------------------------

    @property
    def _sse(self) -> dict[str, StreamEncryption | None]:
        try:
            return self.__dict__[STATE]  # type: ignore[no-any-return]
        except KeyError:
            return self.__dict__.setdefault(STATE, {})  # type: ignore[no-any-return]

    @property
    def _key_users(self) -> Counter[str]:
        try:
            return self.__dict__[KEY_USERS]  # type: ignore[no-any-return]
        except KeyError:
            return self.__dict__.setdefault(KEY_USERS, Counter())  # type: ignore[no-any-return]

    @property
    def _deletions(self) -> dict[str, StreamDeletion]:
        return self.__dict__.setdefault(DELETIONS, {})  # type: ignore[no-any-return]

    @property
    def _creations(self) -> dict[str, creation.StreamCreation]:
        return self.__dict__.setdefault(CREATIONS, {})  # type: ignore[no-any-return]

    def _live(self, name: str) -> DeliveryStream | None:
        """The stream of that name, once a creation that is over has made it ACTIVE (or
        CREATING_FAILED) and a deletion that is over has removed it."""
        creations = self.__dict__.get(CREATIONS)
        if creations and name in creations:
            self._settle_creation(name, time.time())
        deletions = self.__dict__.get(DELETIONS)
        if deletions and name in deletions:
            self._settle_deletion(name, time.time())
        return self.delivery_streams.get(name)

    def _settle_creation(self, name: str, now: float) -> None:
        """End the creation of ``name`` if it is over (rule 39): ACTIVE or CREATING_FAILED
        (``UNKNOWN_ERROR`` when ending it raised)."""
        creating, stream, enc = (
            self._creations[name],
            self.delivery_streams[name],
            self._sse.get(name),
        )
        held = enc.held_keys() if enc is not None else ()

        def finish() -> None:
            if enc is not None:
                undo.keep(enc)
            undo.set_attribute(stream, "delivery_stream_status", stream.delivery_stream_status)
            if creating.settle(stream, enc, self.account_id, now):
                undo.pop_item(self._creations, name)
                self._track(held, enc)

        def fail(exc: Exception) -> None:
            if enc is not None:
                enc.fail(undo.unknown_error(f"the creation of {name}", exc))
                enc.creating = False
            stream.delivery_stream_status = creation.CREATING_FAILED
            self._creations.pop(name, None)
            self._track(held, enc)

        undo.settle(finish, fail)

    def _stream(self, name: str) -> DeliveryStream:
        stream = self._live(name)
        if stream is None:
            raise inputs.not_found(name, self.account_id)
        return stream

    def _settle_deletion(self, name: str, now: float) -> None:
        """End the deletion of ``name`` if it is over: the stream leaves moto, or it failed
        (``UNKNOWN_ERROR`` when ending it raised)."""
        deletion = self._deletions[name]

        def finish() -> None:
            enc = self._sse.get(name)
            undo.keep(deletion)
            if enc is not None:
                undo.keep(enc)
            stream = self.delivery_streams[name]
            if not deletion.settle(enc, now):
                undo.set_attribute(stream, "delivery_stream_status", deletion.status)
                return
            undo.pop_item(self._deletions, name)
            undo.pop_item(self._sse, name)
            self._track(enc.held_keys() if enc is not None else (), None)
            undo.record(self._restorer(stream))
            super(FirehoseSSEBackend, self).delete_delivery_stream(name)

        def fail(exc: Exception) -> None:
            deletion.fail(undo.unknown_error(f"the deletion of {name}", exc))
            stream = self.delivery_streams.get(name)
            if stream is not None:
                stream.delivery_stream_status = deletion.status

        undo.settle(finish, fail)

    def _restorer(self, stream: DeliveryStream) -> undo.Step:
        """How to put back a stream moto's delete_delivery_stream removed, tags included."""
        arn, status = stream.delivery_stream_arn, stream.delivery_stream_status
        tags = self.tagger.list_tags_for_resource(arn).get("Tags", [])

        def restore() -> None:
            stream.delivery_stream_status = status
            self.delivery_streams[stream.delivery_stream_name] = stream
            self.tagger.tag_resource(arn, tags)

        return restore

    def _encryption(
        self, stream: DeliveryStream, now: float, changes: bool = True
    ) -> StreamEncryption | None:
        """The stream's SSE state, its transition settled as of ``now``; ``changes``: the call
        may change it (then what it changes is undone if the call fails)."""
        sse = self._sse
        name = stream.delivery_stream_name
        if name not in sse:  # made or changed by plain moto
            undo.set_item(sse, name, adopt(stream, self.account_id, self.region_name))
            self._track((), sse[name])
        enc = sse[name]
        if enc is not None and enc.status in IN_TRANSITION:
            held = enc.held_keys()

            def finish() -> None:
                undo.keep(enc)
                enc.settle(self.account_id, stream.delivery_stream_arn, name, now)
                self._track(held, enc)

            def fail(exc: Exception) -> None:
                enc.fail(undo.unknown_error(f"the {enc.status} of {name}", exc))
                self._track(held, enc)

            undo.settle(finish, fail)
        if enc is not None and changes:
            undo.keep(enc)  # what the call itself changes is undone if it fails
        return enc

    def _track(self, held_before: tuple[str, ...], enc: StreamEncryption | None) -> None:
        """Keep the per-key stream counts in step with what ``enc`` now holds."""
        held_after = enc.held_keys() if enc is not None else ()
        if held_before != held_after:
            users = self._key_users
            users.subtract(held_before)
            users.update(held_after)

            def restore() -> None:
                users.subtract(held_after)
                users.update(held_before)

            undo.record(restore)

    def _streams_using(self, ref: kms.KeyRef) -> int:
        total = 0
        for account in list(firehose_backends.values()):
            backend = dict.get(account, ref.region)
            users = getattr(backend, "__dict__", {}).get(KEY_USERS)
            if users:
                total += users[ref.arn]
        return total

    def _requested_key(self, config: Any, stream_name: str) -> Key:
        """Rules 7 and 8, and the KMS lookup: the key a Create or Start asks for."""
        key_type, key_arn = inputs.encryption_input(config)
        if key_arn is None:
            return Key(key_type)
        settings = controller.current()
        by = self._caller()
        region = self.region_name
        stream_arn = (
            f"arn:{kms.partition_of(region)}:firehose:{region}:{self.account_id}:"
            f"deliverystream/{stream_name}"
        )
        use = kms.Use(by, stream_arn)
        ref = kms.resolve(
            key_arn, self.account_id, self.region_name, lenient=settings.lenient_keys, use=use
        )
        return Key(key_type, key_arn, ref, by)

    def _caller(self) -> caller.Caller:
        region = self.region_name
        return caller.current(self.account_id, region, kms.partition_of(region))

    def _check_key_quota(self, key: Key, enc: StreamEncryption | None) -> None:
        if key.ref is None or (enc is not None and key.ref.arn in enc.held_keys()):
            return
        limit = controller.current().max_streams_per_key
        if self._streams_using(key.ref) >= limit:
            raise LimitExceededException(
                f"KMS key {key.arn} already encrypts {limit} Firehose streams, the most one "
                "customer managed key can encrypt; use another key, or stop encryption on a "
                "stream that uses this one."
            )

    # Operations ------------------------------------------------------------------------

    @_operation(
        InvalidArgumentException,
        LimitExceededException,
        ResourceInUseException,
        InvalidKMSResourceException,
    )
    def create_delivery_stream(  # type: ignore[override]
        self,
        region: str,
        delivery_stream_name: Any,
        delivery_stream_type: Any,
        kinesis_stream_source_configuration: Any,
        encryption_input: Any,
        *rest: Any,
        **kw: Any,
    ) -> str:
        name = inputs.stream_name(delivery_stream_name)
        stream_type = inputs.stream_type(delivery_stream_type)
        existing = self._live(name)
        if existing is not None:
            status = existing.delivery_stream_status
            raise ResourceInUseException(
                f"Firehose {name} under accountId {self.account_id} already exists"
                + (
                    f" and is {status}: create it again once a deletion is over "
                    "(DescribeDeliveryStream answers ResourceNotFoundException)"
                    if name in self._deletions
                    else ""
                )
            )
        quota = controller.current().max_streams_per_region
        if len(self.delivery_streams) >= quota:
            for gone in list(self.__dict__.get(DELETIONS, ())):
                self._live(gone)
        if len(self.delivery_streams) >= quota:
            raise LimitExceededException(
                f"You have already consumed your firehose quota of {quota} hoses in "
                f"{self.region_name}; delete a stream, or raise max_streams_per_region."
            )
        key = None
        if encryption_input is not None:
            if stream_type != "DirectPut":
                raise InvalidArgumentException(
                    "DeliveryStreamEncryptionConfigurationInput is only allowed for DirectPut "
                    f"streams, not for a {stream_type} stream: the source encrypts its data."
                )
            key = self._requested_key(encryption_input, name)
            self._check_key_quota(key, None)
        undo.record(self._forgetter(name))
        arn = super().create_delivery_stream(
            region,
            name,
            delivery_stream_type,
            kinesis_stream_source_configuration,
            None,  # type: ignore[arg-type]  # SSE state is kept by the plugin
            *rest,
            **kw,
        )
        stream = self.delivery_streams[name]
        stream.delivery_stream_status = creation.CREATING
        enc = StreamEncryption() if stream_type == "DirectPut" else None
        undo.set_item(self._sse, name, enc)
        if enc is not None and key is not None:
            enc.begin_creation(key, controller.current()._take_fault("enable", name))
            self._track((), enc)
        undo.set_item(self._creations, name, creation.StreamCreation())
        self._settle_creation(name, time.time())
        return arn

    def _forgetter(self, name: str) -> undo.Step:
        """How to take back a stream moto's create_delivery_stream is about to add."""
        region = self.region_name
        arn = (
            f"arn:{kms.partition_of(region)}:firehose:{region}:{self.account_id}:"
            f"deliverystream/{name}"
        )

        def forget() -> None:
            self.delivery_streams.pop(name, None)
            self.tagger.delete_all_tags_for_resource(arn)

        return forget

    @_operation(ResourceNotFoundException, ResourceInUseException)
    def delete_delivery_stream(
        self, delivery_stream_name: Any, allow_force_delete: Any = None
    ) -> None:
        if not isinstance(delivery_stream_name, str):
            raise inputs.not_found(delivery_stream_name, self.account_id)
        if allow_force_delete is not None and not isinstance(allow_force_delete, bool):
            raise ResourceNotFoundException(
                f"AllowForceDelete must be true or false, not {allow_force_delete!r}."
            )
        stream, now = self._stream(delivery_stream_name), time.time()
        if stream.delivery_stream_status == creation.CREATING:
            raise creation.refuse_delete(delivery_stream_name, self.account_id)
        deletion = self._deletions.get(delivery_stream_name)
        if deletion is not None and deletion.status == DELETING:
            # accepted (rule 31): the deletion goes on; a forced delete makes it forced
            deletion.force |= bool(allow_force_delete)
            return
        self._encryption(stream, now)  # a stream plain moto made gets its state first
        fault = controller.current()._take_fault("delete", delivery_stream_name)
        deletion = self._deletions.get(delivery_stream_name)
        if deletion is None:
            deletion = StreamDeletion()
            undo.set_item(self._deletions, delivery_stream_name, deletion)
        undo.keep(deletion)
        deletion.begin(bool(allow_force_delete), fault)
        self._settle_deletion(delivery_stream_name, now)

    @_operation(ResourceNotFoundException)
    def describe_delivery_stream(
        self, delivery_stream_name: Any, *args: Any, **kwargs: Any
    ) -> dict[str, Any]:
        if not isinstance(delivery_stream_name, str):
            raise inputs.not_found(delivery_stream_name, self.account_id)
        stream = self._stream(delivery_stream_name)
        enc = self._encryption(stream, time.time())
        result = super().describe_delivery_stream(delivery_stream_name, *args, **kwargs)
        description = result["DeliveryStreamDescription"]
        describe_defaults.apply(description)
        creations = self.__dict__.get(CREATIONS)
        if creations and delivery_stream_name in creations:
            creations[delivery_stream_name].advance()
        deletions = self.__dict__.get(DELETIONS)
        deletion = deletions.get(delivery_stream_name) if deletions else None
        if deletion is not None:
            if deletion.failure is not None:
                description["FailureDescription"] = dict(deletion.failure)
            undo.keep(deletion)
            deletion.advance()
        if enc is None:
            description.pop("DeliveryStreamEncryptionConfiguration", None)
            return result
        description["DeliveryStreamEncryptionConfiguration"] = enc.describe()
        if stream.delivery_stream_status == "CREATING_FAILED" and enc.failure is not None:
            description["FailureDescription"] = dict(enc.failure)
        enc.advance()
        return result

    def list_delivery_streams(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if self.__dict__.get(DELETIONS):
            with LOCK:
                for name in list(self._deletions):
                    self._live(name)
        return super().list_delivery_streams(*args, **kwargs)

    def _ready_for_change(self, name: Any) -> tuple[DeliveryStream, StreamEncryption, float]:
        name = inputs.stream_name(name)
        stream = self._stream(name)
        now = time.time()
        enc = self._encryption(stream, now)
        if enc is None:
            raise InvalidArgumentException(
                f"Firehose {name} has source {stream.delivery_stream_type}: server-side encryption "
                "can only be started or stopped on a DirectPut stream."
            )
        return stream, enc, now

    def _check_not_busy(
        self, stream: DeliveryStream, enc: StreamEncryption, operation: str
    ) -> None:
        if stream.delivery_stream_status != "ACTIVE":
            raise ResourceInUseException(
                f"Firehose {stream.delivery_stream_name} under account {self.account_id} is "
                f"{stream.delivery_stream_status}, not ACTIVE; {operation} needs an ACTIVE stream."
            )
        if enc.status in IN_TRANSITION:
            raise ResourceInUseException(
                f"Firehose {stream.delivery_stream_name} under account {self.account_id} has "
                f"encryption status {enc.status}; wait until DescribeDeliveryStream shows the "
                f"transition is over before calling {operation}."
            )

    def _count_change(self, stream: DeliveryStream, enc: StreamEncryption, now: float) -> None:
        limit = controller.current().max_encryption_changes_per_day
        frees_at = enc.admit_change(now, limit)
        if frees_at is not None:
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(frees_at))
            raise LimitExceededException(
                f"Firehose {stream.delivery_stream_name} has had {limit} "
                "StartDeliveryStreamEncryption and StopDeliveryStreamEncryption calls in the "
                f"last 24 hours, the most allowed; the next call is accepted from {when}."
            )

    @_operation(
        InvalidArgumentException,
        ResourceNotFoundException,
        ResourceInUseException,
        LimitExceededException,
        InvalidKMSResourceException,
    )
    def start_delivery_stream_encryption(self, stream_name: Any, encryption_config: Any) -> None:
        stream, enc, now = self._ready_for_change(stream_name)
        key = self._requested_key(encryption_config, stream.delivery_stream_name)
        self._check_not_busy(stream, enc, "StartDeliveryStreamEncryption")
        self._check_key_quota(key, enc)
        self._count_change(stream, enc, now)
        held = enc.held_keys()
        enc.begin_enable(
            key, controller.current()._take_fault("enable", stream.delivery_stream_name)
        )
        self._track(held, enc)

    @_operation(
        InvalidArgumentException,
        ResourceNotFoundException,
        ResourceInUseException,
        LimitExceededException,
    )
    def stop_delivery_stream_encryption(self, stream_name: Any) -> None:
        stream, enc, now = self._ready_for_change(stream_name)
        self._check_not_busy(stream, enc, "StopDeliveryStreamEncryption")
        self._count_change(stream, enc, now)
        if enc.status != DISABLED:
            enc.begin_disable(
                controller.current()._take_fault("disable", stream.delivery_stream_name)
            )

    def _put(self, name: Any, records: Any) -> dict[str, Any]:
        name = inputs.stream_name(name)
        records = inputs.records(records)
        stream = self._stream(name)
        if stream.delivery_stream_status != "ACTIVE":
            raise ResourceNotFoundException(
                f"Firehose {name} under account {self.account_id} is "
                f"{stream.delivery_stream_status}, not ACTIVE, and takes no records."
            )
        now = time.time()
        enc = self._encryption(stream, now, changes=False)  # a put only reads it
        if enc is None:  # fed by its source
            raise InvalidArgumentException(
                f"This operation is not permitted on {stream.delivery_stream_type} delivery "
                "stream type."
            )
        settings = controller.current()
        if enc.key is not None and enc.key.ref is not None:
            rule = producer_rule(settings.producer_key_access, created_at(stream), now)
            use = kms.Use(self._caller(), stream.delivery_stream_arn) if rule else None
            error = kms.put_error(enc.key.ref, enc.grant, use)
            refusal = error.kms_code if error is not None else None
            key_events.put(stream.delivery_stream_arn, enc.key.ref.arn, refusal, now)
            if error is not None:
                raise error
        encrypted = enc.encrypted(now, settings.record_encryption_lag)
        try:
            result = super().put_record_batch(name, records)
        except RuntimeError:
            # AWS takes the records and fails the delivery later (to a missing bucket or a
            # dead HTTP endpoint); moto raises instead.
            result = {
                "FailedPutCount": 0,
                "RequestResponses": [{"RecordId": uuid.uuid4().hex} for _ in records],
            }
        result["Encrypted"] = encrypted
        return result

    @_operation(
        ServiceUnavailableException,
        ResourceNotFoundException,
        InvalidArgumentException,
        InvalidKMSResourceException,
    )
    def put_record(self, delivery_stream_name: Any, record: Any) -> dict[str, Any]:
        result = self._put(delivery_stream_name, [record])
        return {
            "RecordId": result["RequestResponses"][0]["RecordId"],
            "Encrypted": result["Encrypted"],
        }

    @_operation(
        ServiceUnavailableException,
        ResourceNotFoundException,
        InvalidArgumentException,
        InvalidKMSResourceException,
    )
    def put_record_batch(self, delivery_stream_name: Any, records: Any) -> dict[str, Any]:
        return self._put(delivery_stream_name, records)
