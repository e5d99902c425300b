"""``AWS::KinesisFirehose::DeliveryStream`` in moto's CloudFormation (issue 16, rules 41-45),
driven in-process through boto3: what AWS's resource handler does, how a failure reaches the
stack, template keys, hostile templates, and plain moto after exit."""

from __future__ import annotations

import io
import json
import re
import urllib.parse
import zipfile
from collections.abc import Iterator
from typing import Any

import moto
import pytest
import requests
from botocore.exceptions import ClientError
from freezegun import freeze_time
from moto import settings as moto_settings
from moto.awslambda.models import LambdaFunction
from moto.cloudformation import custom_model
from moto.firehose.models import FirehoseBackend, firehose_backends
from moto.moto_api import state_manager

from moto_firehose_sse import (
    CREATION_MODEL_NAME,
    DELETION_MODEL_NAME,
    MODEL_NAME,
    FirehoseSSE,
    mock_firehose_sse,
    wiring,
)
from moto_firehose_sse.cloudformation import DeliveryStreamResource

from .cfn_helpers import (
    ADMIN_STATEMENT,
    STREAM_TYPE,
    assert_plain_cloudformation,
    events,
    outputs,
    physical_id,
    physical_ids,
    resource_events,
    stack_events,
    status,
    statuses,
    stream,
    template,
    template_key,
)
from .helpers import ACCOUNT, BUCKET_ARN, ROLE_ARN, client, create_stream, description, sse

REASON = re.compile(
    r'Resource handler returned message: "(?P<message>.*)" '
    r"\(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: (?P<code>\w+)\)$",
    re.S,
)


@pytest.fixture
def cfn(firehose_sse: FirehoseSSE) -> Iterator[Any]:
    yield client("cloudformation")
    for model in (MODEL_NAME, DELETION_MODEL_NAME, CREATION_MODEL_NAME):
        state_manager.unset_transition(model)


@pytest.fixture
def firehose(cfn: Any) -> Any:
    return client("firehose")


@pytest.fixture
def kms(cfn: Any) -> Any:
    return client("kms")


def key_arn(cfn: Any, stack: str, logical_id: str = "Key") -> str:
    key_id = physical_id(cfn, stack, logical_id)
    return str(client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])


def failure(cfn: Any, stack: str, logical_id: str = "Stream") -> tuple[str, str, str]:
    """(status, handler message, handler error code) of the resource's failed event."""
    failed = [(s, r) for s, r in resource_events(cfn, stack, logical_id) if s.endswith("FAILED")]
    assert len(failed) == 1, events(cfn, stack)
    found = REASON.match(failed[0][1])
    assert found is not None, failed[0][1]
    return failed[0][0], found["message"], found["code"]


# Create ---------------------------------------------------------------------------------


def test_create_makes_the_stream_with_the_template_key(cfn: Any, firehose: Any, kms: Any) -> None:
    answer = cfn.create_stack(StackName="web", TemplateBody=template())
    assert answer["StackId"].startswith("arn:aws:cloudformation:us-east-1:")
    assert status(cfn, "web") == "CREATE_COMPLETE"
    name = outputs(cfn, "web")["Name"]
    # Without DeliveryStreamName: STACK-LOGICALID-<12 letters and digits>, as CloudFormation
    assert re.fullmatch(r"web-Stream-[A-Za-z0-9]{12}", name), name
    assert outputs(cfn, "web")["Arn"] == (
        f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/{name}"
    )
    assert physical_id(cfn, "web", "Stream") == name
    found = description(firehose, name)
    assert found["DeliveryStreamStatus"] == "ACTIVE"
    key = key_arn(cfn, "web")
    assert found["DeliveryStreamEncryptionConfiguration"] == {
        "KeyARN": key,
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "Status": "ENABLED",
    }
    grants = kms.list_grants(KeyId=key)["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == ["firehose.amazonaws.com"]
    assert resource_events(cfn, "web") == [("CREATE_IN_PROGRESS", ""), ("CREATE_COMPLETE", "")]
    assert stack_events(cfn, "web") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]


def test_a_given_name_and_tags_of_the_resource_and_the_stack(cfn: Any, firehose: Any) -> None:
    body = template(
        Stream=stream(
            name="orders", Tags=[{"Key": "team", "Value": "data"}, {"Key": "n", "Value": 7}]
        )
    )
    cfn.create_stack(StackName="web", TemplateBody=body, Tags=[{"Key": "env", "Value": "test"}])
    assert status(cfn, "web") == "CREATE_COMPLETE"
    assert outputs(cfn, "web")["Name"] == "orders"
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName="orders")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [
        ("env", "test"),
        ("n", "7"),
        ("team", "data"),
    ]


def test_aws_owned_key_and_no_encryption(cfn: Any, firehose: Any) -> None:
    owned = stream(key=None, name="owned")
    owned["Properties"]["DeliveryStreamEncryptionConfigurationInput"] = {"KeyType": "AWS_OWNED_CMK"}
    body = template(Stream=None, Owned=owned, Plain=stream(key=None, name="plain"))
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "CREATE_COMPLETE"
    assert sse(firehose, "owned") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    assert sse(firehose, "plain") == {"Status": "DISABLED"}


def test_the_stack_waits_while_the_stream_is_creating(cfn: Any, firehose: Any) -> None:
    state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "manual", "times": 3})
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="slow")))
    # Each read of the stack is one poll of the handler: one Describe of the stream
    assert statuses(cfn, "web", 4) == ["CREATE_IN_PROGRESS"] * 3 + ["CREATE_COMPLETE"]
    assert description(firehose, "slow")["DeliveryStreamStatus"] == "ACTIVE"
    assert resource_events(cfn, "web")[-1] == ("CREATE_COMPLETE", "")


def test_sources_kinesis_and_msk(cfn: Any, firehose: Any) -> None:
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="source", ShardCount=1)
    source_arn = kinesis.describe_stream(StreamName="source")["StreamDescription"]["StreamARN"]
    from_kinesis = stream(
        key=None,
        name="from-kinesis",
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": source_arn, "RoleARN": ROLE_ARN},
    )
    from_msk = stream(
        key=None,
        name="from-msk",
        DeliveryStreamType="MSKAsSource",
        MSKSourceConfiguration={
            "MSKClusterARN": f"arn:aws:kafka:us-east-1:{ACCOUNT}:cluster/c/1",
            "TopicName": "orders",
            "AuthenticationConfiguration": {"RoleARN": ROLE_ARN, "Connectivity": "PRIVATE"},
        },
    )
    body = template(Stream=None, Kinesis=from_kinesis, Msk=from_msk)
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "CREATE_COMPLETE"
    found = description(firehose, "from-kinesis")
    assert found["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert found["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"] == source_arn
    assert "DeliveryStreamEncryptionConfiguration" not in found  # rule 2
    assert description(firehose, "from-msk")["DeliveryStreamType"] == "MSKAsSource"


S3 = {"RoleARN": ROLE_ARN, "BucketARN": BUCKET_ARN}
DESTINATIONS = {
    "S3DestinationConfiguration": S3,
    "ExtendedS3DestinationConfiguration": S3,
    "RedshiftDestinationConfiguration": {
        "RoleARN": ROLE_ARN,
        "ClusterJDBCURL": "jdbc:redshift://cluster:5439/db",
        "CopyCommand": {"DataTableName": "orders"},
        "Username": "user",
        "Password": "secret-password",
        "S3Configuration": S3,
    },
    "ElasticsearchDestinationConfiguration": {
        "RoleARN": ROLE_ARN,
        "IndexName": "orders",
        "DomainARN": f"arn:aws:es:us-east-1:{ACCOUNT}:domain/search",
        "S3Configuration": S3,
    },
    "SplunkDestinationConfiguration": {
        "HECEndpoint": "https://splunk.example.com",
        "HECEndpointType": "Raw",
        "HECToken": "token",
        "S3Configuration": S3,
    },
    "HttpEndpointDestinationConfiguration": {
        "EndpointConfiguration": {"Url": "https://example.com/ingest"},
        "S3Configuration": S3,
    },
    "SnowflakeDestinationConfiguration": {
        "AccountUrl": "https://account.snowflakecomputing.com",
        "Database": "db",
        "Schema": "public",
        "Table": "orders",
        "RoleARN": ROLE_ARN,
        "S3Configuration": S3,
    },
}


@pytest.mark.parametrize("member", sorted(DESTINATIONS))
def test_every_destination_moto_keeps(cfn: Any, firehose: Any, member: str) -> None:
    body = template(
        Stream={
            "Type": STREAM_TYPE,
            "Properties": {
                "DeliveryStreamName": "dest",
                "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"},
                member: DESTINATIONS[member],
            },
        }
    )
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "CREATE_COMPLETE", events(cfn, "web")
    found = description(firehose, "dest")
    assert len(found["Destinations"]) == 1
    assert found["DeliveryStreamEncryptionConfiguration"]["Status"] == "ENABLED"


def test_a_destination_moto_does_not_keep_fails_the_resource(cfn: Any, firehose: Any) -> None:
    body = template(
        Stream={
            "Type": STREAM_TYPE,
            "Properties": {
                "AmazonopensearchserviceDestinationConfiguration": {
                    "RoleARN": ROLE_ARN,
                    "IndexName": "orders",
                    "S3Configuration": S3,
                }
            },
        }
    )
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "ROLLBACK_COMPLETE"
    state, message, code = failure(cfn, "web")
    assert (state, code) == ("CREATE_FAILED", "InvalidRequest")
    assert "moto's Firehose has no AmazonopensearchserviceDestinationConfiguration" in message
    taken = re.search(r"\(moto takes (.*)\)$", message)
    assert taken is not None, message
    kinds = taken[1].split(", ")
    assert "ExtendedS3DestinationConfiguration" in kinds
    assert all(re.fullmatch(r"\w+DestinationConfiguration", k) for k in kinds), kinds
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_an_update_to_a_destination_moto_can_not_update_fails(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(key=None, name="web")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    opensearch = {"RoleARN": ROLE_ARN, "IndexName": "orders", "S3Configuration": S3}
    changed = stream(
        key=None, name="web", AmazonopensearchserviceDestinationConfiguration=opensearch
    )
    del changed["Properties"]["ExtendedS3DestinationConfiguration"]
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=changed))
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_ROLLBACK_COMPLETE"
    state, message, code = failure(cfn, "web")
    assert (state, code) == ("UPDATE_FAILED", "InvalidRequest")
    assert message == (
        "moto's Firehose can't update a AmazonopensearchserviceDestinationConfiguration: "
        "the mock can't update this stream"
    )
    assert "ExtendedS3DestinationDescription" in description(firehose, "web")["Destinations"][0]


