"""Rule 29: errors on the wire are JSON 1.1 errors botocore's model lists for the operation:
HTTP 400, ``{"__type": CODE, "message": TEXT}``, caught by ``client.exceptions.X``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moto_firehose_sse import FirehoseSSE, mock_firehose_sse

from .helpers import ACCOUNT, create_kinesis_sourced_stream, create_stream

NAME_ERROR = "1 validation error detected: Value"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"


class Wire:
    """A Firehose client that also keeps the raw HTTP status and body of each response."""

    def __init__(self, **config: Any) -> None:
        self.client = boto3.client(
            "firehose",
            region_name="us-east-1",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, **config),
        )
        self.raw: list[tuple[int, bytes]] = []
        self.client.meta.events.register("before-parse.firehose.*", self._keep)

    def _keep(self, response_dict: dict[str, Any], **_: Any) -> None:
        self.raw.append((response_dict["status_code"], response_dict["body"]))

    def refuse(self, method: str, expected: str, says: str, **params: Any) -> dict[str, Any]:
        """Call ``method``; check the refusal on the wire and through botocore."""
        operation = self.client.meta.method_to_api_mapping[method]
        modelled = {
            shape.name
            for shape in self.client.meta.service_model.operation_model(operation).error_shapes
        }
        assert expected in modelled, f"{expected} is not an error of {operation}"
        with pytest.raises(getattr(self.client.exceptions, expected)) as info:
            getattr(self.client, method)(**params)
        response = info.value.response
        assert response["Error"]["Code"] == expected
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert says in response["Error"]["Message"]
        assert "None" not in response["Error"]["Message"]  # what is missing is said in words
        status, body = self.raw[-1]
        assert status == 400
        document = json.loads(body)
        assert document["__type"] == expected
        assert document["message"] == response["Error"]["Message"]
        return dict(document)


@pytest.fixture
def wire(firehose_sse: FirehoseSSE) -> Iterator[Wire]:
    yield Wire()


@pytest.fixture
def unvalidated(firehose_sse: FirehoseSSE) -> Iterator[Wire]:
    """A client that sends what botocore would refuse client-side."""
    yield Wire(parameter_validation=False)


def snapshot(client: Any) -> dict[str, Any]:
    """Every stream of the region, as Describe shows it."""
    names = client.list_delivery_streams(Limit=100)["DeliveryStreamNames"]
    return {
        name: client.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        for name in names
    }


def enabling(wire: Wire, name: str) -> None:
    create_stream(wire.client, name)
    wire.client.start_delivery_stream_encryption(DeliveryStreamName=name)


CASES: list[tuple[str, Callable[[Wire], None], str, dict[str, Any], str, str]] = [
    (
        "start-unknown",
        lambda w: None,
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": "missing"},
        "ResourceNotFoundException",
        f"Firehose missing under account {ACCOUNT} not found.",
    ),
    (
        "stop-unknown",
        lambda w: None,
        "stop_delivery_stream_encryption",
        {"DeliveryStreamName": "missing"},
        "ResourceNotFoundException",
        f"Firehose missing under account {ACCOUNT} not found.",
    ),
    (
        "describe-unknown",
        lambda w: None,
        "describe_delivery_stream",
        {"DeliveryStreamName": "missing"},
        "ResourceNotFoundException",
        f"Firehose missing under account {ACCOUNT} not found.",
    ),
    (
        "delete-unknown",
        lambda w: None,
        "delete_delivery_stream",
        {"DeliveryStreamName": "missing"},
        "ResourceNotFoundException",
        f"Firehose missing under account {ACCOUNT} not found.",
    ),
    (
        "put-unknown",
        lambda w: None,
        "put_record",
        {"DeliveryStreamName": "missing", "Record": {"Data": b"x"}},
        "ResourceNotFoundException",
        f"Firehose missing under account {ACCOUNT} not found.",
    ),
    (
        "batch-unknown",
        lambda w: None,
        "put_record_batch",
        {"DeliveryStreamName": "missing", "Records": [{"Data": b"x"}]},
        "ResourceNotFoundException",
        f"Firehose missing under account {ACCOUNT} not found.",
    ),
    (
        "start-customer-without-arn",
        lambda w: create_stream(w.client, "s"),
        "start_delivery_stream_encryption",
        {
            "DeliveryStreamName": "s",
            "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "CUSTOMER_MANAGED_CMK"},
        },
        "InvalidArgumentException",
        "KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK",
    ),
    (
        "start-aws-owned-with-arn",
        lambda w: create_stream(w.client, "s"),
        "start_delivery_stream_encryption",
        {
            "DeliveryStreamName": "s",
            "DeliveryStreamEncryptionConfigurationInput": {
                "KeyType": "AWS_OWNED_CMK",
                "KeyARN": KEY_ARN,
            },
        },
        "InvalidArgumentException",
        "KeyARN must not be given with KeyType AWS_OWNED_CMK",
    ),
    (
        "start-bad-key-type",
        lambda w: create_stream(w.client, "s"),
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": "s", "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "X"}},
        "InvalidArgumentException",
        "KeyType 'X' is not valid; it must be AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK.",
    ),
    (
        "start-kinesis-source",
        lambda w: create_kinesis_sourced_stream(w.client, "k"),
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": "k"},
        "InvalidArgumentException",
        "can only be started or stopped on a DirectPut stream",
    ),
    (
        "stop-kinesis-source",
        lambda w: create_kinesis_sourced_stream(w.client, "k"),
        "stop_delivery_stream_encryption",
        {"DeliveryStreamName": "k"},
        "InvalidArgumentException",
        "can only be started or stopped on a DirectPut stream",
    ),
    (
        "start-while-enabling",
        lambda w: enabling(w, "s"),
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": "s"},
        "ResourceInUseException",
        "has encryption status ENABLING",
    ),
    (
        "stop-while-enabling",
        lambda w: enabling(w, "s"),
        "stop_delivery_stream_encryption",
        {"DeliveryStreamName": "s"},
        "ResourceInUseException",
        "has encryption status ENABLING",
    ),
    (
        "start-bad-name",
        lambda w: None,
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": "no spaces"},
        "InvalidArgumentException",
        NAME_ERROR,
    ),
    (
        "stop-bad-name",
        lambda w: None,
        "stop_delivery_stream_encryption",
        {"DeliveryStreamName": "no/slash"},
        "InvalidArgumentException",
        NAME_ERROR,
    ),
    (
        "create-bad-name",
        lambda w: None,
        "create_delivery_stream",
        {"DeliveryStreamName": "n" * 65},
        "InvalidArgumentException",
        NAME_ERROR,
    ),
    (
        "create-existing",
        lambda w: create_stream(w.client, "s"),
        "create_delivery_stream",
        {"DeliveryStreamName": "s"},
        "ResourceInUseException",
        "Firehose s under accountId 123456789012 already exists",
    ),
    (
        "create-kinesis-with-sse",
        lambda w: None,
        "create_delivery_stream",
        {
            "DeliveryStreamName": "k",
            "DeliveryStreamType": "KinesisStreamAsSource",
            "KinesisStreamSourceConfiguration": {
                "KinesisStreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/x",
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/r",
            },
            "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"},
        },
        "InvalidArgumentException",
        "only allowed for DirectPut streams",
    ),
    (
        "create-bad-type",
        lambda w: None,
        "create_delivery_stream",
        {"DeliveryStreamName": "t", "DeliveryStreamType": "Carrier"},
        "InvalidArgumentException",
        "DeliveryStreamType 'Carrier' is not valid; use one of DirectPut, "
        "KinesisStreamAsSource, MSKAsSource, DatabaseAsSource.",
    ),
    (
        "batch-too-many",
        lambda w: create_stream(w.client, "s"),
        "put_record_batch",
        {"DeliveryStreamName": "s", "Records": [{"Data": b"x"}] * 501},
        "InvalidArgumentException",
        "Records must be a list of 1 to 500 records",
    ),
]


@pytest.mark.parametrize(
    ("setup", "method", "params", "expected", "says"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_refusals_on_the_wire(
    wire: Wire,
    firehose_sse: FirehoseSSE,
    setup: Callable[[Wire], None],
    method: str,
    params: dict[str, Any],
    expected: str,
    says: str,
) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 10})  # snapshots don't settle
    setup(wire)
    before = snapshot(wire.client)
    wire.refuse(method, expected, says, **params)
    assert snapshot(wire.client) == before


def test_limit_exceeded_on_the_wire(wire: Wire, firehose_sse: FirehoseSSE) -> None:
    firehose_sse.max_encryption_changes_per_day = 1
    create_stream(wire.client, "s")
    wire.client.stop_delivery_stream_encryption(DeliveryStreamName="s")
    wire.refuse(
        "stop_delivery_stream_encryption",
        "LimitExceededException",
        "has had 1 StartDeliveryStreamEncryption and StopDeliveryStreamEncryption calls",
        DeliveryStreamName="s",
    )
    firehose_sse.max_streams_per_region = 1
    wire.refuse(
        "create_delivery_stream",
        "LimitExceededException",
        "quota of 1 hoses in us-east-1",
        DeliveryStreamName="t",
    )


def test_creating_failed_stream_refuses_with_resource_in_use(
    wire: Wire, firehose_sse: FirehoseSSE
) -> None:
    firehose_sse.fail_next_enable("UNKNOWN_ERROR")
    create_stream(
        wire.client, "s", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    wire.refuse(
        "start_delivery_stream_encryption",
        "ResourceInUseException",
        "is CREATING_FAILED, not ACTIVE",
        DeliveryStreamName="s",
    )
    wire.refuse(
        "put_record",
        "ResourceNotFoundException",
        "is CREATING_FAILED, not ACTIVE, and takes no records",
        DeliveryStreamName="s",
        Record={"Data": b"x"},
    )


UNVALIDATED: list[tuple[str, dict[str, Any], str, str]] = [
    ("start_delivery_stream_encryption", {}, "InvalidArgumentException", NAME_ERROR),
    (
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": 7},
        "InvalidArgumentException",
        NAME_ERROR,
    ),
    (
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": ""},
        "InvalidArgumentException",
        NAME_ERROR,
    ),
    (
        "stop_delivery_stream_encryption",
        {"DeliveryStreamName": None},
        "InvalidArgumentException",
        NAME_ERROR,
    ),
    (
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": "s", "DeliveryStreamEncryptionConfigurationInput": {}},
        "InvalidArgumentException",
        "KeyType is missing; it must be AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK.",
    ),
    (
        "start_delivery_stream_encryption",
        {"DeliveryStreamName": "s", "DeliveryStreamEncryptionConfigurationInput": {"KeyType": 3}},
        "InvalidArgumentException",
        "KeyType 3 is not valid",
    ),
    (
        "start_delivery_stream_encryption",
        {
            "DeliveryStreamName": "s",
            "DeliveryStreamEncryptionConfigurationInput": {
                "KeyType": "CUSTOMER_MANAGED_CMK",
                "KeyARN": 12,
            },
        },
        "InvalidArgumentException",
        "KeyARN must be a KMS key ARN",
    ),
    (
        "describe_delivery_stream",
        {},
        "ResourceNotFoundException",
        "Firehose (no DeliveryStreamName given) under account 123456789012 not found.",
    ),
    (
        "delete_delivery_stream",
        {"DeliveryStreamName": 5},
        "ResourceNotFoundException",
        "not found.",
    ),
    ("put_record", {"DeliveryStreamName": "s"}, "InvalidArgumentException", "Records must be"),
    (
        "put_record_batch",
        {"DeliveryStreamName": "s", "Records": []},
        "InvalidArgumentException",
        "Records must be",
    ),
    ("create_delivery_stream", {}, "InvalidArgumentException", NAME_ERROR),
    (
        "create_delivery_stream",
        {"DeliveryStreamName": "n", "DeliveryStreamEncryptionConfigurationInput": {}},
        "InvalidArgumentException",
        "KeyType is missing; it must be AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK.",
    ),
]


@pytest.mark.parametrize(
    ("method", "params", "expected", "says"),
    UNVALIDATED,
    ids=[f"{m}-{i}" for i, (m, *_) in enumerate(UNVALIDATED)],
)
def test_inputs_botocore_would_refuse_get_modelled_errors(
    unvalidated: Wire, method: str, params: dict[str, Any], expected: str, says: str
) -> None:
    create_stream(unvalidated.client, "s")
    unvalidated.refuse(method, expected, says, **params)
    described = unvalidated.client.describe_delivery_stream(DeliveryStreamName="s")
    assert described["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"] == {
        "Status": "DISABLED"
    }


def test_any_name_gets_a_modelled_answer() -> None:
    """Start on any string: accepted (the one existing stream), or InvalidArgument for a name
    outside the pattern, or ResourceNotFound; never another error, never a 500."""
    with mock_firehose_sse() as controller:
        controller.set_transition({"progression": "immediate"})
        controller.max_encryption_changes_per_day = 10_000
        wire = Wire(parameter_validation=False)
        create_stream(wire.client, "exists")

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.one_of(st.text(max_size=70), st.sampled_from(["exists", "a" * 64, "a" * 65])))
        def check(name: str) -> None:
            try:
                wire.client.start_delivery_stream_encryption(DeliveryStreamName=name)
            except wire.client.exceptions.InvalidArgumentException:
                assert not (
                    0 < len(name) <= 64
                    and all(c.isascii() and (c.isalnum() or c in "_.-") for c in name)
                )
            except wire.client.exceptions.ResourceNotFoundException:
                assert name != "exists"
            else:
                assert name == "exists"
            assert wire.raw[-1][0] in (200, 400)

        check()
