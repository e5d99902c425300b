from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from moto_firehose_sse import FirehoseSSE

from .helpers import client


@pytest.fixture
def firehose(firehose_sse: FirehoseSSE) -> Iterator[Any]:
    """A boto3 Firehose client (us-east-1, no retries) inside the plugin's mock."""
    yield client("firehose")


@pytest.fixture
def kms(firehose_sse: FirehoseSSE) -> Iterator[Any]:
    """A boto3 KMS client (us-east-1) inside the plugin's mock."""
    yield client("kms")
