"""Hostile key policies (issue 15, items 1-3): wildcards that would backtrack, documents nested
past Python's recursion limit, elements of the wrong type. Each decides quickly, and whatever
the mock can't read never lets a call through (rule 36).

Through boto3 where a client can see it; the evaluator on its own for the time bounds. The
benchmark (``benchmarks/bench.py``, section "Hostile key policies") measures the 10 ms target
on 32 KB documents; here the bounds are loose (well under a second), so as not to be flaky.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moto_firehose_sse import FirehoseSSE, policy, wildcards

from .helpers import ACCOUNT, REGION, create_stream, description, settle
from .kms_helpers import cmk, start

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = "a" * 46  # many a's: what a*a*a... patterns backtrack on
STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{STREAM}"
LIMIT = 32 * 1024  # AWS's largest key policy
BOUND = 1.0  # CPU seconds: far above the benchmark's 10 ms, far below the old minutes


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*", **fields}


def deny(**fields: Any) -> dict[str, Any]:
    return {**allow(**fields), "Effect": "Deny"}


def _without(statement: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k not in names}


def cpu(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.process_time()
    result = action()
    return result, time.process_time() - started


def filled(make: Callable[[list[Any]], str], item: Callable[[int], Any]) -> str:
    """The largest document ``make(items)`` of at most 32 KB, items from ``item(index)``."""
    items: list[Any] = []
    step = 256
    while step:
        trial = items + [item(len(items) + i) for i in range(step)]
        if len(make(trial)) <= LIMIT:
            items = trial
        else:
            step //= 2
    return make(items)


# Item 1: wildcards decide in linear time ----------------------------------------------------

STARS = "kms:" + "*" * 22 + "x"  # the old regex took seconds per evaluation
A8B = "*a" * 8 + "*b"
A7B = "*a" * 7 + "*b"
BACKTRACKING = {  # (key policy, the stream status Create leaves)
    "Action kms:**...*x": (document(allow(Action=STARS)), "CREATING_FAILED"),
    "NotAction kms:**...*x": (
        document({**_without(allow(), "Action"), "NotAction": STARS}),
        "ACTIVE",
    ),
    "ArnLike *a*a...*b": (
        document(
            allow(
                Condition={
                    "ArnLike": {"aws:SourceArn": f"arn:aws:firehose:{REGION}:{ACCOUNT}:{A8B}"}
                }
            )
        ),
        "CREATING_FAILED",
    ),
    "ForAnyValue:StringLikeIfExists *a*a...*b": (
        document(allow(Condition={"ForAnyValue:StringLikeIfExists": {"aws:SourceArn": A7B}})),
        "CREATING_FAILED",
    ),
    "Deny StringNotLike *a*a...*b": (
        document(allow(), deny(Condition={"StringNotLike": {"aws:SourceArn": A7B}})),
        "CREATING_FAILED",
    ),
    "Resource *?*?...*q": (document(allow(Resource="*?" * 6 + "*q")), "CREATING_FAILED"),
}


@pytest.mark.parametrize(("text", "status"), BACKTRACKING.values(), ids=BACKTRACKING.keys())
def test_a_create_with_a_backtracking_wildcard_finishes_at_once(
    firehose: Any, kms: Any, text: str, status: str
) -> None:
    key = kms.create_key(Policy=text)["KeyMetadata"]["Arn"]
    _, spent = cpu(
        lambda: create_stream(firehose, STREAM, DeliveryStreamEncryptionConfigurationInput=cmk(key))
    )
    assert spent < BOUND
    assert description(firehose, STREAM)["DeliveryStreamStatus"] == status


def test_a_wildcard_that_matches_still_allows(firehose: Any, kms: Any) -> None:
    matching = document(
        allow(
            Action="kms:*" + "*" * 20 + "e*",  # DescribeKey, CreateGrant: both have an "e"
            Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:firehose:*:{ACCOUNT}:*a*a*a*"}},
        )
    )
    key = kms.create_key(Policy=matching)["KeyMetadata"]["Arn"]
    create_stream(firehose, STREAM, DeliveryStreamEncryptionConfigurationInput=cmk(key))
    assert description(firehose, STREAM)["DeliveryStreamStatus"] == "ACTIVE"


def _hostile_documents() -> dict[str, str]:
    arn_part = f"arn:aws:firehose:{REGION}:{ACCOUNT}:"
    return {
        "statements": filled(
            lambda xs: document(*xs),
            lambda i: deny(Sid=f"S{i}", Action=f"kms:*{i}*", Condition={"Bool": {"kms:x": i}}),
        ),
        "conditions": filled(
            lambda xs: document(*xs),
            lambda i: allow(Condition={"StringLike": {"aws:SourceArn": f"*a*{i}*b"}}),
        ),
        "action patterns": filled(lambda xs: document(allow(Action=xs)), lambda i: f"kms:*{i}*Q"),
        "one pattern of 32K stars": document(allow(Action="kms:" + "*" * (LIMIT - 200) + "x")),
        "question marks": filled(
            lambda xs: document(allow(Condition={"StringLike": {"aws:SourceArn": xs}})),
            lambda i: "*" + "a?" * (i % 30) + "b*",
        ),
        "arn parts": filled(
            lambda xs: document(allow(Condition={"ArnLike": {"aws:SourceArn": xs}})),
            lambda i: arn_part + "*a" * (i % 12) + "*b",
        ),
        "grant operations": filled(
            lambda xs: document(
                allow(Condition={"ForAllValues:StringLike": {"kms:GrantOperations": xs}})
            ),
            lambda i: f"?{i}*?",
        ),
    }


HOSTILE = _hostile_documents()


def _requests() -> list[policy.Request]:
    from moto_firehose_sse import kms

    caller = type(
        "Caller",
        (),
        {
            "account": ACCOUNT,
            "region": REGION,
            "arn": f"arn:aws:sts::{ACCOUNT}:user/moto",
            "principal_arn": f"arn:aws:iam::{ACCOUNT}:user/moto",
            "user_id": "AKIAIOSFODNN7EXAMPLE",
            "arns": frozenset({f"arn:aws:iam::{ACCOUNT}:user/moto"}),
        },
    )()
    use = kms.Use(caller, STREAM_ARN)  # type: ignore[arg-type]
    return [
        kms._request(action, KEY, use, service)
        for action, service in (
            *((action, False) for action in kms.ENABLE_ACTIONS),
            *((action, True) for action in kms.GRANT_USE_ACTIONS),
        )
    ]


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_32kb_document_decides_well_under_a_second(text: str) -> None:
    assert len(text) <= LIMIT
    for request in _requests():
        policy.parse.cache_clear()
        wildcards.compile_pattern.cache_clear()
        outcome, spent = cpu(lambda: policy.parse(text).evaluate(request))  # noqa: B023
        assert spent < BOUND, (request.action, spent)
        assert outcome.effect in (None, "Allow", "Deny")


def test_a_document_that_needs_too_many_comparisons_denies_unevaluated() -> None:
    many = [f"kms:{i}*" for i in range(policy.MAX_COMPARISONS)]
    outcome = policy.parse(document(allow(Action=many))).evaluate(_requests()[1])
    assert outcome.effect == "Deny" and outcome.statement is None
    assert outcome.notes[-1] == (
        "the document needs more than 10,000 comparisons for this request, "
        "more than the mock makes for one evaluation"
    )
    fewer = policy.parse(document(allow(Action=[*many[:5000], "kms:CreateGrant"])))
    assert fewer.evaluate(_requests()[1]).effect == "Allow"


def _reference(value: str, pattern: str) -> bool:
    """IAM's wildcards by dynamic programming: obviously right, quadratic."""
    reach = [True] + [False] * len(value)
    for char in pattern:
        if char == "*":
            for i in range(1, len(reach)):
                reach[i] = reach[i] or reach[i - 1]
        else:
            reach = [False] + [
                reach[i] and (char == "?" or char == value[i]) for i in range(len(value))
            ]
    return reach[-1]


