"""Fault injection for what a mock can't observe (rule 21; issue 3 point 9)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from moto_firehose_sse import Fault, FirehoseSSE, get_controller, mock_firehose_sse

from .helpers import ACCOUNT, REGION, client, create_stream, description, settle, sse
from .kms_helpers import start

CMK = "CUSTOMER_MANAGED_CMK"


def test_next_enable_fails_with_the_injected_type_once(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "f")
    firehose_sse.fail_next_enable("CREATE_KMS_GRANT_FAILED")
    assert [f.type for f in firehose_sse.pending_faults] == ["CREATE_KMS_GRANT_FAILED"]
    start(firehose, "f", key_arn)
    assert firehose_sse.pending_faults == ()
    assert sse(firehose, "f")["Status"] == "ENABLING"
    block = settle(firehose, "f")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"]["Type"] == "CREATE_KMS_GRANT_FAILED"
    assert "6 hours" in block["FailureDescription"]["Details"]
    assert kms.list_grants(KeyId=key_arn)["Grants"] == []
    # One call per fault: the retry succeeds.
    start(firehose, "f", key_arn)
    assert settle(firehose, "f") == {"KeyType": CMK, "KeyARN": key_arn, "Status": "ENABLED"}
    assert len(kms.list_grants(KeyId=key_arn)["Grants"]) == 1


def test_injected_details_and_other_types(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    create_stream(firehose, "f")
    firehose_sse.fail_next_enable("KMS_OPT_IN_REQUIRED", "Opt in first.")
    start(firehose, "f")
    assert settle(firehose, "f") == {
        "KeyType": "AWS_OWNED_CMK",
        "Status": "ENABLING_FAILED",
        "FailureDescription": {"Type": "KMS_OPT_IN_REQUIRED", "Details": "Opt in first."},
    }


def test_next_disable_fails_and_keeps_the_key(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "f")
    start(firehose, "f", key_arn)
    settle(firehose, "f")
    firehose_sse.fail_next_disable()
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="f")
    block = settle(firehose, "f")
    assert block["Status"] == "DISABLING_FAILED"
    assert block["KeyARN"] == key_arn and block["KeyType"] == CMK
    assert block["FailureDescription"]["Type"] == "RETIRE_KMS_GRANT_FAILED"
    assert firehose.put_record(DeliveryStreamName="f", Record={"Data": b"x"})["Encrypted"]
    assert len(kms.list_grants(KeyId=key_arn)["Grants"]) == 1
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="f")
    assert settle(firehose, "f") == {"Status": "DISABLED"}


def test_faults_target_a_stream_by_name(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    for name in ("a", "b"):
        create_stream(firehose, name)
    firehose_sse.fail_next_enable("UNKNOWN_ERROR", stream_name="b")
    start(firehose, "a")
    assert settle(firehose, "a")["Status"] == "ENABLED"
    assert firehose_sse.pending_faults == (
        Fault("enable", "UNKNOWN_ERROR", "Injected failure UNKNOWN_ERROR.", "b"),
    )
    start(firehose, "b")
    assert settle(firehose, "b")["FailureDescription"]["Type"] == "UNKNOWN_ERROR"


def test_faults_are_consumed_in_order_and_by_operation(
    firehose_sse: FirehoseSSE, firehose: Any
) -> None:
    create_stream(firehose, "f")
    firehose_sse.fail_next_disable()
    firehose_sse.fail_next_enable("UNKNOWN_ERROR")
    firehose_sse.fail_next_enable("CREATE_KMS_GRANT_FAILED")
    start(firehose, "f")  # takes the first enable fault; the disable fault waits
    assert settle(firehose, "f")["FailureDescription"]["Type"] == "UNKNOWN_ERROR"
    start(firehose, "f")
    assert settle(firehose, "f")["FailureDescription"]["Type"] == "CREATE_KMS_GRANT_FAILED"
    assert [f.operation for f in firehose_sse.pending_faults] == ["disable"]
    firehose_sse.clear_faults()
    start(firehose, "f")
    assert settle(firehose, "f")["Status"] == "ENABLED"


def test_refused_call_does_not_consume_the_fault(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    create_stream(firehose, "f")
    firehose_sse.fail_next_enable()
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        start(firehose, "f", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/none")
    assert len(firehose_sse.pending_faults) == 1


def test_fault_on_create_makes_it_creating_failed(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    firehose_sse.fail_next_enable()
    create_stream(
        firehose,
        "new",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": CMK, "KeyARN": key_arn},
    )
    stream = description(firehose, "new")
    assert stream["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert stream["FailureDescription"]["Type"] == "CREATE_KMS_GRANT_FAILED"
    assert kms.list_grants(KeyId=key_arn)["Grants"] == []


def test_fault_on_a_key_change_keeps_the_old_key_and_grant(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    old = kms.create_key()["KeyMetadata"]["Arn"]
    new = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "f")
    start(firehose, "f", old)
    settle(firehose, "f")
    firehose_sse.fail_next_enable()
    start(firehose, "f", new)
    block = settle(firehose, "f")
    assert (block["Status"], block["KeyARN"]) == ("ENABLING_FAILED", old)
    assert len(kms.list_grants(KeyId=old)["Grants"]) == 1
    assert kms.list_grants(KeyId=new)["Grants"] == []


@pytest.mark.parametrize(
    "kind", ["CREATE_PRIVATE_LINK_FAILED", "NOT_A_TYPE", "A_1", "KMS_ACCESS_DENIED", "X9_Y"]
)
def test_any_upper_case_word_word_type_is_injected(
    firehose_sse: FirehoseSSE, firehose: Any, kind: str
) -> None:
    """Rule 21: AWS reports failure types beyond botocore's enum; injection takes them."""
    create_stream(firehose, "f")
    firehose_sse.fail_next_enable(kind)
    start(firehose, "f")
    assert settle(firehose, "f")["FailureDescription"] == {
        "Type": kind,
        "Details": f"Injected failure {kind}.",
    }
    firehose_sse.fail_next_disable(kind)
    start(firehose, "f")
    assert settle(firehose, "f")["Status"] == "ENABLED"
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="f")
    assert settle(firehose, "f")["FailureDescription"]["Type"] == kind


