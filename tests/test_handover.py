"""Hand-over between the plugin and plain moto inside one ``mock_aws`` (issue 12 items 7 and 8).

Plugin -> plain moto: every stream leaves in plain moto's form (ENABLED with the key in force,
or ``{"Status": "DISABLED"}``), and plain moto's Describe, Start and Stop work on it.
Plain moto -> plugin: what plain moto encrypted is taken on fully (key resolved, grant made,
counted against ``max_streams_per_key``); what it changed replaces the plugin's kept state.
"""

from __future__ import annotations

from typing import Any

import moto
import pytest
from botocore.exceptions import ClientError

from moto_firehose_sse import FirehoseSSE, mock_firehose_sse

from .helpers import (
    ACCOUNT,
    REGION,
    create_kinesis_sourced_stream,
    create_stream,
    error_code,
    settle,
    sse,
)
from .kms_helpers import (
    OTHER_ACCOUNT,
    allow_account,
    cmk,
    grants,
    grants_for,
    key_policy,
    other_account_client,
    session_client,
    start,
)

AWS = {"KeyType": "AWS_OWNED_CMK"}
DISABLED = {"Status": "DISABLED"}
SLOW = {"progression": "manual", "times": 1000}
IMMEDIATE = {"progression": "immediate"}


def failed(block: dict[str, Any], kind: str) -> dict[str, Any]:
    return {**block, "FailureDescription": {"Type": kind, "Details": f"Injected failure {kind}."}}


class Setup:
    """Streams in every status the plugin can leave behind, with the blocks expected for them."""

    def __init__(self, controller: FirehoseSSE) -> None:
        self.firehose, kms = session_client("firehose"), session_client("kms")
        self.k1 = kms.create_key()["KeyMetadata"]
        self.k2 = kms.create_key()["KeyMetadata"]
        self.arns: dict[str, str] = {}
        k1, k2, firehose = self.k1["Arn"], self.k2["Arn"], self.firehose
        enabled_k1 = {**cmk(k1), "Status": "ENABLED"}

        controller.set_transition(IMMEDIATE)
        for name in (
            "never",
            "stopped",
            "enabled-aws",
            "enabled-cmk",
            "enabling",
            "enabling-change",
            "enabling-failed",
            "failed-change",
            "disabling",
            "disabling-failed",
        ):
            self.arns[name] = create_stream(firehose, name)
        self.arns["created-cmk"] = create_stream(
            firehose, "created-cmk", DeliveryStreamEncryptionConfigurationInput=cmk(k1)
        )
        controller.fail_next_enable("UNKNOWN_ERROR")
        self.arns["creating-failed"] = create_stream(
            firehose, "creating-failed", DeliveryStreamEncryptionConfigurationInput=cmk(k1)
        )
        self.arns["kinesis"] = create_kinesis_sourced_stream(firehose, "kinesis")
        for name in ("stopped", "enabled-aws", "enabling-change"):
            start(firehose, name)
        for name in ("enabled-cmk", "failed-change", "disabling", "disabling-failed"):
            start(firehose, name, k1)
        for name in self.arns:
            sse(firehose, name)  # immediate: the starts end here
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="stopped")
        controller.fail_next_enable("UNKNOWN_ERROR", stream_name="enabling-failed")
        start(firehose, "enabling-failed")
        controller.fail_next_enable("UNKNOWN_ERROR", stream_name="failed-change")
        start(firehose, "failed-change", k2)
        controller.fail_next_disable("UNKNOWN_ERROR", stream_name="disabling-failed")
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="disabling-failed")
        for name in self.arns:
            sse(firehose, name)

        controller.set_transition(SLOW)  # from here on, the transitions stay under way
        start(firehose, "enabling")
        start(firehose, "enabling-change", k2)
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="disabling")

        self.plugin = {
            "never": DISABLED,
            "stopped": DISABLED,
            "enabled-aws": {**AWS, "Status": "ENABLED"},
            "enabled-cmk": enabled_k1,
            "created-cmk": enabled_k1,
            "creating-failed": failed({**cmk(k1), "Status": "ENABLING_FAILED"}, "UNKNOWN_ERROR"),
            "enabling": {**AWS, "Status": "ENABLING"},
            "enabling-change": {**AWS, "Status": "ENABLING"},  # the key in force
            "enabling-failed": failed({**AWS, "Status": "ENABLING_FAILED"}, "UNKNOWN_ERROR"),
            "failed-change": failed({**cmk(k1), "Status": "ENABLING_FAILED"}, "UNKNOWN_ERROR"),
            "disabling": {**cmk(k1), "Status": "DISABLING"},
            "disabling-failed": failed({**cmk(k1), "Status": "DISABLING_FAILED"}, "UNKNOWN_ERROR"),
            "kinesis": None,
        }
        # Plain moto's form: ENABLED with the key in force, else DISABLED.
        self.plain = {
            name: (
                None
                if block is None
                else {k: v for k, v in block.items() if k in ("KeyType", "KeyARN")}
                | {"Status": "ENABLED" if "KeyType" in block else "DISABLED"}
            )
            for name, block in self.plugin.items()
        }
        for name in ("enabling", "enabling-failed", "creating-failed"):  # no key in force
            self.plain[name] = DISABLED
        self.holding_k1 = [
            "enabled-cmk",
            "created-cmk",
            "failed-change",
            "disabling",
            "disabling-failed",
        ]

    def blocks(self) -> dict[str, Any]:
        return {name: sse(self.firehose, name) for name in self.arns}

    def k1_holders(self) -> list[str]:
        kms = session_client("kms")
        return [n for n, arn in self.arns.items() if grants_for(kms, self.k1["KeyId"], arn)]


