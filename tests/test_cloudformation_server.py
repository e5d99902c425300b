"""``AWS::KinesisFirehose::DeliveryStream`` through the servers (issue 16): boto3 against
``ThreadedFirehoseSSEServer`` and ``moto-firehose-sse-server``, raw CloudFormation requests
(XML, never a Firehose JSON error), and a CDK app deployed with the real ``cdk`` CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from moto_firehose_sse import CREATION_MODEL_NAME, ThreadedFirehoseSSEServer

from .cfn_helpers import (
    assert_plain_cloudformation,
    events,
    outputs,
    resource_events,
    status,
    statuses,
    stream,
    template,
    template_key,
)
from .helpers import sse
from .moto_bugs import ROLE_POLICY_DELETE_ORDER, ROLE_POLICY_DELETE_ORDER_REASON
from .server_helpers import NO_PROXY, remote, set_transition

CDK_APP = Path(__file__).parent / "cdk"


def two_keys(use: str | None = "Key", **stream_args: Any) -> str:
    return template(Key2=template_key(False), Stream=stream(key=use, name="web", **stream_args))


def lifecycle(url: str) -> None:
    """Create, update the key, update to a disabled key, remove encryption, delete."""
    cfn, firehose = remote(url, "cloudformation"), remote(url, "firehose")
    cfn.create_stack(
        StackName="web", TemplateBody=template(Key2=template_key(), Stream=stream(name="web"))
    )
    assert status(cfn, "web") == "CREATE_COMPLETE"
    assert outputs(cfn, "web")["Name"] == "web"
    first = sse(firehose, "web")
    assert first is not None and first["Status"] == "ENABLED"
    cfn.update_stack(
        StackName="web",
        TemplateBody=template(Key2=template_key(), Stream=stream(key="Key2", name="web")),
    )
    assert statuses(cfn, "web", 2) == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    second = sse(firehose, "web")
    assert second is not None and second["Status"] == "ENABLED"
    assert second["KeyARN"] != first["KeyARN"]
    cfn.delete_stack(StackName="web")
    assert statuses(cfn, "web", 1) == ["DELETE_IN_PROGRESS"]

    cfn.create_stack(StackName="disabled", TemplateBody=two_keys())
    assert status(cfn, "disabled") == "CREATE_COMPLETE"
    cfn.update_stack(StackName="disabled", TemplateBody=two_keys("Key2"))
    assert statuses(cfn, "disabled", 4)[-1] == "UPDATE_ROLLBACK_COMPLETE"
    failed = [r for s, r in resource_events(cfn, "disabled") if s == "UPDATE_FAILED"]
    assert len(failed) == 1 and "DISABLED_KMS_KEY: " in failed[0]
    assert sse(firehose, "web")["KeyARN"] != None  # type: ignore[index]  # noqa: E711
    cfn.update_stack(StackName="disabled", TemplateBody=two_keys(None))
    assert statuses(cfn, "disabled", 2) == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert sse(firehose, "web") == {"Status": "DISABLED"}
    cfn.delete_stack(StackName="disabled")
    assert statuses(cfn, "disabled", 2) == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_threaded_server_lifecycle() -> None:
    with ThreadedFirehoseSSEServer() as server:
        server.reset()  # moto's data outlives a threaded server
        lifecycle(server.endpoint_url)
    assert_plain_cloudformation()


def test_standalone_server_lifecycle_and_a_slow_creation(server: str) -> None:
    lifecycle(server)
    set_transition(server, {"progression": "manual", "times": 2}, CREATION_MODEL_NAME)
    cfn = remote(server, "cloudformation")
    cfn.create_stack(StackName="slow", TemplateBody=template())
    assert statuses(cfn, "slow", 3) == ["CREATE_IN_PROGRESS"] * 2 + ["CREATE_COMPLETE"]


def raw_cloudformation(url: str, **params: str) -> tuple[int, str, str]:
    """One CloudFormation query-protocol request; (status, content type, body)."""
    body = urllib.parse.urlencode({"Version": "2010-05-15", **params}).encode()
    request = urllib.request.Request(
        url + "/",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": (
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cloudformation/"
                "aws4_request, SignedHeaders=host, Signature=abc"
            ),
        },
    )
    try:
        with NO_PROXY.open(request, timeout=10) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


HOSTILE_TEMPLATES = {
    "unknown key": template(Stream=stream(Bogus=1)),
    "wrong type": template(Stream=stream(DeliveryStreamName=["a"])),
    "not an object": json.dumps(
        {"Resources": {"Stream": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": 7}}}
    ),
    "no properties": json.dumps(
        {"Resources": {"Stream": {"Type": "AWS::KinesisFirehose::DeliveryStream"}}}
    ),
    "a key that does not exist": template(
        Key=None,
        Stream=stream(
            key=None,
            DeliveryStreamEncryptionConfigurationInput={
                "KeyType": "CUSTOMER_MANAGED_CMK",
                "KeyARN": "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012",
            },
        ),
        outputs=False,
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_TEMPLATES))
def test_hostile_templates_answer_xml_and_fail_the_stack(case: str) -> None:
    with ThreadedFirehoseSSEServer() as server:
        server.reset()
        url = server.endpoint_url
        code, content_type, body = raw_cloudformation(
            url, Action="CreateStack", StackName="web", TemplateBody=HOSTILE_TEMPLATES[case]
        )
        assert code == 200, body
        # moto's CloudFormation XML (moto 5.0 labels it text/html), never a Firehose JSON body
        assert body.lstrip().startswith("<CreateStackResponse"), (content_type, body)
        assert "json" not in content_type
        assert "<StackId>arn:aws:cloudformation:us-east-1:" in body
        assert "__type" not in body
        code, content_type, body = raw_cloudformation(url, Action="DescribeStacks", StackName="web")
        assert code == 200 and body.lstrip().startswith("<DescribeStacksResponse")
        assert re.search(r"<StackStatus>ROLLBACK_(IN_PROGRESS|COMPLETE)</StackStatus>", body), body
        cfn = remote(url, "cloudformation")
        assert statuses(cfn, "web", 2)[-1] == "ROLLBACK_COMPLETE"
        failed = [r for s, r in resource_events(cfn, "web") if s == "CREATE_FAILED"]
        assert len(failed) == 1 and failed[0], events(cfn, "web")
        assert remote(url, "firehose").list_delivery_streams()["DeliveryStreamNames"] == []


# The CDK CLI -------------------------------------------------------------------------------


def _cdk() -> list[str] | None:
    """The ``cdk`` CLI (``MOTO_FIREHOSE_SSE_CDK`` or on PATH) if Node.js can load aws-cdk-lib
    (``NODE_PATH`` may point to it)."""
    node = shutil.which("node")
    cdk = os.environ.get("MOTO_FIREHOSE_SSE_CDK") or shutil.which("cdk")
    if node is None or cdk is None or not Path(cdk).exists():
        return None
    check = [node, "-e", "require.resolve('aws-cdk-lib')"]
    found = subprocess.run(check, capture_output=True, check=False, cwd=CDK_APP, timeout=60)
    return [cdk] if found.returncode == 0 else None


def _run_cdk(
    cdk: list[str], args: list[str], cwd: Path, url: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = dict(
        os.environ,
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        CDK_DISABLE_VERSION_CHECK="1",
        CI="true",
        **env,
    )
    environment.pop("AWS_PROFILE", None)
    environment.pop("AWS_SESSION_TOKEN", None)
    return subprocess.run(
        [*cdk, *args, "--no-notices", "--no-version-reporting"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_cdk_deploy_and_destroy(tmp_path: Path) -> None:
    cdk = _cdk()
    if cdk is None:
        pytest.skip(
            "no cdk CLI with aws-cdk-lib (nox installs them for its CDK_PAIR session; or set "
            "MOTO_FIREHOSE_SSE_CDK to "
            "the cdk executable and NODE_PATH to a node_modules with aws-cdk-lib)"
        )
    app = tmp_path / "app"
    shutil.copytree(CDK_APP, app)
    started = time.perf_counter()
    with ThreadedFirehoseSSEServer() as server:
        server.reset()
        # moto reads a template from its S3 only for a localhost URL
        url = "http://localhost:" + server.endpoint_url.rsplit(":", 1)[1]
        bootstrap = _run_cdk(cdk, ["bootstrap", "aws://123456789012/us-east-1"], app, url)
        assert bootstrap.returncode == 0, bootstrap.stdout + bootstrap.stderr

        # A disabled key: the deployment fails, with the failure's type in the CLI's output
        failed = _run_cdk(
            cdk,
            ["deploy", "--require-approval", "never", "--progress", "events"],
            app,
            url,
            FIREHOSE_SSE_DISABLED_KEY="1",
        )
        printed = failed.stdout + failed.stderr
        assert failed.returncode != 0, printed
        assert "CREATE_FAILED" in printed and "DISABLED_KMS_KEY" in printed, printed
        cfn, firehose = remote(url, "cloudformation"), remote(url, "firehose")
        assert status(cfn, "FirehoseSse") == "ROLLBACK_COMPLETE"
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
        cfn.delete_stack(StackName="FirehoseSse")

        deployed = _run_cdk(
            cdk, ["deploy", "--require-approval", "never", "--progress", "events"], app, url
        )
        printed = deployed.stdout + deployed.stderr
        assert deployed.returncode == 0, printed
        assert status(cfn, "FirehoseSse") == "CREATE_COMPLETE"
        names = outputs(cfn, "FirehoseSse")
        assert names["L1Name"].startswith("FirehoseSse-L1Stream-"), names
        assert names["L1Arn"].endswith(":deliverystream/" + names["L1Name"])
        assert sorted(firehose.list_delivery_streams()["DeliveryStreamNames"]) == sorted(
            [names["L1Name"], names["L2Name"]]
        )
        kms = remote(url, "kms")
        for name in (names["L1Name"], names["L2Name"]):
            block = sse(firehose, name)
            assert block is not None and block["KeyType"] == "CUSTOMER_MANAGED_CMK"
            assert block["Status"] == "ENABLED"
            assert kms.describe_key(KeyId=block["KeyARN"])["KeyMetadata"]["Enabled"] is True

        destroyed = _run_cdk(cdk, ["destroy", "--force"], app, url)
        printed = destroyed.stdout + destroyed.stderr
        if destroyed.returncode != 0 and ROLE_POLICY_DELETE_ORDER:
            assert re.search(r"destroy failed .*Role \S+ not found", printed), printed
            pytest.xfail(ROLE_POLICY_DELETE_ORDER_REASON)  # that failure and no other
        assert destroyed.returncode == 0, printed
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    print(
        f"CDK bootstrap, failed deploy, deploy and destroy: {time.perf_counter() - started:.0f} s"
    )
