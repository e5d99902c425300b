"""The AWS CLI, a client no one here wrote, against ``moto-firehose-sse-server``.

The CLI runs from the environment named by ``MOTO_FIREHOSE_SSE_AWS_CLI`` (the path of an
``aws`` executable; the nox ``tests`` sessions install the ``awscli`` package in an
environment of its own, since its botocore pin may clash with boto3's), else the ``aws``
found on PATH. Without either, these tests are skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from moto_firehose_sse import MODEL_NAME

from .helpers import BUCKET_ARN, ROLE_ARN, create_stream
from .server_helpers import call, remote

AWS_CLI = os.environ.get("MOTO_FIREHOSE_SSE_AWS_CLI") or shutil.which("aws")
pytestmark = pytest.mark.skipif(
    AWS_CLI is None,
    reason="no AWS CLI: set MOTO_FIREHOSE_SSE_AWS_CLI to an aws executable, or put aws on PATH "
    "(`nox -s tests` installs one)",
)


class AwsCli:
    """Runs ``aws`` against one endpoint with throwaway credentials and no user config."""

    def __init__(self, url: str, home: Path) -> None:
        assert AWS_CLI is not None
        self.url = url
        empty = home / "empty"
        empty.write_text("")
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AWS_") or key == "AWS_CA_BUNDLE"
        }
        self.env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE=str(empty),
            AWS_SHARED_CREDENTIALS_FILE=str(empty),
            AWS_MAX_ATTEMPTS="1",
            AWS_PAGER="",
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert AWS_CLI is not None
        return subprocess.run(
            [AWS_CLI, *args, "--endpoint-url", self.url, "--output", "json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def ok(self, *args: str) -> Any:
        done = self.run(*args)
        assert done.returncode == 0, f"aws {' '.join(args)} failed:\n{done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else None

    def sse(self, name: str) -> Any:
        return self.ok(
            "firehose",
            "describe-delivery-stream",
            "--delivery-stream-name",
            name,
            "--query",
            "DeliveryStreamDescription.DeliveryStreamEncryptionConfiguration",
        )


@pytest.fixture
def aws(server: str, tmp_path: Path) -> Any:
    return AwsCli(server, tmp_path)


def test_aws_cli_customer_key_round_trip(aws: AwsCli, moto_server: str) -> None:
    kms = remote(moto_server, "kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(remote(moto_server, "firehose"), "cli")

    aws.ok(
        "firehose",
        "start-delivery-stream-encryption",
        "--delivery-stream-name",
        "cli",
        "--delivery-stream-encryption-configuration-input",
        f"KeyType=CUSTOMER_MANAGED_CMK,KeyARN={key_arn}",
    )
    enabling = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key_arn, "Status": "ENABLING"}
    assert aws.sse("cli") == enabling
    assert aws.sse("cli") == {**enabling, "Status": "ENABLED"}
    grants = kms.list_grants(KeyId=key_arn)["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == ["firehose.amazonaws.com"]
    put = aws.ok(
        "firehose", "put-record", "--delivery-stream-name", "cli", "--record", "Data=aGVsbG8="
    )
    assert put["Encrypted"] is True

    aws.ok("firehose", "stop-delivery-stream-encryption", "--delivery-stream-name", "cli")
    assert aws.sse("cli")["Status"] == "DISABLING"
    assert aws.sse("cli") == {"Status": "DISABLED"}
    assert kms.list_grants(KeyId=key_arn)["Grants"] == []


def test_aws_cli_create_with_sse_and_modelled_errors(aws: AwsCli) -> None:
    body = {"model_name": MODEL_NAME, "transition": {"progression": "immediate"}}
    assert call(aws.url, "POST", "/moto-api/state-manager/set-transition", body)[0] == 201
    aws.ok(
        "firehose",
        "create-delivery-stream",
        "--delivery-stream-name",
        "now",
        "--delivery-stream-encryption-configuration-input",
        "KeyType=AWS_OWNED_CMK",
        "--extended-s3-destination-configuration",
        json.dumps({"RoleARN": ROLE_ARN, "BucketARN": BUCKET_ARN}),
    )
    assert aws.sse("now") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}

    # AWS CLI v1 exits with 255 on a service error, v2 with 254.
    refused = aws.run(
        "firehose", "start-delivery-stream-encryption", "--delivery-stream-name", "absent"
    )
    assert refused.returncode in (254, 255)
    assert "(ResourceNotFoundException)" in refused.stderr
    assert "Firehose absent under account 123456789012 not found." in refused.stderr

    missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    refused = aws.run(
        "firehose",
        "start-delivery-stream-encryption",
        "--delivery-stream-name",
        "now",
        "--delivery-stream-encryption-configuration-input",
        f"KeyType=CUSTOMER_MANAGED_CMK,KeyARN={missing}",
    )
    assert refused.returncode in (254, 255)
    assert "(InvalidKMSResourceException)" in refused.stderr
    assert aws.sse("now") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
