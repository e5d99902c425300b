"""Security rules of the model: key-policy Deny, keys of other accounts, grants to Firehose only.

Rules 16-19 and 26 of the behaviour spec. The helpers (key policies, another account's clients,
the grants Firehose holds) are in ``tests/kms_helpers.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import ACCOUNT, REGION, create_stream, delete_stream, description, error_code, settle
from .kms_helpers import (
    FIREHOSE,
    OTHER_ACCOUNT,
    THIRD_ACCOUNT,
    allow_account,
    cmk,
    deny_firehose,
    grants,
    grants_for,
    in_account,
    other_account_client,
    policy,
    start,
)

# What a grant to Firehose may allow: its data-key operations, and retiring itself.
GRANT_OPERATIONS = frozenset(
    [
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        "DescribeKey",
        "RetireGrant",
    ]
)


# Key policy Deny (rule 18) -------------------------------------------------------------------


def test_deny_is_honoured_on_create(firehose: Any, kms: Any) -> None:
    key = kms.create_key(Policy=policy(deny_firehose()))["KeyMetadata"]
    create_stream(
        firehose, "born-denied", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"])
    )
    found = description(firehose, "born-denied")
    assert found["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert found["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    block = found["DeliveryStreamEncryptionConfiguration"]
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    assert grants(kms, key["KeyId"]) == []


def test_deny_added_while_enabling_fails_the_enable(firehose: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    create_stream(firehose, "late-deny")
    start(firehose, "late-deny", key["Arn"])
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=policy(deny_firehose()))
    block = settle(firehose, "late-deny")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    assert grants(kms, key["KeyId"]) == []
    put = firehose.put_record(DeliveryStreamName="late-deny", Record={"Data": b"x"})
    assert put["Encrypted"] is False


def test_key_change_to_a_denied_key_keeps_the_old_key(firehose: Any, kms: Any) -> None:
    good = kms.create_key()["KeyMetadata"]
    denied = kms.create_key(Policy=policy(deny_firehose()))["KeyMetadata"]
    arn = create_stream(firehose, "rotated")
    start(firehose, "rotated", good["Arn"])
    settle(firehose, "rotated")
    start(firehose, "rotated", denied["Arn"])
    block = settle(firehose, "rotated")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    assert block["KeyARN"] == good["Arn"]
    assert len(grants_for(kms, good["KeyId"], arn)) == 1
    assert grants(kms, denied["KeyId"]) == []
    put = firehose.put_record(DeliveryStreamName="rotated", Record={"Data": b"x"})
    assert put["Encrypted"] is True


def test_shared_key_whose_owner_denies_firehose_is_access_denied(firehose: Any) -> None:
    owner = other_account_client("kms", OTHER_ACCOUNT)
    shared_but_denied = policy(allow_account(ACCOUNT), deny_firehose(), owner=OTHER_ACCOUNT)
    key = owner.create_key(Policy=shared_but_denied)["KeyMetadata"]
    create_stream(firehose, "denied-abroad")
    start(firehose, "denied-abroad", key["Arn"])
    block = settle(firehose, "denied-abroad")
    assert block["Status"] == "ENABLING_FAILED"
    assert block["FailureDescription"]["Type"] == "KMS_ACCESS_DENIED"
    assert grants(owner, key["KeyId"]) == []


# Keys of other accounts (rule 16) -----------------------------------------------------------

REFUSED_POLICIES = {
    "default": None,
    "third-account": policy(allow_account(THIRD_ACCOUNT), owner=OTHER_ACCOUNT),
    "describe-only": policy(allow_account(ACCOUNT, "kms:DescribeKey"), owner=OTHER_ACCOUNT),
    "deny-effect": policy({**allow_account(ACCOUNT), "Effect": "Deny"}, owner=OTHER_ACCOUNT),
}


@pytest.mark.parametrize("case", sorted(REFUSED_POLICIES))
@pytest.mark.parametrize("by_alias", [False, True], ids=["key-arn", "alias-arn"])
def test_key_of_another_account_needs_its_policy_to_allow_the_stream_account(
    firehose: Any, case: str, by_alias: bool
) -> None:
    owner = other_account_client("kms", OTHER_ACCOUNT)
    kwargs = {"Policy": REFUSED_POLICIES[case]} if REFUSED_POLICIES[case] else {}
    key = owner.create_key(**kwargs)["KeyMetadata"]
    key_arn = key["Arn"]
    if by_alias:
        owner.create_alias(AliasName="alias/abroad", TargetKeyId=key["KeyId"])
        key_arn = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:alias/abroad"
    create_stream(firehose, "home")
    for attempt in (
        lambda: start(firehose, "home", key_arn),
        lambda: create_stream(
            firehose, "born-abroad", DeliveryStreamEncryptionConfigurationInput=cmk(key_arn)
        ),
    ):
        with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as refused:
            attempt()
        assert refused.value.response["code"] == "KMS.AccessDeniedException"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["home"]
    assert settle(firehose, "home") == {"Status": "DISABLED"}
    assert grants(owner, key["KeyId"]) == []


@pytest.mark.parametrize(
    "principal",
    [f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT],
    ids=["root-arn", "account-id"],
)
def test_key_of_another_account_shared_with_the_stream_account_is_used(
    firehose: Any, principal: str
) -> None:
    owner = other_account_client("kms", OTHER_ACCOUNT)
    sharing = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:*"}
    key = owner.create_key(Policy=policy(sharing, owner=OTHER_ACCOUNT))["KeyMetadata"]
    arn = create_stream(
        firehose, "borrower", DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"])
    )
    assert settle(firehose, "borrower") == {**cmk(key["Arn"]), "Status": "ENABLED"}
    held = grants_for(owner, key["KeyId"], arn)
    assert [(g["GranteePrincipal"], g["RetiringPrincipal"]) for g in held] == [(FIREHOSE, FIREHOSE)]
    # The key's owner can't use the borrower's stream, nor see it.
    with pytest.raises(ClientError) as unseen:
        other_account_client("firehose", OTHER_ACCOUNT).describe_delivery_stream(
            DeliveryStreamName="borrower"
        )
    assert error_code(unseen.value) == "ResourceNotFoundException"


def test_account_of_moto_account_id_cannot_use_the_default_accounts_key(
    firehose: Any, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]  # default policy: its own account only
    with in_account(THIRD_ACCOUNT):
        create_stream(firehose, "guest")
        with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as refused:
            start(firehose, "guest", key["Arn"])
        assert refused.value.response["code"] == "KMS.AccessDeniedException"
        assert settle(firehose, "guest") == {"Status": "DISABLED"}
    assert grants(kms, key["KeyId"]) == []


# Grants name only Firehose (rule 19) --------------------------------------------------------


def test_every_grant_names_only_firehose(firehose: Any, kms: Any) -> None:
    """Across creates, key changes, shared keys and deletes, grants go to Firehose only."""
    owner = other_account_client("kms", OTHER_ACCOUNT)
    shared = owner.create_key(Policy=policy(allow_account(ACCOUNT), owner=OTHER_ACCOUNT))
    keys = [(kms, kms.create_key()["KeyMetadata"]), (kms, kms.create_key()["KeyMetadata"])]
    keys.append((owner, shared["KeyMetadata"]))
    arns = {}
    for index, (_, key) in enumerate(keys):
        name = f"stream-{index}"
        arns[name] = create_stream(
            firehose, name, DeliveryStreamEncryptionConfigurationInput=cmk(key["Arn"])
        )
    start(firehose, "stream-0", keys[1][1]["Arn"])  # a key change
    settle(firehose, "stream-0")
    start(firehose, "stream-1", keys[2][1]["Arn"])  # to the shared key
    settle(firehose, "stream-1")

    live = [(grant, key) for api, key in keys for grant in grants(api, key["KeyId"])]
    assert len(live) == len(arns)  # one per stream
    for grant, key in live:
        assert grant["GranteePrincipal"] == FIREHOSE
        assert grant["RetiringPrincipal"] == FIREHOSE
        assert set(grant["Operations"]) <= GRANT_OPERATIONS
        assert {"Encrypt", "Decrypt", "GenerateDataKey"} <= set(grant["Operations"])
        named = grant["Constraints"]["EncryptionContextSubset"]["aws:firehose:arn"]
        assert named in arns.values()
        assert grant["KeyId"] == key["KeyId"]
    assert sorted(
        grant["Constraints"]["EncryptionContextSubset"]["aws:firehose:arn"] for grant, _ in live
    ) == sorted(arns.values())

    for name in arns:
        delete_stream(firehose, name)
    assert [grant for api, key in keys for grant in grants(api, key["KeyId"])] == []
