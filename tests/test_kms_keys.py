"""Which KMS keys a stream can use: resolution by key ARN and alias ARN, and the refusals
(rules 16 and 17; issue 3 points 1 and 2)."""

from __future__ import annotations

from typing import Any

import pytest
from moto import mock_aws

from .helpers import ACCOUNT, REGION, client, create_stream, error_code, settle, sse
from .kms_helpers import OTHER_ACCOUNT, other_account_client, sharing_policy, start
from .moto_bugs import UPDATE_ALIAS_KEYERROR


def refused(firehose: Any, name: str, key_arn: str) -> Any:
    """Start with ``key_arn``, which must be refused at call time; the ClientError."""
    with pytest.raises(firehose.exceptions.ClientError) as caught:
        start(firehose, name, key_arn)
    return caught.value


def assert_kms_refusal(firehose: Any, key_arn: str, kms_code: str) -> None:
    """Start on a new, never encrypted stream is refused with ``kms_code``; nothing changes."""
    create_stream(firehose, "refused")
    error = refused(firehose, "refused", key_arn)
    assert error_code(error) == "InvalidKMSResourceException"
    assert error.response["code"] == kms_code
    assert key_arn in error.response["Error"]["Message"]
    assert sse(firehose, "refused") == {"Status": "DISABLED"}


def test_key_arn_resolves_to_an_enabled_stream(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "by-key")
    start(firehose, "by-key", key_arn)
    assert settle(firehose, "by-key") == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": key_arn,
        "Status": "ENABLED",
    }


def test_alias_arn_resolves_to_its_target_key(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/firehose-sse", TargetKeyId=key["KeyId"])
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/firehose-sse"
    create_stream(firehose, "by-alias")
    start(firehose, "by-alias", alias_arn)
    # [ours] Describe shows the ARN as given; the grant is on the key the alias names.
    assert settle(firehose, "by-alias") == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": alias_arn,
        "Status": "ENABLED",
    }
    grants = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == ["firehose.amazonaws.com"]


@UPDATE_ALIAS_KEYERROR
def test_plain_moto_retargets_an_alias() -> None:
    """The moto bug the next test meets on moto 5.1.22 is plain moto's own."""
    with mock_aws():
        kms = client("kms")
        first = kms.create_key()["KeyMetadata"]["KeyId"]
        second = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/moving", TargetKeyId=first)
        kms.update_alias(AliasName="alias/moving", TargetKeyId=second)
        assert kms.describe_key(KeyId="alias/moving")["KeyMetadata"]["KeyId"] == second