# Custom resources: moto invokes their Lambda function; the test answers in its place ---------


class _CustomResources:
    """Stands in for the Lambda runtime (Docker) moto runs a custom resource's function in:
    keeps each request moto sends and answers it as ``cfn-response`` would."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.requests: list[dict[str, Any]] = []
        monkeypatch.setattr(
            LambdaFunction, "invoke", lambda fn, body, *args: self.requests.append(json.loads(body))
        )
        monkeypatch.setattr(custom_model, "threading", _InlineThreads)  # no thread to wait for
        monkeypatch.setattr(moto_settings, "moto_server_host", lambda: "http://localhost")
        iam = client("iam")
        role = iam.create_role(RoleName="custom", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        self.function_arn = client("lambda").create_function(
            FunctionName="custom",
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": _zipped("def handler(event, context):\n    pass\n")},
        )["FunctionArn"]

    def resource(self) -> dict[str, Any]:
        return {"Type": "Custom::Thing", "Properties": {"ServiceToken": self.function_arn}}

    def answer(self) -> None:
        """The function's SUCCESS for the oldest request, PUT to its ResponseURL."""
        request = self.requests.pop(0)
        url = urllib.parse.urlsplit(request["ResponseURL"])
        answer = {
            "Status": "SUCCESS",
            "PhysicalResourceId": "thing",
            "StackId": request["StackId"],
            "RequestId": request["RequestId"],
            "LogicalResourceId": request["LogicalResourceId"],
            "Data": {},
        }
        endpoint = "https://cloudformation.us-east-1.amazonaws.com"  # where moto serves it
        put = requests.put(f"{endpoint}{url.path}?{url.query}", data=json.dumps(answer))
        assert put.status_code == 200, put.text


class _InlineThreads:
    class Thread:
        def __init__(self, target: Any, args: tuple[Any, ...]) -> None:
            self.target, self.args = target, args

        def start(self) -> None:
            self.target(*self.args)


def _zipped(code: str) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.py", code)
    return archive.getvalue()


@pytest.fixture
def custom(cfn: Any, monkeypatch: pytest.MonkeyPatch) -> _CustomResources:
    return _CustomResources(monkeypatch)


def test_a_custom_resource_still_waiting_holds_the_stack(
    cfn: Any, firehose: Any, custom: _CustomResources
) -> None:
    body = template(Stream=stream(name="quick"), Custom=custom.resource())
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert [r["LogicalResourceId"] for r in custom.requests] == ["Custom"]
    assert statuses(cfn, "web", 3) == ["CREATE_IN_PROGRESS"] * 3  # the stream is done
    assert description(firehose, "quick")["DeliveryStreamStatus"] == "ACTIVE"
    custom.answer()
    assert status(cfn, "web") == "CREATE_COMPLETE"
    assert stack_events(cfn, "web") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]


def test_a_custom_resource_that_answers_first_waits_for_the_stream(
    cfn: Any, firehose: Any, custom: _CustomResources
) -> None:
    state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "manual", "times": 3})
    body = template(Stream=stream(name="slow"), Custom=custom.resource())
    cfn.create_stack(StackName="web", TemplateBody=body)
    custom.answer()  # moto reads the stack: one poll of the stream
    assert status(cfn, "web") == "CREATE_IN_PROGRESS"  # the stream is still creating
    assert statuses(cfn, "web", 2) == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    assert description(firehose, "slow")["DeliveryStreamStatus"] == "ACTIVE"
    assert stack_events(cfn, "web") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]


