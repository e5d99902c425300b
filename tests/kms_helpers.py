"""KMS and account helpers shared by the tests: key policies, other accounts, Firehose's grants."""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3

from .helpers import ACCOUNT, NO_RETRIES, REGION

FIREHOSE = "firehose.amazonaws.com"
OTHER_ACCOUNT = "111122223333"
THIRD_ACCOUNT = "222222222222"


@functools.cache
def shared_session() -> boto3.session.Session:
    """One boto3 session whose clients load the service models once.

    Made on first use: a session made before moto is imported misses moto's request hook.
    Make clients from it in one thread (each thread then uses its own client).
    """
    return boto3.session.Session()


def session_client(service: str, region: str = REGION, **kwargs: Any) -> Any:
    """A client (no retries) from the shared session: fast, as its model files stay loaded."""
    return shared_session().client(service, region_name=region, config=NO_RETRIES, **kwargs)


def other_account_client(service: str, account: str = OTHER_ACCOUNT, region: str = REGION) -> Any:
    """A client of ``service`` (no retries) acting in ``account`` through an assumed role.

    moto maps the role's credentials to that account.
    """
    credentials = session_client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/other-account", RoleSessionName="tests"
    )["Credentials"]
    return session_client(
        service,
        region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


@contextlib.contextmanager
def in_account(account: str) -> Iterator[None]:
    """Calls made inside act in ``account`` (moto's ``MOTO_ACCOUNT_ID``, read per request)."""
    if account == ACCOUNT:
        yield
        return
    with mock.patch.dict(os.environ, {"MOTO_ACCOUNT_ID": account}):
        yield


def key_policy(owner: str, *statements: dict[str, Any]) -> str:
    """A key policy: the owner account administers the key, then ``statements``."""
    admin = {
        "Sid": "Owner",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{owner}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [admin, *statements]})


def policy(*statements: dict[str, Any], owner: str = ACCOUNT) -> str:
    """``key_policy`` with the owner as a keyword, the tests' account by default."""
    return key_policy(owner, *statements)


def sharing_policy(owner: str, user: str) -> str:
    """A key policy that lets account ``user`` use the key for Firehose."""
    use = [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey*",
        "kms:CreateGrant",
        "kms:DescribeKey",
    ]
    return key_policy(
        owner,
        {
            "Sid": "Use by the stream account",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{user}:root"},
            "Action": use,
            "Resource": "*",
        },
    )


def deny_firehose(**principal: Any) -> dict[str, Any]:
    """A Deny of the KMS operations Firehose needs, for ``principal`` (Firehose by default)."""
    return {
        "Effect": "Deny",
        "Principal": principal or {"Service": FIREHOSE},
        "Action": ["kms:Encrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
    }


def allow_account(account: str, actions: Any = "kms:*") -> dict[str, Any]:
    """An Allow of ``actions`` for the root of ``account``."""
    return {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": actions,
        "Resource": "*",
    }


def grants(kms: Any, key_id: str) -> list[dict[str, Any]]:
    """The live grants of a key, as ``kms.list_grants`` shows them."""
    return list(kms.list_grants(KeyId=key_id)["Grants"])


def grants_for(kms: Any, key_id: str, stream_arn: str) -> list[dict[str, Any]]:
    """The live grants of a key that name the stream in their encryption context."""
    return [
        grant
        for grant in grants(kms, key_id)
        if grant.get("Constraints", {}).get("EncryptionContextSubset", {}).get("aws:firehose:arn")
        == stream_arn
    ]


def cmk(key_arn: str) -> dict[str, str]:
    """The encryption configuration input of a customer managed key."""
    return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key_arn}


def start(firehose: Any, name: str, key_arn: str | None = None) -> None:
    """StartDeliveryStreamEncryption: with ``key_arn`` if given, else an AWS owned key."""
    config = {"KeyType": "AWS_OWNED_CMK"}
    if key_arn is not None:
        config = cmk(key_arn)
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=config
    )