def test_every_failure_type_of_botocores_model_is_injected(firehose_sse: FirehoseSSE) -> None:
    model = botocore.session.get_session().get_service_model("firehose")
    types = model.shape_for("DeliveryStreamFailureType").enum
    assert "CREATE_KMS_GRANT_FAILED" in types
    for kind in types:
        firehose_sse.fail_next_enable(kind)
        firehose_sse.fail_next_disable(kind)
        firehose_sse.fail_next_delete(kind)
    assert [fault.type for fault in firehose_sse.pending_faults] == [
        kind for kind in types for _ in range(3)
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "create_kms_grant_failed",
        "",
        "NOTATYPE",
        "_LEADING",
        "TRAILING_",
        "DOUBLE__UNDERSCORE",
        "1_DIGIT_FIRST",
        "CREATE_KMS_GRANT_FAILED\n",
        "SPACE IN_IT",
        "Mixed_Case",
        None,
        5,
    ],
)
def test_other_failure_types_are_a_value_error(firehose_sse: FirehoseSSE, bad: Any) -> None:
    for inject in (firehose_sse.fail_next_enable, firehose_sse.fail_next_disable):
        with pytest.raises(ValueError, match="DeliveryStreamFailureType") as refused:
            inject(bad)
        assert "None" not in str(refused.value)
    with pytest.raises(ValueError, match="details"):
        firehose_sse.fail_next_enable("UNKNOWN_ERROR", "")
    assert firehose_sse.pending_faults == ()


@pytest.mark.parametrize("bad", ["", "two words", "n" * 65, "ünï", 5, ["a"]])
def test_a_fault_stream_name_must_be_a_stream_name(firehose_sse: FirehoseSSE, bad: Any) -> None:
    for inject in (firehose_sse.fail_next_enable, firehose_sse.fail_next_disable):
        with pytest.raises(ValueError, match="stream_name"):
            inject(stream_name=bad)
    assert firehose_sse.pending_faults == ()
    firehose_sse.fail_next_enable(stream_name="a.b-c_D9")
    firehose_sse.fail_next_enable(stream_name="n" * 64)
    assert len(firehose_sse.pending_faults) == 2


@mock_firehose_sse
def test_decorated_test_reaches_the_controller() -> None:
    firehose = client("firehose")
    create_stream(firehose, "f")
    get_controller().fail_next_enable()
    start(firehose, "f")
    assert settle(firehose, "f")["FailureDescription"]["Type"] == "CREATE_KMS_GRANT_FAILED"


def test_faults_do_not_outlive_the_mock() -> None:
    with mock_firehose_sse() as first:
        first.fail_next_enable()
    with mock_firehose_sse() as second:
        assert second.pending_faults == ()
        firehose = client("firehose")
        create_stream(firehose, "f")
        start(firehose, "f")
        assert settle(firehose, "f")["Status"] == "ENABLED"


def test_fault_refusals_in_full(firehose_sse: FirehoseSSE) -> None:
    with pytest.raises(ValueError) as refused:
        firehose_sse.fail_next_enable(None)  # type: ignore[arg-type]
    assert str(refused.value) == (
        "type must be a DeliveryStreamFailureType: an upper-case WORD_WORD name such as "
        "CREATE_KMS_GRANT_FAILED, or one AWS reports beyond botocore's list, e.g. "
        "CREATE_PRIVATE_LINK_FAILED; got no value"
    )
    with pytest.raises(ValueError) as refused:
        firehose_sse.fail_next_disable(stream_name="two words")
    assert str(refused.value) == (
        "stream_name must be a delivery stream name (1 to 64 characters of a-z, A-Z, 0-9, "
        "_ . -), or left out for any stream; got 'two words'"
    )
    assert firehose_sse.pending_faults == ()