def test_an_answer_between_the_streams_end_and_the_stacks_is_one_create_complete(
    cfn: Any, firehose: Any, custom: _CustomResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The custom resource's answer comes on another thread (the server's) just as the stream
    ends, before the stack's end: moto marks the stack first; the plugin doesn't again."""
    state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "manual", "times": 1})
    cfn.create_stack(StackName="web", TemplateBody=template(Custom=custom.resource()))
    request = custom.requests.pop()
    end = DeliveryStreamResource._end

    def answered_meanwhile(resource: DeliveryStreamResource, *args: Any) -> None:
        end(resource, *args)
        stack = resource.stack
        stack.get_custom_resource(request["LogicalResourceId"]).set_data({})
        stack.verify_readiness()  # what moto's answer handler does after it read the stack

    monkeypatch.setattr(DeliveryStreamResource, "_end", answered_meanwhile)
    assert statuses(cfn, "web", 2) == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    assert stack_events(cfn, "web") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]


# Failures of create (rule 44) --------------------------------------------------------------


def test_a_disabled_template_key_fails_and_rolls_back(cfn: Any, firehose: Any, kms: Any) -> None:
    body = template(Key=template_key(enabled=False), Stream=stream(name="web"))
    cfn.create_stack(StackName="web", TemplateBody=body)
    # The first read sees CREATING_FAILED and deletes the stream; the next sees it DELETING
    assert statuses(cfn, "web", 3) == ["ROLLBACK_IN_PROGRESS"] * 2 + ["ROLLBACK_COMPLETE"]
    state, message, code = failure(cfn, "web")
    assert state == "CREATE_FAILED" and code == "InvalidRequest"
    assert message.startswith(
        "Unable to Create Delivery Stream. Delivery stream status is CREATING_FAILED. "
        "DISABLED_KMS_KEY: KMS key arn:aws:kms:us-east-1:"
    )
    assert message.endswith(" is Disabled.")
    assert resource_events(cfn, "web")[-2:] == [("DELETE_IN_PROGRESS", ""), ("DELETE_COMPLETE", "")]
    assert [e for e in events(cfn, "web") if e[0] == "web"] == [
        ("web", "CREATE_IN_PROGRESS", "User Initiated"),
        (
            "web",
            "ROLLBACK_IN_PROGRESS",
            "The following resource(s) failed to create: [Stream]. Rollback requested by user.",
        ),
        ("web", "ROLLBACK_COMPLETE", ""),
    ]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert outputs(cfn, "web") == {}
    # As on AWS: a ROLLBACK_COMPLETE stack can only be deleted
    with pytest.raises(ClientError) as raised:
        cfn.update_stack(StackName="web", TemplateBody=template())
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    cfn.delete_stack(StackName="web")


def test_disable_rollback_keeps_create_failed(cfn: Any, firehose: Any) -> None:
    body = template(
        Key=template_key(enabled=False), Stream=stream(name="web"), Other=stream(name="other")
    )
    cfn.create_stack(StackName="web", TemplateBody=body, DisableRollback=True)
    assert statuses(cfn, "web", 2) == ["CREATE_FAILED", "CREATE_FAILED"]
    assert events(cfn, "web")[-1] == (
        "web",
        "CREATE_FAILED",
        "The following resource(s) failed to create: [Stream, Other]. ",
    )
    found = description(firehose, "web")
    assert found["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert found["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"


def test_on_failure_do_nothing_keeps_create_failed(cfn: Any, firehose: Any) -> None:
    body = template(Key=template_key(enabled=False), Stream=stream(name="web"))
    cfn.create_stack(StackName="web", TemplateBody=body, OnFailure="DO_NOTHING")
    assert status(cfn, "web") == "CREATE_FAILED"
    assert description(firehose, "web")["DeliveryStreamStatus"] == "CREATING_FAILED"


def test_the_events_name_the_stack_and_the_resource_type(cfn: Any) -> None:
    stack_id = cfn.create_stack(StackName="web", TemplateBody=template())["StackId"]
    assert status(cfn, "web") == "CREATE_COMPLETE"
    found = cfn.describe_stack_events(StackName="web")["StackEvents"]
    streams = [e for e in found if e["LogicalResourceId"] == "Stream"]
    assert len(streams) == 2
    for event in streams:
        assert event["StackId"] == stack_id
        assert event["StackName"] == "web"
        assert event["ResourceType"] == "AWS::KinesisFirehose::DeliveryStream"


def test_a_stream_gone_while_creating_fails_the_resource(cfn: Any, firehose: Any) -> None:
    """Not an AWS behaviour (a CREATING stream can't be deleted): a stream removed from moto's
    backend directly fails the create instead of leaving it waiting."""
    state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "manual", "times": 3})
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(key=None, name="web")))
    assert status(cfn, "web") == "CREATE_IN_PROGRESS"
    del firehose_backends[ACCOUNT]["us-east-1"].delivery_streams["web"]
    assert status(cfn, "web") == "ROLLBACK_COMPLETE"
    state, message, code = failure(cfn, "web")
    assert (state, code) == ("CREATE_FAILED", "InvalidRequest")
    assert message == (
        "Unable to Create Delivery Stream. Delivery stream status is unknown: the stream is gone."
    )


def test_the_stacks_aws_tags_are_not_given_to_the_stream(cfn: Any, firehose: Any) -> None:
    tags = [{"Key": "aws:owner", "Value": "x"}, {"Key": "env", "Value": "test"}]
    body = template(Stream=stream(key=None, name="web"))
    cfn.create_stack(StackName="web", TemplateBody=body, Tags=tags)
    assert status(cfn, "web") == "CREATE_COMPLETE"
    listed = firehose.list_tags_for_delivery_stream(DeliveryStreamName="web")["Tags"]
    assert listed == [{"Key": "env", "Value": "test"}]


def test_on_failure_delete_deletes_the_stack(cfn: Any, firehose: Any) -> None:
    body = template(Key=template_key(enabled=False), Stream=stream(name="web"))
    stack_id = cfn.create_stack(StackName="web", TemplateBody=body, OnFailure="DELETE")["StackId"]
    found = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    while found["StackStatus"].endswith("IN_PROGRESS"):
        found = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    assert found["StackStatus"] == "DELETE_COMPLETE"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert [s for i, s, _ in events(cfn, stack_id) if i == "web"][-4:] == [
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_COMPLETE",
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
    ]


def test_a_key_policy_object_that_denies_firehose(cfn: Any, firehose: Any) -> None:
    deny = {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "kms:CreateGrant",
        "Resource": "*",
    }
    body = template(Key=template_key(statements=[ADMIN_STATEMENT, deny]))
    cfn.create_stack(StackName="web", TemplateBody=body, DisableRollback=True)
    assert status(cfn, "web") == "CREATE_FAILED"
    _, message, _ = failure(cfn, "web")
    assert "KMS_ACCESS_DENIED: " in message and "kms:CreateGrant" in message


def test_the_name_of_an_existing_stream(cfn: Any, firehose: Any) -> None:
    create_stream(firehose, "taken")
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="taken")))
    assert status(cfn, "web") == "ROLLBACK_COMPLETE"
    assert failure(cfn, "web") == (
        "CREATE_FAILED",
        "Firehose already exists with the name: taken",
        "AlreadyExists",
    )
    assert description(firehose, "taken")["DeliveryStreamStatus"] == "ACTIVE"  # not touched
    # the handler made nothing: its events carry no physical resource ID
    assert physical_ids(cfn, "web")[:2] == [("CREATE_IN_PROGRESS", ""), ("CREATE_FAILED", "")]


def test_a_failure_deletes_the_other_resources_of_the_stack(cfn: Any, firehose: Any) -> None:
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "web-bucket"}}
    body = template(
        Stream=stream(name="good"),
        Bad=stream(key="Key2", name="bad"),
        Key2=template_key(False),
        Bucket=bucket,
    )
    cfn.create_stack(StackName="web", TemplateBody=body)
    found = statuses(cfn, "web", 3)
    assert found[-1] == "ROLLBACK_COMPLETE", found
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    buckets = [b["Name"] for b in client("s3").list_buckets()["Buckets"]]
    assert "web-bucket" not in buckets  # moto's own resources are deleted too
    assert resource_events(cfn, "web", "Stream")[-1] == ("DELETE_COMPLETE", "")


def test_a_rollback_gets_past_a_resource_already_deleted(cfn: Any, firehose: Any) -> None:
    # The queue is deleted outside the stack before the rollback; as on AWS, the rollback
    # still completes and deletes the rest.
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}}
    body = template(Key=template_key(enabled=False), Stream=stream(name="web"), Queue=queue)
    cfn.create_stack(StackName="web", TemplateBody=body)
    sqs = client("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="jobs")["QueueUrl"])
    assert statuses(cfn, "web", 3) == ["ROLLBACK_IN_PROGRESS"] * 2 + ["ROLLBACK_COMPLETE"]
    assert resource_events(cfn, "web")[-1] == ("DELETE_COMPLETE", "")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


# Hostile templates ------------------------------------------------------------------------

HOSTILE = {
    "unknown key": ({"Bogus": 1}, "#: extraneous key [Bogus] is not permitted"),
    "two unknown keys": (
        {"Bogus": 1, "Other": 2},
        "#: extraneous key [Bogus] is not permitted, #: extraneous key [Other] is not permitted",
    ),
    "name not a string": (
        {"DeliveryStreamName": {"a": 1}},
        "#/DeliveryStreamName: expected type: String, found: JSONObject",
    ),
    "encryption input a string": (
        {"DeliveryStreamEncryptionConfigurationInput": "CUSTOMER_MANAGED_CMK"},
        "#/DeliveryStreamEncryptionConfigurationInput: expected type: JSONObject, found: String",
    ),
    "encryption input without KeyType": (
        {"DeliveryStreamEncryptionConfigurationInput": {"KeyARN": "arn:aws:kms:us-east-1:1:key/x"}},
        "#/DeliveryStreamEncryptionConfigurationInput: required key [KeyType] not found",
    ),
    "unknown key in the encryption input": (
        {"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK", "Extra": 1}},
        "#/DeliveryStreamEncryptionConfigurationInput: extraneous key [Extra] is not permitted",
    ),
    "destination without RoleARN": (
        {"ExtendedS3DestinationConfiguration": {"BucketARN": BUCKET_ARN}},
        "#/ExtendedS3DestinationConfiguration: required key [RoleARN] not found",
    ),
    "tags a map": (
        {"Tags": {"team": "data"}},
        "#/Tags: expected type: JSONArray, found: JSONObject",
    ),
    "a tag without Key": ({"Tags": [{"Value": "x"}]}, "#/Tags/0: required key [Key] not found"),
    "hints not numbers": (
        {
            "ExtendedS3DestinationConfiguration": {
                **S3,
                "BufferingHints": {"SizeInMBs": "five"},
            }
        },
        "#/ExtendedS3DestinationConfiguration/BufferingHints/SizeInMBs: expected type: "
        "Integer, found: String",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_properties_fail_validation(cfn: Any, firehose: Any, case: str) -> None:
    change, message = HOSTILE[case]
    body = template(Stream=stream(key=None, **change))
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "ROLLBACK_COMPLETE"
    failed = [r for s, r in resource_events(cfn, "web") if s == "CREATE_FAILED"]
    assert failed and failed[0].startswith(
        "Properties validation failed for resource Stream with message: ["
    )
    assert message in failed[0], failed[0]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


@pytest.mark.parametrize(
    ("properties", "found"),
    [([1, 2], "JSONArray"), ("text", "String"), (5, "Integer"), (None, "Null")],
)
def test_properties_that_are_not_an_object(
    cfn: Any, firehose: Any, properties: Any, found: str
) -> None:
    body = json.dumps({"Resources": {"Stream": {"Type": STREAM_TYPE, "Properties": properties}}})
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "ROLLBACK_COMPLETE"
    failed = [r for s, r in resource_events(cfn, "web") if s == "CREATE_FAILED"]
    assert failed == [
        "Properties validation failed for resource Stream with message: "
        f"[#: expected type: JSONObject, found: {found}]"
    ]


HANDLER_FAILURES = {
    "no properties": ({}, "InvalidRequest"),
    "unknown type": ({"DeliveryStreamType": "Carrier"}, "InvalidRequest"),
    "customer key without ARN": (
        {"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "CUSTOMER_MANAGED_CMK"}},
        "InvalidRequest",
    ),
    "unknown key type": (
        {"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "MINE"}},
        "InvalidRequest",
    ),
    "a key that does not exist": (
        {
            "DeliveryStreamEncryptionConfigurationInput": {
                "KeyType": "CUSTOMER_MANAGED_CMK",
                "KeyARN": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/12345678-1234-1234-1234-123456789012",
            }
        },
        "InvalidRequest",
    ),
    "a name too long": ({"DeliveryStreamName": "n" * 65}, "InvalidRequest"),
    "a name with a slash": ({"DeliveryStreamName": "a/b"}, "InvalidRequest"),
}


@pytest.mark.parametrize("case", sorted(HANDLER_FAILURES))
def test_inputs_the_handler_refuses(cfn: Any, firehose: Any, case: str) -> None:
    change, code = HANDLER_FAILURES[case]
    properties = {} if case == "no properties" else stream(key=None, **change)["Properties"]
    body = json.dumps({"Resources": {"Stream": {"Type": STREAM_TYPE, "Properties": properties}}})
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "ROLLBACK_COMPLETE"
    state, message, found = failure(cfn, "web")
    assert (state, found) == ("CREATE_FAILED", code)
    assert message
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_strings_for_numbers_and_booleans_as_cloudformation_converts(
    cfn: Any, firehose: Any
) -> None:
    destination = {
        **S3,
        "BufferingHints": {"SizeInMBs": "64", "IntervalInSeconds": "60"},
        "CloudWatchLoggingOptions": {"Enabled": "false"},
    }
    body = template(
        Stream=stream(key=None, name="typed", ExtendedS3DestinationConfiguration=destination)
    )
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "CREATE_COMPLETE", events(cfn, "web")
    found = description(firehose, "typed")["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert found["BufferingHints"] == {"SizeInMBs": 64, "IntervalInSeconds": 60}


def test_booleans_maps_and_strings_as_cloudformation_converts(cfn: Any, firehose: Any) -> None:
    serde = {"OpenXJsonSerDe": {"ColumnToJsonKeyMappings": {"ts": "timestamp", "n": 5}}}
    destination = {
        **S3,
        "CloudWatchLoggingOptions": {"Enabled": "True"},
        "ProcessingConfiguration": {"Enabled": "FALSE"},
        "DataFormatConversionConfiguration": {
            "Enabled": "false",
            "InputFormatConfiguration": {"Deserializer": serde},
        },
        "Prefix": 2026,
    }
    tags = [{"Key": "flag", "Value": "true"}, {"Key": "solo"}]
    body = template(
        Stream=stream(key=None, name="typed", ExtendedS3DestinationConfiguration=destination)
    )
    resources = json.loads(body)
    resources["Resources"]["Stream"]["Properties"]["Tags"] = tags
    cfn.create_stack(StackName="web", TemplateBody=json.dumps(resources))
    assert status(cfn, "web") == "CREATE_COMPLETE", events(cfn, "web")
    found = description(firehose, "typed")["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert found["CloudWatchLoggingOptions"] == {"Enabled": True}
    assert found["ProcessingConfiguration"] == {"Enabled": False}
    conversion = found["DataFormatConversionConfiguration"]
    assert conversion["Enabled"] is False
    assert conversion["InputFormatConfiguration"]["Deserializer"] == {
        "OpenXJsonSerDe": {"ColumnToJsonKeyMappings": {"ts": "timestamp", "n": "5"}}
    }
    assert found["Prefix"] == "2026"
    # a string member keeps "true" as text; a tag without a value has the empty one
    listed = firehose.list_tags_for_delivery_stream(DeliveryStreamName="typed")["Tags"]
    assert listed == [{"Key": "flag", "Value": "true"}, {"Key": "solo", "Value": ""}]


def test_an_unknown_attribute_is_a_template_error(cfn: Any) -> None:
    body = json.dumps(
        {
            "Resources": {"Stream": stream(key=None)},
            "Outputs": {"X": {"Value": {"Fn::GetAtt": ["Stream", "Status"]}}},
        }
    )
    with pytest.raises(ClientError) as raised:
        cfn.create_stack(StackName="web", TemplateBody=body)
    assert raised.value.response["Error"]["Code"] == "ValidationError"


# Update (rule 42) --------------------------------------------------------------------------


def two_keys(use: str = "Key", enabled2: bool = True, **stream_args: Any) -> str:
    return template(Key2=template_key(enabled2), Stream=stream(key=use, name="web", **stream_args))


def test_update_to_another_key_in_place(cfn: Any, firehose: Any, kms: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    arn = outputs(cfn, "web")["Arn"]
    cfn.update_stack(StackName="web", TemplateBody=two_keys("Key2"))
    # Start, one Describe in the handler (ENABLING), the next one ENABLED
    assert statuses(cfn, "web", 2) == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert outputs(cfn, "web")["Arn"] == arn  # no replacement
    key2 = key_arn(cfn, "web", "Key2")
    assert sse(firehose, "web") == {
        "KeyARN": key2,
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "Status": "ENABLED",
    }
    assert len(kms.list_grants(KeyId=key2)["Grants"]) == 1
    assert kms.list_grants(KeyId=key_arn(cfn, "web"))["Grants"] == []
    assert resource_events(cfn, "web")[-2:] == [("UPDATE_IN_PROGRESS", ""), ("UPDATE_COMPLETE", "")]
    assert physical_ids(cfn, "web")[-2:] == [
        ("UPDATE_IN_PROGRESS", "web"),
        ("UPDATE_COMPLETE", "web"),
    ]
    assert stack_events(cfn, "web")[-2:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]


def test_a_generated_name_is_kept_by_an_update_in_place(cfn: Any, firehose: Any) -> None:
    body = template(Key2=template_key(), Stream=stream(key="Key"))
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "CREATE_COMPLETE"
    name = outputs(cfn, "web")["Name"]
    body = template(Key2=template_key(), Stream=stream(key="Key2"))
    cfn.update_stack(StackName="web", TemplateBody=body)
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_COMPLETE"
    assert outputs(cfn, "web")["Name"] == name
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == [name]
    assert sse(firehose, name)["KeyARN"] == key_arn(cfn, "web", "Key2")  # type: ignore[index]


def test_update_waits_for_a_slow_transition(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 3})
    cfn.update_stack(StackName="web", TemplateBody=two_keys("Key2"))
    assert statuses(cfn, "web", 4) == ["UPDATE_IN_PROGRESS"] * 3 + ["UPDATE_COMPLETE"]
    # and no second update while one is running
    cfn.update_stack(StackName="web", TemplateBody=two_keys())
    with pytest.raises(ClientError) as raised:
        cfn.update_stack(StackName="web", TemplateBody=two_keys("Key2"))
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "is in UPDATE_IN_PROGRESS state and can not be updated" in str(raised.value)


def test_an_error_of_the_mock_in_a_callback_fails_the_resource(
    cfn: Any, firehose: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not an AWS behaviour: a bug of the mock (or moto) reaches the stack as InternalFailure
    naming the error, instead of escaping as an HTTP 500."""
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 3})
    cfn.update_stack(StackName="web", TemplateBody=two_keys("Key2"), DisableRollback=True)
    assert status(cfn, "web") == "UPDATE_IN_PROGRESS"

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("injected")

    backend = firehose_backends[ACCOUNT]["us-east-1"]
    monkeypatch.setattr(backend, "describe_delivery_stream", broken)
    assert status(cfn, "web") == "UPDATE_FAILED"
    state, message, code = failure(cfn, "web")
    assert (state, code) == ("UPDATE_FAILED", "InternalFailure")
    assert message == "moto-firehose-sse could not run the handler (RuntimeError: injected)"


