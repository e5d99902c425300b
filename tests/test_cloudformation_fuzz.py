"""Hostile templates at random (issue 16): whatever the properties of an
``AWS::KinesisFirehose::DeliveryStream``, CreateStack and UpdateStack answer, the stack ends in
a final status, and the failure path is CloudFormation's, never a raw error."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moto_firehose_sse import mock_firehose_sse

from .cfn_helpers import STREAM_TYPE, events, status, stream, template
from .helpers import BUCKET_ARN, ROLE_ARN, client

MEMBERS = [
    "DeliveryStreamName",
    "DeliveryStreamType",
    "DeliveryStreamEncryptionConfigurationInput",
    "ExtendedS3DestinationConfiguration",
    "S3DestinationConfiguration",
    "KinesisStreamSourceConfiguration",
    "Tags",
    "KeyType",
    "KeyARN",
    "BufferingHints",
    "Bogus",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.text(max_size=70),
    st.sampled_from(["DirectPut", "CUSTOMER_MANAGED_CMK", "AWS_OWNED_CMK", ROLE_ARN, "5"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(MEMBERS), inner, max_size=4),
    ),
    max_leaves=8,
)
GOOD = {"ExtendedS3DestinationConfiguration": {"BucketARN": BUCKET_ARN, "RoleARN": ROLE_ARN}}
PROPERTIES = st.one_of(
    VALUES,
    st.dictionaries(st.sampled_from(MEMBERS), VALUES, max_size=5),
    st.dictionaries(st.sampled_from(MEMBERS), VALUES, max_size=3).map(lambda d: {**GOOD, **d}),
)
FINAL = {"CREATE_COMPLETE", "ROLLBACK_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"}


def final_status(cfn: Any, stack: str) -> str:
    for _ in range(10):
        found = status(cfn, stack)
        if not found.endswith("_IN_PROGRESS"):
            return found
    raise AssertionError(f"{stack} still {found}: {events(cfn, stack)}")


def body(properties: Any) -> str:
    resource = {"Type": STREAM_TYPE, "Properties": properties}
    return json.dumps({"Resources": {"Stream": resource}})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(first=PROPERTIES, second=PROPERTIES)
def test_any_properties_end_in_a_final_status(first: Any, second: Any) -> None:
    with mock_firehose_sse():
        cfn, firehose = client("cloudformation"), client("firehose")
        cfn.create_stack(StackName="fuzz", TemplateBody=body(first))
        created = final_status(cfn, "fuzz")
        assert created in FINAL
        failed = [e for e in events(cfn, "fuzz") if e[1] == "CREATE_FAILED"]
        if created == "ROLLBACK_COMPLETE":
            assert failed and failed[0][2], events(cfn, "fuzz")
            assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
            return
        assert len(firehose.list_delivery_streams()["DeliveryStreamNames"]) == 1
        cfn.update_stack(StackName="fuzz", TemplateBody=body(second))
        assert final_status(cfn, "fuzz") in FINAL
        good = template(Key=None, Stream=stream(key=None), outputs=False)
        cfn.update_stack(StackName="fuzz", TemplateBody=good)
        assert final_status(cfn, "fuzz") in FINAL
        stack_id = cfn.describe_stacks(StackName="fuzz")["Stacks"][0]["StackId"]
        cfn.delete_stack(StackName="fuzz")
        for _ in range(5):
            deleted = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
            if deleted == "DELETE_COMPLETE":
                break
        assert deleted == "DELETE_COMPLETE"
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
