"""CreateDeliveryStream as AWS does it (rules 39-40): CREATING through the ``firehose::creation``
transition (default ``immediate``), then ACTIVE or CREATING_FAILED."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import requests
from freezegun import freeze_time
from moto import mock_aws
from moto.moto_api import state_manager

import moto_firehose_sse
from moto_firehose_sse import (
    CREATION_MODEL_NAME,
    DELETION_MODEL_NAME,
    MODEL_NAME,
    FirehoseSSE,
    Transition,
    mock_firehose_sse,
)

from .helpers import (
    ACCOUNT,
    client,
    create_kinesis_sourced_stream,
    create_stream,
    delete_stream,
    description,
    sse,
)
from .kms_helpers import cmk, grants, start
from .server_helpers import call, remote, set_transition

T0 = dt.datetime(2024, 3, 1, 12, 0, 0)
MANUAL_2: Transition = {"progression": "manual", "times": 2}


def status(firehose: Any, name: str) -> str:
    return str(description(firehose, name)["DeliveryStreamStatus"])


def statuses(firehose: Any, name: str, count: int) -> list[str]:
    return [status(firehose, name) for _ in range(count)]


def key(kms: Any) -> tuple[str, str]:
    meta = kms.create_key()["KeyMetadata"]
    return meta["KeyId"], meta["Arn"]


# The model -----------------------------------------------------------------------------------


def test_model_name_is_exported_registered_and_immediate_by_default(
    firehose_sse: FirehoseSSE, firehose: Any
) -> None:
    assert CREATION_MODEL_NAME == "firehose::creation"
    assert moto_firehose_sse.CREATION_MODEL_NAME is CREATION_MODEL_NAME
    assert "CREATION_MODEL_NAME" in moto_firehose_sse.__all__
    assert CREATION_MODEL_NAME in state_manager.get_registered_models()
    assert state_manager.get_transition(CREATION_MODEL_NAME) == {"progression": "immediate"}
    create_stream(firehose, "s")
    assert status(firehose, "s") == "ACTIVE"  # the first Describe already: create-then-use
    firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})


@pytest.mark.parametrize("via", ["controller", "state_manager"])
@pytest.mark.parametrize("times", [1, 3])
def test_manual_times(firehose_sse: FirehoseSSE, firehose: Any, via: str, times: int) -> None:
    transition: Transition = {"progression": "manual", "times": times}
    if via == "controller":
        firehose_sse.set_transition(transition, model=CREATION_MODEL_NAME)
    else:
        state_manager.set_transition(CREATION_MODEL_NAME, dict(transition))
    # the other models keep their own defaults
    assert state_manager.get_transition(MODEL_NAME) == {"progression": "manual", "times": 1}
    assert state_manager.get_transition(DELETION_MODEL_NAME) == {
        "progression": "manual",
        "times": 1,
    }
    create_stream(firehose, "s")
    assert statuses(firehose, "s", times + 2) == ["CREATING"] * times + ["ACTIVE"] * 2


def test_time_progression_follows_the_clock(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    firehose_sse.set_transition({"progression": "time", "seconds": 30}, model=CREATION_MODEL_NAME)
    with freeze_time(T0) as frozen:
        create_stream(firehose, "s")
        assert statuses(firehose, "s", 3) == ["CREATING"] * 3  # Describes don't move time
        frozen.tick(dt.timedelta(seconds=29.999))
        assert status(firehose, "s") == "CREATING"
        frozen.tick(dt.timedelta(seconds=0.001))
        assert status(firehose, "s") == "ACTIVE"


def test_a_creation_over_by_the_clock_ends_without_a_describe(
    firehose_sse: FirehoseSSE, firehose: Any
) -> None:
    firehose_sse.set_transition({"progression": "time", "seconds": 10}, model=CREATION_MODEL_NAME)
    with freeze_time(T0) as frozen:
        create_stream(firehose, "s")
        frozen.tick(dt.timedelta(seconds=10))
        assert firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["RecordId"]


def test_unset_goes_back_to_immediate(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    firehose_sse.unset_transition(model=CREATION_MODEL_NAME)
    assert state_manager.get_transition(CREATION_MODEL_NAME) == {"progression": "immediate"}
    create_stream(firehose, "s")
    assert status(firehose, "s") == "ACTIVE"


@pytest.mark.parametrize(
    "transition",
    [{"progression": "manual"}, {"progression": "later"}, {"progression": "time", "seconds": -1}],
)
def test_a_transition_the_plugin_cant_follow_counts_as_immediate(
    firehose: Any, transition: dict[str, Any]
) -> None:
    """Set straight on moto's state manager, past the controller's check: the model's default."""
    state_manager.set_transition(CREATION_MODEL_NAME, transition)
    create_stream(firehose, "s")
    assert status(firehose, "s") == "ACTIVE"


