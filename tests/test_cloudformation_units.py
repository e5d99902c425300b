"""The CloudFormation handler's small decisions, one by one (in addition to the stack tests).

How a Firehose error becomes a handler failure, when an encryption input counts as unchanged,
and the schema messages of the properties check, as AWS's handler and CloudFormation word them.
"""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from moto_firehose_sse import FirehoseSSE, cloudformation
from moto_firehose_sse.cloudformation import HandlerFailure, checked_properties
from moto_firehose_sse.exceptions import (
    InvalidArgumentException,
    InvalidKMSResourceException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceUnavailableException,
)

from .helpers import BUCKET_ARN, ROLE_ARN, settle


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidArgumentException("bad"), "InvalidRequest"),
        (InvalidKMSResourceException("bad", "KMS.DisabledException"), "InvalidRequest"),
        (LimitExceededException("bad"), "ServiceLimitExceeded"),
        (ResourceNotFoundException("bad"), "NotFound"),
        (ServiceUnavailableException("bad"), "ServiceInternalError"),
    ],
)
def test_a_firehose_error_keeps_its_message_and_gets_aws_s_code(error: Any, code: str) -> None:
    failure = cloudformation._error(error)
    assert (failure.message, failure.code) == ("bad", code)


def test_a_stream_in_use_is_a_conflict() -> None:
    failure = cloudformation._error(ResourceInUseException("busy"))
    assert (failure.message, failure.code, str(failure)) == ("busy", "ResourceConflict", "busy")


class _Coded(Exception):
    """An error that names its kind in ``code`` (moto 5.1's ServiceException), no ``message``."""

    def __init__(self, code: str) -> None:
        super().__init__(f"text of {code}")
        self.code = code


def test_an_error_known_only_by_its_code() -> None:
    failure = cloudformation._error(_Coded("LimitExceededException"))
    assert (failure.message, failure.code) == (
        "text of LimitExceededException",
        "ServiceLimitExceeded",
    )
    other = cloudformation._error(_Coded("SomethingElse"))
    assert (other.message, other.code) == ("text of SomethingElse", "ServiceInternalError")


def test_a_python_error_is_an_internal_failure_that_names_it() -> None:
    failure = cloudformation._error(KeyError("x"))
    assert failure.code == "InternalFailure"
    assert failure.message == "moto-firehose-sse could not run the handler (KeyError: 'x')"


def test_a_handler_failure_passes_through() -> None:
    failure = HandlerFailure("as it was", "NotUpdatable")
    assert cloudformation._error(failure) is failure


def test_the_reason_is_aws_s_sentence() -> None:
    reason = HandlerFailure('the "message"', "NotFound").reason()
    assert reason.startswith('Resource handler returned message: "the "message"" (RequestToken: ')
    assert reason.endswith(", HandlerErrorCode: NotFound)")


CMK = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": "arn:aws:kms:us-east-1:1:key/a"}
OWNED = {"KeyType": "AWS_OWNED_CMK"}


@pytest.mark.parametrize(
    ("desired", "current", "unchanged"),
    [
        (OWNED, None, False),
        (OWNED, {"Status": "ENABLED", "KeyType": "AWS_OWNED_CMK"}, True),
        (OWNED, {"Status": "ENABLING", "KeyType": "AWS_OWNED_CMK"}, True),
        (OWNED, {"Status": "ENABLED", **CMK}, False),
        (CMK, {"Status": "ENABLED", **CMK}, True),
        (CMK, {"Status": "ENABLED", "KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": "other"}, False),
        (CMK, {"Status": "ENABLED", "KeyType": "AWS_OWNED_CMK"}, False),
        (
            {"KeyType": "CUSTOMER_MANAGED_CMK"},
            {"Status": "ENABLED", "KeyType": "CUSTOMER_MANAGED_CMK"},
            True,
        ),
        ({}, {"Status": "ENABLED", "KeyType": "AWS_OWNED_CMK"}, False),
        *[
            (desired, {"Status": status, **current}, False)
            for status in ("DISABLED", "DISABLING", "ENABLING_FAILED", "DISABLING_FAILED")
            for desired, current in ((OWNED, OWNED), (CMK, CMK))
        ],
        (OWNED, {"KeyType": "AWS_OWNED_CMK"}, False),  # no status: not encrypted
    ],
)
def test_when_the_encryption_input_is_unchanged(
    desired: dict[str, Any], current: dict[str, Any] | None, unchanged: bool
) -> None:
    assert cloudformation._encryption_unchanged(desired, current) is unchanged


def properties(**more: Any) -> dict[str, Any]:
    return {
        "ExtendedS3DestinationConfiguration": {"RoleARN": ROLE_ARN, "BucketARN": BUCKET_ARN},
        **more,
    }


