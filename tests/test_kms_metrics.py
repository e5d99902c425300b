"""Firehose's KMS metrics (rule 47): each put refused because of the customer key puts 1 (Count)
into moto's CloudWatch, namespace AWS/Firehose, dimension DeliveryStreamName, at the mock's time.

Read through boto3's CloudWatch client: get_metric_statistics, get_metric_data, list_metrics,
in-process (under freezegun and time-machine) and over HTTP.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

import freezegun
import pytest
import time_machine
from moto.core import set_initial_no_auth_action_count
from moto.kms.models import kms_backends

from moto_firehose_sse import FirehoseSSE, ThreadedFirehoseSSEServer, mock_firehose_sse

from .helpers import ACCOUNT, REGION, client, create_kinesis_sourced_stream, create_stream, settle
from .kms_helpers import OTHER_ACCOUNT, cmk, grants, key_policy, other_account_client, start
from .moto_bugs import CLOUDWATCH_UNREADABLE, CLOUDWATCH_UNREADABLE_SKIP
from .server_helpers import remote

NAMESPACE = "AWS/Firehose"
START = datetime.datetime(2030, 3, 1, 9, 0, 0, tzinfo=datetime.timezone.utc)
HOUR = datetime.timedelta(hours=1)
# Every test reads moto's CloudWatch through boto3 (those that find nothing skip where it
# can't be read).
pytestmark = CLOUDWATCH_UNREADABLE

METRICS = ("KMSKeyAccessDenied", "KMSKeyDisabled", "KMSKeyInvalidState", "KMSKeyNotFound")


def dimension(stream: str) -> list[dict[str, str]]:
    return [{"Name": "DeliveryStreamName", "Value": stream}]


def statistics(
    cloudwatch: Any, metric: str, stream: str, around: datetime.datetime = START
) -> list[dict[str, Any]]:
    """The datapoints of ``metric`` for ``stream`` within an hour of ``around``, per minute."""
    return list(
        cloudwatch.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName=metric,
            Dimensions=dimension(stream),
            StartTime=around - HOUR,
            EndTime=around + HOUR,
            Period=60,
            Statistics=["Sum", "SampleCount"],
        ).get("Datapoints", [])
    )


def metric_data(
    cloudwatch: Any, metric: str, stream: str, around: datetime.datetime
) -> list[float]:
    query = {
        "Id": "refused",
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": metric,
                "Dimensions": dimension(stream),
            },
            "Period": 3600,
            "Stat": "Sum",
        },
    }
    (result,) = cloudwatch.get_metric_data(
        MetricDataQueries=[query], StartTime=around - HOUR, EndTime=around + HOUR
    )["MetricDataResults"]
    return list(result["Values"])


def listed(cloudwatch: Any) -> list[tuple[str, str]]:
    """(metric, stream) of every metric in AWS/Firehose."""
    return sorted(
        (m["MetricName"], m["Dimensions"][0]["Value"])
        for m in cloudwatch.list_metrics(Namespace=NAMESPACE).get(
            "Metrics", []
        )  # moto 5.0 omits an empty list
    )


def refuse_two_puts(firehose: Any, stream: str) -> None:
    """One PutRecord and one PutRecordBatch, both refused because of the key."""
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        firehose.put_record(DeliveryStreamName=stream, Record={"Data": b"x"})
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        firehose.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": b"x"}] * 5)


# The causes -------------------------------------------------------------------------------------


def disable(kms: Any, key: dict[str, Any]) -> None:
    kms.disable_key(KeyId=key["KeyId"])


def schedule_deletion(kms: Any, key: dict[str, Any]) -> None:
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)


def delete(kms: Any, key: dict[str, Any]) -> None:
    kms_backends[ACCOUNT][REGION].delete_key(key["KeyId"])  # KMS deletes it when the window ends


def deny_data_keys(kms: Any, key: dict[str, Any]) -> None:
    deny = {
        "Effect": "Deny",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
    }
    document = key_policy(ACCOUNT, deny)
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=document)


def allow_only_the_enable(kms: Any, key: dict[str, Any]) -> None:
    """A key policy that lets the account enable Firehose but not produce (rule 37)."""
    allow = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["kms:DescribeKey", "kms:CreateGrant", "kms:PutKeyPolicy"],
        "Resource": "*",
    }
    document = json.dumps({"Version": "2012-10-17", "Statement": [allow]})
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=document)


def revoke_grant(kms: Any, key: dict[str, Any]) -> None:
    (grant,) = grants(kms, key["KeyId"])
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])


CAUSES = pytest.mark.parametrize(
    ("spoil", "metric"),
    [
        (disable, "KMSKeyDisabled"),
        (schedule_deletion, "KMSKeyInvalidState"),
        (delete, "KMSKeyNotFound"),
        (deny_data_keys, "KMSKeyAccessDenied"),
        (allow_only_the_enable, "KMSKeyAccessDenied"),
        (revoke_grant, "KMSKeyAccessDenied"),
    ],
    ids=[
        "disabled",
        "pending-deletion",
        "deleted",
        "key-policy-deny",
        "producer-rule",
        "revoked-grant",
    ],
)


@contextlib.contextmanager
def frozen(clock: str, when: datetime.datetime = START) -> Iterator[Callable[[float], None]]:
    """The clock frozen at ``when``; yields a function that moves it on (seconds)."""
    if clock == "freezegun":
        with freezegun.freeze_time(when) as traveller:
            yield lambda seconds: traveller.tick(seconds)
    else:
        with time_machine.travel(when, tick=False) as traveller:
            yield lambda seconds: traveller.shift(seconds)


CLOCKS = pytest.mark.parametrize("clock", ["freezegun", "time-machine"])


@CAUSES
@CLOCKS
def test_each_cause_publishes_its_metric_at_the_mock_time(
    clock: str, spoil: Callable[[Any, dict[str, Any]], None], metric: str
) -> None:
    with frozen(clock) as tick, mock_firehose_sse():
        firehose, kms, cloudwatch = client("firehose"), client("kms"), client("cloudwatch")
        key = kms.create_key()["KeyMetadata"]
        create_stream(
            firehose, "orders", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"])
        )
        assert firehose.put_record(DeliveryStreamName="orders", Record={"Data": b"x"})["Encrypted"]
        assert listed(cloudwatch) == []  # a healthy put publishes nothing
        spoil(kms, key)
        tick(30)
        refuse_two_puts(firehose, "orders")

        assert listed(cloudwatch) == [(metric, "orders")]
        (point,) = statistics(cloudwatch, metric, "orders")
        assert point["Timestamp"] == START + datetime.timedelta(seconds=30)
        assert (point["Sum"], point["SampleCount"], point["Unit"]) == (2.0, 2.0, "Count")
        assert metric_data(cloudwatch, metric, "orders", START) == [2.0]
        for other in set(METRICS) - {metric}:
            assert statistics(cloudwatch, other, "orders") == []
        # Not at the real time: nothing in the hours around it.
        assert statistics(cloudwatch, metric, "orders", around=datetime.datetime(2020, 1, 1)) == []


@CLOCKS
def test_refusals_at_other_times_are_other_datapoints(clock: str) -> None:
    with frozen(clock) as tick, mock_firehose_sse():
        firehose, kms, cloudwatch = client("firehose"), client("kms"), client("cloudwatch")
        key = kms.create_key()["KeyMetadata"]
        create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
        disable(kms, key)
        refuse_two_puts(firehose, "s")
        tick(600)
        refuse_two_puts(firehose, "s")
        refuse_two_puts(firehose, "s")
        points = sorted(statistics(cloudwatch, "KMSKeyDisabled", "s"), key=lambda p: p["Timestamp"])
        assert [(p["Timestamp"], p["Sum"]) for p in points] == [
            (START, 2.0),
            (START + datetime.timedelta(minutes=10), 4.0),
        ]


@CLOCKS
def test_a_caller_iam_refuses_is_access_denied(clock: str) -> None:
    with frozen(clock), mock_firehose_sse():
        firehose, kms, cloudwatch = client("firehose"), client("kms"), client("cloudwatch")
        iam = client("iam")
        iam.create_user(UserName="producer")
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}],
        }
        iam.put_user_policy(
            UserName="producer", PolicyName="p", PolicyDocument=json.dumps(document)
        )
        access = iam.create_access_key(UserName="producer")["AccessKey"]
        key = kms.create_key()["KeyMetadata"]
        create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))

        @set_initial_no_auth_action_count(0)
        def as_the_producer() -> None:
            producer = client(
                "firehose",
                aws_access_key_id=access["AccessKeyId"],
                aws_secret_access_key=access["SecretAccessKey"],
            )
            refuse_two_puts(producer, "s")

        as_the_producer()
        (point,) = statistics(cloudwatch, "KMSKeyAccessDenied", "s")
        assert (point["Timestamp"], point["Sum"]) == (START, 2.0)


# No metric --------------------------------------------------------------------------------------


@CLOUDWATCH_UNREADABLE_SKIP
def test_healthy_streams_and_aws_owned_keys_publish_nothing(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.set_transition({"progression": "immediate"})
    firehose, kms, cloudwatch = client("firehose"), client("kms"), client("cloudwatch")
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "cmk", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    create_stream(
        firehose, "owned", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    create_stream(firehose, "plain")
    for name in ("cmk", "owned", "plain"):
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
        firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}] * 3)
    assert listed(cloudwatch) == []
    assert cloudwatch.list_metrics().get("Metrics", []) == []


@CLOUDWATCH_UNREADABLE_SKIP
def test_a_failed_enable_publishes_nothing(firehose_sse: FirehoseSSE) -> None:
    firehose, kms, cloudwatch = client("firehose"), client("kms"), client("cloudwatch")
    key = kms.create_key()["KeyMetadata"]
    disable(kms, key)
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    assert settle(firehose, "s")["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"
    assert firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["Encrypted"] is False
    assert listed(cloudwatch) == []


@CLOUDWATCH_UNREADABLE_SKIP
def test_puts_refused_for_other_reasons_publish_nothing(firehose_sse: FirehoseSSE) -> None:
    firehose, cloudwatch = client("firehose"), client("cloudwatch")
    create_kinesis_sourced_stream(firehose, "fed")
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.put_record(DeliveryStreamName="none", Record={"Data": b"x"})
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        firehose.put_record_batch(DeliveryStreamName="fed", Records=[{"Data": b"x"}])
    assert listed(cloudwatch) == []


# Where the metric goes ----------------------------------------------------------------------------


def test_the_metric_goes_to_the_streams_account_and_region(firehose_sse: FirehoseSSE) -> None:
    west = {service: client(service, "eu-west-1") for service in ("firehose", "kms", "cloudwatch")}
    key = west["kms"].create_key()["KeyMetadata"]
    create_stream(west["firehose"], "w", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    disable(west["kms"], key)
    refuse_two_puts(west["firehose"], "w")

    theirs = {
        service: other_account_client(service) for service in ("firehose", "kms", "cloudwatch")
    }
    their_key = theirs["kms"].create_key()["KeyMetadata"]
    create_stream(
        theirs["firehose"], "t", DeliveryStreamEncryptionConfigurationInput=cmk(their_key["Arn"])
    )
    theirs["kms"].disable_key(KeyId=their_key["KeyId"])
    refuse_two_puts(theirs["firehose"], "t")

    assert listed(west["cloudwatch"]) == [("KMSKeyDisabled", "w")]
    assert listed(theirs["cloudwatch"]) == [("KMSKeyDisabled", "t")]
    assert listed(client("cloudwatch")) == []  # the default account's us-east-1
    assert OTHER_ACCOUNT in their_key["Arn"]


def test_an_alarm_can_be_created_on_each_metric(firehose_sse: FirehoseSSE) -> None:
    cloudwatch = client("cloudwatch")
    for metric in METRICS:
        cloudwatch.put_metric_alarm(
            AlarmName=f"orders-{metric}",
            Namespace=NAMESPACE,
            MetricName=metric,
            Dimensions=dimension("orders"),
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
    for metric in METRICS:
        (alarm,) = cloudwatch.describe_alarms_for_metric(
            MetricName=metric, Namespace=NAMESPACE, Dimensions=dimension("orders")
        )["MetricAlarms"]
        assert alarm["AlarmName"] == f"orders-{metric}"


# Over HTTP --------------------------------------------------------------------------------------

HTTP_CAUSES = pytest.mark.parametrize(
    ("spoil", "metric"),
    [
        (disable, "KMSKeyDisabled"),
        (schedule_deletion, "KMSKeyInvalidState"),
        (delete, "KMSKeyNotFound"),
        (deny_data_keys, "KMSKeyAccessDenied"),
    ],
    ids=["disabled", "pending-deletion", "deleted", "access-denied"],
)


@pytest.fixture
def threaded() -> Iterator[str]:
    with ThreadedFirehoseSSEServer() as server:
        try:
            yield server.endpoint_url
        finally:
            server.reset()


@HTTP_CAUSES
def test_each_metric_over_http(
    threaded: str, spoil: Callable[[Any, dict[str, Any]], None], metric: str
) -> None:
    firehose, kms, cloudwatch = (remote(threaded, s) for s in ("firehose", "kms", "cloudwatch"))
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "web", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    spoil(kms, key)
    # the server runs in this process: a frozen clock puts both refusals in one period
    with time_machine.travel(START, tick=False):
        refuse_two_puts(firehose, "web")
    now = START
    assert listed(cloudwatch) == [(metric, "web")]
    (point,) = statistics(cloudwatch, metric, "web", around=now)
    assert (point["Sum"], point["Unit"]) == (2.0, "Count")
    assert abs(point["Timestamp"] - now) < datetime.timedelta(minutes=5)
    assert metric_data(cloudwatch, metric, "web", now) == [2.0]


def test_the_command_line_server_publishes_too(server: str) -> None:
    firehose, kms, cloudwatch = (remote(server, s) for s in ("firehose", "kms", "cloudwatch"))
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "cli", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    disable(kms, key)
    refuse_two_puts(firehose, "cli")
    now = datetime.datetime.now(datetime.timezone.utc)
    # a separate process's clock can't be frozen: the two refusals may fall in two minutes
    points = statistics(cloudwatch, "KMSKeyDisabled", "cli", around=now)
    assert sum(p["Sum"] for p in points) == 2.0
