"""Presets (issue 10): ``mock_firehose_sse(preset="strict" | "compat", **settings)``."""

from __future__ import annotations

from typing import Any

import pytest
from moto import mock_aws
from moto.moto_api import state_manager

from moto_firehose_sse import (
    DELETION_MODEL_NAME,
    MODEL_NAME,
    FirehoseSSE,
    get_controller,
    mock_firehose_sse,
)

from .helpers import assert_plain_moto, client, create_stream, error_code, sse
from .kms_helpers import cmk

MADE_UP_KEY = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"
IMMEDIATE = {"progression": "immediate"}


def start_with_made_up_key(firehose: Any, name: str) -> None:
    create_stream(firehose, name)
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=cmk(MADE_UP_KEY)
    )


def test_compat_keeps_plain_moto_assumptions_and_aws_errors() -> None:
    with mock_firehose_sse(preset="compat") as controller:
        assert controller.lenient_keys is True
        assert state_manager._transitions[MODEL_NAME] == IMMEDIATE
        assert state_manager._transitions[DELETION_MODEL_NAME] == IMMEDIATE
        firehose, kms = client("firehose"), client("kms")
        start_with_made_up_key(firehose, "made-up")
        assert sse(firehose, "made-up") == {
            "KeyARN": MADE_UP_KEY,
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "Status": "ENABLED",
        }
        # still AWS's shapes and errors: a fresh stream has its block, a real key is checked
        create_stream(firehose, "fresh")
        assert sse(firehose, "fresh") == {"Status": "DISABLED"}
        key = kms.create_key()["KeyMetadata"]
        kms.disable_key(KeyId=key["KeyId"])
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="fresh", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"])
        )
        block = sse(firehose, "fresh")
        assert block is not None
        assert block["Status"] == "ENABLING_FAILED"
        assert block["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"
        # a deletion ends at once: the name is free for the next Create
        firehose.delete_delivery_stream(DeliveryStreamName="made-up")
        assert "made-up" not in firehose.list_delivery_streams()["DeliveryStreamNames"]
        with pytest.raises(firehose.exceptions.ResourceNotFoundException):
            firehose.describe_delivery_stream(DeliveryStreamName="made-up")
        create_stream(firehose, "made-up")
    assert MODEL_NAME not in state_manager._transitions
    assert DELETION_MODEL_NAME not in state_manager._transitions
    assert_plain_moto()


def test_strict_is_the_defaults() -> None:
    with mock_firehose_sse(preset="strict") as controller:
        assert controller.settings() == FirehoseSSE().settings()
        assert MODEL_NAME not in state_manager._transitions
        firehose = client("firehose")
        with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
            start_with_made_up_key(firehose, "made-up")
        assert caught.value.response["code"] == "KMS.NotFoundException"
        firehose.start_delivery_stream_encryption(DeliveryStreamName="made-up")
        assert sse(firehose, "made-up") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}


def test_settings_go_on_top_of_the_preset() -> None:
    with mock_firehose_sse(preset="compat", lenient_keys=False, max_streams_per_region=1) as ctl:
        assert ctl.lenient_keys is False
        assert ctl.max_streams_per_region == 1
        firehose = client("firehose")
        with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
            start_with_made_up_key(firehose, "made-up")
        firehose.start_delivery_stream_encryption(DeliveryStreamName="made-up")
        assert sse(firehose, "made-up") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}


@mock_firehose_sse(preset="compat")
def test_decorator_with_a_preset() -> None:
    assert get_controller().lenient_keys is True
    firehose = client("firehose")
    start_with_made_up_key(firehose, "s")
    assert sse(firehose, "s")["Status"] == "ENABLED"  # type: ignore[index]


@pytest.mark.firehose_sse(preset="compat", max_encryption_changes_per_day=2)
def test_fixture_with_a_preset_from_the_marker(firehose_sse: FirehoseSSE) -> None:
    assert firehose_sse.lenient_keys is True
    assert firehose_sse.max_encryption_changes_per_day == 2
    assert state_manager._transitions[MODEL_NAME] == IMMEDIATE


def test_preset_transitions_are_undone_and_user_ones_come_back() -> None:
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 4})
    try:
        with mock_firehose_sse(preset="compat"):
            assert state_manager._transitions[MODEL_NAME] == IMMEDIATE
            state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "manual", "times": 2})
        assert state_manager._transitions[MODEL_NAME] == {"progression": "manual", "times": 4}
        assert DELETION_MODEL_NAME not in state_manager._transitions
    finally:
        state_manager.unset_transition(MODEL_NAME)
    assert_plain_moto()


def test_preset_inside_a_running_mock_aws_is_undone_on_exit() -> None:
    with mock_aws():
        firehose = client("firehose")
        with mock_firehose_sse(preset="compat"):
            start_with_made_up_key(firehose, "s")
            assert sse(firehose, "s")["Status"] == "ENABLED"  # type: ignore[index]
        assert MODEL_NAME not in state_manager._transitions
        assert DELETION_MODEL_NAME not in state_manager._transitions
    assert_plain_moto()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: mock_firehose_sse(preset="lenient"), ValueError, "preset must be one of"),
        (lambda: mock_firehose_sse(preset=None), None, None),
        (lambda: mock_firehose_sse(preset="COMPAT"), ValueError, "preset must be one of"),
        (lambda: mock_firehose_sse(preset=["compat"]), ValueError, "preset must be one of"),
        (lambda: mock_firehose_sse(preset="compat", lenient_keys="yes"), ValueError, "lenient"),
        (lambda: mock_firehose_sse(preset="compat", no_such=1), TypeError, "unknown setting"),
        (lambda: mock_firehose_sse("compat"), TypeError, "settings as keywords"),
    ],
)
def test_bad_presets_fail_at_once(call: Any, error: type[Exception] | None, message: str) -> None:
    if error is None:
        call()
        return
    with pytest.raises(error, match=message):
        call()
    assert_plain_moto()


def test_errors_under_compat_reach_the_client_as_modelled() -> None:
    with mock_firehose_sse(preset="compat"):
        firehose = client("firehose")
        create_stream(firehose, "x")
        with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
            firehose.start_delivery_stream_encryption(
                DeliveryStreamName="x", DeliveryStreamEncryptionConfigurationInput=cmk("not-an-arn")
            )
        assert error_code(caught.value) == "InvalidArgumentException"


@pytest.mark.parametrize("preset", ["lenient", "COMPAT", 1])
def test_each_reader_of_a_preset_refuses_an_unknown_name(preset: Any) -> None:
    from moto_firehose_sse import presets

    for read in (presets.transitions, lambda p: presets.settings(p, {})):
        with pytest.raises(ValueError, match="preset must be one of"):
            read(preset)
