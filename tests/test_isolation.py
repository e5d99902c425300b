"""Isolation: nothing survives a mock, and accounts and regions don't talk (issue 5; rules 13, 22, 23, 28)."""

from __future__ import annotations

from typing import Any

import pytest
from moto import mock_aws

from moto_firehose_sse import FirehoseSSE, get_controller, mock_firehose_sse

from .helpers import (
    ACCOUNT,
    REGION,
    create_stream,
    delete_stream,
    description,
    error_code,
    settle,
    sse,
)
from .kms_helpers import (
    OTHER_ACCOUNT,
    THIRD_ACCOUNT,
    cmk,
    grants,
    in_account,
    other_account_client,
    session_client,
    start,
)

pytest_plugins = ["pytester"]

DEFAULTS = FirehoseSSE().settings()
OTHER_REGION = "eu-west-1"


def leave_everything_behind(controller: FirehoseSSE) -> None:
    """Inside a mock: streams, a used-up quota, a grant, faults, settings and a transition."""
    controller.configure(
        max_encryption_changes_per_day=2, max_streams_per_region=3, lenient_keys=True
    )
    controller.record_encryption_lag = 5
    controller.set_transition({"progression": "immediate"})
    firehose, kms = session_client("firehose"), session_client("kms")
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "kept", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert len(grants(kms, key["KeyId"])) == 1
    for _ in range(2):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="kept")
    with pytest.raises(firehose.exceptions.LimitExceededException):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="kept")
    controller.fail_next_enable()
    controller.fail_next_disable(stream_name="kept")
    assert len(controller.pending_faults) == 2


def assert_fresh(controller: FirehoseSSE) -> None:
    """Inside a new mock: defaults, no streams, no keys, no faults, default transition."""
    assert controller.settings() == DEFAULTS
    assert controller.pending_faults == ()
    firehose, kms = session_client("firehose"), session_client("kms")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert kms.list_keys()["Keys"] == []
    create_stream(firehose, "kept")
    for _ in range(3):  # more changes than the old quota of 2; the old faults would fail them
        start(firehose, "kept")
        assert sse(firehose, "kept")["Status"] == "ENABLING"  # the default transition
        assert settle(firehose, "kept")["Status"] == "ENABLED"
    put = firehose.put_record(DeliveryStreamName="kept", Record={"Data": b"x"})
    assert put["Encrypted"] is True  # no lag left behind


def test_nothing_survives_a_mock() -> None:
    with mock_firehose_sse() as controller:
        leave_everything_behind(controller)
    with pytest.raises(RuntimeError):
        get_controller()
    with mock_firehose_sse() as controller:
        assert_fresh(controller)


def test_plain_moto_after_the_mock_is_plain_moto() -> None:
    with mock_firehose_sse() as controller:
        leave_everything_behind(controller)
    with mock_aws():
        firehose = session_client("firehose")
        create_stream(firehose, "plain")
        # moto's own Firehose: no encryption block for a never-encrypted stream.
        assert "DeliveryStreamEncryptionConfiguration" not in description(firehose, "plain")


def test_nested_mock_leaves_the_outer_one_as_it_was() -> None:
    with mock_firehose_sse(max_encryption_changes_per_day=4) as outer:
        firehose = session_client("firehose")
        create_stream(firehose, "outer")
        with mock_firehose_sse(max_streams_per_region=7) as inner:
            assert get_controller() is inner
            inner.fail_next_enable()
        assert get_controller() is outer
        assert outer.settings() == {**DEFAULTS, "max_encryption_changes_per_day": 4}
        start(firehose, "outer")
        assert settle(firehose, "outer")["Status"] == "ENABLED"  # the inner fault is gone


INNER_TESTS = """
import boto3
import pytest
from moto.moto_api import state_manager
from moto_firehose_sse import DELETION_MODEL_NAME, MODEL_NAME, FirehoseSSE

DEFAULTS = FirehoseSSE().settings()


@pytest.mark.firehose_sse(max_streams_per_region=3)
def test_a_leaves_everything_behind(firehose_sse):
    firehose_sse.set_transition({"progression": "immediate"})
    firehose_sse.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
    firehose_sse.configure(max_encryption_changes_per_day=2, record_encryption_lag=1)
    firehose_sse.fail_next_enable()
    firehose_sse.fail_next_disable()
    firehose_sse.fail_next_delete()
    client = boto3.client("firehose", region_name="us-east-1")
    client.create_delivery_stream(
        DeliveryStreamName="left",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::b"
        },
    )
    assert client.list_delivery_streams()["DeliveryStreamNames"] == ["left"]
    assert len(firehose_sse.pending_faults) == 3
    assert state_manager.get_transition(MODEL_NAME) == {"progression": "immediate"}


def test_b_starts_fresh(firehose_sse):
    assert firehose_sse.settings() == DEFAULTS
    assert firehose_sse.pending_faults == ()
    client = boto3.client("firehose", region_name="us-east-1")
    assert client.list_delivery_streams()["DeliveryStreamNames"] == []


def test_c_no_transition_left_outside_a_mock():
    # moto's state manager keeps user-set transitions across mocks unless they are unset
    for model in (MODEL_NAME, DELETION_MODEL_NAME):
        assert model not in state_manager._transitions
        assert model not in state_manager._default_transitions
"""


