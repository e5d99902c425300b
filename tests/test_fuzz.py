"""Fuzzing every operation the plugin touches, through boto3 (issue 5, rules 1-29).

Properties checked on every call: the error is one botocore models for the operation (or
botocore's own ParamValidationError), never the plugin's safety net for internal errors;
Describe answers with a documented status; the daily change quota counts only accepted
calls; a stream encrypted with a customer key holds exactly one live KMS grant.

Each example runs in a fresh ``mock_firehose_sse``. ``HYPOTHESIS_PROFILE=long`` runs more.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import time
import uuid
from collections.abc import Iterator
from typing import Any

import moto.kms.models
import pytest
import time_machine
from botocore import xform_name
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from moto_firehose_sse import CREATION_MODEL_NAME, DELETION_MODEL_NAME, mock_firehose_sse

from .helpers import (
    ACCOUNT,
    BUCKET_ARN,
    REGION,
    ROLE_ARN,
    create_kinesis_sourced_stream,
    create_stream,
    settle,
)
from .hypothesis_profiles import FUZZ, STATEFUL
from .kms_helpers import (
    FIREHOSE,
    OTHER_ACCOUNT,
    allow_account,
    deny_firehose,
    grants,
    grants_for,
    in_account,
    policy,
    session_client,
)

OTHER_REGION = "eu-west-1"
SAFETY_NET = "could not process this request"
WINDOW = 24 * 60 * 60
T0 = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
_MODEL = session_client("firehose").meta.service_model
STATUSES = frozenset(_MODEL.shape_for("DeliveryStreamEncryptionStatus").enum)
STREAM_STATUSES = frozenset(_MODEL.shape_for("DeliveryStreamStatus").enum)
KEY_TYPES = ("AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK")


@pytest.fixture(autouse=True, scope="module")
def _reuse_key_material() -> Iterator[None]:
    """moto makes an RSA key pair for every KMS key (~0.1 s); one per key spec is enough here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            moto.kms.models,
            "generate_private_key",
            functools.lru_cache(moto.kms.models.generate_private_key),
        )
        yield


# Calling and checking ---------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    """What a call gave: the response, or the error code (``ParamValidationError`` included)."""

    response: dict[str, Any] | None
    error: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def _count(outcome: str) -> None:
    """Tally outcomes for ``--hypothesis-show-statistics``."""
    if currently_in_test_context():
        event(outcome)


def call(api: Any, operation: str, **params: Any) -> Outcome:
    """Make one call; fail the test unless it succeeds or fails as botocore models it."""
    modelled = {
        shape.name for shape in api.meta.service_model.operation_model(operation).error_shapes
    }
    try:
        response = getattr(api, xform_name(operation))(**params)
    except ParamValidationError as exc:
        _count(f"{operation}: ParamValidationError")
        return Outcome(None, "ParamValidationError", str(exc))
    except ClientError as exc:
        code, message = exc.response["Error"]["Code"], exc.response["Error"].get("Message", "")
        assert code in modelled, f"{operation} answered {code} ({message!r}); modelled: {modelled}"
        assert SAFETY_NET not in message, f"{operation} hit an internal error: {message!r}"
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        if code == "InvalidKMSResourceException":
            assert str(exc.response.get("code", "")).startswith("KMS."), exc.response
        _count(f"{operation}: {code}")
        return Outcome(None, code, message)
    _count(f"{operation}: ok")
    return Outcome(dict(response))


