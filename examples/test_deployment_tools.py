"""Terraform's and CloudFormation's create → update → delete flows against moto with
moto-firehose-sse, in-process and over HTTP (``moto-firehose-sse-server``)."""

from __future__ import annotations

import runpy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from moto_firehose_sse import DELETION_MODEL_NAME, FirehoseSSE
from tests.server_helpers import call, remote, running_server

from .deployment_tools import CloudFormation, DeploymentError, Terraform

REGION = "us-east-1"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
PLACES = {"role_arn": "arn:aws:iam::123456789012:role/firehose", "bucket_arn": "arn:aws:s3:::b"}


class Sleeps:
    """Stands for ``time.sleep``: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class Clients:
    def __init__(self, firehose: Any, kms: Any) -> None:
        self.firehose, self.kms = firehose, kms

    def key(self) -> dict[str, str]:
        return dict(self.kms.create_key()["KeyMetadata"])

    def grants(self, key: dict[str, str]) -> int:
        return len(self.kms.list_grants(KeyId=key["KeyId"])["Grants"])

    def status(self, name: str) -> str:
        found = self.firehose.describe_delivery_stream(DeliveryStreamName=name)
        return str(found["DeliveryStreamDescription"]["DeliveryStreamStatus"])


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("server") / "server.log") as url:
        yield url


@pytest.fixture(params=["in-process", "server"])
def clients(request: pytest.FixtureRequest) -> Iterator[Clients]:
    """boto3 clients of the plugin's mock: in this process, or of the server over HTTP."""
    if request.param == "in-process":
        request.getfixturevalue("firehose_sse")
        yield Clients(
            boto3.client("firehose", region_name=REGION, config=NO_RETRIES),
            boto3.client("kms", region_name=REGION, config=NO_RETRIES),
        )
        return
    url = request.getfixturevalue("moto_server")
    assert call(url, "POST", "/moto-api/reset")[0] == 200
    try:
        yield Clients(remote(url, "firehose"), remote(url, "kms"))
    finally:
        assert call(url, "POST", "/moto-api/reset")[0] == 200


def walk(tool: Terraform | CloudFormation, clients: Clients, name: str) -> dict[str, str]:
    """Create, encrypt with a first key, change to a second, stop; the second key."""
    first, second = clients.key(), clients.key()
    tool.create(name)
    tool.encrypt(name, first["Arn"])
    assert clients.grants(first) == 1
    tool.encrypt(name, second["Arn"])
    assert (clients.grants(first), clients.grants(second)) == (0, 1)
    tool.decrypt(name)
    assert clients.grants(second) == 0
    tool.encrypt(name, second["Arn"])
    return second


@pytest.mark.parametrize("tool_class", [Terraform, CloudFormation])
def test_the_whole_flow(clients: Clients, tool_class: type[Terraform | CloudFormation]) -> None:
    sleeps = Sleeps()
    tool = tool_class(clients.firehose, sleep=sleeps, **PLACES)
    key = walk(tool, clients, "s")
    # Each wait saw the in-between status once (the default transitions): one sleep each.
    assert sleeps.calls == [tool.poll_seconds] * 4
    delete: Callable[[str], None] = tool.destroy if isinstance(tool, Terraform) else tool.delete
    delete("s")
    assert sleeps.calls[4:] == [tool.poll_seconds]  # DELETING once, then ResourceNotFound
    assert clients.firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert clients.grants(key) == 0


def test_create_with_a_key_and_polls_every_30_seconds_under_cloudformation(
    clients: Clients,
) -> None:
    sleeps = Sleeps()
    tool = CloudFormation(clients.firehose, sleep=sleeps, **PLACES)
    key = clients.key()
    tool.create("s", key["Arn"])
    assert clients.grants(key) == 1
    tool.delete("s")
    assert sleeps.calls == [30.0]