def test_update_to_a_disabled_key_fails_and_rolls_back(cfn: Any, firehose: Any, kms: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys(enabled2=False))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    key = key_arn(cfn, "web")
    cfn.update_stack(StackName="web", TemplateBody=two_keys("Key2", enabled2=False))
    # ENABLING; ENABLING_FAILED, so Start with the old key; ENABLING; ENABLED
    assert statuses(cfn, "web", 4) == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
    ]
    state, message, code = failure(cfn, "web")
    assert (state, code) == ("UPDATE_FAILED", "InvalidRequest")
    assert message.startswith("Unable to start delivery stream encryption. DISABLED_KMS_KEY: ")
    assert stack_events(cfn, "web")[-3:] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
    ]
    reasons = dict((s, r) for i, s, r in events(cfn, "web") if i == "web")
    assert reasons["UPDATE_ROLLBACK_IN_PROGRESS"] == (
        "The following resource(s) failed to update: [Stream]. "
    )
    # The old key stays in force (rule 10) and the stack's template is the old one again
    assert sse(firehose, "web") == {
        "KeyARN": key,
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "Status": "ENABLED",
    }
    body = cfn.get_template(StackName="web")["TemplateBody"]  # boto3 parses a JSON body
    assert json.loads(json.dumps(body)) == json.loads(two_keys(enabled2=False))
    # and the stack can be updated again
    tagged = two_keys(Tags=[{"Key": "a", "Value": "b"}], enabled2=False)
    cfn.update_stack(StackName="web", TemplateBody=tagged)
    assert statuses(cfn, "web", 1)[-1] == "UPDATE_COMPLETE"


def test_a_rollback_undoes_the_other_streams_steps(cfn: Any, firehose: Any, kms: Any) -> None:
    """Another resource's failure rolls back what this update did: a key changed in place
    goes back, a stream the update added is deleted."""

    def body(a_key: str, b_key: str, added: bool) -> str:
        streams = {
            "A": stream(key=a_key, name="a"),
            "B": stream(key=b_key, name="b"),
            "C": stream(key="Key", name="c") if added else None,
        }
        return template(Key2=template_key(), Key3=template_key(False), Stream=None, **streams)

    cfn.create_stack(StackName="web", TemplateBody=body("Key", "Key", added=False))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    key = key_arn(cfn, "web")
    cfn.update_stack(StackName="web", TemplateBody=body("Key2", "Key3", added=True))
    seen = statuses(cfn, "web", 8)
    assert seen[-1] == "UPDATE_ROLLBACK_COMPLETE", seen
    assert failure(cfn, "web", "B")[0] == "UPDATE_FAILED"
    assert sse(firehose, "a") == {
        "KeyARN": key,
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "Status": "ENABLED",
    }
    assert sorted(firehose.list_delivery_streams()["DeliveryStreamNames"]) == ["a", "b"]
    assert [s for s, _ in resource_events(cfn, "web", "A")] == [
        "CREATE_IN_PROGRESS",
        "CREATE_COMPLETE",
        "UPDATE_IN_PROGRESS",  # the update, then its rollback
        "UPDATE_COMPLETE",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE",
    ]
    assert [s for s, _ in resource_events(cfn, "web", "C")][-2:] == [
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
    ]


def removing(a_key: str, x: bool, b_key: str = "Key") -> str:
    """Streams A (on ``a_key``), B (on ``b_key``), X (when ``x``); Key3 is disabled."""
    streams = {
        "A": stream(key=a_key, name="a"),
        "B": stream(key=b_key, name="b"),
        "X": stream(key="Key", name="x") if x else None,
    }
    return template(Key2=template_key(), Key3=template_key(False), Stream=None, **streams)


def test_a_stream_an_update_removes_is_deleted_in_the_clean_up(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=removing("Key", x=True))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    created = len(events(cfn, "web"))
    cfn.update_stack(StackName="web", TemplateBody=removing("Key2", x=False))
    found = statuses(cfn, "web", 4)
    assert found[-1] == "UPDATE_COMPLETE", found
    assert sorted(firehose.list_delivery_streams()["DeliveryStreamNames"]) == ["a", "b"]
    # As on AWS: the update first, then the removed resource in the clean-up
    assert events(cfn, "web")[created:] == [
        ("web", "UPDATE_IN_PROGRESS", "User Initiated"),
        ("A", "UPDATE_IN_PROGRESS", ""),
        ("A", "UPDATE_COMPLETE", ""),
        ("web", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", ""),
        ("X", "DELETE_IN_PROGRESS", ""),
        ("X", "DELETE_COMPLETE", ""),
        ("web", "UPDATE_COMPLETE", ""),
    ]
    assert physical_ids(cfn, "web", "X")[-2:] == [
        ("DELETE_IN_PROGRESS", "x"),
        ("DELETE_COMPLETE", "x"),
    ]


def test_an_update_that_only_removes_a_stream(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=removing("Key", x=True))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=removing("Key", x=False))
    # the deletion is under way at the first read (DELETING), over at the next
    assert statuses(cfn, "web", 2) == ["UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert sorted(firehose.list_delivery_streams()["DeliveryStreamNames"]) == ["a", "b"]


def test_a_failed_update_keeps_the_stream_it_removed(cfn: Any, firehose: Any, kms: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=removing("Key", x=True))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    key = key_arn(cfn, "web")
    cfn.update_stack(StackName="web", TemplateBody=removing("Key2", x=False, b_key="Key3"))
    found = statuses(cfn, "web", 6)
    assert found[-1] == "UPDATE_ROLLBACK_COMPLETE", found
    assert sorted(firehose.list_delivery_streams()["DeliveryStreamNames"]) == ["a", "b", "x"]
    assert description(firehose, "x")["DeliveryStreamStatus"] == "ACTIVE"
    assert resource_events(cfn, "web", "X") == [("CREATE_IN_PROGRESS", ""), ("CREATE_COMPLETE", "")]
    assert sse(firehose, "a")["KeyARN"] == key  # type: ignore[index]
    assert physical_id(cfn, "web", "X") == "x"  # the stack holds it again
    # and a later update that removes it deletes it
    cfn.update_stack(StackName="web", TemplateBody=removing("Key", x=False))
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_COMPLETE"
    assert "x" not in firehose.list_delivery_streams()["DeliveryStreamNames"]


def test_a_removed_stream_already_deleted_ends_the_clean_up_at_once(
    cfn: Any, firehose: Any
) -> None:
    cfn.create_stack(StackName="web", TemplateBody=removing("Key", x=True))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "immediate"})
    firehose.delete_delivery_stream(DeliveryStreamName="x")
    cfn.update_stack(StackName="web", TemplateBody=removing("Key2", x=False))
    # A's key change ends at the second read, and the clean-up with it: x is gone already
    assert statuses(cfn, "web", 2) == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert [s for s, _ in resource_events(cfn, "web", "X")][-2:] == [
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
    ]


