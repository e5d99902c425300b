"""Firehose's grant through repeated Starts of one key, and the grant's name (rule 19)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .helpers import create_stream, delete_stream, settle
from .kms_helpers import grants, grants_for, start

GRANT_NAME = re.compile(r"[a-zA-Z0-9:/_-]{1,256}")
"""KMS's pattern for grant names."""


def test_stop_after_restarting_the_same_key_retires_the_grant(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    stream_arn = create_stream(firehose, "again")
    start(firehose, "again", key_arn)
    settle(firehose, "again")
    [first] = grants_for(kms, key_arn, stream_arn)
    for _ in range(2):  # the same key again: its grant goes on
        start(firehose, "again", key_arn)
        assert settle(firehose, "again")["Status"] == "ENABLED"
        assert grants_for(kms, key_arn, stream_arn) == [first]
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="again")
    assert settle(firehose, "again") == {"Status": "DISABLED"}
    assert grants(kms, key_arn) == []


def test_delete_after_restarting_the_same_key_retires_the_grant(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "again")
    for _ in range(2):
        start(firehose, "again", key_arn)
        settle(firehose, "again")
    assert len(grants(kms, key_arn)) == 1
    assert delete_stream(firehose, "again") == ["DELETING"]  # retired when the deletion ends
    assert grants(kms, key_arn) == []


def test_restart_with_the_same_key_after_a_failed_change_keeps_one_grant(
    firehose: Any, kms: Any
) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    stream_arn = create_stream(firehose, "back")
    start(firehose, "back", key_arn)
    settle(firehose, "back")
    [grant] = grants_for(kms, key_arn, stream_arn)
    disabled = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])
    start(firehose, "back", disabled["Arn"])
    assert settle(firehose, "back")["Status"] == "ENABLING_FAILED"
    start(firehose, "back", key_arn)
    assert settle(firehose, "back")["Status"] == "ENABLED"
    assert grants_for(kms, key_arn, stream_arn) == [grant]
    assert grants(kms, disabled["Arn"]) == []


@pytest.mark.parametrize(
    ("stream_name", "grant_name"),
    [
        ("orders", "firehose-sse-orders"),
        ("Orders.EU_2024-x", "firehose-sse-Orders-EU_2024-x"),
        ("a.b.c", "firehose-sse-a-b-c"),
        ("UPPER_lower-09", "firehose-sse-UPPER_lower-09"),
        ("." * 64, "firehose-sse-" + "-" * 64),
    ],
)
def test_grant_name_keeps_what_kms_allows_of_the_stream_name(
    firehose: Any, kms: Any, stream_name: str, grant_name: str
) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    stream_arn = create_stream(firehose, stream_name)
    start(firehose, stream_name, key_arn)
    settle(firehose, stream_name)
    [grant] = grants_for(kms, key_arn, stream_arn)
    assert grant["Name"] == grant_name
    assert GRANT_NAME.fullmatch(grant["Name"])
