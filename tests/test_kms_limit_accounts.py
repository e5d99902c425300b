"""The per-key stream count looks through every account's streams in the key's region, also
when an account has streams only in other regions (rule 20)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import client, create_stream, settle
from .kms_helpers import OTHER_ACCOUNT, in_account, start


@pytest.mark.firehose_sse(max_streams_per_key=1)
def test_account_with_streams_only_in_another_region_is_passed_over(
    firehose: Any, kms: Any
) -> None:
    with in_account(OTHER_ACCOUNT):
        create_stream(client("firehose", region="eu-west-1"), "elsewhere")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    for name in ("a", "b"):
        create_stream(firehose, name)
    start(firehose, "a", key_arn)
    assert settle(firehose, "a")["Status"] == "ENABLED"
    with pytest.raises(firehose.exceptions.LimitExceededException):
        start(firehose, "b", key_arn)