def test_an_update_failed_without_rollback_keeps_the_stream_it_removed(
    cfn: Any, firehose: Any
) -> None:
    cfn.create_stack(StackName="web", TemplateBody=removing("Key", x=True))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    failing = removing("Key", x=False, b_key="Key3")
    cfn.update_stack(StackName="web", TemplateBody=failing, DisableRollback=True)
    assert statuses(cfn, "web", 3)[-1] == "UPDATE_FAILED"
    assert description(firehose, "x")["DeliveryStreamStatus"] == "ACTIVE"
    assert physical_id(cfn, "web", "X") == "x"  # still the stack's
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="web")
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(3)]
    assert seen[-1] == "DELETE_COMPLETE", seen
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []  # x deleted with it


def test_a_removed_stream_that_can_not_be_deleted_is_left(
    cfn: Any, firehose: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on AWS, a clean-up that fails leaves the resource and the update complete."""
    cfn.create_stack(StackName="web", TemplateBody=removing("Key", x=True))
    assert status(cfn, "web") == "CREATE_COMPLETE"

    def broken(*args: Any) -> None:  # moto's own removal of the stream
        raise RuntimeError("injected")

    monkeypatch.setattr(FirehoseBackend, "delete_delivery_stream", broken)
    cfn.update_stack(StackName="web", TemplateBody=removing("Key", x=False))
    # the handler's first callback meets the error
    assert statuses(cfn, "web", 2) == ["UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert stack_events(cfn, "web")[-3:] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_COMPLETE",
    ]
    assert [s for s, _ in resource_events(cfn, "web", "X")][-2:] == [
        "DELETE_IN_PROGRESS",
        "DELETE_FAILED",
    ]
    assert description(firehose, "x")["DeliveryStreamStatus"] == "DELETING_FAILED"


def test_a_rollback_waits_for_the_replacement_to_be_deleted(cfn: Any, firehose: Any) -> None:
    def body(a_name: str, b_key: str) -> str:
        streams = {"A": stream(name=a_name), "B": stream(key=b_key, name="b")}
        return template(Key3=template_key(False), Stream=None, **streams)

    cfn.create_stack(StackName="web", TemplateBody=body("first", "Key"))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=body("second", "Key3"))
    found = statuses(cfn, "web", 6)
    assert found[-1] == "UPDATE_ROLLBACK_COMPLETE", found
    assert sorted(firehose.list_delivery_streams()["DeliveryStreamNames"]) == ["b", "first"]
    # the new stream's deletion is over before the stack's rollback is
    found_events = [(i, s) for i, s, _ in events(cfn, "web")]
    assert found_events[-1] == ("web", "UPDATE_ROLLBACK_COMPLETE")
    assert ("A", "DELETE_COMPLETE") in found_events[-3:]
    assert physical_ids(cfn, "web", "A")[-2:] == [
        ("DELETE_IN_PROGRESS", "second"),
        ("DELETE_COMPLETE", "second"),
    ]
    assert outputs(cfn, "web") == {}  # the template's outputs name "Stream", absent here


def test_a_rollback_step_that_is_refused_fails_the_rollback(
    cfn: Any, firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    """Undoing A's key change is a second change of the day, over the limit: as on AWS, the
    stack ends UPDATE_ROLLBACK_FAILED and A's event says why."""
    firehose_sse.configure(max_encryption_changes_per_day=1)

    def body(a_key: str, b_key: str) -> str:
        streams = {"A": stream(key=a_key, name="a"), "B": stream(key=b_key, name="b")}
        return template(Key2=template_key(), Key3=template_key(False), Stream=None, **streams)

    cfn.create_stack(StackName="web", TemplateBody=body("Key", "Key"))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=body("Key2", "Key3"))
    assert statuses(cfn, "web", 3)[-1] == "UPDATE_ROLLBACK_FAILED"
    assert [e for e in events(cfn, "web") if e[0] == "web"][-1] == (
        "web",
        "UPDATE_ROLLBACK_FAILED",
        "The following resource(s) failed to update: [A, B]. ",
    )
    assert [s for s, _ in resource_events(cfn, "web", "A")][-3:] == [
        "UPDATE_COMPLETE",
        "UPDATE_IN_PROGRESS",  # the rollback
        "UPDATE_FAILED",
    ]
    found = REASON.match(resource_events(cfn, "web", "A")[-1][1])
    assert found is not None and found["code"] == "ServiceLimitExceeded"
    assert found["message"].startswith(
        "Firehose a has had 1 StartDeliveryStreamEncryption and StopDeliveryStreamEncryption "
        "calls in the last 24 hours, the most allowed; the next call is accepted from "
    )
    assert sse(firehose, "a")["KeyARN"] == key_arn(cfn, "web", "Key2")  # type: ignore[index]


def test_a_rollback_puts_back_the_template_and_the_parameters(cfn: Any, firehose: Any) -> None:
    def body(use: str) -> str:
        found = json.loads(
            two_keys(use, enabled2=False, Tags=[{"Key": "team", "Value": {"Ref": "Team"}}])
        )
        found["Parameters"] = {"Team": {"Type": "String"}}
        return json.dumps(found)

    def team(value: str) -> list[dict[str, str]]:
        return [{"ParameterKey": "Team", "ParameterValue": value}]

    cfn.create_stack(StackName="web", TemplateBody=body("Key"), Parameters=team("a"))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=body("Key2"), Parameters=team("b"))
    assert statuses(cfn, "web", 6)[-1] == "UPDATE_ROLLBACK_COMPLETE"
    found = cfn.describe_stacks(StackName="web")["Stacks"][0]
    assert found["Parameters"] == team("a")
    template_body = cfn.get_template(StackName="web")["TemplateBody"]  # botocore parses it
    assert json.loads(json.dumps(template_body)) == json.loads(body("Key"))
    # the parameters are the old ones again: an update that keeps them leaves the stream alone
    seen = len(resource_events(cfn, "web"))
    queued = json.loads(body("Key"))
    queued["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}}
    cfn.update_stack(StackName="web", TemplateBody=json.dumps(queued), Parameters=team("a"))
    assert status(cfn, "web") == "UPDATE_COMPLETE"
    assert len(resource_events(cfn, "web")) == seen
    # and the stack goes on from there
    cfn.update_stack(StackName="web", TemplateBody=body("Key"), Parameters=team("c"))
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_COMPLETE"
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName="web")["Tags"]
    assert {"Key": "team", "Value": "c"} in tags


def test_a_resource_whose_type_becomes_a_delivery_stream_is_created(
    cfn: Any, firehose: Any
) -> None:
    # AWS refuses to change a resource's type; moto's CloudFormation lets a template do it,
    # and the stream is then made as a new resource rather than updated from the queue.
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}}
    cfn.create_stack(StackName="web", TemplateBody=json.dumps({"Resources": {"Stream": queue}}))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=stream(key=None, name="web")))
    assert status(cfn, "web") == "UPDATE_COMPLETE"
    assert resource_events(cfn, "web") == [("CREATE_IN_PROGRESS", ""), ("CREATE_COMPLETE", "")]
    assert description(firehose, "web")["DeliveryStreamStatus"] == "ACTIVE"
    assert outputs(cfn, "web") == {
        "Name": "web",
        "Arn": f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/web",
    }


def test_update_with_disable_rollback_stays_update_failed(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys(enabled2=False))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(
        StackName="web", TemplateBody=two_keys("Key2", enabled2=False), DisableRollback=True
    )
    assert statuses(cfn, "web", 2) == ["UPDATE_IN_PROGRESS", "UPDATE_FAILED"]
    assert sse(firehose, "web")["Status"] == "ENABLING_FAILED"  # type: ignore[index]
    assert [e for e in events(cfn, "web") if e[0] == "web"][-1] == (
        "web",
        "UPDATE_FAILED",
        "The following resource(s) failed to update: [Stream]. ",
    )


def test_remove_encryption_stops_it(cfn: Any, firehose: Any, kms: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    key = key_arn(cfn, "web")
    cfn.update_stack(StackName="web", TemplateBody=two_keys(None))
    assert statuses(cfn, "web", 2) == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert sse(firehose, "web") == {"Status": "DISABLED"}
    assert kms.list_grants(KeyId=key)["Grants"] == []
    # and back on, with the AWS-owned key
    owned = {"KeyType": "AWS_OWNED_CMK"}
    cfn.update_stack(
        StackName="web",
        TemplateBody=two_keys(None, DeliveryStreamEncryptionConfigurationInput=owned),
    )
    assert statuses(cfn, "web", 2) == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert sse(firehose, "web") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}