def test_the_controller_refuses_a_bad_creation_transition(firehose_sse: FirehoseSSE) -> None:
    with pytest.raises(ValueError, match=r"^firehose::creation: a \"manual\" transition needs"):
        firehose_sse.set_transition({"progression": "manual"}, model=CREATION_MODEL_NAME)
    assert CREATION_MODEL_NAME not in state_manager._transitions


def test_set_through_the_moto_api_endpoint(firehose: Any) -> None:
    response = requests.post(
        "http://motoapi.amazonaws.com/moto-api/state-manager/set-transition",
        data=json.dumps({"model_name": CREATION_MODEL_NAME, "transition": MANUAL_2}),
        timeout=5,
    )
    assert response.status_code == 201
    create_stream(firehose, "s")
    assert statuses(firehose, "s", 3) == ["CREATING", "CREATING", "ACTIVE"]


# Rule 40: while CREATING -------------------------------------------------------------------


def test_while_creating_changes_are_refused_and_puts_not_found(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 1}, model=CREATION_MODEL_NAME)
    _, key_arn = key(kms)
    create_stream(firehose, "s")
    refusals = {
        "start": lambda: start(firehose, "s", key_arn),
        "start-aws-owned": lambda: start(firehose, "s"),
        "stop": lambda: firehose.stop_delivery_stream_encryption(DeliveryStreamName="s"),
        "delete": lambda: firehose.delete_delivery_stream(DeliveryStreamName="s"),
        "force-delete": lambda: firehose.delete_delivery_stream(
            DeliveryStreamName="s", AllowForceDelete=True
        ),
        "create": lambda: create_stream(firehose, "s"),
    }
    messages = {}
    for operation, refused in refusals.items():
        with pytest.raises(firehose.exceptions.ResourceInUseException) as caught:
            refused()
        messages[operation] = caught.value.response["Error"]["Message"]
    assert messages["start"] == (
        f"Firehose s under account {ACCOUNT} is CREATING, not ACTIVE; "
        "StartDeliveryStreamEncryption needs an ACTIVE stream."
    )
    assert "is CREATING, not ACTIVE; StopDeliveryStreamEncryption" in messages["stop"]
    assert (
        messages["delete"]
        == messages["force-delete"]
        == (
            f"Firehose s under account {ACCOUNT} is CREATING: you can't delete a Firehose stream "
            "that is in the CREATING state. Delete it once DescribeDeliveryStream shows ACTIVE or "
            "CREATING_FAILED."
        )
    )
    assert "already exists" in messages["create"]
    for put in (
        lambda: firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"}),
        lambda: firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}]),
    ):
        with pytest.raises(firehose.exceptions.ResourceNotFoundException) as not_found:
            put()
        assert "is CREATING, not ACTIVE" in not_found.value.response["Error"]["Message"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["s"]
    # None of that moved the creation: one Describe shows CREATING, and nothing counted.
    assert statuses(firehose, "s", 2) == ["CREATING", "ACTIVE"]
    for _ in range(firehose_sse.max_encryption_changes_per_day):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert delete_stream(firehose, "s") == ["DELETING"]


def test_a_creating_stream_describes_with_its_parts(
    firehose_sse: FirehoseSSE, firehose: Any
) -> None:
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    arn = create_stream(firehose, "s")
    shown = description(firehose, "s")
    assert shown["DeliveryStreamStatus"] == "CREATING"
    assert shown["DeliveryStreamARN"] == arn
    assert shown["DeliveryStreamType"] == "DirectPut"
    assert shown["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}
    assert "FailureDescription" not in shown
    assert shown["Destinations"][0]["ExtendedS3DestinationDescription"]


def test_other_sources_go_through_creating_too(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    create_kinesis_sourced_stream(firehose, "k")
    shown = [description(firehose, "k") for _ in range(3)]
    assert [s["DeliveryStreamStatus"] for s in shown] == ["CREATING", "CREATING", "ACTIVE"]
    assert all("DeliveryStreamEncryptionConfiguration" not in s for s in shown)


def test_the_region_quota_counts_creating_streams(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.max_streams_per_region = 1
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    firehose = client("firehose")
    create_stream(firehose, "a")
    with pytest.raises(firehose.exceptions.LimitExceededException):
        create_stream(firehose, "b")


# Rule 39 with an encryption input -----------------------------------------------------------


def test_a_customer_key_is_enabling_while_creating_and_granted_at_the_end(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    key_id, key_arn = key(kms)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    shown = [description(firehose, "s") for _ in range(3)]
    assert [s["DeliveryStreamStatus"] for s in shown] == ["CREATING", "CREATING", "ACTIVE"]
    assert [s["DeliveryStreamEncryptionConfiguration"] for s in shown] == [
        {**cmk(key_arn), "Status": "ENABLING"},
        {**cmk(key_arn), "Status": "ENABLING"},
        {**cmk(key_arn), "Status": "ENABLED"},
    ]
    (grant,) = grants(kms, key_id)
    assert grant["Constraints"]["EncryptionContextSubset"] == {
        "aws:firehose:arn": shown[0]["DeliveryStreamARN"]
    }
    reply = firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
    assert reply["Encrypted"] is True


def test_no_grant_while_creating(firehose_sse: FirehoseSSE, firehose: Any, kms: Any) -> None:
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    key_id, key_arn = key(kms)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert grants(kms, key_id) == []
    assert status(firehose, "s") == "CREATING"
    assert grants(kms, key_id) == []


def test_an_aws_owned_key_while_creating(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 1}, model=CREATION_MODEL_NAME)
    create_stream(
        firehose, "s", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    assert [sse(firehose, "s") for _ in range(2)] == [
        {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"},
        {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"},
    ]


def test_the_encryption_model_does_not_end_a_creation(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    """The enable of a Create follows the creation model, not ``firehose::encryption``."""
    firehose_sse.set_transition({"progression": "immediate"})
    firehose_sse.set_transition({"progression": "manual", "times": 3}, model=CREATION_MODEL_NAME)
    _, key_arn = key(kms)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    with pytest.raises(firehose.exceptions.ResourceInUseException):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    shown = [description(firehose, "s")["DeliveryStreamEncryptionConfiguration"] for _ in range(4)]
    assert [block["Status"] for block in shown] == ["ENABLING"] * 3 + ["ENABLED"]


def test_a_key_disabled_while_creating_fails_the_creation(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    key_id, key_arn = key(kms)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert status(firehose, "s") == "CREATING"
    kms.disable_key(KeyId=key_id)
    assert status(firehose, "s") == "CREATING"
    shown = description(firehose, "s")
    assert shown["DeliveryStreamStatus"] == "CREATING_FAILED"
    failure = shown["FailureDescription"]
    assert failure["Type"] == "DISABLED_KMS_KEY"
    assert key_arn in failure["Details"]
    assert shown["DeliveryStreamEncryptionConfiguration"] == {
        **cmk(key_arn),
        "Status": "ENABLING_FAILED",
        "FailureDescription": failure,
    }
    assert grants(kms, key_id) == []
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
    with pytest.raises(firehose.exceptions.ResourceInUseException):
        start(firehose, "s")
    assert delete_stream(firehose, "s") == ["DELETING"]  # CREATING_FAILED may be deleted


def test_a_key_enabled_again_before_the_end_is_fine(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    key_id, key_arn = key(kms)
    kms.disable_key(KeyId=key_id)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert status(firehose, "s") == "CREATING"  # the key is checked when the creation ends
    kms.enable_key(KeyId=key_id)
    assert statuses(firehose, "s", 2) == ["CREATING", "ACTIVE"]
    assert len(grants(kms, key_id)) == 1


def test_a_disabled_key_with_the_default_fails_at_once(firehose: Any, kms: Any) -> None:
    key_id, key_arn = key(kms)
    kms.disable_key(KeyId=key_id)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    shown = description(firehose, "s")
    assert shown["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert shown["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"


def test_a_missing_key_is_refused_at_the_call(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    missing = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException):
        create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(missing))
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_an_injected_enable_fault_fails_the_creation_at_its_end(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 1}, model=CREATION_MODEL_NAME)
    key_id, key_arn = key(kms)
    firehose_sse.fail_next_enable(stream_name="s")
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert firehose_sse.pending_faults == ()  # taken by the Create
    assert statuses(firehose, "s", 2) == ["CREATING", "CREATING_FAILED"]
    assert description(firehose, "s")["FailureDescription"]["Type"] == "CREATE_KMS_GRANT_FAILED"
    assert grants(kms, key_id) == []


def test_a_creating_stream_holds_its_key_slot(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.max_streams_per_key = 1
    firehose_sse.set_transition({"progression": "manual", "times": 1}, model=CREATION_MODEL_NAME)
    firehose, kms = client("firehose"), client("kms")
    key_id, key_arn = key(kms)
    create_stream(firehose, "a", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    with pytest.raises(firehose.exceptions.LimitExceededException):
        create_stream(firehose, "b", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    kms.disable_key(KeyId=key_id)
    assert statuses(firehose, "a", 2) == ["CREATING", "CREATING_FAILED"]
    kms.enable_key(KeyId=key_id)
    create_stream(firehose, "b", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert statuses(firehose, "b", 2) == ["CREATING", "ACTIVE"]


# Presets, entering and leaving ---------------------------------------------------------------


@pytest.mark.parametrize("preset", ["strict", "compat"])
def test_presets_leave_the_creation_immediate(preset: str) -> None:
    with mock_firehose_sse(preset=preset):  # type: ignore[arg-type]
        assert CREATION_MODEL_NAME not in state_manager._transitions
        firehose = client("firehose")
        create_stream(firehose, "s")
        assert status(firehose, "s") == "ACTIVE"


def test_the_creation_model_is_undone_on_exit() -> None:
    with mock_firehose_sse() as controller:
        controller.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
        assert state_manager._transitions[CREATION_MODEL_NAME] == MANUAL_2
    assert CREATION_MODEL_NAME not in state_manager._transitions
    assert CREATION_MODEL_NAME not in state_manager.get_registered_models()


def test_a_creation_transition_set_before_the_mock_is_kept() -> None:
    state_manager.set_transition(CREATION_MODEL_NAME, {"progression": "manual", "times": 3})
    try:
        with mock_firehose_sse() as controller:
            firehose = client("firehose")
            create_stream(firehose, "s")
            assert statuses(firehose, "s", 4) == ["CREATING"] * 3 + ["ACTIVE"]
            controller.set_transition({"progression": "immediate"}, model=CREATION_MODEL_NAME)
        assert state_manager._transitions[CREATION_MODEL_NAME] == {
            "progression": "manual",
            "times": 3,
        }
    finally:
        state_manager.unset_transition(CREATION_MODEL_NAME)


# Over HTTP (moto-firehose-sse-server) ---------------------------------------------------------


def test_creation_over_http(server: str) -> None:
    set_transition(server, MANUAL_2, model=CREATION_MODEL_NAME)
    status_code, got = call(
        server, "GET", f"/moto-api/state-manager/get-transition?model_name={CREATION_MODEL_NAME}"
    )
    assert (status_code, got) == (200, MANUAL_2)
    firehose, kms = remote(server, "firehose"), remote(server, "kms")
    key_id, key_arn = key(kms)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    with pytest.raises(firehose.exceptions.ResourceInUseException):
        firehose.delete_delivery_stream(DeliveryStreamName="s", AllowForceDelete=True)
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
    assert statuses(firehose, "s", 3) == ["CREATING", "CREATING", "ACTIVE"]
    assert len(grants(kms, key_id)) == 1


def test_a_bad_creation_transition_over_http_is_a_400(server: str) -> None:
    body = {"model_name": CREATION_MODEL_NAME, "transition": {"progression": "manual"}}
    status_code, got = call(server, "POST", "/moto-api/state-manager/set-transition", body)
    assert status_code == 400
    assert got["message"].startswith("firehose::creation: ")


def test_a_stream_left_creating_under_an_outer_mock() -> None:
    """Plain moto shows it CREATING; the plugin picks the creation up again, and a stream
    plain moto deleted and made again meanwhile has no creation left over."""
    with mock_aws():
        firehose, kms = client("firehose"), client("kms")
        key_id, key_arn = key(kms)
        with mock_firehose_sse() as controller:
            controller.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
            create_stream(firehose, "kept", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
            create_stream(firehose, "dropped")
            assert status(firehose, "kept") == "CREATING"
        assert status(firehose, "kept") == "CREATING"  # plain moto shows what it holds
        firehose.delete_delivery_stream(DeliveryStreamName="dropped")  # plain moto: at once
        create_stream(firehose, "dropped")
        with mock_firehose_sse() as controller:
            controller.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
            assert statuses(firehose, "kept", 2) == ["CREATING", "ACTIVE"]
            assert sse(firehose, "kept") == {**cmk(key_arn), "Status": "ENABLED"}
            assert len(grants(kms, key_id)) == 1
            assert statuses(firehose, "dropped", 2) == ["ACTIVE", "ACTIVE"]


def test_a_creation_that_can_not_be_finished_fails_with_the_reason_shown(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ending the creation raises (here checking the key): CREATING_FAILED, the encryption
    input ENABLING_FAILED with an UNKNOWN_ERROR naming the creation, and no grant."""
    firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
    key_id, key_arn = key(kms)
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert statuses(firehose, "s", 2) == ["CREATING", "CREATING"]

    def broken(*args: Any) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(moto_firehose_sse.kms, "problem", broken)
    shown = description(firehose, "s")
    monkeypatch.undo()
    failure = {
        "Type": "UNKNOWN_ERROR",
        "Details": "moto-firehose-sse could not finish the creation of s (RuntimeError: "
        "injected); please report it with the calls that led to it.",
    }
    assert shown["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert shown["FailureDescription"] == failure
    assert shown["DeliveryStreamEncryptionConfiguration"] == {
        **cmk(key_arn),
        "Status": "ENABLING_FAILED",
        "FailureDescription": failure,
    }
    assert grants(kms, key_id) == []
    assert description(firehose, "s") == shown  # the creation stays ended
    assert delete_stream(firehose, "s") == ["DELETING"]


def test_a_creation_that_can_not_be_finished_frees_its_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With one stream per key: as when a disabled key fails the creation, the failed stream
    no longer counts toward its key's quota (rule 20 counts the key in force and the key an
    enable is under way with)."""
    with mock_firehose_sse(max_streams_per_key=1) as firehose_sse:
        firehose_sse.set_transition(MANUAL_2, model=CREATION_MODEL_NAME)
        firehose, kms = client("firehose"), client("kms")
        _, key_arn = key(kms)
        create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
        with pytest.raises(firehose.exceptions.LimitExceededException):
            create_stream(firehose, "t", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
        assert statuses(firehose, "s", 2) == ["CREATING", "CREATING"]

        def broken(*args: Any) -> None:
            raise RuntimeError("injected")

        with monkeypatch.context() as patched:
            patched.setattr(moto_firehose_sse.kms, "problem", broken)
            assert status(firehose, "s") == "CREATING_FAILED"
        firehose_sse.set_transition({"progression": "immediate"}, model=CREATION_MODEL_NAME)
        create_stream(firehose, "t", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
        assert status(firehose, "t") == "ACTIVE"