@UPDATE_ALIAS_KEYERROR
def test_alias_retargeted_later_keeps_the_key_resolved_at_start(firehose: Any, kms: Any) -> None:
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    second = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/moving", TargetKeyId=first)
    create_stream(firehose, "moving")
    start(firehose, "moving", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/moving")
    settle(firehose, "moving")
    kms.update_alias(AliasName="alias/moving", TargetKeyId=second)
    kms.disable_key(KeyId=second)
    # The stream encrypts with the first key: the second being disabled doesn't matter.
    put = firehose.put_record(DeliveryStreamName="moving", Record={"Data": b"x"})
    assert put["Encrypted"] is True
    assert len(kms.list_grants(KeyId=first)["Grants"]) == 1
    assert kms.list_grants(KeyId=second)["Grants"] == []


@pytest.mark.parametrize(
    "make_arn",
    [
        pytest.param(
            lambda: f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{'0' * 8}-0000-0000-0000-{'0' * 12}",
            id="key",
        ),
        pytest.param(lambda: f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/no-such-alias", id="alias"),
        pytest.param(
            lambda: (
                f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            ),
            id="other-account",
        ),
    ],
)
def test_unknown_key_is_refused_with_kms_not_found(firehose: Any, make_arn: Any) -> None:
    assert_kms_refusal(firehose, make_arn(), "KMS.NotFoundException")


def test_key_of_another_region_is_refused_with_kms_not_found(firehose: Any) -> None:
    west_key = client("kms", region="us-west-2").create_key()["KeyMetadata"]["Arn"]
    assert_kms_refusal(firehose, west_key, "KMS.NotFoundException")


def test_key_of_the_stream_region_in_a_west_stream(firehose_sse: Any) -> None:
    west = client("firehose", region="us-west-2")
    west_key = client("kms", region="us-west-2").create_key()["KeyMetadata"]["Arn"]
    create_stream(west, "west")
    start(west, "west", west_key)
    assert settle(west, "west")["Status"] == "ENABLED"


def test_key_of_another_account_without_sharing_policy_is_access_denied(firehose: Any) -> None:
    foreign = other_account_client("kms").create_key()["KeyMetadata"]["Arn"]
    assert f":{OTHER_ACCOUNT}:" in foreign
    assert_kms_refusal(firehose, foreign, "KMS.AccessDeniedException")


def test_another_accounts_refusal_says_who_was_refused_and_what_to_add(firehose: Any) -> None:
    foreign = other_account_client("kms").create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "refused")
    message = refused(firehose, "refused", foreign).response["Error"]["Message"]
    assert message == (
        f"KMS key {foreign} belongs to account {OTHER_ACCOUNT}, and its key policy does not let "
        f"arn:aws:sts::{ACCOUNT}:user/moto of account {ACCOUNT} use it (kms:DescribeKey: no "
        "statement of the key policy allows it); add a key policy statement that allows it."
    )


def test_key_of_another_account_shared_by_policy_is_used(firehose: Any) -> None:
    owner_kms = other_account_client("kms")
    key = owner_kms.create_key(Policy=sharing_policy(OTHER_ACCOUNT, ACCOUNT))["KeyMetadata"]
    create_stream(firehose, "shared")
    start(firehose, "shared", key["Arn"])
    assert settle(firehose, "shared") == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": key["Arn"],
        "Status": "ENABLED",
    }
    # The grant lives in the key's account.
    grants = owner_kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == ["firehose.amazonaws.com"]


def test_key_shared_with_a_third_account_is_access_denied(firehose: Any) -> None:
    key_arn = other_account_client("kms").create_key(
        Policy=sharing_policy(OTHER_ACCOUNT, "444455556666")
    )["KeyMetadata"]["Arn"]
    assert_kms_refusal(firehose, key_arn, "KMS.AccessDeniedException")


MALFORMED = (
    "1234abcd-12ab-34cd-56ef-1234567890ab",  # a bare key id
    "alias/my-key",  # a bare alias name
    "arn:aws:s3:::bucket",  # another service
    f"arn:aws:sns:{REGION}:{ACCOUNT}:topic",
    f"arn:aws:kms:{REGION}:{ACCOUNT}:keyring/abc",  # not a key or alias
    f"arn:aws:kms:{REGION}:12345:key/abc",  # short account
    f"arn:aws:kms:{REGION}:{ACCOUNT}:key/",  # no key id
    "not an arn at all",
)


def test_malformed_key_arns_are_invalid_argument(firehose: Any) -> None:
    create_stream(firehose, "malformed")
    for key_arn in MALFORMED:
        error = refused(firehose, "malformed", key_arn)
        assert isinstance(error, firehose.exceptions.InvalidArgumentException), key_arn
        assert key_arn in error.response["Error"]["Message"]
    assert sse(firehose, "malformed") == {"Status": "DISABLED"}


def test_refused_key_leaves_an_encrypted_stream_as_it_was(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "kept")
    start(firehose, "kept", key_arn)
    before = settle(firehose, "kept")
    for bad in (f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/none", "arn:aws:s3:::b"):
        with pytest.raises(firehose.exceptions.ClientError):
            start(firehose, "kept", bad)
    assert sse(firehose, "kept") == before
    assert firehose.put_record(DeliveryStreamName="kept", Record={"Data": b"x"})["Encrypted"]
    assert len(kms.list_grants(KeyId=key_arn)["Grants"]) == 1