def test_an_update_of_the_tags_alone_makes_no_encryption_call(
    cfn: Any, firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    firehose_sse.configure(max_encryption_changes_per_day=2)
    tagged = [{"Key": "team", "Value": "data"}]
    # A stream fed by a Kinesis stream has no encryption block: the update is over at once
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="source", ShardCount=1)
    source_arn = kinesis.describe_stream(StreamName="source")["StreamDescription"]["StreamARN"]
    fed = {
        "DeliveryStreamType": "KinesisStreamAsSource",
        "KinesisStreamSourceConfiguration": {"KinesisStreamARN": source_arn, "RoleARN": ROLE_ARN},
    }
    cfn.create_stack(StackName="fed", TemplateBody=template(Stream=stream(key=None, **fed)))
    assert status(cfn, "fed") == "CREATE_COMPLETE"
    fed_tagged = template(Stream=stream(key=None, Tags=tagged, **fed))
    cfn.update_stack(StackName="fed", TemplateBody=fed_tagged)
    assert status(cfn, "fed") == "UPDATE_COMPLETE"
    name = outputs(cfn, "fed")["Name"]
    assert "DeliveryStreamEncryptionConfiguration" not in description(firehose, name)
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"]
    assert tags == tagged
    # A stream whose encryption the template removed: no second Stop is counted
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=two_keys(None))  # the first change
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=two_keys(None, Tags=tagged))
    assert status(cfn, "web") == "UPDATE_COMPLETE"
    assert sse(firehose, "web") == {"Status": "DISABLED"}
    owned = {"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"}}
    firehose.start_delivery_stream_encryption(DeliveryStreamName="web", **owned)  # the second
    assert [sse(firehose, "web")["Status"] for _ in range(2)] == ["ENABLING", "ENABLED"]  # type: ignore[index]
    with pytest.raises(firehose.exceptions.LimitExceededException):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="web")


def test_a_stop_that_fails_fails_the_update(
    cfn: Any, firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    firehose_sse.fail_next_disable("KMS_ACCESS_DENIED", "the grant could not be retired")
    cfn.update_stack(StackName="web", TemplateBody=two_keys(None), DisableRollback=True)
    assert statuses(cfn, "web", 2) == ["UPDATE_IN_PROGRESS", "UPDATE_FAILED"]
    state, message, code = failure(cfn, "web")
    assert (state, code) == ("UPDATE_FAILED", "InvalidRequest")
    assert message == (
        "Unable to stop delivery stream encryption. "
        "KMS_ACCESS_DENIED: the grant could not be retired"
    )
    assert sse(firehose, "web")["Status"] == "DISABLING_FAILED"  # type: ignore[index]


def test_an_update_of_a_stream_busy_with_another_change_is_a_conflict(
    cfn: Any, firehose: Any
) -> None:
    """Start or Stop refused with ResourceInUseException fails the update as a conflict."""
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 20})
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="web")  # DISABLING, out of band
    cfn.update_stack(StackName="web", TemplateBody=two_keys("Key2"), DisableRollback=True)
    assert status(cfn, "web") == "UPDATE_FAILED"  # Start refused at once
    state, message, code = failure(cfn, "web")
    assert (state, code) == ("UPDATE_FAILED", "ResourceConflict")
    assert "DISABLING" in message, message


def test_an_update_of_a_stream_deleted_meanwhile_is_not_found(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "immediate"})
    firehose.delete_delivery_stream(DeliveryStreamName="web")
    cfn.update_stack(StackName="web", TemplateBody=two_keys("Key2"), DisableRollback=True)
    assert statuses(cfn, "web", 1) == ["UPDATE_FAILED"]
    assert failure(cfn, "web")[1:] == (
        f"Firehose web under account {ACCOUNT} not found.",
        "NotFound",
    )


def test_a_stream_deleted_while_the_update_waits_is_not_found(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 3})
    cfn.update_stack(StackName="web", TemplateBody=two_keys("Key2"), DisableRollback=True)
    assert status(cfn, "web") == "UPDATE_IN_PROGRESS"  # waiting for ENABLED
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "immediate"})
    firehose.delete_delivery_stream(DeliveryStreamName="web")
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_FAILED"
    assert failure(cfn, "web")[1:] == ("Firehose web not found.", "NotFound")


def test_an_update_that_leaves_the_key_alone_calls_nothing(
    cfn: Any, firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    version = description(firehose, "web")["VersionId"]
    events_before = firehose_sse.key_events("web")
    cfn.update_stack(StackName="web", TemplateBody=two_keys(Tags=[{"Key": "team", "Value": "x"}]))
    assert status(cfn, "web") == "UPDATE_COMPLETE"
    assert sse(firehose, "web")["Status"] == "ENABLED"  # type: ignore[index]
    assert description(firehose, "web")["VersionId"] == version  # no UpdateDestination
    assert firehose_sse.key_events("web") == events_before  # no Start: no KMS call
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName="web")["Tags"]
    assert tags == [{"Key": "team", "Value": "x"}]
    cfn.update_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "UPDATE_COMPLETE"
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName="web")["Tags"] == []


def test_a_hostile_update_fails_and_leaves_the_stream(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=two_keys(Bogus=[1]))
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_ROLLBACK_COMPLETE"
    failed = [r for s, r in resource_events(cfn, "web") if s == "UPDATE_FAILED"]
    assert failed == [
        "Properties validation failed for resource Stream with message: "
        "[#: extraneous key [Bogus] is not permitted]"
    ]
    assert sse(firehose, "web")["Status"] == "ENABLED"  # type: ignore[index]


def test_a_stack_left_by_a_failed_update_still_deletes_its_stream(cfn: Any, firehose: Any) -> None:
    """With DisableRollback the failed update's resource stays in the stack; deleting the
    stack deletes the stream that resource stands for."""
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=two_keys(Bogus=[1]), DisableRollback=True)
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_FAILED"
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="web")
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(3)]
    assert seen[-1] == "DELETE_COMPLETE", seen
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


REPLACING = "Requested update requires the creation of a new physical resource; hence creating one."


