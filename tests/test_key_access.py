"""Who may use the customer key (rules 25 and 35-38): key policies with conditions, the
caller, IAM under moto's enforcement, producers since 2026-04-20, revoked grants.

Everything through boto3 clients: the statuses, FailureDescriptions and errors a client sees.
"""

from __future__ import annotations

import datetime
import json
import time
import types
from typing import Any

import freezegun
import pytest
import time_machine
from moto.core import set_initial_no_auth_action_count

from moto_firehose_sse import FirehoseSSE, mock_firehose_sse
from moto_firehose_sse import kms as kms_module
from moto_firehose_sse.rules import created_at

from .helpers import ACCOUNT, REGION, client, create_stream, description, settle
from .kms_helpers import (
    OTHER_ACCOUNT,
    allow_account,
    cmk,
    grants,
    key_policy,
    other_account_client,
    start,
)

STS_USER = f"arn:aws:sts::{ACCOUNT}:user/moto"  # moto's default caller
ROLE = f"arn:aws:iam::{ACCOUNT}:role/producer"
PRODUCER_DENIED = (
    "The grant for the CMK to this delivery stream might have been revoked or caller might "
    "not have sufficient permissions for the CMK."
)
USE = ["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey*", "kms:Decrypt"]
ADMIN = {
    "Sid": "Admin",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": ["kms:Get*", "kms:Put*", "kms:List*", "kms:RevokeGrant", "kms:RetireGrant"],
    "Resource": "*",
}


def key_with(*statements: dict[str, Any], kms: Any) -> dict[str, Any]:
    """A key whose policy administers it from the account root, plus ``statements``."""
    document = {"Version": "2012-10-17", "Statement": [ADMIN, *statements]}
    return dict(kms.create_key(Policy=json.dumps(document))["KeyMetadata"])


def use(principal: Any = "*", actions: Any = USE, **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "Use",
        "Effect": "Allow",
        "Principal": principal,
        "Action": actions,
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    return statement


def put(firehose: Any, name: str) -> dict[str, Any]:
    return dict(firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"}))


def refused_put(firehose: Any, name: str) -> None:
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as refused:
        put(firehose, name)
    assert refused.value.response["code"] == "KMS.AccessDeniedException"
    assert refused.value.response["Error"]["Message"] == PRODUCER_DENIED
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}])


