from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from moto_firehose_sse import CREATION_MODEL_NAME, DELETION_MODEL_NAME, MODEL_NAME, FirehoseSSE

from .helpers import client
from .server_helpers import call, running_server


@pytest.fixture
def firehose(firehose_sse: FirehoseSSE) -> Iterator[Any]:
    """A boto3 Firehose client (us-east-1, no retries) inside the plugin's mock."""
    yield client("firehose")


@pytest.fixture
def kms(firehose_sse: FirehoseSSE) -> Iterator[Any]:
    """A boto3 KMS client (us-east-1) inside the plugin's mock."""
    yield client("kms")


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``moto-firehose-sse-server`` with default settings for the session; its base URL.

    One server per test session, so one per pytest-xdist worker. The server keeps its state
    between tests: use the ``server`` fixture, which resets it around each test.
    """
    with running_server(tmp_path_factory.mktemp("moto-server") / "server.log") as url:
        yield url


@pytest.fixture
def server(moto_server: str) -> Iterator[str]:
    """The session's server, reset before and after the test, with no transition left set."""
    assert call(moto_server, "POST", "/moto-api/reset")[0] == 200
    yield moto_server
    for model in (MODEL_NAME, DELETION_MODEL_NAME, CREATION_MODEL_NAME):
        unset = {"model_name": model}
        assert call(moto_server, "POST", "/moto-api/state-manager/unset-transition", unset)[0] < 300
    assert call(moto_server, "POST", "/moto-api/reset")[0] == 200