def test_fixture_leaves_nothing_for_the_next_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(passed=3)


# Accounts and regions -----------------------------------------------------------------------


def test_same_stream_name_in_accounts_and_regions_without_cross_talk(
    firehose_sse: FirehoseSSE,
) -> None:
    """One name, four places, four SSE states; quotas, grants and deletes stay in their place."""
    firehose_sse.max_encryption_changes_per_day = 2
    home, kms = session_client("firehose"), session_client("kms")
    west = session_client("firehose", OTHER_REGION)
    assumed = other_account_client("firehose", OTHER_ACCOUNT)
    key = kms.create_key()["KeyMetadata"]

    create_stream(home, "same", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    create_stream(west, "same")  # stays DISABLED
    create_stream(assumed, "same")
    start(assumed, "same")  # AWS owned key
    with in_account(THIRD_ACCOUNT):
        create_stream(home, "same")
        start(home, "same")
        settle(home, "same")
        home.stop_delivery_stream_encryption(DeliveryStreamName="same")  # quota used up
        settle(home, "same")
        with pytest.raises(home.exceptions.LimitExceededException):
            start(home, "same")

    expected = {
        "home": {**cmk(key["Arn"]), "Status": "ENABLED"},
        "west": {"Status": "DISABLED"},
        "assumed": {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"},
        "third": {"Status": "DISABLED"},
    }

    def states() -> dict[str, Any]:
        with in_account(THIRD_ACCOUNT):
            third = settle(home, "same")
        return {
            "home": settle(home, "same"),
            "west": settle(west, "same"),
            "assumed": settle(assumed, "same"),
            "third": third,
        }

    assert states() == expected
    arns = {
        description(home, "same")["DeliveryStreamARN"],
        description(assumed, "same")["DeliveryStreamARN"],
    }
    assert arns == {
        f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/same",
        f"arn:aws:firehose:{REGION}:{OTHER_ACCOUNT}:deliverystream/same",
    }
    assert len(grants(kms, key["KeyId"])) == 1
    flags = {
        "home": home.put_record(DeliveryStreamName="same", Record={"Data": b"x"})["Encrypted"],
        "west": west.put_record(DeliveryStreamName="same", Record={"Data": b"x"})["Encrypted"],
        "assumed": assumed.put_record(DeliveryStreamName="same", Record={"Data": b"x"})[
            "Encrypted"
        ],
    }
    assert flags == {"home": True, "west": False, "assumed": True}

    # The third account's used-up quota is its own: the others still change.
    home.stop_delivery_stream_encryption(DeliveryStreamName="same")
    start(west, "same")
    expected.update(
        home={"Status": "DISABLED"}, west={"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    )
    assert states() == expected
    assert grants(kms, key["KeyId"]) == []

    # Deleting in one place leaves the others.
    assert delete_stream(assumed, "same") == ["DELETING"]
    with pytest.raises(assumed.exceptions.ResourceNotFoundException):
        assumed.describe_delivery_stream(DeliveryStreamName="same")
    del expected["assumed"]
    assert settle(home, "same") == expected["home"]
    assert settle(west, "same") == expected["west"]
    with in_account(THIRD_ACCOUNT):
        assert settle(home, "same") == expected["third"]


def test_unknown_stream_is_per_account_and_region(firehose_sse: FirehoseSSE) -> None:
    home = session_client("firehose")
    create_stream(home, "only-here")
    for elsewhere in (
        session_client("firehose", OTHER_REGION),
        other_account_client("firehose", OTHER_ACCOUNT),
    ):
        for call in (
            lambda api: api.describe_delivery_stream(DeliveryStreamName="only-here"),
            lambda api: api.start_delivery_stream_encryption(DeliveryStreamName="only-here"),
            lambda api: api.stop_delivery_stream_encryption(DeliveryStreamName="only-here"),
            lambda api: api.put_record(DeliveryStreamName="only-here", Record={"Data": b"x"}),
        ):
            with pytest.raises(elsewhere.exceptions.ResourceNotFoundException) as missing:
                call(elsewhere)
            assert error_code(missing.value) == "ResourceNotFoundException"
    assert settle(home, "only-here") == {"Status": "DISABLED"}