def session_clients(role_arn: str = ROLE) -> tuple[Any, Any]:
    """Firehose and STS clients acting as a session of ``role_arn``."""
    credentials = client("sts").assume_role(RoleArn=role_arn, RoleSessionName="s1")["Credentials"]
    keys = {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
    return client("firehose", **keys), client("sts", **keys)


# Conditions that apply and don't (rule 35) ----------------------------------------------------

STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/guarded"
CONDITIONS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "via-service": (
        {"StringEquals": {"kms:ViaService": f"firehose.{REGION}.amazonaws.com"}},
        {"StringEquals": {"kms:ViaService": f"kinesis.{REGION}.amazonaws.com"}},
    ),
    "caller-account": (
        {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
        {"StringEquals": {"kms:CallerAccount": "111122223333"}},
    ),
    "principal-arn": (
        {"ArnLike": {"aws:PrincipalArn": f"arn:aws:sts::{ACCOUNT}:user/*"}},
        {"ArnEquals": {"aws:PrincipalArn": ROLE}},
    ),
    "stream-context": (
        {"StringEqualsIfExists": {"kms:EncryptionContext:aws:firehose:arn": STREAM_ARN}},
        {"StringEqualsIfExists": {"kms:EncryptionContext:aws:firehose:arn": STREAM_ARN + "x"}},
    ),
    "source-account": (
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        {"StringEquals": {"aws:SourceAccount": "111122223333"}},
    ),
    "source-arn": (
        {"ArnEquals": {"aws:SourceArn": STREAM_ARN}},
        {"ArnEquals": {"aws:SourceArn": STREAM_ARN + "x"}},
    ),
    "requested-region": (
        {"StringEquals": {"aws:RequestedRegion": REGION}},
        {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    ),
    "principal-account": (
        {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
        {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
    ),
    "called-via": (
        {"ForAnyValue:StringEquals": {"aws:CalledVia": "firehose.amazonaws.com"}},
        {"ForAnyValue:StringEquals": {"aws:CalledVia": "kinesis.amazonaws.com"}},
    ),
    "user-id": (  # the caller's UserId, as STS GetCallerIdentity shows it
        {"StringEquals": {"aws:userid": "AKIAIOSFODNN7EXAMPLE"}},
        {"StringEquals": {"aws:userid": "AIDANOBODY"}},
    ),
    "called-via-first-and-last": (
        {
            "StringEquals": {
                "aws:CalledViaFirst": "firehose.amazonaws.com",
                "aws:CalledViaLast": "firehose.amazonaws.com",
            }
        },
        {"StringEquals": {"aws:CalledViaLast": "kinesis.amazonaws.com"}},
    ),
    "principal-is-not-aws-service": (
        {"StringEquals": {"aws:PrincipalIsAWSService": "false"}},
        {"StringEquals": {"aws:PrincipalIsAWSService": "true"}},
    ),
    "via-aws-service": (
        {"Bool": {"aws:ViaAWSService": "true", "aws:PrincipalIsAWSService": "false"}},
        {"Bool": {"aws:ViaAWSService": "false"}},
    ),
    "encryption-context-keys": (  # DescribeKey has none: ForAllValues holds for it
        {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["aws:firehose:arn"]}},
        {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["aws:firehose:ARN"]}},
    ),
    "via-aws-service-as-text": (  # the value is the text "true", as StringEquals sees it
        {"StringEquals": {"aws:ViaAWSService": "true"}},
        {"StringEquals": {"aws:ViaAWSService": "TRUE"}},
    ),
    "current-time": (
        {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
        {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    ),
    "epoch-time": (
        {"DateGreaterThan": {"aws:EpochTime": 1577836800}},
        {"DateLessThan": {"aws:EpochTime": 1577836800}},
    ),
    "for-all-grant-operations": (
        {
            "ForAllValues:StringLike": {
                "kms:GrantOperations": ["*crypt*", "GenerateDataKey*", "*Key", "RetireGrant"]
            }
        },
        {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Encrypt", "Decrypt"]}},
    ),
}


@pytest.mark.parametrize("case", sorted(CONDITIONS))
def test_conditions_that_apply_allow_the_enable_and_puts(
    firehose: Any, kms: Any, case: str
) -> None:
    key = key_with(use(**CONDITIONS[case][0]), kms=kms)
    create_stream(firehose, "guarded", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert settle(firehose, "guarded") == {**cmk(key["Arn"]), "Status": "ENABLED"}
    assert put(firehose, "guarded")["Encrypted"] is True


@pytest.mark.parametrize("case", sorted(CONDITIONS))
def test_conditions_that_dont_apply_deny_with_the_action_and_the_principal(
    firehose: Any, kms: Any, case: str
) -> None:
    key = key_with(use(**CONDITIONS[case][1]), kms=kms)
    create_stream(firehose, "guarded")
    start(firehose, "guarded", key["Arn"])
    block = settle(firehose, "guarded")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    details = block["FailureDescription"]["Details"]
    assert STS_USER in details and key["Arn"] in details
    assert "kms:DescribeKey" in details or "kms:CreateGrant" in details
    assert grants(kms, key["KeyId"]) == []
    assert put(firehose, "guarded")["Encrypted"] is False  # no key in force


def test_grant_is_for_aws_resource_holds_for_create_grant_only(firehose: Any, kms: Any) -> None:
    grant_for_aws = {**use(actions="kms:CreateGrant"), "Sid": "Grants"}
    grant_for_aws["Condition"] = {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    rest = use(actions=["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"])
    key = key_with(grant_for_aws, rest, kms=kms)
    create_stream(firehose, "ok", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert settle(firehose, "ok")["Status"] == "ENABLED"
    # the same condition on DescribeKey: the key is absent from that request, so no Allow
    only_with = use(**{"Bool": {"kms:GrantIsForAWSResource": "true"}})
    strict = key_with(only_with, kms=kms)
    create_stream(firehose, "no", DeliveryStreamEncryptionConfigurationInput=cmk(strict["Arn"]))
    found = description(firehose, "no")
    assert found["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert found["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    assert "kms:DescribeKey" in found["FailureDescription"]["Details"]


def test_a_condition_the_mock_cant_evaluate_denies_and_says_so(firehose: Any, kms: Any) -> None:
    key = key_with(use(**{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), kms=kms)
    create_stream(firehose, "vpc")
    start(firehose, "vpc", key["Arn"])
    block = settle(firehose, "vpc")
    assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    assert "not evaluated" in block["FailureDescription"]["Details"]
    assert "aws:sourceip" in block["FailureDescription"]["Details"]
    # a Deny with such a condition is taken to apply
    deny = {**use("*", "kms:*"), "Effect": "Deny", "Sid": "OrgOnly"}
    deny["Condition"] = {"StringNotEquals": {"aws:PrincipalOrgID": "o-123"}}
    fenced = kms.create_key(Policy=json.dumps({"Statement": [{**ADMIN, "Action": "kms:*"}, deny]}))[
        "KeyMetadata"
    ]
    create_stream(firehose, "org")
    start(firehose, "org", fenced["Arn"])
    details = settle(firehose, "org")["FailureDescription"]["Details"]
    assert "OrgOnly" in details and "aws:principalorgid" in details


def test_every_condition_not_evaluated_is_named_in_the_details(firehose: Any, kms: Any) -> None:
    office = {**use(**{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), "Sid": "Office"}
    org = {**use(**{"StringEquals": {"aws:PrincipalOrgID": "o-123"}}), "Sid": "Org"}
    key = key_with(office, org, kms=kms)
    create_stream(firehose, "two")
    start(firehose, "two", key["Arn"])
    assert settle(firehose, "two")["FailureDescription"] == {
        "Type": "KMS_ACCESS_DENIED",
        "Details": (
            f"{STS_USER} is not allowed kms:DescribeKey on KMS key {key['Arn']} through Firehose: "
            "no statement of the key policy allows it (not evaluated by the mock, so taken "
            "against the caller: statement Office: IpAddress on aws:sourceip: the mock does "
            "not model the key aws:sourceip; statement Org: StringEquals on "
            "aws:principalorgid: the mock does not model the key aws:principalorgid)."
        ),
    }


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"Statement": 7}'])
def test_an_unreadable_key_policy_allows_nothing(firehose: Any, kms: Any, text: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=text)
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    block = settle(firehose, "s")
    assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    assert "could not be read" in block["FailureDescription"]["Details"]


# The caller: a role's session against the default user (rules 35, 36) ----------------------


def test_policy_naming_a_role_refuses_the_default_user_and_allows_the_session(
    firehose: Any, kms: Any
) -> None:
    key = key_with(use({"AWS": ROLE}), kms=kms)
    create_stream(firehose, "roles")
    start(firehose, "roles", key["Arn"])
    block = settle(firehose, "roles")
    assert block["Status"] == "ENABLING_FAILED"
    details = block["FailureDescription"]["Details"]
    assert details.startswith(f"{STS_USER} is not allowed kms:DescribeKey on KMS key {key['Arn']}")

    as_role, sts = session_clients()
    session_arn = sts.get_caller_identity()["Arn"]
    assert session_arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/producer/s1"
    start(as_role, "roles", key["Arn"])
    assert settle(as_role, "roles") == {**cmk(key["Arn"]), "Status": "ENABLED"}
    assert put(as_role, "roles")["Encrypted"] is True
    refused_put(firehose, "roles")  # the default user may not use the key


def test_the_user_name_a_key_policy_sees(firehose: Any, kms: Any) -> None:
    """``aws:username``: an IAM user's name without its path; a role session has none."""
    key = key_with(use(StringEquals={"aws:username": "alice"}), kms=kms)
    iam = client("iam")
    iam.create_user(UserName="alice", Path="/dev/")
    created = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = client(
        "firehose",
        aws_access_key_id=created["AccessKeyId"],
        aws_secret_access_key=created["SecretAccessKey"],
    )
    create_stream(alice, "named")
    start(alice, "named", key["Arn"])
    assert settle(alice, "named") == {**cmk(key["Arn"]), "Status": "ENABLED"}
    assert put(alice, "named")["Encrypted"] is True
    as_role, _ = session_clients()
    create_stream(as_role, "session")
    start(as_role, "session", key["Arn"])
    assert settle(as_role, "session")["Status"] == "ENABLING_FAILED"


def test_describe_key_has_no_encryption_context(firehose: Any, kms: Any) -> None:
    """A statement for DescribeKey that requires no encryption context applies to it (AWS's
    DescribeKey has none); the other actions carry the stream's."""
    describe = use(actions=["kms:DescribeKey"], Null={"kms:EncryptionContextKeys": "true"})
    others = {**use(actions=USE[1:], Null={"kms:EncryptionContextKeys": "false"}), "Sid": "Rest"}
    key = key_with(describe, others, kms=kms)
    create_stream(firehose, "plain", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert settle(firehose, "plain") == {**cmk(key["Arn"]), "Status": "ENABLED"}
    assert put(firehose, "plain")["Encrypted"] is True


def test_the_grant_firehose_asks_for_names_its_principals(firehose: Any, kms: Any) -> None:
    """CreateGrant's conditions see Firehose as grantee and retiring principal, for an AWS
    resource; a policy that requires them allows the enable."""
    grant = use(
        actions=["kms:CreateGrant"],
        StringEquals={
            "kms:GranteePrincipal": "firehose.amazonaws.com",
            "kms:RetiringPrincipal": "firehose.amazonaws.com",
            "kms:GrantIsForAWSResource": "true",
        },
    )
    rest = {**use(actions=[a for a in USE if a != "kms:CreateGrant"]), "Sid": "Rest"}
    key = key_with(grant, rest, kms=kms)
    create_stream(firehose, "granted", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert settle(firehose, "granted") == {**cmk(key["Arn"]), "Status": "ENABLED"}
    assert put(firehose, "granted")["Encrypted"] is True


def deny_describe(principal: str) -> dict[str, Any]:
    return {
        "Sid": "NoDescribe",
        "Effect": "Deny",
        "Principal": {"AWS": principal},
        "Action": "kms:DescribeKey",
        "Resource": "*",
    }


def test_the_default_user_is_named_by_its_iam_arn_too(firehose: Any, kms: Any) -> None:
    """moto's default caller is ``arn:aws:sts::ACCOUNT:user/moto``; a key policy may name it
    as the IAM user it stands for."""
    key = key_with(use(), deny_describe(f"arn:aws:iam::{ACCOUNT}:user/moto"), kms=kms)
    create_stream(firehose, "s")
    start(firehose, "s", key["Arn"])
    details = settle(firehose, "s")["FailureDescription"]["Details"]
    assert details.startswith(f"{STS_USER} is not allowed kms:DescribeKey on KMS key {key['Arn']}")
    assert "statement NoDescribe of the key policy denies it" in details


@pytest.mark.parametrize(
    ("named", "status"),
    [
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/producer/s1", "ENABLING_FAILED"),
        (ROLE, "ENABLING_FAILED"),
        (f"arn:aws:iam::{ACCOUNT}:assumed-role/producer/s1", "ENABLED"),  # no such principal
    ],
)
def test_the_names_a_role_session_goes_by(kms: Any, named: str, status: str) -> None:
    key = key_with(use(), deny_describe(named), kms=kms)
    as_role, _ = session_clients()
    create_stream(as_role, "s")
    start(as_role, "s", key["Arn"])
    assert settle(as_role, "s")["Status"] == status


def test_a_role_sessions_user_id_is_the_roles_id_and_the_session_name(kms: Any) -> None:
    role = client("iam").create_role(RoleName="known", AssumeRolePolicyDocument="{}")["Role"]
    as_role, sts = session_clients(role["Arn"])
    user_id = sts.get_caller_identity()["UserId"]
    assert user_id == f"{role['RoleId']}:s1"
    key = key_with(use(StringEquals={"aws:userid": user_id}), kms=kms)
    create_stream(as_role, "s")
    start(as_role, "s", key["Arn"])
    assert settle(as_role, "s")["Status"] == "ENABLED"


def test_a_session_of_another_role_is_refused(firehose: Any, kms: Any) -> None:
    key = key_with(use({"AWS": ROLE}), kms=kms)
    other, _ = session_clients(f"arn:aws:iam::{ACCOUNT}:role/intruder")
    create_stream(other, "roles")
    start(other, "roles", key["Arn"])
    details = settle(other, "roles")["FailureDescription"]["Details"]
    assert f"arn:aws:sts::{ACCOUNT}:assumed-role/intruder/s1 is not allowed" in details


# Producers since 2026-04-20 (rule 37) ---------------------------------------------------------


def producer_less_key(kms: Any) -> dict[str, Any]:
    """A key whose policy lets the account enable Firehose, but not produce records."""
    return key_with(use({"AWS": ACCOUNT}, ["kms:DescribeKey", "kms:CreateGrant"]), kms=kms)


def test_a_new_stream_needs_producers_with_key_access(firehose: Any, kms: Any) -> None:
    key = producer_less_key(kms)
    create_stream(firehose, "new", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert settle(firehose, "new")["Status"] == "ENABLED"
    refused_put(firehose, "new")


@pytest.mark.parametrize("clock", ["freezegun", "time-machine"])
def test_a_stream_made_before_2026_04_20_works_until_2027_02_28(clock: str) -> None:
    def travel(when: str) -> Any:
        moment = datetime.datetime.fromisoformat(when).replace(tzinfo=datetime.timezone.utc)
        if clock == "freezegun":
            return freezegun.freeze_time(moment)
        return time_machine.travel(moment, tick=False)

    with travel("2026-04-19T23:59:59"), mock_firehose_sse():
        firehose, kms = client("firehose"), client("kms")
        key = producer_less_key(kms)
        create_stream(firehose, "old", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
        assert put(firehose, "old")["Encrypted"] is True
        with travel("2026-04-20T00:00:00"):
            create_stream(
                firehose, "new", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"])
            )
            refused_put(firehose, "new")
            assert put(firehose, "old")["Encrypted"] is True
        with travel("2027-02-27T23:59:59"):
            assert put(firehose, "old")["Encrypted"] is True
        with travel("2027-02-28T00:00:00"):
            refused_put(firehose, "old")


def test_a_key_policy_on_the_clock_is_judged_at_each_put() -> None:
    """A decision that depends on aws:CurrentTime is not remembered between puts."""
    until = {"DateLessThan": {"aws:CurrentTime": "2031-01-01T00:00:00Z"}}
    with (
        time_machine.travel(
            datetime.datetime(2030, 12, 31, 23, 0, tzinfo=datetime.timezone.utc), tick=False
        ) as clock,
        mock_firehose_sse(producer_key_access="required"),
    ):
        firehose, kms = client("firehose"), client("kms")
        produce = {
            **use({"AWS": ACCOUNT}, ["kms:GenerateDataKey*", "kms:Decrypt"], **until),
            "Sid": "ProduceUntil2031",
        }
        key = key_with(
            use({"AWS": ACCOUNT}, ["kms:DescribeKey", "kms:CreateGrant"]), produce, kms=kms
        )
        create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
        assert put(firehose, "s")["Encrypted"] is True
        clock.shift(datetime.timedelta(hours=2))
        refused_put(firehose, "s")


def test_remembered_decisions_stay_within_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """The decisions remembered for puts are forgotten together once the bound is reached."""
    monkeypatch.setattr(kms_module, "_MAX_DECISIONS", 2)
    monkeypatch.setattr(kms_module, "_DECISIONS", {})
    with mock_firehose_sse(producer_key_access="required"):
        firehose, kms = client("firehose"), client("kms")
        key = kms.create_key()["KeyMetadata"]["Arn"]
        for name in ("a", "b", "c"):  # each stream's puts are decisions of their own
            create_stream(firehose, name, DeliveryStreamEncryptionConfigurationInput=cmk(key))
            assert put(firehose, name)["Encrypted"] is True
            assert 0 < len(kms_module._DECISIONS) <= 2


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is Unix only")
def test_the_current_time_a_key_policy_sees_is_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """aws:CurrentTime is UTC whatever the machine's zone."""
    until = {"DateLessThan": {"aws:CurrentTime": "2031-01-01T00:00:00Z"}}
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # UTC+9: already 2031 there
    time.tzset()
    try:
        with (
            time_machine.travel(  # a timestamp: a datetime with a tzinfo would set the zone
                datetime.datetime(2030, 12, 31, 23, tzinfo=datetime.timezone.utc).timestamp(),
                tick=False,
            ),
            mock_firehose_sse(),
        ):
            firehose, kms = client("firehose"), client("kms")
            key = key_with(use({"AWS": ACCOUNT}, **until), kms=kms)
            create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
            assert description(firehose, "s")["DeliveryStreamStatus"] == "ACTIVE"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_key_policy_change_applies_to_the_next_put(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert put(firehose, "s")["Encrypted"] is True
    default = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    document = {"Statement": [ADMIN, use({"AWS": ACCOUNT}, ["kms:DescribeKey"])]}
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(document))
    refused_put(firehose, "s")
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=default)
    assert put(firehose, "s")["Encrypted"] is True


def test_an_account_deny_of_data_keys_stops_puts_not_the_enable(firehose: Any, kms: Any) -> None:
    deny = {**use({"AWS": ACCOUNT}, "kms:GenerateDataKey*"), "Effect": "Deny", "Sid": "NoData"}
    key = key_with({**ADMIN, "Action": "kms:*"}, deny, kms=kms)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert settle(firehose, "s")["Status"] == "ENABLED"
    refused_put(firehose, "s")


def test_puts_without_a_customer_key_in_force_need_nothing(firehose: Any, kms: Any) -> None:
    key = producer_less_key(kms)
    create_stream(firehose, "s")
    assert put(firehose, "s")["Encrypted"] is False
    start(firehose, "s", None)  # AWS owned key
    settle(firehose, "s")
    assert put(firehose, "s")["Encrypted"] is True
    start(firehose, "s", key["Arn"])
    settle(firehose, "s")
    refused_put(firehose, "s")


# producer_key_access (rule 37) --------------------------------------------------------------


def test_producer_key_access_defaults_to_scheduled(firehose_sse: FirehoseSSE) -> None:
    assert firehose_sse.producer_key_access == "scheduled"
    assert firehose_sse.settings()["producer_key_access"] == "scheduled"


@pytest.mark.firehose_sse(producer_key_access="not-required")
def test_not_required_by_marker(firehose_sse: FirehoseSSE, firehose: Any, kms: Any) -> None:
    key = producer_less_key(kms)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert put(firehose, "s")["Encrypted"] is True
    firehose_sse.producer_key_access = "scheduled"
    refused_put(firehose, "s")
    firehose_sse.configure(producer_key_access="not-required")
    assert put(firehose, "s")["Encrypted"] is True


def test_required_by_decorator_applies_to_old_streams() -> None:
    @mock_firehose_sse(producer_key_access="required")
    def run() -> None:
        firehose, kms = client("firehose"), client("kms")
        key = producer_less_key(kms)
        create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
        refused_put(firehose, "s")

    with freezegun.freeze_time("2025-01-01"):
        run()


@pytest.mark.parametrize("value", ["always", "", "Required", None, True, 1, ["required"]])
def test_bad_producer_key_access_is_a_value_error(value: Any) -> None:
    with pytest.raises(ValueError, match="producer_key_access"):
        mock_firehose_sse(producer_key_access=value)
    with mock_firehose_sse() as sse:
        with pytest.raises(ValueError, match="producer_key_access"):
            sse.producer_key_access = value
        with pytest.raises(ValueError, match="producer_key_access"):
            sse.configure(producer_key_access=value)
        assert sse.producer_key_access == "scheduled"


# Grants revoked or retired (rule 25) ---------------------------------------------------------


@pytest.mark.parametrize("how", ["revoke", "retire"])
@pytest.mark.firehose_sse(producer_key_access="not-required")
def test_a_grant_the_user_removed_fails_puts(firehose: Any, kms: Any, how: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert put(firehose, "s")["Encrypted"] is True
    (grant,) = grants(kms, key["KeyId"])
    if how == "revoke":
        kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    else:
        kms.retire_grant(KeyId=key["Arn"], GrantId=grant["GrantId"])
    refused_put(firehose, "s")
    # Starting again with the same key gives Firehose a new grant.
    start(firehose, "s", key["Arn"])
    assert settle(firehose, "s")["Status"] == "ENABLED"
    assert len(grants(kms, key["KeyId"])) == 1
    assert put(firehose, "s")["Encrypted"] is True


# IAM under moto's enforcement (rule 36) ------------------------------------------------------


def iam_user(iam: Any, name: str, *statements: dict[str, Any]) -> dict[str, str]:
    """An IAM user with an inline policy of ``statements``; its client keyword arguments."""
    iam.create_user(UserName=name)
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(document))
    created = iam.create_access_key(UserName=name)["AccessKey"]
    return {
        "aws_access_key_id": created["AccessKeyId"],
        "aws_secret_access_key": created["SecretAccessKey"],
    }


def test_under_iam_enforcement_identity_policies_count(firehose: Any, kms: Any) -> None:
    iam = client("iam")
    key = kms.create_key()["KeyMetadata"]  # moto's default policy: the account root, kms:*
    firehose_all = {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}
    kms_use = {"Effect": "Allow", "Action": USE, "Resource": key["Arn"]}
    other_key = {**kms_use, "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/other"}
    deny_decrypt = {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}
    with_kms = iam_user(iam, "with-kms", firehose_all, kms_use)
    without = iam_user(iam, "without-kms", firehose_all, other_key)
    denied = iam_user(iam, "denied-decrypt", firehose_all, kms_use, deny_decrypt)
    for name in ("a", "b"):
        create_stream(firehose, name)

    @set_initial_no_auth_action_count(0)
    def enforced() -> None:
        allowed = client("firehose", **with_kms)
        refused = client("firehose", **without)
        start(allowed, "a", key["Arn"])
        assert settle(allowed, "a")["Status"] == "ENABLED"
        assert put(allowed, "a")["Encrypted"] is True
        refused_put(refused, "a")
        refused_put(client("firehose", **denied), "a")

        start(refused, "b", key["Arn"])
        block = settle(refused, "b")
        assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
        details = block["FailureDescription"]["Details"]
        assert f"arn:aws:iam::{ACCOUNT}:user/without-kms is not allowed kms:DescribeKey" in details
        assert "no IAM policy of the caller allows it" in details

    enforced()
    # Without enforcement the same user has every IAM permission (moto's convention).
    assert put(client("firehose", **without), "a")["Encrypted"] is True


def test_under_iam_enforcement_the_default_version_of_a_managed_policy_counts(
    firehose: Any, kms: Any
) -> None:
    iam = client("iam")
    key = kms.create_key()["KeyMetadata"]
    firehose_all = {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}
    kms_use = {"Effect": "Allow", "Action": USE, "Resource": key["Arn"]}
    other_key = {**kms_use, "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/other"}

    def document(*statements: dict[str, Any]) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

    arn = iam.create_policy(PolicyName="use", PolicyDocument=document(firehose_all, kms_use))[
        "Policy"
    ]["Arn"]
    iam.create_user(UserName="managed")
    iam.attach_user_policy(UserName="managed", PolicyArn=arn)
    created = iam.create_access_key(UserName="managed")["AccessKey"]
    keys = {
        "aws_access_key_id": created["AccessKeyId"],
        "aws_secret_access_key": created["SecretAccessKey"],
    }
    for name in ("v1", "v2", "v1-again"):
        create_stream(firehose, name)

    @set_initial_no_auth_action_count(0)
    def enforced(name: str) -> dict[str, Any]:
        caller = client("firehose", **keys)
        start(caller, name, key["Arn"])
        return settle(caller, name)

    assert enforced("v1")["Status"] == "ENABLED"
    iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=document(firehose_all, other_key), SetAsDefault=True
    )
    refused = enforced("v2")["FailureDescription"]
    assert refused["Type"] == "KMS_ACCESS_DENIED"
    assert "no IAM policy of the caller allows it" in refused["Details"]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert enforced("v1-again")["Status"] == "ENABLED"


def test_under_iam_enforcement_a_role_sessions_policies_count(firehose: Any, kms: Any) -> None:
    """A session's identity policies are its role's: inline and attached."""
    iam = client("iam")
    key = kms.create_key()["KeyMetadata"]
    firehose_all = {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}
    kms_use = {"Effect": "Allow", "Action": USE, "Resource": key["Arn"]}

    def document(*statements: dict[str, Any]) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

    for role in ("inline", "attached", "firehose-only"):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")
        iam.put_role_policy(RoleName=role, PolicyName="fh", PolicyDocument=document(firehose_all))
    iam.put_role_policy(RoleName="inline", PolicyName="kms", PolicyDocument=document(kms_use))
    managed = iam.create_policy(PolicyName="kms", PolicyDocument=document(kms_use))["Policy"]
    iam.attach_role_policy(RoleName="attached", PolicyArn=managed["Arn"])
    sessions = {
        role: session_clients(f"arn:aws:iam::{ACCOUNT}:role/{role}")[0]
        for role in ("inline", "attached", "firehose-only")
    }
    for role in sessions:
        create_stream(firehose, role)

    @set_initial_no_auth_action_count(0)
    def enforced() -> None:
        for role in ("inline", "attached"):
            start(sessions[role], role, key["Arn"])
            assert settle(sessions[role], role)["Status"] == "ENABLED"
        start(sessions["firehose-only"], "firehose-only", key["Arn"])
        refused = settle(sessions["firehose-only"], "firehose-only")["FailureDescription"]
        assert refused["Details"] == (
            f"arn:aws:sts::{ACCOUNT}:assumed-role/firehose-only/s1 is not allowed "
            f"kms:DescribeKey on KMS key {key['Arn']} through Firehose: the key policy leaves "
            "it to IAM (statement Enable IAM User Permissions allows the account), and no IAM "
            "policy of the caller allows it."
        )

    enforced()


def test_a_key_policy_naming_the_caller_allows_without_iam(firehose: Any, kms: Any) -> None:
    """Under IAM enforcement, a key policy that names the caller itself (not only its account)
    is enough: the caller needs no IAM permission for the key (rule 36)."""
    iam = client("iam")
    keys = iam_user(iam, "named", {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"})
    key = key_with(use({"AWS": f"arn:aws:iam::{ACCOUNT}:user/named"}), kms=kms)
    create_stream(firehose, "named")

    @set_initial_no_auth_action_count(0)
    def enforced() -> None:
        caller = client("firehose", **keys)
        start(caller, "named", key["Arn"])
        assert settle(caller, "named") == {**cmk(key["Arn"]), "Status": "ENABLED"}

    enforced()


def test_another_accounts_key_naming_the_caller_still_needs_iam(firehose: Any) -> None:
    iam = client("iam")
    user = f"arn:aws:iam::{ACCOUNT}:user/firehose-only"
    owner = other_account_client("kms")
    named = {"Effect": "Allow", "Principal": {"AWS": user}, "Action": "kms:*", "Resource": "*"}
    key = owner.create_key(Policy=key_policy(OTHER_ACCOUNT, named))["KeyMetadata"]
    firehose_only = iam_user(
        iam, "firehose-only", {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}
    )
    create_stream(firehose, "cross")

    @set_initial_no_auth_action_count(0)
    def enforced() -> None:
        caller = client("firehose", **firehose_only)
        start(caller, "cross", key["Arn"])
        assert settle(caller, "cross")["FailureDescription"] == {
            "Type": "KMS_ACCESS_DENIED",
            "Details": (
                f"{user} is not allowed kms:DescribeKey on KMS key {key['Arn']} through "
                "Firehose: the key is in another account, and no IAM policy of the caller "
                "allows it."
            ),
        }

    enforced()


def test_another_accounts_key_is_refused_at_once_only_by_its_key_policy(
    firehose: Any,
) -> None:
    """Start judges another account's key by its key policy alone; the caller's IAM policies
    count when the enable ends (KMS_ACCESS_DENIED), as for a key of the caller's account."""
    iam = client("iam")
    owner = other_account_client("kms")
    key = owner.create_key(Policy=key_policy(OTHER_ACCOUNT, allow_account(ACCOUNT)))["KeyMetadata"]
    firehose_only = iam_user(
        iam, "firehose-only", {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}
    )
    create_stream(firehose, "cross")

    @set_initial_no_auth_action_count(0)
    def enforced() -> None:
        caller = client("firehose", **firehose_only)
        start(caller, "cross", key["Arn"])
        assert settle(caller, "cross")["FailureDescription"] == {
            "Type": "KMS_ACCESS_DENIED",
            "Details": (
                f"arn:aws:iam::{ACCOUNT}:user/firehose-only is not allowed kms:DescribeKey on "
                f"KMS key {key['Arn']} through Firehose: the key policy leaves it to IAM "
                "(statement #2 allows the account), and no IAM policy of the caller allows it."
            ),
        }

    enforced()


def test_an_iam_deny_in_a_policy_of_its_own_wins(firehose: Any, kms: Any) -> None:
    iam = client("iam")
    key = kms.create_key()["KeyMetadata"]
    firehose_all = {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}
    kms_use = {"Effect": "Allow", "Action": USE, "Resource": key["Arn"]}
    keys = iam_user(iam, "fenced", firehose_all, kms_use)
    no_describe = {
        "Sid": "NoDescribe",
        "Effect": "Deny",
        "Action": "kms:DescribeKey",
        "Resource": "*",
    }
    iam.put_user_policy(
        UserName="fenced",
        PolicyName="deny",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [no_describe]}),
    )
    create_stream(firehose, "fenced")

    @set_initial_no_auth_action_count(0)
    def enforced() -> None:
        caller = client("firehose", **keys)
        start(caller, "fenced", key["Arn"])
        assert settle(caller, "fenced")["FailureDescription"] == {
            "Type": "KMS_ACCESS_DENIED",
            "Details": (
                f"arn:aws:iam::{ACCOUNT}:user/fenced is not allowed kms:DescribeKey on KMS key "
                f"{key['Arn']} through Firehose: statement NoDescribe of the caller's IAM "
                "policies denies it."
            ),
        }

    enforced()


def test_an_iam_deny_the_mock_cant_evaluate_applies_and_says_why(firehose: Any, kms: Any) -> None:
    iam = client("iam")
    key = kms.create_key()["KeyMetadata"]
    firehose_all = {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}
    kms_use = {"Effect": "Allow", "Action": USE, "Resource": key["Arn"]}
    office_only = {
        "Sid": "OfficeOnly",
        "Effect": "Deny",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    }
    keys = iam_user(iam, "office", firehose_all, kms_use, office_only)
    create_stream(firehose, "office")

    @set_initial_no_auth_action_count(0)
    def enforced() -> None:
        caller = client("firehose", **keys)
        start(caller, "office", key["Arn"])
        details = settle(caller, "office")["FailureDescription"]["Details"]
        assert "statement OfficeOnly of the caller's IAM policies denies it" in details
        assert "NotIpAddress on aws:sourceip: the mock does not model the key" in details

    enforced()


def test_an_iam_allow_the_mock_cant_evaluate_allows_nothing_and_says_why(
    firehose: Any, kms: Any
) -> None:
    iam = client("iam")
    key = kms.create_key()["KeyMetadata"]
    firehose_all = {"Effect": "Allow", "Action": "firehose:*", "Resource": "*"}
    from_office = {
        "Effect": "Allow",
        "Action": USE,
        "Resource": key["Arn"],
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    }
    keys = iam_user(iam, "office", firehose_all, from_office)
    create_stream(firehose, "office")

    @set_initial_no_auth_action_count(0)
    def enforced() -> None:
        caller = client("firehose", **keys)
        start(caller, "office", key["Arn"])
        details = settle(caller, "office")["FailureDescription"]["Details"]
        assert "no IAM policy of the caller allows it (not evaluated by the mock" in details
        assert "IpAddress on aws:sourceip: the mock does not model the key" in details

    enforced()


# Lenient keys have no policy (rule 38) ----------------------------------------------------------


@pytest.mark.firehose_sse(lenient_keys=True, producer_key_access="required")
def test_lenient_keys_have_no_policy(firehose: Any) -> None:
    made_up = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(made_up))
    assert settle(firehose, "s")["Status"] == "ENABLED"
    assert put(firehose, "s")["Encrypted"] is True


# Server mode -------------------------------------------------------------------------------------


def test_server_knows_the_caller_and_the_setting(server: str) -> None:
    from .server_helpers import call, remote

    firehose, kms, sts = (remote(server, s) for s in ("firehose", "kms", "sts"))
    key = key_with(use({"AWS": ROLE}), kms=kms)
    create_stream(firehose, "remote")
    start(firehose, "remote", key["Arn"])
    details = settle(firehose, "remote")["FailureDescription"]["Details"]
    assert details.startswith(f"{STS_USER} is not allowed kms:DescribeKey")

    credentials = sts.assume_role(RoleArn=ROLE, RoleSessionName="s1")["Credentials"]
    as_role = client(
        "firehose",
        endpoint_url=server,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    start(as_role, "remote", key["Arn"])
    assert settle(as_role, "remote")["Status"] == "ENABLED"
    assert put(as_role, "remote")["Encrypted"] is True
    refused_put(firehose, "remote")
    settings = {"producer_key_access": "not-required"}
    assert call(server, "POST", "/moto-api/firehose-sse/settings", settings)[0] == 200
    assert put(firehose, "remote")["Encrypted"] is True


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is Unix only")
def test_creation_time_in_each_form_moto_keeps_it_is_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto 5.0 keeps an ISO text, later releases a naive UTC datetime: both are UTC, whatever
    the machine's zone (the producer rule's dates depend on it)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # UTC+9, no daylight saving
    time.tzset()
    try:
        expected = datetime.datetime(2026, 4, 20, 3, tzinfo=datetime.timezone.utc).timestamp()
        for stamp in (
            "2026-04-20T03:00:00Z",
            "2026-04-20T03:00:00+00:00",
            "2026-04-20T12:00:00+09:00",
            datetime.datetime(2026, 4, 20, 3),
            expected,
        ):
            assert created_at(types.SimpleNamespace(create_timestamp=stamp)) == expected, stamp
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("condition", "denied"),
    [
        ({"StringEquals": {"aws:PrincipalServiceName": "firehose.amazonaws.com"}}, True),
        ({"StringEquals": {"aws:PrincipalServiceName": "s3.amazonaws.com"}}, False),
        ({"StringEquals": {"aws:PrincipalIsAWSService": "true"}}, True),
        ({"StringEquals": {"aws:PrincipalIsAWSService": "false"}}, False),
        ({"StringEquals": {"kms:ViaService": f"firehose.{REGION}.amazonaws.com"}}, True),
    ],
)
def test_a_key_policy_deny_of_firehose_itself_sees_the_service_context(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any, condition: dict[str, Any], denied: bool
) -> None:
    """Firehose uses its grant as the service: a Deny naming the service, with conditions on
    the service's own request context, stops the enable only when those conditions hold."""
    deny = {
        "Sid": "NoFirehoseDecrypt",
        "Effect": "Deny",
        "Principal": {"Service": "firehose.amazonaws.com"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": condition,
    }
    key = key_with(use(), deny, kms=kms)
    create_stream(firehose, "svc")
    start(firehose, "svc", key["Arn"])
    block = settle(firehose, "svc")
    if not denied:
        assert block == {**cmk(key["Arn"]), "Status": "ENABLED"}
        return
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"] == {
        "Type": "KMS_ACCESS_DENIED",
        "Details": f"Firehose may not use KMS key {key['Arn']}: statement NoFirehoseDecrypt of "
        "the key policy denies Firehose (firehose.amazonaws.com) kms:Decrypt.",
    }
    last = firehose_sse.key_events()[-1]  # the call Firehose was refused
    assert (last.operation, last.principal, last.error) == (
        "Decrypt",
        "firehose.amazonaws.com",
        "AccessDeniedException",
    )