def plain_start(firehose: Any, name: str, config: dict[str, str]) -> None:
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=config
    )


def test_every_status_leaves_in_plain_form_and_comes_back_unchanged() -> None:
    with moto.mock_aws():
        with mock_firehose_sse() as controller:
            setup = Setup(controller)
            assert setup.blocks() == setup.plugin
            assert sorted(setup.k1_holders()) == sorted(setup.holding_k1)

        # Plain moto: ENABLED with the key in force, or DISABLED; the grants stay with the key.
        assert setup.blocks() == setup.plain
        assert sorted(setup.k1_holders()) == sorted(setup.holding_k1)

        # Back under the plugin with nothing changed: every status resumes where it was.
        with mock_firehose_sse() as controller:
            controller.set_transition(SLOW)
            assert setup.blocks() == setup.plugin
            controller.set_transition(IMMEDIATE)
            settled = setup.blocks()
            assert settled["enabling"] == {**AWS, "Status": "ENABLED"}
            assert settled["enabling-change"] == {**cmk(setup.k2["Arn"]), "Status": "ENABLED"}
            assert settled["disabling"] == DISABLED
            holders = set(setup.holding_k1) - {"disabling"}
            assert sorted(setup.k1_holders()) == sorted(holders)
            kms = session_client("kms")
            k2_grants = grants(kms, setup.k2["KeyId"])
            assert [g["Constraints"]["EncryptionContextSubset"] for g in k2_grants] == [
                {"aws:firehose:arn": setup.arns["enabling-change"]}
            ]


def test_plain_moto_start_stop_describe_work_on_every_stream_the_plugin_left() -> None:
    with moto.mock_aws():
        with mock_firehose_sse() as controller:
            setup = Setup(controller)
        firehose = setup.firehose
        k2 = setup.k2["Arn"]
        direct_put = [name for name in setup.arns if name != "kinesis"]
        for name in direct_put:
            firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)
            assert sse(firehose, name)["Status"] == "DISABLED"
            plain_start(firehose, name, AWS if name.startswith("enabl") else cmk(k2))
            assert sse(firehose, name)["Status"] == "ENABLED"  # at once: plain moto
        # Stop on the stream, after plain moto's Start: DISABLED again.
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="never")
        assert sse(firehose, "never") == {**cmk(k2), "Status": "DISABLED"}

        # Back under the plugin: what plain moto changed replaces the kept state.
        with mock_firehose_sse() as controller:
            controller.set_transition(SLOW)
            kms = session_client("kms")
            for name in direct_put:
                if name == "never":
                    expected = DISABLED
                elif name.startswith("enabl"):
                    expected = {**AWS, "Status": "ENABLED"}
                else:
                    expected = {**cmk(k2), "Status": "ENABLED"}
                assert sse(firehose, name) == expected, name
                assert len(grants_for(kms, setup.k2["KeyId"], setup.arns[name])) == (
                    1 if "KeyARN" in expected else 0
                ), name
            assert setup.k1_holders() == []  # the grants of the forgotten state are retired
            assert sse(firehose, "kinesis") is None