def test_a_new_name_replaces_the_stream(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="first")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    created = len(events(cfn, "web"))
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=stream(name="second")))
    found = statuses(cfn, "web", 3)
    assert found[0] in ("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    assert found[-1] == "UPDATE_COMPLETE"
    assert outputs(cfn, "web")["Name"] == "second"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["second"]
    assert sse(firehose, "second")["Status"] == "ENABLED"  # type: ignore[index]
    # as CloudFormation shows a replacement: an UPDATE of the resource, then the old one's cleanup
    assert [(i, s, r) for i, s, r in events(cfn, "web")[created:]] == [
        ("web", "UPDATE_IN_PROGRESS", "User Initiated"),
        ("Stream", "UPDATE_IN_PROGRESS", ""),
        ("Stream", "UPDATE_IN_PROGRESS", REPLACING),
        ("Stream", "UPDATE_COMPLETE", ""),
        ("web", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", ""),
        ("Stream", "DELETE_IN_PROGRESS", ""),
        ("Stream", "DELETE_COMPLETE", ""),
        ("web", "UPDATE_COMPLETE", ""),
    ]
    # the old stream's name until the new one is made, then the old one's deletion
    assert physical_ids(cfn, "web")[2:] == [
        ("UPDATE_IN_PROGRESS", "first"),
        ("UPDATE_IN_PROGRESS", "first"),
        ("UPDATE_COMPLETE", "second"),
        ("DELETE_IN_PROGRESS", "first"),
        ("DELETE_COMPLETE", "first"),
    ]


def test_a_replaced_stream_that_can_not_be_deleted_is_left(
    cfn: Any, firehose: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on AWS, a clean-up that fails leaves the old resource and the update complete."""
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="first")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    created = len(events(cfn, "web"))

    def broken(*args: Any) -> None:  # moto's own removal of the stream
        raise RuntimeError("injected")

    monkeypatch.setattr(FirehoseBackend, "delete_delivery_stream", broken)
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=stream(name="second")))
    assert statuses(cfn, "web", 4)[-1] == "UPDATE_COMPLETE"
    assert [(i, s) for i, s, _ in events(cfn, "web")[created:]][-4:] == [
        ("web", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
        ("Stream", "DELETE_IN_PROGRESS"),
        ("Stream", "DELETE_FAILED"),
        ("web", "UPDATE_COMPLETE"),
    ]
    assert outputs(cfn, "web")["Name"] == "second"
    assert description(firehose, "first")["DeliveryStreamStatus"] == "DELETING_FAILED"


def test_a_stream_an_update_adds_that_fails_to_create(cfn: Any, firehose: Any) -> None:
    disabled = template_key(enabled=False)
    cfn.create_stack(StackName="web", TemplateBody=template(Key2=disabled, Stream=None))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    added = template(Key2=disabled, Stream=stream(key="Key2", name="added"))
    cfn.update_stack(StackName="web", TemplateBody=added)
    assert statuses(cfn, "web", 3) == ["UPDATE_ROLLBACK_IN_PROGRESS"] * 2 + [
        "UPDATE_ROLLBACK_COMPLETE"
    ]
    assert [
        r for i, s, r in events(cfn, "web") if i == "web" and s == "UPDATE_ROLLBACK_IN_PROGRESS"
    ] == ["The following resource(s) failed to create: [Stream]. "]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_the_replacement_updates_in_place_afterwards(cfn: Any, firehose: Any, kms: Any) -> None:
    """The replacement keeps its template properties: a later key change is made in place."""
    body = template(Key2=template_key(), Stream=stream(name="first"))
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(
        StackName="web", TemplateBody=template(Key2=template_key(), Stream=stream(name="second"))
    )
    assert statuses(cfn, "web", 3)[-1] == "UPDATE_COMPLETE"
    arn = outputs(cfn, "web")["Arn"]
    moved = template(Key2=template_key(), Stream=stream(key="Key2", name="second"))
    cfn.update_stack(StackName="web", TemplateBody=moved)
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_COMPLETE"
    assert outputs(cfn, "web")["Arn"] == arn  # not replaced again
    assert sse(firehose, "second")["KeyARN"] == key_arn(cfn, "web", "Key2")  # type: ignore[index]


def test_a_replacement_onto_a_taken_name_already_exists(cfn: Any, firehose: Any) -> None:
    create_stream(firehose, "taken")
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(key=None, name="first")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=stream(key=None, name="taken")))
    assert statuses(cfn, "web", 3)[-1] == "UPDATE_ROLLBACK_COMPLETE"
    state, _, code = failure(cfn, "web")
    assert (state, code) == ("UPDATE_FAILED", "AlreadyExists")
    assert [
        r for i, s, r in events(cfn, "web") if i == "web" and s == "UPDATE_ROLLBACK_IN_PROGRESS"
    ] == ["The following resource(s) failed to update: [Stream]. "]
    assert sorted(firehose.list_delivery_streams()["DeliveryStreamNames"]) == ["first", "taken"]
    assert outputs(cfn, "web")["Name"] == "first"
    # Nothing new was made: the update's events name the stream the resource still is
    assert physical_ids(cfn, "web")[2:] == [
        ("UPDATE_IN_PROGRESS", "first"),
        ("UPDATE_IN_PROGRESS", "first"),
        ("UPDATE_FAILED", "first"),
    ]


def test_deleting_a_stack_whose_replacement_failed_deletes_the_old_stream(
    cfn: Any, firehose: Any
) -> None:
    create_stream(firehose, "taken")
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(key=None, name="first")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    replaced = template(Stream=stream(key=None, name="taken"))
    cfn.update_stack(StackName="web", TemplateBody=replaced, DisableRollback=True)
    assert status(cfn, "web") == "UPDATE_FAILED"
    assert outputs(cfn, "web") == {
        "Name": "first",
        "Arn": f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/first",
    }
    assert physical_id(cfn, "web", "Stream") == "first"
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="web")
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(3)]
    assert seen[-1] == "DELETE_COMPLETE", seen
    # the stream the resource still was is deleted; the stream it could not take is not
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["taken"]
    assert physical_ids(cfn, stack_id)[-2:] == [
        ("DELETE_IN_PROGRESS", "first"),
        ("DELETE_COMPLETE", "first"),
    ]


def test_a_new_type_replaces_a_generated_name(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(key=None)))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    before = outputs(cfn, "web")["Name"]
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="source", ShardCount=1)
    source_arn = kinesis.describe_stream(StreamName="source")["StreamDescription"]["StreamARN"]
    fed = stream(
        key=None,
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": source_arn, "RoleARN": ROLE_ARN},
    )
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=fed))
    assert statuses(cfn, "web", 3)[-1] == "UPDATE_COMPLETE"
    after = outputs(cfn, "web")["Name"]
    assert after != before and re.fullmatch(r"web-Stream-[A-Za-z0-9]{12}", after)
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == [after]


def test_a_custom_name_can_not_be_replaced(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(key=None, name="fixed")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    replaced = stream(key=None, name="fixed", DeliveryStreamType="KinesisStreamAsSource")
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=replaced))
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_ROLLBACK_COMPLETE"
    state, message, code = failure(cfn, "web")
    assert (state, code) == ("UPDATE_FAILED", "InvalidRequest")
    assert message == (
        "CloudFormation cannot update a stack when a custom-named resource requires "
        "replacing. Rename fixed and update the stack again."
    )
    assert description(firehose, "fixed")["DeliveryStreamType"] == "DirectPut"


def test_a_stream_added_by_an_update(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=None))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=stream(name="added")))
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_COMPLETE"
    assert sse(firehose, "added")["Status"] == "ENABLED"  # type: ignore[index]
    cfn.update_stack(StackName="web", TemplateBody=template(Stream=None))
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_COMPLETE"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


# Delete (rule 43) --------------------------------------------------------------------------


def test_delete_waits_until_the_stream_is_gone(cfn: Any, firehose: Any, kms: Any) -> None:
    retained = dict(template_key(), DeletionPolicy="Retain")  # as CDK's keys are
    body = template(Key=retained, Stream=stream(name="web"))
    cfn.create_stack(StackName="web", TemplateBody=body)
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    key = key_arn(cfn, "web")
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "manual", "times": 2})
    cfn.delete_stack(StackName="web")
    assert status(cfn, "web") == "DELETE_IN_PROGRESS"  # found by name while deleting
    assert description(firehose, "web")["DeliveryStreamStatus"] == "DELETING"
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(ClientError) as raised:
        cfn.describe_stacks(StackName="web")
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert kms.list_grants(KeyId=key)["Grants"] == []
    assert resource_events(cfn, stack_id)[-2:] == [
        ("DELETE_IN_PROGRESS", ""),
        ("DELETE_COMPLETE", ""),
    ]
    assert [s for i, s, _ in events(cfn, stack_id) if i == "web"][-2:] == [
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
    ]


def test_reading_a_stack_being_deleted_makes_nothing_again(cfn: Any, firehose: Any) -> None:
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}}
    body = template(Stream=stream(key=None, name="web"), Queue=queue, Key=None)
    cfn.create_stack(StackName="web", TemplateBody=body)
    assert outputs(cfn, "web")["Name"] == "web"
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "manual", "times": 2})
    cfn.delete_stack(StackName="web")
    found = cfn.describe_stacks(StackName="web")["Stacks"][0]
    assert found["StackStatus"] == "DELETE_IN_PROGRESS"
    assert "Outputs" not in found
    # reading the stack's resources while it is deleted makes nothing again
    listed = cfn.describe_stack_resources(StackName="web")["StackResources"]
    assert {r["LogicalResourceId"] for r in listed} <= {"Stream"}
    assert client("sqs").list_queues().get("QueueUrls", []) == []
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_delete_forces_past_a_grant_it_can_not_retire(
    cfn: Any, firehose: Any, kms: Any, firehose_sse: FirehoseSSE
) -> None:
    """AWS's handler deletes with AllowForceDelete: a grant it can't retire stays behind."""
    retained = dict(template_key(), DeletionPolicy="Retain")
    cfn.create_stack(
        StackName="web", TemplateBody=template(Key=retained, Stream=stream(name="web"))
    )
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    key = key_arn(cfn, "web")
    firehose_sse.fail_next_delete(stream_name="web")
    cfn.delete_stack(StackName="web")
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(3)]
    assert seen == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_COMPLETE"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert [g["Name"] for g in kms.list_grants(KeyId=key)["Grants"]] == ["firehose-sse-web"]


def test_a_deletion_that_fails_even_forced_fails_the_stack_delete(
    cfn: Any, firehose: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="web")))
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]

    def broken(*args: Any) -> None:  # moto's own removal of the stream
        raise RuntimeError("injected")

    monkeypatch.setattr(FirehoseBackend, "delete_delivery_stream", broken)
    cfn.delete_stack(StackName="web")
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(3)]
    assert seen == ["DELETE_IN_PROGRESS", "DELETE_FAILED", "DELETE_FAILED"]
    state, message, code = failure(cfn, stack_id)
    assert (state, code) == ("DELETE_FAILED", "ServiceInternalError")
    assert message.startswith("Unable to delete delivery stream web. UNKNOWN_ERROR: ")
    assert description(firehose, "web")["DeliveryStreamStatus"] == "DELETING_FAILED"
    assert status(cfn, "web") == "DELETE_FAILED"  # still listed: found by its name
    assert [e for e in events(cfn, stack_id) if e[0] == "web"][-1] == (
        "web",
        "DELETE_FAILED",
        "The following resource(s) failed to delete: [Stream]. ",
    )
    listed = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackId"] == stack_id]
    assert [s["StackStatus"] for s in listed] == ["DELETE_FAILED"]


def test_a_rollback_that_can_not_delete_a_stream_fails(
    cfn: Any, firehose: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B's key is disabled; deleting A in the rollback fails: ROLLBACK_FAILED, A left."""
    body = template(
        Key3=template_key(False), Stream=None, A=stream(name="a"), B=stream("Key3", "b")
    )
    real = FirehoseBackend.delete_delivery_stream

    def broken(self: Any, name: str, *args: Any) -> None:  # moto's own removal of A
        if name == "a":
            raise RuntimeError("injected")
        real(self, name, *args)

    monkeypatch.setattr(FirehoseBackend, "delete_delivery_stream", broken)
    cfn.create_stack(StackName="web", TemplateBody=body)
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(4)]
    assert seen[-1] == "ROLLBACK_FAILED", seen
    assert [e for e in events(cfn, stack_id) if e[0] == "web"][-1] == (
        "web",
        "ROLLBACK_FAILED",
        "The following resource(s) failed to delete: [A]. ",
    )
    assert [s for s, _ in resource_events(cfn, stack_id, "A")][-1] == "DELETE_FAILED"
    assert [s for s, _ in resource_events(cfn, stack_id, "B")][-1] == "DELETE_COMPLETE"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["a"]


def test_delete_of_a_stream_deleted_meanwhile(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="web")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "immediate"})
    firehose.delete_delivery_stream(DeliveryStreamName="web")
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="web")
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


# Change sets (what the CDK CLI uses) -----------------------------------------------------


def test_change_sets_create_and_update(cfn: Any, firehose: Any) -> None:
    cfn.create_change_set(
        StackName="web",
        ChangeSetName="one",
        ChangeSetType="CREATE",
        TemplateBody=two_keys(enabled2=False),
    )
    cfn.execute_change_set(StackName="web", ChangeSetName="one")
    assert statuses(cfn, "web", 2) == ["CREATE_COMPLETE"] * 2
    assert sse(firehose, "web")["Status"] == "ENABLED"  # type: ignore[index]
    cfn.create_change_set(
        StackName="web",
        ChangeSetName="two",
        ChangeSetType="UPDATE",
        TemplateBody=two_keys("Key2", enabled2=False),
    )
    cfn.execute_change_set(StackName="web", ChangeSetName="two")
    assert statuses(cfn, "web", 4)[-1] == "UPDATE_ROLLBACK_COMPLETE"
    assert failure(cfn, "web")[0] == "UPDATE_FAILED"