@settings(max_examples=2000, deadline=None)
@given(
    value=st.text(alphabet="ab:?*", max_size=12),
    pattern=st.text(alphabet="ab:?*", max_size=12),
)
def test_wildcards_match_as_iam_reads_them(value: str, pattern: str) -> None:
    assert wildcards.matches(value, pattern) is _reference(value, pattern)
    assert wildcards.matches(value.upper(), pattern, ignore_case=True) is _reference(value, pattern)


# Item 2: a document nested past the recursion limit ---------------------------------------

DEEP = document(allow(Sid="placeholder")).replace('"placeholder"', "[" * 5000 + "]" * 5000)


def test_a_policy_nested_too_deep_allows_nothing_on_create(firehose: Any, kms: Any) -> None:
    key = kms.create_key(Policy=DEEP)["KeyMetadata"]["Arn"]
    create_stream(firehose, "deep", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    found = description(firehose, "deep")
    assert found["DeliveryStreamStatus"] == "CREATING_FAILED"
    failure = found["DeliveryStreamEncryptionConfiguration"]["FailureDescription"]
    assert failure["Type"] == "KMS_ACCESS_DENIED"
    assert "nested deeper than the mock can read" in failure["Details"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["deep"]


def test_a_policy_nested_too_deep_fails_a_start_and_describe_keeps_working(
    firehose: Any, kms: Any
) -> None:
    key = kms.create_key(Policy=DEEP)["KeyMetadata"]["Arn"]
    create_stream(firehose, "deep")
    start(firehose, "deep", key)
    block = settle(firehose, "deep")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    for _ in range(3):
        assert description(firehose, "deep")["DeliveryStreamStatus"] == "ACTIVE"
    firehose.delete_delivery_stream(DeliveryStreamName="deep")


def test_a_policy_nested_too_deep_refuses_producers(
    firehose: Any, kms: Any, firehose_sse: FirehoseSSE
) -> None:
    firehose_sse.producer_key_access = "required"
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "deep", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=DEEP)
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as refused:
        firehose.put_record(DeliveryStreamName="deep", Record={"Data": b"x"})
    assert refused.value.response["code"] == "KMS.AccessDeniedException"


def test_an_unreadable_document_is_reported_not_raised() -> None:
    assert policy.parse(DEEP).problem == "the policy is nested deeper than the mock can read"
    for no_list in ('{"Version": "2012-10-17"}', '{"Statement": "x"}', "[]"):
        assert policy.parse(no_list).problem == "the policy has no Statement list"
    assert policy.parse(DEEP).evaluate(_requests()[0]).effect is None


# Item 3: elements of the wrong type never let a call through --------------------------------

JUNK: list[Any] = [
    {"x": 1},
    {},
    [],
    {"AWS": []},
    5,
    2.5,
    True,
    None,
    [1],
    [["kms:CreateGrant"]],
    ["kms:*", {"x": 1}],
    [None],
]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
@pytest.mark.parametrize("element", ["NotAction", "NotResource", "NotPrincipal"])
def test_an_unreadable_negated_element_allows_nothing(
    firehose: Any, kms: Any, element: str, junk: Any
) -> None:
    plain = element[3:]
    statement = {**_without(allow(), plain), element: junk}
    key = kms.create_key(Policy=document(statement))["KeyMetadata"]["Arn"]
    create_stream(firehose, "junk", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    found = description(firehose, "junk")
    assert found["DeliveryStreamStatus"] == "CREATING_FAILED"
    details = found["DeliveryStreamEncryptionConfiguration"]["FailureDescription"]["Details"]
    assert f"its {element} could not be read" in details


@pytest.mark.parametrize("junk", JUNK, ids=repr)
@pytest.mark.parametrize(
    "element", ["Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal"]
)
def test_an_unreadable_element_in_a_deny_applies(
    firehose: Any, kms: Any, element: str, junk: Any
) -> None:
    plain = element.removeprefix("Not")
    denial = {**_without(allow(), plain), element: junk, "Effect": "Deny"}
    key = kms.create_key(Policy=document(allow(), denial))["KeyMetadata"]["Arn"]
    create_stream(firehose, "junk", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    found = description(firehose, "junk")
    assert found["DeliveryStreamStatus"] == "CREATING_FAILED"
    failure = found["DeliveryStreamEncryptionConfiguration"]["FailureDescription"]
    assert failure["Type"] == "KMS_ACCESS_DENIED"
    assert f"its {element} could not be read" in failure["Details"]


def test_a_deny_with_an_unreadable_element_ruled_out_by_a_readable_one_does_not_apply() -> None:
    narrow = deny(Action="kms:Encrypt", NotResource={"x": 1})
    del narrow["Resource"]
    outcome = policy.parse(document(allow(), narrow)).evaluate(_requests()[1])
    assert outcome.effect == "Allow"  # CreateGrant is not kms:Encrypt: the Deny can't apply


def test_a_condition_costs_its_values_times_the_request_s_values_of_its_key() -> None:
    """The bound counts a condition's values once per value the request has for its key
    (CreateGrant has several kms:GrantOperations, one kms:ViaService)."""
    grant = _requests()[1]
    operations = len(grant.context["kms:grantoperations"])
    assert grant.action == "kms:CreateGrant" and operations > 2
    values = [f"kms:{i}" for i in range(6_000)]

    def outcome(key: str) -> policy.Outcome:
        condition = {"ForAnyValue:StringEquals": {key: values}}
        return policy.parse(document(allow(Condition=condition))).evaluate(grant)

    fits = outcome("kms:ViaService")  # 6,000 comparisons: evaluated, and does not hold
    assert (fits.effect, fits.notes) == (None, ())
    # 1 + action + resource + principal + 9,996 = 10,000: still evaluated; one more is not
    for count, effect in ((9_996, None), (9_997, "Deny")):
        values = [f"kms:{i}" for i in range(count)]
        assert outcome("kms:ViaService").effect == effect, count
    too_many = outcome("kms:GrantOperations")  # 6,000 times each operation
    assert too_many.effect == "Deny" and too_many.statement is None
    assert "comparisons" in too_many.notes[-1]


@pytest.mark.parametrize("sid", [7, ["x"], {"a": 1}, "", None])
def test_a_statement_without_a_string_sid_is_named_by_its_position(sid: Any) -> None:
    statement = {**allow(Action={"x": 1}), "Sid": sid}
    outcome = policy.parse(document(allow(Action="kms:Encrypt"), statement)).evaluate(
        _requests()[1]
    )
    assert outcome.notes == ("statement #2: its Action could not be read",)


@pytest.mark.parametrize(("resources", "effect"), [(998, "Allow"), (999, "Deny")])
def test_a_statement_costs_one_comparison_per_action_resource_and_principal(
    resources: int, effect: str
) -> None:
    """1 + 9,000 actions + resources + 1 principal: 10,000 is evaluated, 10,001 is not."""
    actions = [f"kms:Other{i}" for i in range(8_999)] + ["kms:CreateGrant"]
    statement = allow(Action=actions, Resource=["*"] + [f"arn:{i}" for i in range(resources - 1)])
    outcome = policy.parse(document(statement)).evaluate(_requests()[1])
    assert outcome.effect == effect
    assert (outcome.statement is None) == (effect == "Deny")


def test_an_unreadable_element_s_note_comes_with_its_condition_s() -> None:
    condition = {"StringEquals": {"aws:SourceIp": "10.0.0.1"}}  # a key the mock can't model
    statement = allow(Action={"x": 1}, Condition=condition)
    outcome = policy.parse(document(statement)).evaluate(_requests()[1])
    assert outcome.notes == (
        "statement #1: its Action could not be read; statement #1: StringEquals on aws:sourceip: "
        "the mock does not model the key aws:sourceip",
    )


def test_every_unreadable_element_of_a_statement_is_named() -> None:
    statement = _without(allow(Action={"x": 1}, NotResource={"y": 1}), "Resource")
    outcome = policy.parse(document(statement)).evaluate(_requests()[1])
    assert outcome.effect is None
    assert outcome.notes == ("statement #1: its Action and NotResource could not be read",)


@pytest.mark.parametrize("element", ["Action", "Resource", "Principal"])
def test_a_missing_or_null_element_is_unreadable(element: str) -> None:
    statement = {**allow(), element: None}
    outcome = policy.parse(document(statement)).evaluate(_requests()[1])
    assert outcome.effect is None
    assert f"its {element} could not be read" in outcome.notes[0]
    if element == "Action":  # a statement needs Action or NotAction
        outcome = policy.parse(document(_without(allow(), "Action"))).evaluate(_requests()[1])
        assert outcome.effect is None


# Hostile documents of every shape: each decides, quickly ------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet="kms:*?aAbx/", max_size=12),
    st.sampled_from(["*", "kms:*", "kms:CreateGrant", ROOT, STREAM_ARN, "Allow", "Deny"]),
)
_junk = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=10,
)
_wildcard = st.text(alphabet="*?a:b/", min_size=1, max_size=40)
_operator = st.sampled_from(
    [
        "StringLike",
        "StringNotLike",
        "ArnLike",
        "ArnNotLike",
        "ForAnyValue:StringLike",
        "ForAllValues:StringNotLikeIfExists",
        "ArnLikeIfExists",
        "StringEquals",
        "Null",
        "Bool",
    ]
)
_key = st.sampled_from(["aws:SourceArn", "kms:GrantOperations", "aws:PrincipalArn", "kms:x"])
_element_value = st.one_of(_junk, _wildcard, st.lists(_wildcard, max_size=6))
_statement = st.fixed_dictionaries(
    {},
    optional={
        "Effect": st.sampled_from(["Allow", "Deny"]) | _junk,
        "Sid": _junk,
        "Action": _element_value,
        "NotAction": _element_value,
        "Resource": _element_value,
        "NotResource": _element_value,
        "Principal": st.just("*")
        | st.dictionaries(st.sampled_from(["AWS", "Service"]), _element_value)
        | _junk,
        "NotPrincipal": st.dictionaries(st.sampled_from(["AWS", "Service"]), _element_value)
        | _junk,
        "Condition": st.dictionaries(
            _operator, st.dictionaries(_key, _element_value, max_size=2), max_size=2
        )
        | _junk,
    },
)


def _nested(depth: int, inner: str) -> str:
    return "[" * depth + inner + "]" * depth


@settings(max_examples=400, deadline=None)
@given(
    statements=st.lists(_statement, max_size=5) | _junk,
    depth=st.sampled_from([0, 0, 0, 50, 5000]),
)
def test_any_hostile_document_decides_within_the_bound(statements: Any, depth: int) -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": statements})
    if depth:
        text = text.replace('"Statement": ', f'"Statement": {_nested(depth, "")}, "x": ', 1)
    for request in _requests():
        policy.parse.cache_clear()
        outcome, spent = cpu(lambda: policy.parse(text).evaluate(request))  # noqa: B023
        assert spent < BOUND
        assert outcome.effect in (None, "Allow", "Deny")
        if policy.parse(text).problem is not None:
            assert outcome.effect is None


def test_a_key_policy_too_costly_to_evaluate_is_named_as_the_denier(
    firehose: Any, kms: Any
) -> None:
    """No statement decided: the failure names the key policy itself, and why."""
    values = [f"k{i}" for i in range(3_500)]  # times CreateGrant's grant operations: > 10,000
    condition = {"ForAnyValue:StringEquals": {"kms:GrantOperations": values}}
    text = document(allow(), allow(Condition=condition))
    assert len(text) <= LIMIT
    key = kms.create_key(Policy=text)["KeyMetadata"]["Arn"]
    create_stream(firehose, "costly", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    found = description(firehose, "costly")
    assert found["DeliveryStreamStatus"] == "CREATING_FAILED"
    failure = found["DeliveryStreamEncryptionConfiguration"]["FailureDescription"]
    assert failure["Type"] == "KMS_ACCESS_DENIED"
    assert "the key policy denies it" in failure["Details"]
    assert "statement" not in failure["Details"]
    assert "more than 10,000 comparisons" in failure["Details"]
