"""DeleteDeliveryStream as AWS does it (rules 30-33): DELETING through the ``firehose::deletion``
transition, DELETING_FAILED when Firehose's grant can't be retired, ``AllowForceDelete``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.config import Config
from freezegun import freeze_time
from moto import mock_aws
from moto.moto_api import state_manager

from moto_firehose_sse import (
    DELETION_MODEL_NAME,
    MODEL_NAME,
    FirehoseSSE,
    Transition,
    mock_firehose_sse,
)

from .helpers import (
    ACCOUNT,
    NO_RETRIES,
    REGION,
    client,
    create_kinesis_sourced_stream,
    create_stream,
    delete_stream,
    description,
    error_code,
    sse,
)
from .kms_helpers import cmk, grants, start
from .server_helpers import call, remote, set_transition

T0 = dt.datetime(2024, 3, 1, 12, 0, 0)
IMMEDIATE = {"progression": "immediate"}


def status(firehose: Any, name: str) -> str:
    return str(description(firehose, name)["DeliveryStreamStatus"])


def gone(firehose: Any, name: str) -> bool:
    try:
        description(firehose, name)
    except firehose.exceptions.ResourceNotFoundException as error:
        assert error.response["Error"]["Message"] == (
            f"Firehose {name} under account {ACCOUNT} not found."
        )
        return True
    return False


def encrypted(firehose: Any, kms: Any, name: str) -> tuple[str, str]:
    """A stream created ENABLED with a new customer key; (key id, key ARN)."""
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, name, DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert len(grants(kms, key["KeyId"])) == 1
    return key["KeyId"], key["Arn"]


def pending_deletion(firehose: Any, kms: Any, name: str) -> tuple[str, str]:
    """An encrypted stream whose key is then scheduled for deletion; (key id, key ARN)."""
    key_id, key_arn = encrypted(firehose, kms, name)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    return key_id, key_arn


# Rule 30: asynchronous, model firehose::deletion ---------------------------------------------


def test_model_name_and_default_are_registered(firehose_sse: FirehoseSSE) -> None:
    assert DELETION_MODEL_NAME == "firehose::deletion"
    assert DELETION_MODEL_NAME in state_manager.get_registered_models()
    assert state_manager.get_transition(DELETION_MODEL_NAME) == {
        "progression": "manual",
        "times": 1,
    }


def test_first_describe_shows_deleting_the_next_not_found(firehose: Any, kms: Any) -> None:
    key_id, _ = encrypted(firehose, kms, "s")
    assert (
        firehose.delete_delivery_stream(DeliveryStreamName="s")["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 200
    )
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["s"]
    stream = description(firehose, "s")
    assert stream["DeliveryStreamStatus"] == "DELETING"
    assert "FailureDescription" not in stream
    assert stream["DeliveryStreamEncryptionConfiguration"]["Status"] == "ENABLED"
    assert len(grants(kms, key_id)) == 1  # retired when the deletion ends
    assert gone(firehose, "s")
    assert grants(kms, key_id) == []
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.delete_delivery_stream(DeliveryStreamName="s")


@pytest.mark.parametrize("via", ["controller", "state_manager"])
def test_manual_times(firehose_sse: FirehoseSSE, firehose: Any, via: str) -> None:
    transition: Transition = {"progression": "manual", "times": 3}
    if via == "controller":
        firehose_sse.set_transition(transition, model=DELETION_MODEL_NAME)
    else:
        state_manager.set_transition(DELETION_MODEL_NAME, transition)
    assert state_manager.get_transition(MODEL_NAME) == {"progression": "manual", "times": 1}
    create_stream(firehose, "s")
    assert delete_stream(firehose, "s") == ["DELETING"] * 3


def test_only_describe_moves_a_manual_deletion(firehose: Any) -> None:
    create_stream(firehose, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    for _ in range(3):
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["s"]
        with pytest.raises(firehose.exceptions.ResourceNotFoundException):
            firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
    assert status(firehose, "s") == "DELETING"
    assert gone(firehose, "s")


def test_immediate_deletes_at_the_call(firehose_sse: FirehoseSSE, firehose: Any, kms: Any) -> None:
    """What suites that delete and re-create at once set."""
    firehose_sse.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
    key_id, key_arn = encrypted(firehose, kms, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    assert grants(kms, key_id) == []
    create_stream(firehose, "s", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert sse(firehose, "s") == {**cmk(key_arn), "Status": "ENABLED"}
    assert len(grants(kms, key_id)) == 1


def test_time_progression_follows_the_clock(firehose_sse: FirehoseSSE, firehose: Any) -> None:
    firehose_sse.set_transition({"progression": "time", "seconds": 30}, model=DELETION_MODEL_NAME)
    create_stream(firehose, "s")
    with freeze_time(T0) as frozen:
        firehose.delete_delivery_stream(DeliveryStreamName="s")
        assert [status(firehose, "s") for _ in range(3)] == ["DELETING"] * 3
        frozen.tick(dt.timedelta(seconds=29.999))
        assert status(firehose, "s") == "DELETING"
        frozen.tick(dt.timedelta(seconds=0.001))
        # Over once exactly S seconds have passed: List sees it gone, with no Describe.
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
        assert gone(firehose, "s")


def test_a_deletion_over_by_the_clock_frees_the_region_quota(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.max_streams_per_region = 2
    firehose_sse.set_transition({"progression": "time", "seconds": 10}, model=DELETION_MODEL_NAME)
    firehose = client("firehose")
    create_stream(firehose, "a")
    create_stream(firehose, "b")
    with freeze_time(T0) as frozen:
        firehose.delete_delivery_stream(DeliveryStreamName="a")
        with pytest.raises(firehose.exceptions.LimitExceededException):
            create_stream(firehose, "c")  # a DELETING stream still counts
        frozen.tick(dt.timedelta(seconds=10))
        create_stream(firehose, "c")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["b", "c"]


def test_other_sources_are_deleted_asynchronously_too(firehose: Any) -> None:
    create_kinesis_sourced_stream(firehose, "k")
    firehose.delete_delivery_stream(DeliveryStreamName="k")
    stream = description(firehose, "k")
    assert stream["DeliveryStreamStatus"] == "DELETING"
    assert "DeliveryStreamEncryptionConfiguration" not in stream
    assert gone(firehose, "k")


def test_a_creating_failed_stream_goes_through_deleting(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    create_stream(firehose, "broken", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"]))
    assert status(firehose, "broken") == "CREATING_FAILED"
    firehose.delete_delivery_stream(DeliveryStreamName="broken")
    stream = description(firehose, "broken")
    assert stream["DeliveryStreamStatus"] == "DELETING"
    assert "FailureDescription" not in stream  # the creation's failure is over
    assert gone(firehose, "broken")


# Rule 31: while DELETING ----------------------------------------------------------------------


def test_while_deleting_changes_and_the_same_name_are_refused(firehose: Any, kms: Any) -> None:
    key_id, key_arn = encrypted(firehose, kms, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    refusals = {
        "start": lambda: start(firehose, "s", key_arn),
        "stop": lambda: firehose.stop_delivery_stream_encryption(DeliveryStreamName="s"),
        "create": lambda: create_stream(firehose, "s"),
    }
    messages = {}
    for operation, refused in refusals.items():
        with pytest.raises(firehose.exceptions.ResourceInUseException) as caught:
            refused()
        messages[operation] = caught.value.response["Error"]["Message"]
    assert "is DELETING, not ACTIVE" in messages["start"]
    assert "is DELETING, not ACTIVE" in messages["stop"]
    assert "is DELETING: create it again once a deletion is over" in messages["create"]
    with pytest.raises(firehose.exceptions.ResourceNotFoundException) as put:
        firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
    assert "DELETING, not ACTIVE" in put.value.response["Error"]["Message"]
    # None of that moved the deletion or the encryption: one Describe shows DELETING.
    assert sse(firehose, "s") == {**cmk(key_arn), "Status": "ENABLED"}
    assert gone(firehose, "s")
    create_stream(firehose, "s")
    assert status(firehose, "s") == "ACTIVE"
    assert grants(kms, key_id) == []


def test_delete_again_while_deleting_is_accepted_and_joins_the_deletion(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    """DELETING is one of the states DeleteDeliveryStream is allowed from (rule 31). This
    overrides the plugin's earlier ResourceInUseException (issue 16). The second call neither
    restarts the deletion nor takes an injected fault, which waits for a delete that begins one."""
    firehose_sse.set_transition({"progression": "manual", "times": 2}, model=DELETION_MODEL_NAME)
    key_id, _ = encrypted(firehose, kms, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    assert status(firehose, "s") == "DELETING"
    firehose_sse.fail_next_delete()
    for force in (False, True, None):
        kwargs = {} if force is None else {"AllowForceDelete": force}
        reply = firehose.delete_delivery_stream(DeliveryStreamName="s", **kwargs)
        assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert {k: v for k, v in reply.items() if k != "ResponseMetadata"} == {}
    assert [f.operation for f in firehose_sse.pending_faults] == ["delete"]
    assert status(firehose, "s") == "DELETING"  # the second Describe: the count went on
    assert gone(firehose, "s")
    assert grants(kms, key_id) == []  # the healthy grant was retired, forced or not
    firehose_sse.clear_faults()


def test_a_second_forced_delete_makes_the_deletion_forced(firehose: Any, kms: Any) -> None:
    key_id, _ = pending_deletion(firehose, kms, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    firehose.delete_delivery_stream(DeliveryStreamName="s", AllowForceDelete=True)
    assert status(firehose, "s") == "DELETING"
    assert gone(firehose, "s")  # not DELETING_FAILED: the grant stays for the user
    assert len(grants(kms, key_id)) == 1


def test_an_unforced_second_delete_keeps_a_forced_deletion_forced(firehose: Any, kms: Any) -> None:
    key_id, _ = pending_deletion(firehose, kms, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s", AllowForceDelete=True)
    firehose.delete_delivery_stream(DeliveryStreamName="s", AllowForceDelete=False)
    assert status(firehose, "s") == "DELETING"
    assert gone(firehose, "s")
    assert len(grants(kms, key_id)) == 1


def test_without_a_second_forced_delete_the_deletion_fails(firehose: Any, kms: Any) -> None:
    """The counterpart of the test above: the same stream deleted twice unforced fails."""
    pending_deletion(firehose, kms, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    firehose.delete_delivery_stream(DeliveryStreamName="s", AllowForceDelete=False)
    assert [status(firehose, "s") for _ in range(2)] == ["DELETING", "DELETING_FAILED"]


def test_a_deleting_stream_keeps_its_key_slot_until_gone(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.max_streams_per_key = 1
    firehose, kms = client("firehose"), client("kms")
    _, key_arn = encrypted(firehose, kms, "first")
    firehose.delete_delivery_stream(DeliveryStreamName="first")
    with pytest.raises(firehose.exceptions.LimitExceededException):
        create_stream(firehose, "second", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))
    assert status(firehose, "first") == "DELETING"
    assert gone(firehose, "first")
    create_stream(firehose, "second", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn))


def test_a_key_change_goes_on_while_deleting(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    """The encryption's own transition ends while the stream is DELETING; the grant in force
    when the deletion ends is retired."""
    firehose_sse.set_transition({"progression": "manual", "times": 2}, model=DELETION_MODEL_NAME)
    old_id, _ = encrypted(firehose, kms, "s")
    new = kms.create_key()["KeyMetadata"]
    start(firehose, "s", new["Arn"])
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    shown = [description(firehose, "s") for _ in range(2)]
    assert [s["DeliveryStreamStatus"] for s in shown] == ["DELETING", "DELETING"]
    assert [s["DeliveryStreamEncryptionConfiguration"]["Status"] for s in shown] == [
        "ENABLING",
        "ENABLED",
    ]
    assert grants(kms, old_id) == []
    assert len(grants(kms, new["KeyId"])) == 1
    assert gone(firehose, "s")
    assert grants(kms, new["KeyId"]) == []


# Rule 32: DELETING_FAILED ---------------------------------------------------------------------


def test_a_key_pending_deletion_fails_the_deletion(firehose: Any, kms: Any) -> None:
    key_id, key_arn = pending_deletion(firehose, kms, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    assert status(firehose, "s") == "DELETING"
    stream = description(firehose, "s")
    assert stream["DeliveryStreamStatus"] == "DELETING_FAILED"
    failure = stream["FailureDescription"]
    assert failure["Type"] == "RETIRE_KMS_GRANT_FAILED"
    assert key_arn in failure["Details"]
    assert "KMSInvalidStateException" in failure["Details"]
    assert "PendingDeletion" in failure["Details"]
    assert "AllowForceDelete" in failure["Details"]
    (grant,) = grants(kms, key_id)
    assert failure["Details"] == (
        f"Firehose could not retire its grant {grant['GrantId']} on KMS key {key_arn}: KMS "
        "answered KMSInvalidStateException, the key is PendingDeletion. Make the key usable "
        "(cancel a scheduled deletion) and delete the stream again, or delete it with "
        "AllowForceDelete=True and revoke the grant yourself."
    )
    # The stream stays as it was, and stays there.
    assert stream["DeliveryStreamEncryptionConfiguration"] == {**cmk(key_arn), "Status": "ENABLED"}
    assert [status(firehose, "s") for _ in range(3)] == ["DELETING_FAILED"] * 3
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["s"]
    assert len(grants(kms, key_id)) == 1
    for refused in (
        lambda: firehose.stop_delivery_stream_encryption(DeliveryStreamName="s"),
        lambda: create_stream(firehose, "s"),
    ):
        with pytest.raises(firehose.exceptions.ResourceInUseException):
            refused()
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})


def test_delete_may_be_called_again_and_works_once_the_cause_is_gone(
    firehose: Any, kms: Any
) -> None:
    key_id, _ = pending_deletion(firehose, kms, "s")
    assert delete_until_failed(firehose, "s") == ["DELETING", "DELETING_FAILED"]
    # A retry while the key is still pending deletion fails the same way.
    assert delete_until_failed(firehose, "s") == ["DELETING", "DELETING_FAILED"]
    assert len(grants(kms, key_id)) == 1
    kms.cancel_key_deletion(KeyId=key_id)  # the key is Disabled now: its grant can be retired
    assert delete_stream(firehose, "s") == ["DELETING"]
    assert grants(kms, key_id) == []


def delete_until_failed(firehose: Any, name: str, **kwargs: Any) -> list[str]:
    firehose.delete_delivery_stream(DeliveryStreamName=name, **kwargs)
    return [status(firehose, name) for _ in range(2)]


@pytest.mark.parametrize("by", ["revoke_grant", "retire_grant"])
def test_a_grant_the_user_already_removed_is_nothing_to_retire(
    firehose: Any, kms: Any, by: str
) -> None:
    key_id, _ = pending_deletion(firehose, kms, "s")
    grant_id = grants(kms, key_id)[0]["GrantId"]
    getattr(kms, by)(KeyId=key_id, GrantId=grant_id)
    assert delete_stream(firehose, "s") == ["DELETING"]


def test_a_key_gone_from_kms_is_nothing_to_retire(firehose: Any, kms: Any) -> None:
    from moto.kms.models import kms_backends

    key_id, _ = pending_deletion(firehose, kms, "s")
    kms_backends[ACCOUNT][REGION].delete_key(key_id)  # KMS deletes it when the window ends
    assert delete_stream(firehose, "s") == ["DELETING"]


def test_a_disabled_key_does_not_fail_the_deletion(firehose: Any, kms: Any) -> None:
    key_id, _ = encrypted(firehose, kms, "s")
    kms.disable_key(KeyId=key_id)
    assert delete_stream(firehose, "s") == ["DELETING"]
    assert grants(kms, key_id) == []


# Rule 33: AllowForceDelete --------------------------------------------------------------------


def test_force_deletes_and_leaves_the_grant_for_the_user(firehose: Any, kms: Any) -> None:
    key_id, _ = pending_deletion(firehose, kms, "s")
    arn = description(firehose, "s")["DeliveryStreamARN"]
    assert delete_stream(firehose, "s", AllowForceDelete=True) == ["DELETING"]
    left = grants(kms, key_id)
    assert len(left) == 1
    assert left[0]["GranteePrincipal"] == "firehose.amazonaws.com"
    assert left[0]["Constraints"]["EncryptionContextSubset"]["aws:firehose:arn"] == arn
    kms.revoke_grant(KeyId=key_id, GrantId=left[0]["GrantId"])
    assert grants(kms, key_id) == []
    # The name is free again.
    create_stream(firehose, "s")
    assert status(firehose, "s") == "ACTIVE"


def test_force_after_deleting_failed(firehose: Any, kms: Any) -> None:
    key_id, _ = pending_deletion(firehose, kms, "s")
    assert delete_until_failed(firehose, "s") == ["DELETING", "DELETING_FAILED"]
    assert delete_stream(firehose, "s", AllowForceDelete=True) == ["DELETING"]
    assert len(grants(kms, key_id)) == 1


@pytest.mark.parametrize("force", [True, False])
def test_on_a_healthy_stream_force_changes_nothing(firehose: Any, kms: Any, force: bool) -> None:
    key_id, _ = encrypted(firehose, kms, "s")
    assert delete_stream(firehose, "s", AllowForceDelete=force) == ["DELETING"]
    assert grants(kms, key_id) == []


def test_force_is_per_call(firehose: Any, kms: Any) -> None:
    """A forced call that didn't get to end the deletion doesn't make a later retry forced."""
    pending_deletion(firehose, kms, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s", AllowForceDelete=False)
    assert [status(firehose, "s") for _ in range(2)] == ["DELETING", "DELETING_FAILED"]
    assert delete_until_failed(firehose, "s", AllowForceDelete=False)[-1] == "DELETING_FAILED"


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", 1, 0, [], {"a": True}])
def test_wrong_typed_allow_force_delete_is_a_modelled_error(
    firehose_sse: FirehoseSSE, value: Any
) -> None:
    raw: list[tuple[int, bytes]] = []
    unvalidated = boto3.client(
        "firehose", region_name=REGION, config=NO_RETRIES.merge(Config(parameter_validation=False))
    )
    unvalidated.meta.events.register(
        "before-parse.firehose.*",
        lambda response_dict, **_: raw.append(
            (response_dict["status_code"], response_dict["body"])
        ),
    )
    create_stream(unvalidated, "s")
    with pytest.raises(unvalidated.exceptions.ResourceNotFoundException) as caught:
        unvalidated.delete_delivery_stream(DeliveryStreamName="s", AllowForceDelete=value)
    assert caught.value.response["Error"]["Message"] == (
        f"AllowForceDelete must be true or false, not {value!r}."
    )
    assert raw[-1][0] == 400
    assert b'"__type": "ResourceNotFoundException"' in raw[-1][1]
    assert status(unvalidated, "s") == "ACTIVE"  # nothing happened


@pytest.mark.parametrize("name", ["missing", "bad name!", "x" * 65])
def test_delete_of_an_unknown_or_malformed_name(firehose: Any, name: str) -> None:
    with pytest.raises(firehose.exceptions.ResourceNotFoundException) as caught:
        firehose.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True)
    assert error_code(caught.value) == "ResourceNotFoundException"


# Fault injection: fail_next_delete -----------------------------------------------------------


def test_fail_next_delete(firehose_sse: FirehoseSSE, firehose: Any, kms: Any) -> None:
    key_id, _ = encrypted(firehose, kms, "s")
    firehose_sse.fail_next_delete()
    assert [(f.operation, f.type) for f in firehose_sse.pending_faults] == [
        ("delete", "RETIRE_KMS_GRANT_FAILED")
    ]
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.delete_delivery_stream(DeliveryStreamName="other")  # refused: not used
    assert len(firehose_sse.pending_faults) == 1
    assert delete_until_failed(firehose, "s") == ["DELETING", "DELETING_FAILED"]
    assert firehose_sse.pending_faults == ()
    assert description(firehose, "s")["FailureDescription"] == {
        "Type": "RETIRE_KMS_GRANT_FAILED",
        "Details": "Firehose could not retire its grant on the KMS key.",
    }
    assert len(grants(kms, key_id)) == 1
    assert delete_stream(firehose, "s") == ["DELETING"]  # one call per fault
    assert grants(kms, key_id) == []


def test_fail_next_delete_for_one_stream_with_details(
    firehose_sse: FirehoseSSE, firehose: Any
) -> None:
    for name in ("hit", "spared"):
        create_stream(firehose, name)
    firehose_sse.fail_next_delete("UNKNOWN_ERROR", "Try again later.", stream_name="hit")
    assert delete_stream(firehose, "spared") == ["DELETING"]
    assert delete_until_failed(firehose, "hit") == ["DELETING", "DELETING_FAILED"]
    assert description(firehose, "hit")["FailureDescription"] == {
        "Type": "UNKNOWN_ERROR",
        "Details": "Try again later.",
    }


def test_a_forced_delete_uses_the_fault_and_leaves_the_grant(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any
) -> None:
    key_id, _ = encrypted(firehose, kms, "s")
    firehose_sse.fail_next_delete()
    assert delete_stream(firehose, "s", AllowForceDelete=True) == ["DELETING"]
    assert firehose_sse.pending_faults == ()
    assert len(grants(kms, key_id)) == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "says"),
    [
        (("not a type",), {}, "not a type"),
        (("RETIRE_KMS_GRANT_FAILED", ""), {}, "details"),
    ],
)
def test_bad_delete_faults_are_refused(
    firehose_sse: FirehoseSSE, args: tuple[Any, ...], kwargs: dict[str, Any], says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        firehose_sse.fail_next_delete(*args, **kwargs)
    assert firehose_sse.pending_faults == ()


# Entering and leaving the mock ----------------------------------------------------------------


def test_the_deletion_model_is_undone_on_exit() -> None:
    with mock_firehose_sse() as controller:
        controller.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
        state_manager.set_transition(MODEL_NAME, {"progression": "immediate"})
    for model in (MODEL_NAME, DELETION_MODEL_NAME):
        assert model not in state_manager._transitions
        assert model not in state_manager.get_registered_models()


def test_a_deletion_transition_set_before_the_mock_is_kept() -> None:
    state_manager.set_transition(DELETION_MODEL_NAME, {"progression": "manual", "times": 2})
    try:
        with mock_firehose_sse() as controller:
            controller.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
            controller.unset_transition(model=DELETION_MODEL_NAME)
            assert state_manager.get_transition(DELETION_MODEL_NAME) == {
                "progression": "manual",
                "times": 1,
            }
        assert state_manager._transitions[DELETION_MODEL_NAME] == {
            "progression": "manual",
            "times": 2,
        }
    finally:
        state_manager.unset_transition(DELETION_MODEL_NAME)


def test_a_stream_left_deleting_under_an_outer_mock() -> None:
    """Plain moto shows it DELETING and can delete it; the plugin picks the deletion up again."""
    with mock_aws():
        firehose = client("firehose")
        with mock_firehose_sse():
            create_stream(firehose, "kept")
            create_stream(firehose, "dropped")
            firehose.delete_delivery_stream(DeliveryStreamName="kept")
            firehose.delete_delivery_stream(DeliveryStreamName="dropped")
        assert status(firehose, "kept") == "DELETING"
        firehose.delete_delivery_stream(DeliveryStreamName="dropped")  # plain moto: at once
        with mock_firehose_sse():
            assert status(firehose, "kept") == "DELETING"
            assert gone(firehose, "kept")
            create_stream(firehose, "dropped")  # no deletion of the old one is left over
            assert [status(firehose, "dropped") for _ in range(2)] == ["ACTIVE", "ACTIVE"]


# Over HTTP (moto-firehose-sse-server) ---------------------------------------------------------

AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/firehose/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)


def test_deletion_over_http(server: str) -> None:
    firehose, kms = remote(server, "firehose"), remote(server, "kms")
    key_id, _ = pending_deletion(firehose, kms, "failing")
    create_stream(firehose, "plain")
    assert delete_stream(firehose, "plain") == ["DELETING"]
    assert delete_until_failed(firehose, "failing") == ["DELETING", "DELETING_FAILED"]
    failure = description(firehose, "failing")["FailureDescription"]
    assert failure["Type"] == "RETIRE_KMS_GRANT_FAILED" and "PendingDeletion" in failure["Details"]
    assert delete_stream(firehose, "failing", AllowForceDelete=True) == ["DELETING"]
    assert len(grants(kms, key_id)) == 1


def test_delete_faults_over_http(server: str) -> None:
    firehose = remote(server, "firehose")
    create_stream(firehose, "hit")
    fault = {"operation": "delete", "type": "UNKNOWN_ERROR", "details": "d", "stream_name": "hit"}
    assert call(server, "POST", "/moto-api/firehose-sse/faults", fault) == (
        200,
        {"faults": [fault]},
    )
    assert delete_until_failed(firehose, "hit") == ["DELETING", "DELETING_FAILED"]
    assert description(firehose, "hit")["FailureDescription"] == {
        "Type": "UNKNOWN_ERROR",
        "Details": "d",
    }
    assert call(server, "GET", "/moto-api/firehose-sse/faults") == (200, {"faults": []})
    status_code, got = call(server, "POST", "/moto-api/firehose-sse/faults", {"operation": "drop"})
    assert status_code == 400
    assert got["message"] == 'operation must be "enable", "disable" or "delete"; got \'drop\'.'


def test_deletion_transition_over_http(server: str) -> None:
    firehose = remote(server, "firehose")
    set_transition(server, IMMEDIATE, model=DELETION_MODEL_NAME)
    create_stream(firehose, "s")
    firehose.delete_delivery_stream(DeliveryStreamName="s")
    create_stream(firehose, "s")  # gone at once
    set_transition(server, {"progression": "manual", "times": 2}, model=DELETION_MODEL_NAME)
    assert delete_stream(firehose, "s") == ["DELETING", "DELETING"]


@pytest.mark.parametrize("value", [b'"yes"', b"1", b"null", b"[]", b"{}"])
def test_wrong_typed_allow_force_delete_over_http(server: str, value: bytes) -> None:
    firehose = remote(server, "firehose")
    create_stream(firehose, "s")
    body = b'{"DeliveryStreamName": "s", "AllowForceDelete": ' + value + b"}"
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": AUTH,
        "X-Amz-Target": "Firehose_20150804.DeleteDeliveryStream",
    }
    status_code, got = call(server, "POST", "/", body, headers)
    if value == b"null":  # left out, as JSON 1.1 reads it: an ordinary deletion
        assert status_code == 200
        assert status(firehose, "s") == "DELETING"
        return
    assert status_code == 400
    assert got["__type"] == "SerializationException"
    assert "AllowForceDelete" in got["message"]
    assert status(firehose, "s") == "ACTIVE"