def check_description(firehose: Any, name: str) -> dict[str, Any] | None:
    """Describe a stream; its description (None if it doesn't exist), statuses checked."""
    outcome = call(firehose, "DescribeDeliveryStream", DeliveryStreamName=name)
    if not outcome.ok:
        assert outcome.error in ("ResourceNotFoundException", "ParamValidationError")
        return None
    assert outcome.response is not None
    found: dict[str, Any] = outcome.response["DeliveryStreamDescription"]
    assert found["DeliveryStreamStatus"] in STREAM_STATUSES
    block = found.get("DeliveryStreamEncryptionConfiguration")
    if found["DeliveryStreamType"] == "DirectPut":
        assert block is not None and block["Status"] in STATUSES, found
        assert block.get("KeyType", "AWS_OWNED_CMK") in KEY_TYPES
        if block.get("KeyType") == "AWS_OWNED_CMK":
            assert "KeyARN" not in block
    else:
        assert block is None, found
    return found


# Keys -------------------------------------------------------------------------------------

SLOTS = (
    "enabled",
    "alias",
    "disabled",
    "pending",
    "asymmetric",
    "denied",
    "missing_key",
    "missing_alias",
    "other_shared",
    "other_private",
    "other_alias",
    "other_region",
)
GRANTABLE = ("enabled", "other_shared")  # the usable keys; "alias" and "other_alias" name them
ALIASES = {"alias": "enabled", "other_alias": "other_shared", "missing_alias": None}
MISSING_KEY_ID = str(uuid.UUID(int=7))
# slot -> (account, region, CreateKey arguments)
RECIPES: dict[str, tuple[str, str, dict[str, str]]] = {
    "enabled": (ACCOUNT, REGION, {}),
    "disabled": (ACCOUNT, REGION, {}),
    "pending": (ACCOUNT, REGION, {}),
    "asymmetric": (ACCOUNT, REGION, {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    "denied": (ACCOUNT, REGION, {"Policy": policy(deny_firehose())}),
    "other_shared": (
        OTHER_ACCOUNT,
        REGION,
        {"Policy": policy(allow_account(ACCOUNT), owner=OTHER_ACCOUNT)},
    ),
    "other_private": (OTHER_ACCOUNT, REGION, {}),
    "other_region": (ACCOUNT, OTHER_REGION, {}),
}


@functools.cache
def shared_client(service: str, region: str = REGION) -> Any:
    """One client per service and region for all examples (moto's fake credentials)."""
    return session_client(service, region)


class Keys:
    """The KMS keys of one example, made when a drawn input first names them."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.aliased: set[str] = set()

    def key_id(self, slot: str) -> str:
        if slot not in self.ids:
            account, region, kwargs = RECIPES[slot]
            with in_account(account):
                kms = shared_client("kms", region)
                key_id = kms.create_key(**kwargs)["KeyMetadata"]["KeyId"]
                if slot == "disabled":
                    kms.disable_key(KeyId=key_id)
                elif slot == "pending":
                    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
            self.ids[slot] = key_id
        return self.ids[slot]

    def name(self, slot: str) -> str:
        """The resource part of the slot's ARN: a key id or an alias name."""
        if slot == "missing_key":
            return MISSING_KEY_ID
        if slot not in ALIASES:
            return self.key_id(slot)
        target = ALIASES[slot]
        if target is not None and slot not in self.aliased:
            target_id = self.key_id(target)
            with in_account(RECIPES[target][0]):
                shared_client("kms").create_alias(AliasName=f"alias/{slot}", TargetKeyId=target_id)
            self.aliased.add(slot)
        return slot

    def arn(self, slot: str) -> str:
        account, region, _ = RECIPES.get(ALIASES.get(slot) or slot, (ACCOUNT, REGION, {}))
        kind = "alias" if slot in ALIASES else "key"
        return f"arn:aws:kms:{region}:{account}:{kind}/{self.name(slot)}"

    def target_id(self, slot: str) -> str:
        """The id of the key a usable slot stands for (where its grant goes)."""
        return self.key_id(ALIASES.get(slot) or slot)

    def grants_for(self, stream_arn: str | None = None) -> list[dict[str, Any]]:
        """Live grants on the usable keys made so far; only those naming the stream if given."""
        found: list[dict[str, Any]] = []
        for slot in GRANTABLE:
            if slot in self.ids:
                with in_account(RECIPES[slot][0]):
                    kms = shared_client("kms")
                    key_id = self.ids[slot]
                    found += (
                        grants(kms, key_id)
                        if stream_arn is None
                        else grants_for(kms, key_id, stream_arn)
                    )
        return found


# Strategies -------------------------------------------------------------------------------

valid_names = st.from_regex(r"[a-zA-Z0-9_.-]{1,64}", fullmatch=True)
odd_names = st.sampled_from(
    ["", " ", "a" * 65, "a/b", "a b", "ä", "\ud800", "stream\n", "$", "arn:aws:firehose"]
)
names = st.one_of(valid_names, odd_names, st.text(max_size=70))
targets = st.one_of(  # mostly the streams of the example, sometimes anything
    st.just("stream"), st.just("stream"), st.sampled_from(["sourced", "missing"]), names
)
slots = st.sampled_from(SLOTS)
arn_specs = st.one_of(
    slots.map(lambda slot: ("slot", slot)),
    st.tuples(
        st.just("parts"),
        st.sampled_from(["aws", "aws-cn", "aws-us-gov", "", "x"]),
        st.sampled_from(["kms", "s3", "iam", "firehose", "KMS"]),
        st.sampled_from([REGION, OTHER_REGION, "us-west-2", "cn-north-1", "mars-1", ""]),
        st.sampled_from([ACCOUNT, OTHER_ACCOUNT, "000000000000", "1234", "aws"]),
        st.sampled_from(["key", "alias", "role", "key/alias"]),
        st.one_of(slots, st.text(max_size=40)),
    ),
    st.text(max_size=100).map(lambda text: ("text", text)),
)
key_types = st.one_of(st.sampled_from(KEY_TYPES), st.text(max_size=24))
well_formed_inputs = st.one_of(
    st.just({"KeyType": "AWS_OWNED_CMK"}),
    slots.map(lambda slot: {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": ("slot", slot)}),
)
encryption_inputs = st.one_of(
    st.none(),
    well_formed_inputs,
    well_formed_inputs,
    st.fixed_dictionaries({}, optional={"KeyType": key_types, "KeyARN": arn_specs}),
)
records = st.lists(st.fixed_dictionaries({"Data": st.binary(max_size=40)}), min_size=0, max_size=4)


def key_arn(keys: Keys, spec: tuple[Any, ...]) -> str:
    """The KeyARN a spec stands for in this example's keys."""
    if spec[0] == "slot":
        return keys.arn(spec[1])
    if spec[0] == "text":
        return str(spec[1])
    _, partition, service, region, account, kind, resource = spec
    return f"arn:{partition}:{service}:{region}:{account}:{kind}/{keys.name(resource) if resource in SLOTS else resource}"


def encryption_input(keys: Keys, drawn: dict[str, Any] | None) -> dict[str, Any] | None:
    if drawn is None:
        return None
    made = dict(drawn)
    if "KeyARN" in made:
        made["KeyARN"] = key_arn(keys, made["KeyARN"])
    return made


def with_input(params: dict[str, Any], config: dict[str, Any] | None) -> dict[str, Any]:
    if config is not None:
        params["DeliveryStreamEncryptionConfigurationInput"] = config
    return params


def requested_slot(drawn: dict[str, Any] | None) -> str | None:
    """The usable key slot an input names exactly (for the grant check), else None."""
    if drawn is None or drawn.get("KeyType") != "CUSTOMER_MANAGED_CMK":
        return None
    spec = drawn.get("KeyARN")
    usable = (*GRANTABLE, *(alias for alias, target in ALIASES.items() if target))
    return spec[1] if spec is not None and spec[0] == "slot" and spec[1] in usable else None


def expected_grants(block: dict[str, Any] | None) -> int | None:
    """The grants a settled stream must hold (None when the block alone doesn't tell)."""
    if block is None or block["Status"] == "DISABLED":
        return 0
    if block["Status"] == "ENABLED":
        return 1 if block["KeyType"] == "CUSTOMER_MANAGED_CMK" else 0
    return None


# Properties -------------------------------------------------------------------------------


@FUZZ
@given(
    name=names,
    stream_type=st.one_of(
        st.none(),
        st.sampled_from(["DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"]),
        st.text(max_size=20),
    ),
    kinesis_source=st.booleans(),
    drawn=encryption_inputs,
)
def test_create_with_encryption_input(
    name: str,
    stream_type: str | None,
    kinesis_source: bool,
    drawn: dict[str, Any] | None,
) -> None:
    with mock_firehose_sse():
        firehose, keys = shared_client("firehose"), Keys()
        params = with_input(
            {
                "DeliveryStreamName": name,
                "ExtendedS3DestinationConfiguration": {
                    "RoleARN": ROLE_ARN,
                    "BucketARN": BUCKET_ARN,
                },
            },
            encryption_input(keys, drawn),
        )
        if stream_type is not None:
            params["DeliveryStreamType"] = stream_type
        if kinesis_source:
            params["KinesisStreamSourceConfiguration"] = {
                "KinesisStreamARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/source",
                "RoleARN": ROLE_ARN,
            }
        outcome = call(firehose, "CreateDeliveryStream", **params)
        listed = firehose.list_delivery_streams()["DeliveryStreamNames"]
        if not outcome.ok:
            assert listed == [], "a refused Create left a stream behind"
            assert keys.grants_for() == [], "a refused Create left a grant behind"
            return
        assert listed == [name]
        found = check_description(firehose, name)
        assert found is not None
        block = found.get("DeliveryStreamEncryptionConfiguration")
        active = found["DeliveryStreamStatus"] == "ACTIVE"
        if block is not None and drawn is None:
            assert block == {"Status": "DISABLED"}
        elif block is not None:
            assert block["Status"] == ("ENABLED" if active else "ENABLING_FAILED"), found
            assert block["KeyType"] == drawn["KeyType"]
            if not active:
                assert found["FailureDescription"] == block["FailureDescription"]
        arn = found["DeliveryStreamARN"]
        slot = requested_slot(drawn)
        assert len(keys.grants_for(arn)) == (1 if active and slot else 0)
        assert len(keys.grants_for()) == len(keys.grants_for(arn))


@FUZZ
@given(
    initial=st.sampled_from([None, "AWS_OWNED_CMK", "enabled", "other_shared"]),
    settled=st.booleans(),
    target=targets,
    drawn=encryption_inputs,
)
def test_start_encryption(
    initial: str | None, settled: bool, target: str, drawn: dict[str, Any] | None
) -> None:
    limit = 3
    clock_travel = time_machine.travel(T0, tick=False)
    with clock_travel as clock, mock_firehose_sse(max_encryption_changes_per_day=limit):
        firehose, keys = shared_client("firehose"), Keys()
        arn = create_stream(firehose, "stream")
        create_kinesis_sourced_stream(firehose, "sourced")
        used = 0
        if initial is not None:
            first = {"KeyType": "AWS_OWNED_CMK"}
            if initial != "AWS_OWNED_CMK":
                first = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": keys.arn(initial)}
            firehose.start_delivery_stream_encryption(
                DeliveryStreamName="stream", DeliveryStreamEncryptionConfigurationInput=first
            )
            used = 1
            if settled:
                assert settle(firehose, "stream")["Status"] == "ENABLED"
        before = keys.grants_for(arn)

        outcome = call(
            firehose,
            "StartDeliveryStreamEncryption",
            **with_input({"DeliveryStreamName": target}, encryption_input(keys, drawn)),
        )
        if outcome.ok:
            assert target == "stream"
            assert settled or initial is None, "Start was accepted during a transition"
            used += 1
        elif initial is not None and not settled:
            assert keys.grants_for(arn) == before == []

        block = settle(firehose, "stream")
        assert block["Status"] in ("ENABLED", "ENABLING_FAILED", "DISABLED")
        wanted = expected_grants(block)
        held = keys.grants_for(arn)
        assert len(held) <= 1 and (wanted is None or len(held) == wanted), (block, held)
        assert all(grant["GranteePrincipal"] == FIREHOSE for grant in held)
        put = call(firehose, "PutRecord", DeliveryStreamName="stream", Record={"Data": b"x"})
        assert put.ok and put.response is not None
        in_force = block["Status"] == "ENABLED" or (
            block["Status"] == "ENABLING_FAILED" and initial is not None
        )
        assert put.response["Encrypted"] is in_force, (block, put.response)

        # The quota counts accepted calls only: ``limit - used`` more are accepted now; the
        # calls refused 12 hours later don't count, so a day after the first calls exactly
        # ``limit`` are accepted again.
        assert accepted_changes(firehose, "stream", limit) == limit - used
        clock.shift(datetime.timedelta(hours=12))
        for operation in ("StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption"):
            refused = call(firehose, operation, DeliveryStreamName="stream")
            assert refused.error == "LimitExceededException", refused
        clock.shift(datetime.timedelta(hours=12))
        assert accepted_changes(firehose, "stream", limit) == limit


def accepted_changes(firehose: Any, name: str, limit: int) -> int:
    """Stop encryption until refused (LimitExceeded); how many Stops were accepted."""
    for accepted in range(limit + 1):
        stop = call(firehose, "StopDeliveryStreamEncryption", DeliveryStreamName=name)
        if not stop.ok:
            assert stop.error == "LimitExceededException", stop
            return accepted
        settle(firehose, name)
    raise AssertionError(f"{limit + 1} changes accepted; the limit is {limit}")


OPERATIONS = (
    "StopDeliveryStreamEncryption",
    "DescribeDeliveryStream",
    "DeleteDeliveryStream",
    "PutRecord",
    "PutRecordBatch",
)


@FUZZ
@given(
    initial=st.sampled_from([None, "AWS_OWNED_CMK", "enabled"]),
    calls=st.lists(
        st.tuples(
            st.sampled_from(OPERATIONS),
            targets,
            records,
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_stop_describe_delete_and_puts(
    initial: str | None, calls: list[tuple[str, str, list[dict[str, bytes]]]]
) -> None:
    with mock_firehose_sse() as controller:
        # A deletion ends at the Delete call: its grant is checked right after it.
        controller.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
        firehose, keys = shared_client("firehose"), Keys()
        arns = {"stream": create_stream(firehose, "stream")}
        arns["sourced"] = create_kinesis_sourced_stream(firehose, "sourced")
        if initial is not None:
            config = {"KeyType": initial}
            if initial == "enabled":
                config = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": keys.arn("enabled")}
            firehose.start_delivery_stream_encryption(
                DeliveryStreamName="stream", DeliveryStreamEncryptionConfigurationInput=config
            )
            settle(firehose, "stream")
        for operation, target, batch in calls:
            params: dict[str, Any] = {"DeliveryStreamName": target}
            if operation == "PutRecord":
                params["Record"] = batch[0] if batch else {"Data": b""}
            elif operation == "PutRecordBatch":
                params["Records"] = batch
            outcome = call(firehose, operation, **params)
            if target not in arns:
                assert not outcome.ok, f"{operation} on {target!r} succeeded"
                continue
            if outcome.ok and operation == "DeleteDeliveryStream":
                assert keys.grants_for(arns.pop(target)) == []
            elif operation.startswith("Put") and target == "sourced":
                # rule 25b, unless botocore refused the records first
                assert outcome.error in ("InvalidArgumentException", "ParamValidationError"), (
                    outcome
                )
            elif outcome.ok and operation.startswith("Put"):
                assert isinstance(outcome.response and outcome.response["Encrypted"], bool)
            elif outcome.ok and operation == "StopDeliveryStreamEncryption":
                assert target == "stream"
        for name, arn in arns.items():
            found = check_description(firehose, name)
            assert found is not None
            held = keys.grants_for(arn)
            assert len(held) <= 1
        assert len(keys.grants_for()) == sum(len(keys.grants_for(arn)) for arn in arns.values())


# Sequences of calls -----------------------------------------------------------------------

STREAM_NAMES = ("s0", "s1")
MACHINE_KEYS = ("enabled", "alias", "other_shared", "denied", "asymmetric", "missing_key")


@dataclasses.dataclass
class StreamModel:
    direct_put: bool
    active: bool = True
    changes: list[float] = dataclasses.field(default_factory=list)
    creating: bool = False
    creating_shown: int = 0  # Describes that still show CREATING before the creation ends

    def changes_in_window(self, now: float) -> int:
        return sum(1 for at in self.changes if at > now - WINDOW)


class EncryptionMachine(RuleBasedStateMachine):
    """Random sequences of Firehose and KMS calls against a model of the quota and grants."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = time_machine.travel(T0, tick=False)
        self.mock = mock_firehose_sse()
        self.traveller = self.clock.start()
        self.sse = self.mock.start()
        self.firehose, self.keys = shared_client("firehose"), Keys()
        create_stream(self.firehose, "s0")
        self.streams: dict[str, StreamModel] = {"s0": StreamModel(direct_put=True)}
        self.limit = 25
        self.immediate = False
        self.creation_times = 0  # 0: the firehose::creation model's default, immediate
        self.abandoned: set[str] = set()  # grants a forced deletion left on their key

    def teardown(self) -> None:
        try:
            self.mock.stop()
        finally:
            self.clock.stop()

    def _config(self, key: str | None) -> dict[str, Any] | None:
        if key is None:
            return None
        if key == "AWS_OWNED_CMK":
            return {"KeyType": key}
        return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": self.keys.arn(key)}

    def _stream_arn(self, name: str) -> str:
        return f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{name}"

    def _held(self, name: str) -> list[dict[str, Any]]:
        """The live grants naming the stream, but those a forced deletion left behind."""
        held = self.keys.grants_for(self._stream_arn(name))
        return [grant for grant in held if grant["GrantId"] not in self.abandoned]

    @initialize(
        limit=st.sampled_from([2, 2, 3, 25]),
        transition=st.sampled_from(["default", "immediate", "manual-2"]),
        creation_times=st.sampled_from([0, 0, 1, 2]),
    )
    def configure(self, limit: int, transition: str, creation_times: int) -> None:
        self.limit = self.sse.max_encryption_changes_per_day = limit
        if creation_times:  # rules 39-40: Creates show CREATING for that many Describes
            transition_of_creation: Any = {"progression": "manual", "times": creation_times}
            self.sse.set_transition(transition_of_creation, model=CREATION_MODEL_NAME)
            self.creation_times = creation_times
        if transition == "immediate":
            self.sse.set_transition({"progression": "immediate"})
            self.immediate = True
        elif transition == "manual-2":
            self.sse.set_transition({"progression": "manual", "times": 2})

    @rule(
        name=st.sampled_from(STREAM_NAMES),
        direct_put=st.booleans(),
        key=st.sampled_from([None, "AWS_OWNED_CMK", *MACHINE_KEYS]),
    )
    def create(self, name: str, direct_put: bool, key: str | None) -> None:
        params = with_input(
            {
                "DeliveryStreamName": name,
                "ExtendedS3DestinationConfiguration": {
                    "RoleARN": ROLE_ARN,
                    "BucketARN": BUCKET_ARN,
                },
            },
            self._config(key),
        )
        if not direct_put:
            params["DeliveryStreamType"] = "KinesisStreamAsSource"
            params["KinesisStreamSourceConfiguration"] = {
                "KinesisStreamARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/source",
                "RoleARN": ROLE_ARN,
            }
        outcome = call(self.firehose, "CreateDeliveryStream", **params)
        if name in self.streams:
            assert outcome.error == "ResourceInUseException"
        elif not direct_put and key is not None:
            assert outcome.error == "InvalidArgumentException"
        elif key == "missing_key":
            assert outcome.error == "InvalidKMSResourceException"
        else:
            assert outcome.ok, outcome
            found = check_description(self.firehose, name)
            assert found is not None
            status = found["DeliveryStreamStatus"]
            if self.creation_times:
                assert status == "CREATING", found
                self.streams[name] = StreamModel(
                    direct_put, False, creating=True, creating_shown=self.creation_times - 1
                )
                self._creation_shown(name)
            else:
                self.streams[name] = StreamModel(direct_put, status == "ACTIVE")

    def _creation_shown(self, name: str) -> None:
        """A Describe showed CREATING: after the last one the creation is over (for any call),
        ACTIVE or CREATING_FAILED; one more Describe tells which (it moves nothing else)."""
        stream = self.streams[name]
        if stream.creating_shown:
            return
        found = check_description(self.firehose, name)
        assert found is not None
        assert found["DeliveryStreamStatus"] in ("ACTIVE", "CREATING_FAILED"), found
        event(f"creation: {found['DeliveryStreamStatus']}")
        stream.creating = False
        stream.active = found["DeliveryStreamStatus"] == "ACTIVE"

    def _change(self, name: str, operation: str, missing_key: bool, **params: Any) -> None:
        outcome = call(self.firehose, operation, DeliveryStreamName=name, **params)
        stream = self.streams.get(name)
        if stream is None:
            assert outcome.error == "ResourceNotFoundException", outcome
            return
        if not stream.direct_put:
            assert outcome.error == "InvalidArgumentException", outcome
            return
        if missing_key:  # refused at call time, before the stream's state is looked at
            assert outcome.error == "InvalidKMSResourceException", outcome
            return
        now = time.time()
        counted = stream.changes_in_window(now)
        if outcome.ok:
            assert stream.active
            assert counted < self.limit, f"change {counted + 1} of {self.limit} accepted"
            stream.changes.append(now)
        elif outcome.error == "LimitExceededException":
            assert counted >= self.limit, f"refused after {counted} of {self.limit} changes"
        else:
            assert outcome.error == "ResourceInUseException", outcome
            assert not (stream.active and self.immediate), outcome
        if stream.active and self.immediate and counted < self.limit:
            assert outcome.ok, outcome

    @rule(
        name=st.sampled_from(STREAM_NAMES),
        key=st.sampled_from([None, "AWS_OWNED_CMK", *MACHINE_KEYS]),
    )
    def start(self, name: str, key: str | None) -> None:
        config = with_input({}, self._config(key))
        self._change(name, "StartDeliveryStreamEncryption", key == "missing_key", **config)

    @rule(name=st.sampled_from(STREAM_NAMES))
    def stop(self, name: str) -> None:
        self._change(name, "StopDeliveryStreamEncryption", missing_key=False)

    @rule(name=st.sampled_from(STREAM_NAMES))
    def describe(self, name: str) -> None:
        found = check_description(self.firehose, name)
        assert (found is not None) == (name in self.streams)
        if found is None:
            return
        if self.streams[name].creating:
            assert found["DeliveryStreamStatus"] == "CREATING", found
            self.streams[name].creating_shown -= 1
            self._creation_shown(name)
        block = found.get("DeliveryStreamEncryptionConfiguration")
        wanted = expected_grants(block)
        held = self._held(name)
        assert wanted is None or len(held) == wanted, (block, held)
        if wanted == 1 and block is not None:
            slot = next(s for s in MACHINE_KEYS if self.keys.arn(s) == block["KeyARN"])
            assert held[0]["KeyId"] == self.keys.target_id(slot)

    @rule(name=st.sampled_from(STREAM_NAMES), batch=st.booleans())
    def put(self, name: str, batch: bool) -> None:
        if batch:
            outcome = call(
                self.firehose,
                "PutRecordBatch",
                DeliveryStreamName=name,
                Records=[{"Data": b"a"}, {"Data": b"b"}],
            )
        else:
            outcome = call(
                self.firehose, "PutRecord", DeliveryStreamName=name, Record={"Data": b"a"}
            )
        stream = self.streams.get(name)
        if stream is None or not stream.active:
            assert outcome.error == "ResourceNotFoundException", outcome
        elif not stream.direct_put:  # rule 25b: fed by its source
            assert outcome.error == "InvalidArgumentException", outcome
        elif outcome.ok:
            assert outcome.response is not None and isinstance(outcome.response["Encrypted"], bool)
        else:
            assert outcome.error == "InvalidKMSResourceException", outcome

    @rule(name=st.sampled_from(STREAM_NAMES), force=st.booleans())
    def delete(self, name: str, force: bool) -> None:
        """Delete, then Describe until the deletion is over, as deployment tools do."""
        outcome = call(
            self.firehose, "DeleteDeliveryStream", DeliveryStreamName=name, AllowForceDelete=force
        )
        if name in self.streams and self.streams[name].creating:  # rule 40
            assert outcome.error == "ResourceInUseException", outcome
            return
        assert outcome.ok == (name in self.streams), outcome
        if not outcome.ok:
            return
        self.streams[name].active = False
        for _ in range(3):
            found = check_description(self.firehose, name)
            if found is None or found["DeliveryStreamStatus"] == "DELETING_FAILED":
                break
            assert found["DeliveryStreamStatus"] == "DELETING", found
        held = self._held(name)
        if found is not None:  # the grant could not be retired: it stays, Delete may retry
            event("delete: DELETING_FAILED")
            assert not force and found["FailureDescription"]["Type"] == "RETIRE_KMS_GRANT_FAILED"
            assert len(held) <= 1
            return
        del self.streams[name]
        if force:
            event(f"delete: forced, {len(held)} grant(s) left on the key")
            self.abandoned.update(grant["GrantId"] for grant in held)
        else:
            assert held == []

    @rule(
        slot=st.sampled_from(GRANTABLE),
        action=st.sampled_from(
            ["disable_key", "enable_key", "schedule_key_deletion", "cancel_key_deletion"]
        ),
    )
    def change_key(self, slot: str, action: str) -> None:
        key_id = self.keys.key_id(slot)
        with in_account(RECIPES[slot][0]):
            try:
                getattr(shared_client("kms"), action)(KeyId=key_id)
            except ClientError as exc:  # KMS refusing a state change is KMS's business
                assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    @rule(
        operation=st.sampled_from(["enable", "disable", "delete"]),
        name=st.sampled_from([None, *STREAM_NAMES]),
    )
    def inject_fault(self, operation: str, name: str | None) -> None:
        getattr(self.sse, f"fail_next_{operation}")(stream_name=name)

    @rule(hours=st.sampled_from([1, 12, 24]))
    def wait(self, hours: float) -> None:
        self.traveller.shift(datetime.timedelta(hours=hours))

    @invariant()
    def grants_belong_to_live_streams(self) -> None:
        live = {self._stream_arn(name) for name in self.streams}
        seen: list[str] = []
        for grant in self.keys.grants_for():
            if grant["GrantId"] in self.abandoned:
                continue
            assert grant["GranteePrincipal"] == grant["RetiringPrincipal"] == FIREHOSE
            seen.append(grant["Constraints"]["EncryptionContextSubset"]["aws:firehose:arn"])
        assert set(seen) <= live, f"grants of deleted streams: {set(seen) - live}"
        assert len(seen) == len(set(seen)), f"a stream holds two grants: {seen}"


TestSequencesOfCalls = EncryptionMachine.TestCase
TestSequencesOfCalls.settings = STATEFUL