def test_terraform_destroy_fails_on_deleting_failed(clients: Clients) -> None:
    tool = Terraform(clients.firehose, sleep=Sleeps(), **PLACES)
    key = walk(tool, clients, "s")
    clients.kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    with pytest.raises(DeploymentError) as failed:
        tool.destroy("s")
    message = str(failed.value)
    assert message.startswith(
        "waiting for Kinesis Firehose Delivery Stream (s) delete: unexpected state "
        "'DELETING_FAILED', wanted target ''. last error: RETIRE_KMS_GRANT_FAILED: "
    )
    assert key["Arn"] in message and "PendingDeletion" in message
    assert clients.status("s") == "DELETING_FAILED"
    assert clients.grants(key) == 1
    # The user fixes the cause; the next destroy works.
    clients.kms.cancel_key_deletion(KeyId=key["KeyId"])
    tool.destroy("s")
    assert clients.grants(key) == 0
    tool.destroy("s")  # gone: Terraform takes ResourceNotFound as done


def test_cloudformation_deletes_anyway_and_leaves_the_grant(clients: Clients) -> None:
    tool = CloudFormation(clients.firehose, sleep=Sleeps(), **PLACES)
    key = walk(tool, clients, "s")
    clients.kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    tool.delete("s")
    assert clients.firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert clients.grants(key) == 1  # for the user to revoke
    with pytest.raises(DeploymentError, match=r"^NotFound: Firehose s under account"):
        tool.delete("s")


@pytest.mark.parametrize("tool_class", [Terraform, CloudFormation])
def test_a_failed_key_change_fails_the_update(
    clients: Clients, tool_class: type[Terraform | CloudFormation]
) -> None:
    tool = tool_class(clients.firehose, sleep=Sleeps(), **PLACES)
    tool.create("s")
    disabled = clients.key()
    clients.kms.disable_key(KeyId=disabled["KeyId"])
    with pytest.raises(DeploymentError, match="DISABLED_KMS_KEY: KMS key") as failed:
        tool.encrypt("s", disabled["Arn"])
    assert "ENABLING_FAILED" in str(failed.value)


def test_creating_failed_fails_the_create(clients: Clients) -> None:
    tool = Terraform(clients.firehose, sleep=Sleeps(), **PLACES)
    disabled = clients.key()
    clients.kms.disable_key(KeyId=disabled["KeyId"])
    with pytest.raises(DeploymentError) as failed:
        tool.create("s", disabled["Arn"])
    assert "unexpected state 'CREATING_FAILED', wanted target 'ACTIVE'" in str(failed.value)
    assert "DISABLED_KMS_KEY" in str(failed.value)


def test_an_injected_delete_fault(firehose_sse: FirehoseSSE) -> None:
    firehose = boto3.client("firehose", region_name=REGION, config=NO_RETRIES)
    terraform = Terraform(firehose, sleep=Sleeps(), **PLACES)
    cloudformation = CloudFormation(firehose, sleep=Sleeps(), **PLACES)
    for name in ("tf", "cfn"):
        terraform.create(name, encrypted=True)
        firehose_sse.fail_next_delete("UNKNOWN_ERROR", "Internal failure.", stream_name=name)
    with pytest.raises(DeploymentError, match=r"last error: UNKNOWN_ERROR: Internal failure\.$"):
        terraform.destroy("tf")
    cloudformation.delete("cfn")  # forced: the fault doesn't stop it


def test_with_an_immediate_deletion_nothing_is_waited_for(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
    sleeps = Sleeps()
    tool = Terraform(
        boto3.client("firehose", region_name=REGION, config=NO_RETRIES), sleep=sleeps, **PLACES
    )
    tool.create("s")
    tool.destroy("s")
    tool.create("s")
    assert sleeps.calls == []


def test_the_demo_runs(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).with_name("deployment_tools.py")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(path), run_name="__main__")
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "Terraform: waiting for Kinesis Firehose Delivery Stream (terraform) delete" in out
    assert "CloudFormation: deleted; 1 grant left on the key" in out