def refusal(given: Any) -> str:
    with pytest.raises(cloudformation.ValidationFailure) as caught:
        checked_properties(given, "s", "Stream")
    prefix = "Properties validation failed for resource Stream with message: ["
    text = str(caught.value)
    assert text.startswith(prefix) and text.endswith("]")
    return text[len(prefix) : -1]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (properties(Colour="red"), "#: extraneous key [Colour] is not permitted"),
        (
            {"ExtendedS3DestinationConfiguration": {"RoleARN": ROLE_ARN}},
            "#/ExtendedS3DestinationConfiguration: required key [BucketARN] not found",
        ),
        (
            properties(DeliveryStreamType=["DirectPut"]),
            "#/DeliveryStreamType: expected type: String, found: JSONArray",
        ),
        (
            properties(Tags=[{"Key": "", "Value": "v"}]),
            "#/Tags/0/Key: expected minLength: 1",
        ),
        (
            properties(
                ExtendedS3DestinationConfiguration={
                    "RoleARN": ROLE_ARN,
                    "BucketARN": BUCKET_ARN,
                    "BufferingHints": {"SizeInMBs": 0},
                }
            ),
            "#/ExtendedS3DestinationConfiguration/BufferingHints/SizeInMBs: 0 is not greater or "
            "equal to 1",
        ),
        (
            properties(
                ExtendedS3DestinationConfiguration={
                    "RoleARN": ROLE_ARN,
                    "BucketARN": BUCKET_ARN,
                    "DataFormatConversionConfiguration": {
                        "OutputFormatConfiguration": {
                            "Serializer": {"OrcSerDe": {"PaddingTolerance": "x"}}
                        }
                    },
                }
            ),
            "#/ExtendedS3DestinationConfiguration/DataFormatConversionConfiguration/"
            "OutputFormatConfiguration/Serializer/OrcSerDe/PaddingTolerance: "
            "expected type: Number, Integer, found: String",  # a double takes either
        ),
        ("text", "#: expected type: JSONObject, found: String"),
        (None, "#: expected type: JSONObject, found: Null"),
        ([1], "#: expected type: JSONObject, found: JSONArray"),
    ],
)
def test_properties_the_schema_refuses(given: Any, message: str) -> None:
    assert refusal(given) == message


def test_pointers_as_cloudformation_writes_them() -> None:
    assert cloudformation._pointer("") == "#"
    assert cloudformation._pointer("A.B[2].C") == "#/A/B/2/C"
    assert cloudformation._pointer("Tags[0]") == "#/Tags/0"


@pytest.mark.parametrize(
    ("python", "json"),
    [
        ("str", "String"),
        ("int", "Integer"),
        ("bool", "Boolean"),
        ("float", "Number"),
        ("dict", "JSONObject"),
        ("list", "JSONArray"),
        ("NoneType", "Null"),
        ("Other", "Other"),
    ],
)
def test_json_type_names(python: str, json: str) -> None:
    assert cloudformation._json_type(python) == json


def test_a_kind_of_problem_without_its_own_wording() -> None:
    assert cloudformation._schema_message("odd kind", "A.B", {}) == "#/A/B: odd kind"


_EMPTY = '{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}'


def test_a_stream_made_outside_a_stack_operation_finds_its_stack_by_id(
    firehose_sse: FirehoseSSE,
) -> None:
    cfn = boto3.client("cloudformation", region_name="eu-west-2")
    live = cfn.create_stack(StackName="live", TemplateBody=_EMPTY)["StackId"]
    gone = cfn.create_stack(StackName="gone", TemplateBody=_EMPTY)["StackId"]
    cfn.delete_stack(StackName="gone")

    found = cloudformation._stack_by_id(live)
    assert (found.stack_id, found.name) == (live, "live")
    assert cloudformation._stack_by_id(gone).name == "gone"  # among moto's deleted stacks
    other_region = live.replace("eu-west-2", "us-east-1")
    assert cloudformation._stack_by_id(other_region) is None
    other_account = live.replace(":123456789012:", ":210987654321:")
    assert cloudformation._stack_by_id(other_account) is None
    assert cloudformation._stack_by_id(None) is None
    assert cloudformation._stack_by_id("arn:aws:cloudformation:eu-west-2") is None


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name


@pytest.mark.parametrize(
    ("stack", "logical_id", "prefix"),
    [
        (_Named("web"), "Stream", "web-Stream"),
        (_Named(""), "Stream", "Stream"),  # a stack without a name
        (None, "Stream", "Stream"),  # a resource made outside a stack operation
        (None, "", "deliverystream"),
        (_Named("s" * 70), "Stream", "s" * 51),
    ],
)
def test_generated_names(stack: Any, logical_id: str, prefix: str) -> None:
    resource = cloudformation.DeliveryStreamResource(
        "123456789012", "us-east-1", stack, logical_id, {}
    )
    name = resource._generated_name()
    assert re.fullmatch(re.escape(prefix) + r"-[A-Za-z0-9]{12}", name), name
    assert len(name) <= 64


def test_a_stream_updated_outside_a_stack_operation_keeps_its_stack_and_logical_id(
    firehose_sse: FirehoseSSE,
) -> None:
    from moto.cloudformation.models import cloudformation_backends

    from .cfn_helpers import stream, template, template_key

    cfn = boto3.client("cloudformation", region_name="us-east-1")
    body = template(Key2=template_key(), Stream=stream(key="Key", name="web"))
    stack_id = cfn.create_stack(StackName="web", TemplateBody=body)["StackId"]
    while cfn.describe_stacks(StackName="web")["Stacks"][0]["StackStatus"] != "CREATE_COMPLETE":
        pass
    stack = cloudformation_backends["123456789012"]["us-east-1"].stacks[stack_id]
    original = stack.resource_map._parsed_resources["Stream"]
    key2 = stack.resource_map._parsed_resources["Key2"].arn
    properties = {
        **original.properties,
        "DeliveryStreamName": "web",
        "DeliveryStreamEncryptionConfigurationInput": {
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": key2,
        },
    }
    resource = cloudformation.DeliveryStreamResource.update_from_cloudformation_json(
        original, "web", {"Properties": properties}, "123456789012", "us-east-1"
    )
    assert (resource.stack, resource.logical_resource_id) == (stack, "Stream")
    assert resource.previous is original and resource.in_place
    last = stack.events[-1]
    assert (last.logical_resource_id, last.resource_status) == ("Stream", "UPDATE_IN_PROGRESS")
    firehose = boto3.client("firehose", region_name="us-east-1")
    assert settle(firehose, "web") == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": key2,
        "Status": "ENABLED",
    }