def test_a_never_encrypted_stream_leaves_disabled_and_plain_stop_works() -> None:
    with moto.mock_aws():
        firehose = session_client("firehose")
        with mock_firehose_sse():
            create_stream(firehose, "made-here")
            start(firehose, "made-here")
            settle(firehose, "made-here")
            firehose.stop_delivery_stream_encryption(DeliveryStreamName="made-here")
            assert settle(firehose, "made-here") == DISABLED
            create_stream(firehose, "never")
        for name in ("made-here", "never"):
            assert sse(firehose, name) == DISABLED
            firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)  # no TypeError
            assert sse(firehose, name) == DISABLED


# Plain moto -> plugin ---------------------------------------------------------------------


def put_outcome(firehose: Any, name: str) -> Any:
    """``Encrypted`` of a PutRecord and a PutRecordBatch, or the error code and KMS code."""
    outcomes = []
    for call, params in (
        (firehose.put_record, {"Record": {"Data": b"x"}}),
        (firehose.put_record_batch, {"Records": [{"Data": b"x"}]}),
    ):
        try:
            outcomes.append(call(DeliveryStreamName=name, **params)["Encrypted"])
        except ClientError as exc:
            outcomes.append((error_code(exc), exc.response.get("code")))
    assert outcomes[0] == outcomes[1], outcomes
    return outcomes[0]


class PlainStreams:
    """Streams plain moto encrypted, in every form it has."""

    def __init__(self) -> None:
        self.firehose, self.kms = session_client("firehose"), session_client("kms")
        firehose, kms = self.firehose, self.kms
        self.key = kms.create_key()["KeyMetadata"]
        self.off = kms.create_key()["KeyMetadata"]
        kms.disable_key(KeyId=self.off["KeyId"])
        kms.create_alias(AliasName="alias/plain", TargetKeyId=self.key["KeyId"])
        self.alias = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/plain"
        self.unknown = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
        self.elsewhere = "arn:aws:kms:eu-west-1:" + ACCOUNT + ":key/" + self.key["KeyId"]
        self.arns = {
            name: create_stream(firehose, name)
            for name in (
                "never",
                "aws",
                "cmk",
                "alias",
                "stopped",
                "disabled-key",
                "unknown-key",
                "other-region-key",
            )
        }
        self.arns["created-cmk"] = create_stream(  # plain moto keeps the input: no Status
            firehose, "created-cmk", DeliveryStreamEncryptionConfigurationInput=cmk(self.key["Arn"])
        )
        self.arns["kinesis"] = create_kinesis_sourced_stream(firehose, "kinesis")
        plain_start(firehose, "aws", AWS)
        for name, arn in (
            ("cmk", self.key["Arn"]),
            ("alias", self.alias),
            ("stopped", self.key["Arn"]),
            ("disabled-key", self.off["Arn"]),
            ("unknown-key", self.unknown),
            ("other-region-key", self.elsewhere),
        ):
            plain_start(firehose, name, cmk(arn))
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="stopped")

    def holders(self, key: dict[str, str]) -> list[str]:
        return sorted(n for n, a in self.arns.items() if grants_for(self.kms, key["KeyId"], a))


