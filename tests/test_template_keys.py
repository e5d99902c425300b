"""Keys made by templates (rule 45): moto keeps an ``AWS::KMS::Key``'s KeyPolicy as the
template's object and ``Enabled: false`` as a flag beside ``KeyState``; the plugin reads both
as AWS does, and moto's own KMS calls work on such keys while the plugin is installed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import moto
import pytest
from botocore.exceptions import ClientError
from moto.kms import policy_validator
from moto.kms import responses as kms_responses

from moto_firehose_sse import FirehoseSSE, mock_firehose_sse

from .cfn_helpers import ADMIN_STATEMENT, physical_id, status, template, template_key
from .helpers import client, create_stream, settle
from .kms_helpers import cmk, grants


@pytest.fixture
def clients(firehose_sse: FirehoseSSE) -> Iterator[tuple[Any, Any, Any]]:
    yield client("cloudformation"), client("firehose"), client("kms")


def keys_stack(cfn: Any, kms: Any, **keys: Any) -> dict[str, str]:
    """A stack of template keys only; their ARNs by logical id."""
    cfn.create_stack(StackName="keys", TemplateBody=template(Stream=None, **keys))
    assert status(cfn, "keys") == "CREATE_COMPLETE"
    return {
        name: kms.describe_key(KeyId=physical_id(cfn, "keys", name))["KeyMetadata"]["Arn"]
        for name in ("Key", *keys)
    }


def test_an_object_key_policy_is_the_policy(clients: tuple[Any, Any, Any]) -> None:
    cfn, firehose, kms = clients
    arn = keys_stack(cfn, kms)["Key"]
    # moto's own DescribeKey reads the object policy (it raises TypeError in plain moto)
    metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
    assert metadata["Enabled"] is True and metadata["KeyState"] == "Enabled"
    create_stream(firehose, "web", DeliveryStreamEncryptionConfigurationInput=cmk(arn))
    assert settle(firehose, "web") == {
        "KeyARN": arn,
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "Status": "ENABLED",
    }
    assert len(grants(kms, arn)) == 1
    firehose.put_record(DeliveryStreamName="web", Record={"Data": b"x"})


def test_an_object_policy_that_allows_nothing(clients: tuple[Any, Any, Any]) -> None:
    cfn, firehose, kms = clients
    arn = keys_stack(
        cfn,
        kms,
        Key2=template_key(
            statements=[
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ]
        ),
    )["Key2"]
    create_stream(firehose, "web")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="web", DeliveryStreamEncryptionConfigurationInput=cmk(arn)
    )
    found = settle(firehose, "web")
    assert found["Status"] == "ENABLING_FAILED"
    assert found["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    assert "could not be read" not in found["FailureDescription"]["Details"]


def test_a_deny_in_an_object_policy_counts(clients: tuple[Any, Any, Any]) -> None:
    cfn, _, kms = clients
    deny = {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": ["kms:DescribeKey"],
        "Resource": "*",
    }
    cfn.create_stack(
        StackName="keys",
        TemplateBody=template(Stream=None, Key=template_key(statements=[ADMIN_STATEMENT, deny])),
    )
    key_id = physical_id(cfn, "keys", "Key")
    with pytest.raises(ClientError) as raised:  # moto's own policy check reads the object
        kms.describe_key(KeyId=key_id)
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"


def test_enabled_false_is_disabled_whatever_the_key_state(clients: tuple[Any, Any, Any]) -> None:
    cfn, firehose, kms = clients
    arn = keys_stack(cfn, kms, Key2=template_key(enabled=False))["Key2"]
    metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
    assert (metadata["Enabled"], metadata["KeyState"]) == (False, "Enabled")  # moto's view
    create_stream(firehose, "web")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="web", DeliveryStreamEncryptionConfigurationInput=cmk(arn)
    )
    found = settle(firehose, "web")
    assert found["Status"] == "ENABLING_FAILED"
    assert found["FailureDescription"] == {
        "Type": "DISABLED_KMS_KEY",
        "Details": f"KMS key {arn} is Disabled.",
    }
    assert grants(kms, arn) == []
    # Create with it: CREATING_FAILED, as with a key disabled through the API
    create_stream(firehose, "born-failed", DeliveryStreamEncryptionConfigurationInput=cmk(arn))
    described = firehose.describe_delivery_stream(DeliveryStreamName="born-failed")
    assert described["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "CREATING_FAILED"


@pytest.mark.parametrize(("enabled", "status"), [("false", "ENABLING_FAILED"), ("true", "ENABLED")])
def test_enabled_as_text_counts_as_cloudformation_reads_it(
    clients: tuple[Any, Any, Any], enabled: str, status: str
) -> None:
    """A template's ``Enabled: "false"`` (text, as YAML often gives it) is a disabled key;
    ``"true"`` an enabled one. moto keeps the text as it is."""
    cfn, firehose, kms = clients
    key = template_key()
    key["Properties"]["Enabled"] = enabled
    arn = keys_stack(cfn, kms, Key2=key)["Key2"]
    create_stream(firehose, "web")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="web", DeliveryStreamEncryptionConfigurationInput=cmk(arn)
    )
    found = settle(firehose, "web")
    assert found["Status"] == status
    if enabled == "false":
        assert found["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"


def test_puts_after_the_flag_is_cleared_by_moto(clients: tuple[Any, Any, Any]) -> None:
    cfn, firehose, kms = clients
    arn = keys_stack(cfn, kms)["Key"]
    create_stream(firehose, "web", DeliveryStreamEncryptionConfigurationInput=cmk(arn))
    assert settle(firehose, "web")["Status"] == "ENABLED"
    key_id = arn.rsplit("/", 1)[1]
    from moto.kms.models import kms_backends

    kms_backends["123456789012"]["us-east-1"].keys[key_id].enabled = False  # as a template sets
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as raised:
        firehose.put_record(DeliveryStreamName="web", Record={"Data": b"x"})
    assert raised.value.response["code"] == "KMS.DisabledException"


def test_moto_kms_is_plain_after_exit() -> None:
    with mock_firehose_sse():
        assert kms_responses.validate_policy is not policy_validator.validate_policy
    assert kms_responses.validate_policy is policy_validator.validate_policy
    with moto.mock_aws():
        kms = client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
