"""Importing the plugin puts moto's hook in place, as ``from moto import mock_aws`` does.

A boto3 client made before any mock starts must still be mocked once one does, never reach
AWS. Each check runs in a fresh interpreter, where nothing has imported moto yet.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# No credentials of the machine, and a dead endpoint for anything that escapes the mock.
ENV = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "",
}


def run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )


def test_client_made_before_the_mock_is_mocked() -> None:
    result = run(
        """
        import sys
        import boto3
        from botocore.config import Config
        from moto_firehose_sse import mock_firehose_sse

        assert "moto" in sys.modules
        client = boto3.client(
            "firehose", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
        )
        with mock_firehose_sse():
            print(client.list_delivery_streams()["DeliveryStreamNames"])
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_module_level_client_with_the_fixture_is_mocked(tmp_path: Path) -> None:
    """The test module imports nothing of the plugin: the pytest plugin alone loads moto."""
    (tmp_path / "test_module_client.py").write_text(
        textwrap.dedent(
            """
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "firehose", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
            )

            def test_it(firehose_sse):
                assert client.list_delivery_streams()["DeliveryStreamNames"] == []
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


@pytest.mark.parametrize("module", ["moto_firehose_sse", "moto_firehose_sse.pytest_plugin"])
def test_importing_changes_nothing_in_moto(module: str) -> None:
    """Nothing happens at import time: moto's Firehose is plain until a mock starts."""
    result = run(
        f"""
        import {module}
        from moto.firehose.models import DeliveryStream, FirehoseBackend, firehose_backends
        from moto.moto_api import state_manager

        assert firehose_backends.backend is FirehoseBackend
        assert DeliveryStream.MAX_STREAMS_PER_REGION == 50
        assert "firehose::encryption" not in state_manager.get_registered_models()
        """
    )
    assert result.returncode == 0, result.stderr