def test_joining_takes_on_what_plain_moto_encrypted() -> None:
    with moto.mock_aws():
        plain = PlainStreams()
        firehose, key = plain.firehose, plain.key["Arn"]
        with mock_firehose_sse(max_streams_per_key=4):
            blocks = {name: sse(firehose, name) for name in plain.arns}
            assert blocks == {
                "never": DISABLED,
                "aws": {**AWS, "Status": "ENABLED"},
                "cmk": {**cmk(key), "Status": "ENABLED"},
                "alias": {**cmk(plain.alias), "Status": "ENABLED"},  # as given
                "created-cmk": {**cmk(key), "Status": "ENABLED"},
                "stopped": DISABLED,
                "disabled-key": {**cmk(plain.off["Arn"]), "Status": "ENABLED"},
                "unknown-key": {**cmk(plain.unknown), "Status": "ENABLED"},
                "other-region-key": {**cmk(plain.elsewhere), "Status": "ENABLED"},
                "kinesis": None,
            }
            # One grant per stream encrypted with a key that exists.
            assert plain.holders(plain.key) == ["alias", "cmk", "created-cmk"]
            assert plain.holders(plain.off) == ["disabled-key"]
            outcomes = {n: put_outcome(firehose, n) for n in plain.arns if n != "kinesis"}
            assert outcomes == {
                "never": False,
                "aws": True,
                "cmk": True,
                "alias": True,
                "created-cmk": True,
                "stopped": False,
                "disabled-key": ("InvalidKMSResourceException", "KMS.DisabledException"),
                "unknown-key": ("InvalidKMSResourceException", "KMS.NotFoundException"),
                "other-region-key": ("InvalidKMSResourceException", "KMS.NotFoundException"),
            }
            assert put_outcome(firehose, "kinesis") == ("InvalidArgumentException", None)

            # The three adopted streams count against the key's quota of 4.
            plain.arns["fourth"] = create_stream(
                firehose, "fourth", DeliveryStreamEncryptionConfigurationInput=cmk(key)
            )
            with pytest.raises(firehose.exceptions.LimitExceededException):
                create_stream(
                    firehose, "fifth", DeliveryStreamEncryptionConfigurationInput=cmk(key)
                )
            # Stopping an adopted stream retires its grant and frees its slot.
            firehose.stop_delivery_stream_encryption(DeliveryStreamName="cmk")
            assert sse(firehose, "cmk")["Status"] == "DISABLING"
            assert sse(firehose, "cmk") == DISABLED
            assert plain.holders(plain.key) == ["alias", "created-cmk", "fourth"]
            create_stream(firehose, "fifth", DeliveryStreamEncryptionConfigurationInput=cmk(key))
            # A stream whose key can't be used gets a usable one, and works again.
            start(firehose, "unknown-key")
            assert sse(firehose, "unknown-key")["Status"] == "ENABLING"
            assert sse(firehose, "unknown-key") == {**AWS, "Status": "ENABLED"}
            assert put_outcome(firehose, "unknown-key") is True


def test_joining_with_lenient_keys_takes_made_up_keys_as_usable() -> None:
    with moto.mock_aws():
        plain = PlainStreams()
        firehose = plain.firehose
        with mock_firehose_sse(lenient_keys=True, max_streams_per_key=1):
            assert sse(firehose, "unknown-key") == {**cmk(plain.unknown), "Status": "ENABLED"}
            assert put_outcome(firehose, "unknown-key") is True
            # Counted as lenient keys are: a second stream on it is over the quota of 1.
            create_stream(firehose, "second")
            with pytest.raises(firehose.exceptions.LimitExceededException):
                start(firehose, "second", plain.unknown)
            # A malformed or other-region key is still not usable.
            assert put_outcome(firehose, "other-region-key") == (
                "InvalidKMSResourceException",
                "KMS.NotFoundException",
            )


def test_joining_judges_another_accounts_key_by_its_key_policy() -> None:
    """A key plain moto took from another account: used when its key policy lets this account
    in, and otherwise refused at each put, naming the key and what to do."""
    with moto.mock_aws():
        firehose, owner = session_client("firehose"), other_account_client("kms")
        stream_arns = {
            name: create_stream(firehose, name) for name in ("shut", "shared", "unknown", "no-arn")
        }
        shut = owner.create_key()["KeyMetadata"]  # the default policy: its own account only
        for_the_stream = {  # only for this stream, through Firehose
            **allow_account(ACCOUNT),
            "Condition": {
                "StringEquals": {
                    "aws:SourceArn": stream_arns["shared"],
                    "kms:CallerAccount": ACCOUNT,
                    "kms:ViaService": f"firehose.{REGION}.amazonaws.com",
                }
            },
        }
        shared = owner.create_key(Policy=key_policy(OTHER_ACCOUNT, for_the_stream))["KeyMetadata"]
        unknown = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
        for name, arn in (("shut", shut["Arn"]), ("shared", shared["Arn"]), ("unknown", unknown)):
            plain_start(firehose, name, cmk(arn))
        plain_start(firehose, "no-arn", {"KeyType": "CUSTOMER_MANAGED_CMK"})  # AWS refuses this
        with mock_firehose_sse():
            assert sse(firehose, "no-arn") == DISABLED
            assert put_outcome(firehose, "shared") is True
            assert len(grants(owner, shared["KeyId"])) == 1
            assert grants(owner, shut["KeyId"]) == []
            for name, arn in (("shut", shut["Arn"]), ("unknown", unknown)):
                with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as refused:
                    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
                assert refused.value.response["code"] == "KMS.NotFoundException"
                assert refused.value.response["Error"]["Message"] == (
                    f"Firehose could not encrypt the records: KMS key {arn} is not a key this "
                    "stream's account and region can use."
                )
