"""Templates and readers for the CloudFormation tests (rules 41-45)."""

from __future__ import annotations

import json
from typing import Any

import moto

from moto_firehose_sse import wiring
from moto_firehose_sse.cloudformation import DeliveryStreamResource

from .helpers import ACCOUNT, BUCKET_ARN, ROLE_ARN, client

STREAM_TYPE = "AWS::KinesisFirehose::DeliveryStream"
ADMIN_STATEMENT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def template_key(enabled: bool = True, statements: list[Any] | None = None) -> dict[str, Any]:
    """An ``AWS::KMS::Key`` as CDK writes it: its KeyPolicy an object, not JSON text."""
    properties: dict[str, Any] = {
        "KeyPolicy": {"Version": "2012-10-17", "Statement": statements or [ADMIN_STATEMENT]}
    }
    if not enabled:
        properties["Enabled"] = False
    return {"Type": "AWS::KMS::Key", "Properties": properties}


def stream(key: str | None = "Key", name: str | None = None, **extra: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "DeliveryStreamType": "DirectPut",
        "ExtendedS3DestinationConfiguration": {"BucketARN": BUCKET_ARN, "RoleARN": ROLE_ARN},
    }
    if key is not None:
        properties["DeliveryStreamEncryptionConfigurationInput"] = {
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": {"Fn::GetAtt": [key, "Arn"]},
        }
    if name is not None:
        properties["DeliveryStreamName"] = name
    properties.update(extra)
    return {"Type": STREAM_TYPE, "Properties": properties}


def template(resources: dict[str, Any] | None = None, outputs: bool = True, **more: Any) -> str:
    """Key, Key2 (disabled unless told) and Stream, with Ref and GetAtt Arn as outputs."""
    found: dict[str, Any] = {"Key": template_key(), "Stream": stream()}
    found.update(resources or {})
    found.update(more)
    body: dict[str, Any] = {"Resources": {k: v for k, v in found.items() if v is not None}}
    if outputs and "Stream" in body["Resources"]:
        body["Outputs"] = {
            "Name": {"Value": {"Ref": "Stream"}},
            "Arn": {"Value": {"Fn::GetAtt": ["Stream", "Arn"]}},
        }
    return json.dumps(body)


def status(cfn: Any, stack: str) -> str:
    return str(cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])


def statuses(cfn: Any, stack: str, count: int) -> list[str]:
    return [status(cfn, stack) for _ in range(count)]


def outputs(cfn: Any, stack: str) -> dict[str, str]:
    found = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs") or []
    return {o["OutputKey"]: o["OutputValue"] for o in found}


def events(cfn: Any, stack: str) -> list[tuple[str, str, str]]:
    """(logical id, status, reason) of every event, oldest first."""
    found = cfn.describe_stack_events(StackName=stack)["StackEvents"][::-1]
    return [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason") or "")
        for e in found
    ]


def resource_events(cfn: Any, stack: str, logical_id: str = "Stream") -> list[tuple[str, str]]:
    return [(s, r) for i, s, r in events(cfn, stack) if i == logical_id]


def physical_ids(cfn: Any, stack: str, logical_id: str = "Stream") -> list[tuple[str, str]]:
    """(status, physical resource id) of the resource's events, oldest first."""
    found = cfn.describe_stack_events(StackName=stack)["StackEvents"][::-1]
    return [
        (e["ResourceStatus"], e["PhysicalResourceId"])
        for e in found
        if e["LogicalResourceId"] == logical_id
    ]


def stack_events(cfn: Any, stack: str) -> list[str]:
    return [s for i, s, _ in events(cfn, stack) if i == stack]


def physical_id(cfn: Any, stack: str, logical_id: str) -> str:
    found = cfn.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def assert_plain_cloudformation() -> None:
    """No Firehose resource model in moto's CloudFormation, its caches clean, moto's methods
    its own: a template with the resource does what plain moto does (skips it)."""
    from moto.cloudformation import models, parsing, responses
    from moto.core.common_models import CloudFormationModel
    from moto.kms import policy_validator
    from moto.kms import responses as kms_responses

    assert DeliveryStreamResource not in CloudFormationModel.__subclasses__()
    # never registered in moto's model data either (its metaclass would read our module name)
    from moto.core.base_backend import model_data

    for models_of_service in model_data.values():
        assert not any(
            c.__module__.startswith("moto_firehose_sse") for c in models_of_service.values()
        )
    assert STREAM_TYPE not in parsing.get_model_map()
    assert DeliveryStreamResource not in parsing.get_model_list()
    assert STREAM_TYPE not in parsing.get_name_type_map()
    stack_class = getattr(models, "Stack", None) or models.FakeStack
    for owner, names in (
        (stack_class, ("create_resources", "update", "delete")),
        (models.CloudFormationBackend, ("execute_change_set", "delete_stack", "get_stack")),
        (models.CloudFormationBackend, ("describe_stacks", "list_stacks")),
        (responses.CloudFormationResponse, ("create_stack", "update_stack", "execute_change_set")),
    ):
        for name in names:
            assert owner.__dict__[name].__module__.startswith("moto."), (owner, name)
    assert kms_responses.validate_policy is policy_validator.validate_policy
    assert wiring._finder not in __import__("sys").meta_path
    with moto.mock_aws():
        cfn = client("cloudformation")
        cfn.create_stack(
            StackName="plain",
            TemplateBody=template(Key=None, Stream=stream(key=None), outputs=False),
        )
        assert status(cfn, "plain") == "CREATE_COMPLETE"
        assert client("firehose").list_delivery_streams()["DeliveryStreamNames"] == []
