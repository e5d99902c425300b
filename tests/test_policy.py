"""The policy evaluator on its own (``moto_firehose_sse.policy``): AWS's documented examples.

Examples are those of the IAM User Guide ("IAM JSON policy elements: Condition operators",
"Condition with multiple context keys or values", "Single-valued vs. multivalued context
keys") and the KMS Developer Guide's condition keys; the tests through boto3 are in
``tests/test_key_access.py``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moto_firehose_sse.policy import Outcome, Principal, Request, parse

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALICE = Principal(ACCOUNT, frozenset({f"arn:aws:iam::{ACCOUNT}:user/alice"}))
SESSION = Principal(
    ACCOUNT,
    frozenset(
        {
            f"arn:aws:sts::{ACCOUNT}:assumed-role/producer/s1",
            f"arn:aws:iam::{ACCOUNT}:role/producer",
        }
    ),
)
FIREHOSE = Principal(None, frozenset(), "firehose.amazonaws.com")


def everything(key: str) -> bool:
    return True


def request(
    context: dict[str, Any] | None = None,
    action: str = "kms:CreateGrant",
    principal: Principal = ALICE,
    resource: str = KEY,
) -> Request:
    values = {}
    for key, value in (context or {}).items():
        items = value if isinstance(value, list) else [value]
        values[key.lower()] = tuple(
            str(v).lower() if isinstance(v, bool) else str(v) for v in items
        )
    return Request(principal, action, resource, values, everything)


def outcome(statements: list[dict[str, Any]] | dict[str, Any], req: Request) -> Outcome:
    return parse(json.dumps({"Version": "2012-10-17", "Statement": statements})).evaluate(req)


def allow(condition: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
        "Action": "kms:*",
        "Resource": "*",
        **fields,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def holds(condition: dict[str, Any], context: dict[str, Any] | None = None) -> bool:
    """Whether an Allow with ``condition`` applies to a request with ``context``."""
    found = outcome([allow(condition)], request(context))
    assert not found.notes, found.notes
    return found.effect == "Allow"


# Condition operators (IAM User Guide examples) -------------------------------------------


def test_multiple_values_of_one_key_are_ored() -> None:
    condition = {"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr", "legal"]}}
    assert holds(condition, {"aws:PrincipalTag/department": "hr"})
    assert not holds(condition, {"aws:PrincipalTag/department": "sales"})


def test_multiple_keys_and_operators_are_anded() -> None:
    condition = {
        "StringEquals": {
            "aws:PrincipalTag/department": "finance",
            "aws:PrincipalTag/role": "audit",
        },
        "Bool": {"aws:SecureTransport": "true"},
    }
    full = {
        "aws:PrincipalTag/department": "finance",
        "aws:PrincipalTag/role": "audit",
        "aws:SecureTransport": True,
    }
    assert holds(condition, full)
    assert not holds(condition, {**full, "aws:PrincipalTag/role": "admin"})
    assert not holds(condition, {**full, "aws:SecureTransport": False})


def test_a_missing_key_fails_positive_operators_and_satisfies_negated_ones() -> None:
    assert not holds({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}})
    assert holds({"StringNotEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}})
    assert not holds({"Bool": {"aws:SecureTransport": "true"}})
    assert holds({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}})


def test_string_operators() -> None:
    assert holds({"StringLike": {"aws:userid": "AIDA?XAMPLE*"}}, {"aws:userid": "AIDAEXAMPLE:x"})
    assert not holds({"StringLike": {"aws:userid": "AIDA?XAMPLE*"}}, {"aws:userid": "aidaexample"})
    assert holds({"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}, {"aws:username": "alice"})
    assert not holds({"StringEquals": {"aws:username": "ALICE"}}, {"aws:username": "alice"})
    assert not holds(
        {"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}, {"aws:username": "alice"}
    )
    assert holds({"StringNotLike": {"aws:username": "bob*"}}, {"aws:username": "alice"})


def test_numeric_operators() -> None:
    assert holds({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"})
    assert not holds({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"})
    assert holds({"NumericGreaterThan": {"kms:x": "1.5"}}, {"kms:x": "2"})
    assert holds({"NumericEquals": {"kms:x": ["1", "2"]}}, {"kms:x": "2.0"})
    assert not holds({"NumericNotEquals": {"kms:x": ["1", "2"]}}, {"kms:x": "2"})
    assert holds({"NumericNotEquals": {"kms:x": ["1", "2"]}}, {"kms:x": "3"})
    assert holds({"NumericLessThan": {"kms:x": 7}}, {"kms:x": "6"})


def test_date_operators() -> None:
    after = {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}
    assert holds(after, {"aws:TokenIssueTime": "2020-06-30T12:00:00Z"})
    assert not holds(after, {"aws:TokenIssueTime": "2019-12-31T23:59:59Z"})
    assert not holds(after, {})
    before = {"DateLessThan": {"aws:CurrentTime": "2027-02-28T00:00:00Z"}}
    assert holds(before, {"aws:CurrentTime": "2026-11-29T00:00:00Z"})
    assert holds({"DateLessThanEquals": {"aws:EpochTime": 1798675200}}, {"aws:EpochTime": 1})
    assert holds({"DateEquals": {"aws:CurrentTime": "2026-04-20"}}, {"aws:CurrentTime": 1776643200})


def test_bool_with_a_json_boolean_kms_grant_is_for_aws_resource() -> None:
    # KMS Developer Guide: kms:GrantIsForAWSResource
    condition = {"Bool": {"kms:GrantIsForAWSResource": True}}
    assert holds(condition, {"kms:GrantIsForAWSResource": True})
    assert not holds(condition, {"kms:GrantIsForAWSResource": False})


def test_arn_operators_match_each_part() -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:topic"
    assert holds({"ArnEquals": {"aws:SourceArn": topic}}, {"aws:SourceArn": topic})
    assert holds(
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": topic}
    )
    assert not holds(
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}, {"aws:SourceArn": topic}
    )
    assert not holds({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}}, {"aws:SourceArn": topic})
    assert holds(
        {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:*:*:other"}}, {"aws:SourceArn": topic}
    )
    assert not holds({"ArnLike": {"aws:SourceArn": "arn:*"}}, {"aws:SourceArn": "not-an-arn"})


def test_null_checks_whether_the_key_is_there() -> None:
    # IAM User Guide: deny unless temporary credentials ("Null": {"aws:TokenIssueTime": "true"})
    assert holds({"Null": {"aws:TokenIssueTime": "true"}}, {})
    assert not holds({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2020-01-01"})
    assert holds({"Null": {"aws:TokenIssueTime": False}}, {"aws:TokenIssueTime": "2020-01-01"})


def test_if_exists_holds_when_the_key_is_missing() -> None:
    # IAM User Guide: "StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}
    condition = {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}
    assert holds(condition, {})
    assert holds(condition, {"ec2:InstanceType": "t2.micro"})
    assert not holds(condition, {"ec2:InstanceType": "m5.large"})
    assert holds({"StringNotEqualsIfExists": {"kms:x": "a"}}, {})
    assert not holds({"StringNotEqualsIfExists": {"kms:x": "a"}}, {"kms:x": "a"})


def test_for_all_values() -> None:
    # IAM User Guide: "ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}
    condition = {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}
    assert holds(condition, {"aws:TagKeys": ["environment"]})
    assert holds(condition, {"aws:TagKeys": ["environment", "cost-center"]})
    assert not holds(condition, {"aws:TagKeys": ["environment", "owner"]})
    assert holds(condition, {})  # no key: true, as AWS documents
    # KMS Developer Guide: kms:GrantOperations
    grant_ops = {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Encrypt", "Decrypt"]}}
    assert holds(grant_ops, {"kms:GrantOperations": ["Decrypt"]})
    assert not holds(grant_ops, {"kms:GrantOperations": ["Decrypt", "CreateGrant"]})


def test_for_any_value() -> None:
    condition = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}
    assert holds(condition, {"aws:TagKeys": ["owner", "cost-center"]})
    assert not holds(condition, {"aws:TagKeys": ["owner"]})
    assert not holds(condition, {})  # no key: false
    negated = {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["environment"]}}
    assert holds(negated, {"aws:TagKeys": ["environment", "owner"]})
    assert not holds(negated, {"aws:TagKeys": ["environment"]})


def test_kms_via_service_example() -> None:
    # KMS Developer Guide: kms:ViaService with two services
    condition = {
        "StringEquals": {
            "kms:ViaService": ["ec2.us-west-2.amazonaws.com", "rds.us-west-2.amazonaws.com"]
        }
    }
    assert holds(condition, {"kms:ViaService": "rds.us-west-2.amazonaws.com"})
    assert not holds(condition, {"kms:ViaService": "firehose.us-west-2.amazonaws.com"})


def test_condition_key_names_are_case_insensitive() -> None:
    assert holds({"StringEquals": {"KMS:VIASERVICE": "x"}}, {"kms:ViaService": "x"})


# What can't be evaluated never allows ----------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, "IpAddress"),
        ({"StringEqualsSometimes": {"kms:x": "a"}}, "StringEqualsSometimes"),
        ({"ForOneValue:StringEquals": {"kms:x": "a"}}, "ForOneValue"),
        ({"StringEquals": {"aws:username": "${aws:username}"}}, "policy variables"),
        ({"NumericEquals": {"kms:x": "many"}}, "not a number"),
        ({"StringEquals": {"kms:x": {"nested": 1}}}, "values"),
    ],
)
def test_what_is_not_evaluated_never_allows_and_is_reported(
    condition: dict[str, Any], words: str
) -> None:
    context = {"aws:SourceIp": "203.0.113.7", "kms:x": "a", "aws:username": "alice"}
    found = outcome([allow(condition)], request(context))
    assert found.effect is None
    assert any(words in note for note in found.notes), found.notes
    denied = outcome([allow(), {**allow(condition), "Effect": "Deny"}], request(context))
    assert denied.effect == "Deny"
    assert any(words in note for note in denied.notes)


def test_a_key_the_request_does_not_model_is_not_evaluated() -> None:
    modelled = Request(ALICE, "kms:CreateGrant", KEY, {}, lambda key: key == "kms:viaservice")
    doc = parse(json.dumps({"Statement": [allow({"StringEquals": {"aws:PrincipalOrgID": "o-1"}})]}))
    found = doc.evaluate(modelled)
    assert found.effect is None and "aws:principalorgid" in found.notes[0]
    negated = parse(
        json.dumps({"Statement": [allow({"StringNotEquals": {"kms:ViaService": "x"}})]})
    )
    assert negated.evaluate(modelled).effect == "Allow"  # modelled and absent: negation holds


def test_a_condition_known_false_decides_before_one_not_evaluated() -> None:
    condition = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringEquals": {"kms:x": "b"}}
    deny = {**allow(condition), "Effect": "Deny"}
    found = outcome([allow(), deny], request({"kms:x": "a"}))
    assert found == Outcome("Allow", "#1", via_account=False, notes=())


# Statements: effect, principal, action, resource -------------------------------------------


def test_explicit_deny_wins_over_allow() -> None:
    statements = [
        allow(),
        {**allow(), "Effect": "Deny", "Sid": "NoGrants", "Action": "kms:CreateGrant"},
    ]
    assert outcome(statements, request()).effect == "Deny"
    assert outcome(statements, request()).statement == "NoGrants"
    assert outcome(statements, request(action="kms:Decrypt")).effect == "Allow"


def test_actions_wildcards_not_action_case_insensitive() -> None:
    assert (
        outcome(
            [allow(Action="KMS:generatedatakey*")], request(action="kms:GenerateDataKey")
        ).effect
        == "Allow"
    )
    assert (
        outcome([allow(Action=["kms:Describe?ey"])], request(action="kms:DescribeKey")).effect
        == "Allow"
    )
    assert outcome([allow(Action="kms:Encrypt")], request(action="kms:Decrypt")).effect is None
    not_action = {k: v for k, v in allow().items() if k != "Action"}
    not_action["NotAction"] = ["kms:Decrypt", "kms:Encrypt"]
    assert outcome([not_action], request(action="kms:CreateGrant")).effect == "Allow"
    assert outcome([not_action], request(action="kms:Decrypt")).effect is None


@pytest.mark.parametrize(
    ("principal", "who", "effect", "via_account"),
    [
        ("*", ALICE, "Allow", False),
        ({"AWS": "*"}, FIREHOSE, "Allow", False),
        ({"AWS": ACCOUNT}, ALICE, "Allow", True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, SESSION, "Allow", True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, FIREHOSE, None, False),
        ({"AWS": "arn:aws:iam::111122223333:root"}, ALICE, None, False),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/producer"}, SESSION, "Allow", False),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/producer"}, ALICE, None, False),
        ({"AWS": [f"arn:aws:sts::{ACCOUNT}:assumed-role/producer/s1"]}, SESSION, "Allow", False),
        ({"Service": "firehose.amazonaws.com"}, FIREHOSE, "Allow", False),
        ({"Service": "firehose.amazonaws.com"}, ALICE, None, False),
        ({"Federated": "cognito-identity.amazonaws.com"}, ALICE, None, False),
    ],
)
def test_principal_forms(
    principal: Any, who: Principal, effect: str | None, via_account: bool
) -> None:
    found = outcome([allow(Principal=principal)], request(principal=who))
    assert (found.effect, found.via_account) == (effect, via_account)


def test_direct_allow_is_preferred_to_one_through_the_account() -> None:
    statements = [allow(Principal={"AWS": ACCOUNT}), allow()]
    assert outcome(statements, request()).via_account is False


def test_not_principal_in_a_deny() -> None:
    deny = {**allow(), "Effect": "Deny"}
    del deny["Principal"]
    deny["NotPrincipal"] = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/producer"}
    assert outcome([allow(Principal="*"), deny], request(principal=SESSION)).effect == "Allow"
    assert outcome([allow(Principal="*"), deny], request(principal=ALICE)).effect == "Deny"


def test_identity_policy_resources() -> None:
    identity = {
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": "arn:aws:kms:*:123456789012:key/*",
    }
    assert outcome([identity], request(action="kms:Decrypt")).effect == "Allow"
    other = {**identity, "Resource": "arn:aws:kms:*:111122223333:key/*"}
    assert outcome([other], request(action="kms:Decrypt")).effect is None
    not_resource = {"Effect": "Deny", "Action": "kms:*", "NotResource": KEY}
    assert outcome([identity, not_resource], request(action="kms:Decrypt")).effect == "Allow"


def test_unreadable_documents_allow_nothing() -> None:
    assert parse("{not json").problem is not None
    assert parse("{not json").evaluate(request()).effect is None
    assert parse('{"Statement": 3}').problem is not None
    assert parse(json.dumps({"Statement": allow()})).evaluate(request()).effect == "Allow"
    bad_block = parse(json.dumps({"Statement": [allow(condition=["x"])]}))  # type: ignore[arg-type]
    assert bad_block.evaluate(request()).effect is None


def test_parsed_documents_are_cached_per_text() -> None:
    text = json.dumps({"Statement": [allow()]})
    assert parse(text) is parse(str(text))
    assert parse(text).names_principals is True
    root_only = json.dumps({"Statement": [allow(Principal={"AWS": ACCOUNT})]})
    assert parse(root_only).names_principals is False


# Edges found by mutation testing ---------------------------------------------------------


def test_arn_operators_keep_colons_in_the_resource_part() -> None:
    # IAM User Guide: the Arn operators split an ARN into its six parts; the resource part
    # (here "log-group:app") may itself hold colons.
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:app"
    assert holds(
        {"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:*"}}, {"aws:SourceArn": group}
    )
    assert holds({"ArnEquals": {"aws:SourceArn": group}}, {"aws:SourceArn": group})
    assert not holds(
        {"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:other"}}, {"aws:SourceArn": group}
    )


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is Unix only")
def test_a_date_without_a_zone_is_utc_whatever_the_machine_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # UTC+9, no daylight saving
    time.tzset()
    try:
        midnight = 1776643200  # 2026-04-20T00:00:00Z
        assert holds(
            {"DateEquals": {"aws:CurrentTime": "2026-04-20T00:00:00"}},
            {"aws:CurrentTime": midnight},
        )
        assert holds(
            {"DateEquals": {"aws:CurrentTime": "2026-04-20"}}, {"aws:CurrentTime": midnight}
        )
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("condition", "note"),
    [
        (
            {"DateLessThan": {"aws:CurrentTime": "tomorrow"}},
            "statement #1: 'tomorrow' is not a date",
        ),
        (
            {"Bool": {"kms:GrantIsForAWSResource": "yes"}},
            "statement #1: 'yes' is not true or false",
        ),
        (
            {"TimeLessThan": {"aws:CurrentTime": "2027-01-01"}},
            "statement #1: TimeLessThan on aws:currenttime: "
            "the mock does not evaluate the operator TimeLessThan",
        ),
        (
            {"StringEquals": {"kms:x": [["a"]]}},
            "statement #1: StringEquals on kms:x: its values are not strings, numbers or booleans",
        ),
    ],
)
def test_notes_say_which_condition_and_why(condition: dict[str, Any], note: str) -> None:
    context = {
        "aws:CurrentTime": "2026-11-29T00:00:00Z",
        "kms:GrantIsForAWSResource": True,
        "kms:x": "a",
    }
    found = outcome([allow(condition)], request(context))
    assert found == Outcome(None, notes=(note,))


def test_exact_action_names_ignore_case_and_exact_values_do_not() -> None:
    # IAM: action names are case-insensitive; StringLike and Resource values are not.
    assert outcome([allow(Action="KMS:DECRYPT")], request(action="kms:Decrypt")).effect == "Allow"
    assert not holds({"StringLike": {"aws:username": "ALICE"}}, {"aws:username": "alice"})
    assert outcome([allow(Resource=KEY.upper())], request()).effect is None


def test_json_booleans_are_the_strings_true_and_false() -> None:
    # IAM reads a JSON boolean in a condition as "true" / "false", also for string operators.
    assert holds(
        {"StringEquals": {"kms:GrantIsForAWSResource": True}}, {"kms:GrantIsForAWSResource": True}
    )
    assert holds(
        {"StringEquals": {"kms:GrantIsForAWSResource": False}}, {"kms:GrantIsForAWSResource": False}
    )


@pytest.mark.parametrize(
    ("principal", "who"),
    [
        ({"AWS": "firehose.amazonaws.com"}, FIREHOSE),  # a service is named under "Service"
        ({"Service": f"arn:aws:iam::{ACCOUNT}:user/alice"}, ALICE),  # a user under "AWS"
        ({"Federated": ACCOUNT}, ALICE),
        ({"CanonicalUser": f"arn:aws:iam::{ACCOUNT}:root"}, ALICE),
    ],
)
def test_a_principal_is_named_only_under_its_own_kind(principal: Any, who: Principal) -> None:
    assert outcome([allow(Principal=principal)], request(principal=who)).effect is None


def test_a_direct_allow_after_one_through_the_account_is_preferred() -> None:
    through_account = allow(Sid="Account", Principal={"AWS": ACCOUNT})
    for direct in (
        allow(Sid="Anyone", Principal="*"),
        {
            **{k: v for k, v in allow().items() if k != "Principal"},
            "Sid": "Anyone",
            "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
        },
    ):
        found = outcome([through_account, direct], request())
        assert (found.effect, found.statement, found.via_account) == ("Allow", "Anyone", False)


def test_the_first_of_two_direct_allows_is_the_one_named() -> None:
    found = outcome([allow(Sid="First"), allow(Sid="Second")], request())
    assert found == Outcome("Allow", "First", via_account=False, notes=())


def test_an_allow_keeps_the_notes_of_statements_not_evaluated() -> None:
    unevaluated = allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, Sid="Office")
    found = outcome([allow(Sid="Anyone"), unevaluated], request())
    assert found == Outcome(
        "Allow",
        "Anyone",
        notes=(
            "statement Office: IpAddress on aws:sourceip: "
            "the mock does not evaluate the operator IpAddress",
        ),
    )


def test_a_statement_whose_effect_is_neither_allow_nor_deny_is_ignored() -> None:
    odd = {**allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), "Effect": "allow"}
    assert outcome([odd], request()) == Outcome(None)
    assert outcome([allow(), odd], request()) == Outcome("Allow", "#1")


def test_statements_after_one_that_does_not_apply_are_read() -> None:
    deny_grants = {**allow(), "Effect": "Deny", "Action": "kms:CreateGrant"}
    assert outcome([deny_grants, allow()], request(action="kms:Decrypt")).effect == "Allow"
    odd = {**allow(), "Effect": "Audit"}
    assert outcome([odd, allow()], request()).effect == "Allow"
    other_key = {**allow(), "Effect": "Deny", "Resource": KEY.replace("1234abcd", "5678efab")}
    assert outcome([other_key, allow()], request()).effect == "Allow"


def test_which_documents_depend_on_who_the_principal_is() -> None:
    def names_principals(statement: dict[str, Any]) -> bool:
        return parse(json.dumps({"Statement": [statement]})).names_principals

    assert names_principals(allow(Principal="*")) is False
    assert names_principals(allow(Principal={"AWS": "*"})) is False
    assert names_principals(allow(Principal={"AWS": ACCOUNT})) is False
    assert names_principals(allow(Principal={"AWS": ACCOUNT}, condition=["x"])) is True  # type: ignore[arg-type]
    assert (
        names_principals(
            allow(Principal="*", condition={"StringEquals": {"aws:PrincipalArn": "x"}})
        )
        is True
    )


# Hostile documents -------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_names = st.sampled_from(
    [
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
        "Sid",
    ]
)
_field_values = st.one_of(
    _json,
    st.sampled_from(["Allow", "Deny", "*", "kms:*", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"]),
    st.dictionaries(
        st.sampled_from(
            [
                "StringEquals",
                "ForAllValues:StringLike",
                "Null",
                "DateLessThan",
                "Bool",
                "NumericEquals",
                "ArnLike",
                "X",
            ]
        ),
        st.dictionaries(st.sampled_from(["kms:x", "aws:CurrentTime", "kms:y"]), _json, max_size=2),
        max_size=2,
    ),
    st.dictionaries(st.sampled_from(["AWS", "Service", "Federated"]), _json, max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    statements=st.lists(st.dictionaries(_names, _field_values, max_size=6), max_size=4) | _json,
    context=st.dictionaries(
        st.sampled_from(["kms:x", "kms:y", "aws:currenttime"]),
        st.lists(st.text(max_size=6), max_size=3).map(tuple),
        max_size=3,
    ),
)
def test_any_document_evaluates_without_error(statements: Any, context: dict[str, Any]) -> None:
    text = json.dumps({"Statement": statements})
    for who in (ALICE, SESSION, FIREHOSE):
        found = parse(text).evaluate(Request(who, "kms:CreateGrant", KEY, context, everything))
        assert found.effect in (None, "Allow", "Deny")