def test_a_failed_change_set_create_rolls_back(cfn: Any, firehose: Any) -> None:
    cfn.create_change_set(
        StackName="web",
        ChangeSetName="one",
        ChangeSetType="CREATE",
        TemplateBody=two_keys("Key2", enabled2=False),
    )
    cfn.execute_change_set(StackName="web", ChangeSetName="one")
    assert statuses(cfn, "web", 3)[-1] == "ROLLBACK_COMPLETE"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


# Plain moto after exit -----------------------------------------------------------------


def test_plain_moto_after_the_context_manager_and_the_decorator() -> None:
    with mock_firehose_sse():
        cfn = client("cloudformation")
        cfn.create_stack(StackName="web", TemplateBody=template())
        assert status(cfn, "web") == "CREATE_COMPLETE"
    assert_plain_cloudformation()

    @mock_firehose_sse
    def decorated() -> None:
        cfn = client("cloudformation")
        cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="d")))
        assert status(cfn, "web") == "CREATE_COMPLETE"
        assert client("firehose").list_delivery_streams()["DeliveryStreamNames"] == ["d"]

    decorated()
    assert_plain_cloudformation()


def test_nested_mocks_keep_the_model_until_the_outermost_exits() -> None:
    with mock_firehose_sse():
        with mock_firehose_sse():
            pass
        cfn = client("cloudformation")
        cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="n")))
        assert status(cfn, "web") == "CREATE_COMPLETE"
    assert_plain_cloudformation()


def test_the_session_switch_wires_cloudformation_into_every_mock_aws() -> None:
    wiring.enable_session("strict")
    try:
        with moto.mock_aws():
            cfn = client("cloudformation")
            cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="s")))
            assert status(cfn, "web") == "CREATE_COMPLETE"
            assert sse(client("firehose"), "s")["Status"] == "ENABLED"  # type: ignore[index]
    finally:
        wiring.disable_session()
    assert_plain_cloudformation()


def test_exit_with_a_stack_still_in_progress() -> None:
    with mock_firehose_sse():
        state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "manual", "times": 5})
        try:
            cfn = client("cloudformation")
            cfn.create_stack(StackName="web", TemplateBody=template())
        finally:
            state_manager.unset_transition(CREATION_MODEL_NAME)
    assert_plain_cloudformation()


def test_a_changed_destination_goes_through_update_destination(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    arn = outputs(cfn, "web")["Arn"]
    hinted = {**S3, "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 120}}
    cfn.update_stack(
        StackName="web", TemplateBody=two_keys(ExtendedS3DestinationConfiguration=hinted)
    )
    assert status(cfn, "web") == "UPDATE_COMPLETE"
    assert outputs(cfn, "web")["Arn"] == arn
    found = description(firehose, "web")
    destination = found["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert destination["BufferingHints"] == {"SizeInMBs": 64, "IntervalInSeconds": 120}
    assert found["DeliveryStreamEncryptionConfiguration"]["Status"] == "ENABLED"


def test_a_changed_snowflake_destination_goes_through_update_destination(
    cfn: Any, firehose: Any
) -> None:
    """moto takes Snowflake's update under the create member's name."""
    snowflake = DESTINATIONS["SnowflakeDestinationConfiguration"]

    def body(table: str) -> str:
        return template(
            Stream={
                "Type": STREAM_TYPE,
                "Properties": {
                    "DeliveryStreamName": "dest",
                    "SnowflakeDestinationConfiguration": {**snowflake, "Table": table},
                },
            }
        )

    cfn.create_stack(StackName="web", TemplateBody=body("orders"))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="web", TemplateBody=body("refunds"))
    assert status(cfn, "web") == "UPDATE_COMPLETE", events(cfn, "web")
    found = description(firehose, "dest")["Destinations"][0]
    assert found["SnowflakeDestinationDescription"]["Table"] == "refunds"


@pytest.mark.parametrize("properties", [7, None, ["x"]])
def test_an_update_to_properties_that_are_not_an_object(
    cfn: Any, firehose: Any, properties: Any
) -> None:
    cfn.create_stack(StackName="web", TemplateBody=two_keys())
    assert status(cfn, "web") == "CREATE_COMPLETE"
    body = json.loads(two_keys())
    body["Resources"]["Stream"]["Properties"] = properties
    cfn.update_stack(StackName="web", TemplateBody=json.dumps(body))
    assert statuses(cfn, "web", 2)[-1] == "UPDATE_ROLLBACK_COMPLETE"
    failed = [r for s, r in resource_events(cfn, "web") if s == "UPDATE_FAILED"]
    assert failed and failed[0].startswith("Properties validation failed for resource Stream")
    assert sse(firehose, "web")["Status"] == "ENABLED"  # type: ignore[index]


def test_a_generated_name_fits_firehose_limit(cfn: Any, firehose: Any) -> None:
    stack = "a-very-long-stack-name-" + "x" * 80
    body = json.dumps({"Resources": {"AnEquallyLongLogicalIdForTheStream": stream(key=None)}})
    cfn.create_stack(StackName=stack, TemplateBody=body)
    assert status(cfn, stack) == "CREATE_COMPLETE"
    (name,) = firehose.list_delivery_streams()["DeliveryStreamNames"]
    assert len(name) == 64 and name.startswith(stack[:51] + "-"), name
    assert re.fullmatch(r"[a-zA-Z0-9_.-]{64}", name)


def test_time_transitions_keep_the_stack_waiting_until_the_clock_moves(
    cfn: Any, firehose: Any
) -> None:
    with freeze_time("2026-05-01 12:00:00") as frozen:
        state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "time", "seconds": 60})
        state_manager.set_transition(MODEL_NAME, {"progression": "time", "seconds": 30})
        cfn.create_stack(StackName="web", TemplateBody=two_keys())
        assert statuses(cfn, "web", 3) == ["CREATE_IN_PROGRESS"] * 3  # reads alone don't move it
        frozen.tick(61)
        assert status(cfn, "web") == "CREATE_COMPLETE"
        cfn.update_stack(StackName="web", TemplateBody=two_keys(None))
        assert statuses(cfn, "web", 2) == ["UPDATE_IN_PROGRESS"] * 2
        frozen.tick(31)
        assert status(cfn, "web") == "UPDATE_COMPLETE"
        assert sse(firehose, "web") == {"Status": "DISABLED"}


def test_a_rollback_waits_for_a_stream_still_creating(cfn: Any, firehose: Any) -> None:
    state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "manual", "times": 2})
    body = template(
        Key2=template_key(False), Good=stream(name="good"), Stream=stream(key="Key2", name="bad")
    )
    cfn.create_stack(StackName="web", TemplateBody=body)
    seen = statuses(cfn, "web", 8)
    assert seen[0] == "CREATE_IN_PROGRESS" and seen[-1] == "ROLLBACK_COMPLETE", seen
    assert "ROLLBACK_IN_PROGRESS" in seen
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert failure(cfn, "web")[0] == "CREATE_FAILED"
    assert resource_events(cfn, "web", "Good")[-1] == ("DELETE_COMPLETE", "")


def test_a_stack_delete_forces_a_deletion_someone_else_started(
    cfn: Any, firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    """The handler's forced Delete makes a deletion under way forced (rule 31): one that
    would end DELETING_FAILED goes through."""
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="web")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "manual", "times": 2})
    firehose_sse.fail_next_delete("KMS_ACCESS_DENIED", "the grant could not be retired")
    firehose.delete_delivery_stream(DeliveryStreamName="web")  # DELETING, not forced
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="web")
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(4)]
    assert seen[-1] == "DELETE_COMPLETE", seen
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert "DELETE_FAILED" not in [s for s, _ in resource_events(cfn, stack_id)]


def test_a_stream_deleted_while_the_stack_deletes_it(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="web")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "manual", "times": 3})
    firehose.delete_delivery_stream(DeliveryStreamName="web")  # DELETING
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="web")
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(4)]
    assert seen[-1] == "DELETE_COMPLETE", seen
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_a_stack_deleted_while_its_stream_is_creating_waits_to_delete_it(
    cfn: Any, firehose: Any
) -> None:
    """Delete is refused while CREATING: the handler waits for ACTIVE, then deletes."""
    state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "manual", "times": 3})
    stack_id = cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="web")))[
        "StackId"
    ]
    cfn.delete_stack(StackName="web")
    seen = [cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] for _ in range(5)]
    assert seen[0] == "DELETE_IN_PROGRESS" and seen[-1] == "DELETE_COMPLETE", seen
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert resource_events(cfn, stack_id)[-2:] == [
        ("DELETE_IN_PROGRESS", ""),
        ("DELETE_COMPLETE", ""),
    ]
    assert "DELETE_FAILED" not in [s for s, _ in resource_events(cfn, stack_id)]


def test_a_stack_being_deleted_is_listed_once(cfn: Any, firehose: Any) -> None:
    cfn.create_stack(StackName="web", TemplateBody=template(Stream=stream(name="web")))
    assert status(cfn, "web") == "CREATE_COMPLETE"
    stack_id = cfn.describe_stacks(StackName="web")["Stacks"][0]["StackId"]
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "manual", "times": 5})
    cfn.delete_stack(StackName="web")
    listed = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackId"] == stack_id]
    assert [s["StackStatus"] for s in listed] == ["DELETE_IN_PROGRESS"]
    while status(cfn, stack_id) == "DELETE_IN_PROGRESS":
        pass
    listed = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackId"] == stack_id]
    assert [s["StackStatus"] for s in listed] == ["DELETE_COMPLETE"]
