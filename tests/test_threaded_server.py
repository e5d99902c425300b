"""``ThreadedFirehoseSSEServer`` and the ``firehose_sse_server`` fixture (issue 10), driven by
boto3, aiobotocore and the JavaScript SDK v3 over loopback HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import moto
import pytest
from moto.moto_api import state_manager

import moto_firehose_sse
from moto_firehose_sse import MODEL_NAME, FirehoseSSE, ThreadedFirehoseSSEServer
from moto_firehose_sse.presets import DELETION_MODEL_NAME

from .helpers import assert_plain_moto, create_stream, error_code, sse
from .server_helpers import call, remote, set_transition

MADE_UP_KEY = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"


def statuses(firehose: Any, name: str, count: int) -> list[str]:
    return [sse(firehose, name)["Status"] for _ in range(count)]  # type: ignore[index]


def test_serves_the_rules_the_controller_and_the_state_manager() -> None:
    with ThreadedFirehoseSSEServer() as server:
        url = server.endpoint_url
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        firehose, kms = remote(url, "firehose"), remote(url, "kms")
        create_stream(firehose, "web")
        assert sse(firehose, "web") == {"Status": "DISABLED"}
        firehose.start_delivery_stream_encryption(DeliveryStreamName="web")
        assert statuses(firehose, "web", 2) == ["ENABLING", "ENABLED"]
        assert firehose.put_record(DeliveryStreamName="web", Record={"Data": b"x"})["Encrypted"]
        with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as caught:
            firehose.start_delivery_stream_encryption(
                DeliveryStreamName="web",
                DeliveryStreamEncryptionConfigurationInput={
                    "KeyType": "CUSTOMER_MANAGED_CMK",
                    "KeyARN": MADE_UP_KEY,
                },
            )
        assert caught.value.response["code"] == "KMS.NotFoundException"
        key = kms.create_key()["KeyMetadata"]["Arn"]
        # the controller in-process and over HTTP are one
        server.controller.max_streams_per_region = 2
        assert call(url, "GET", "/moto-api/firehose-sse/settings")[1]["max_streams_per_region"] == 2
        assert call(url, "POST", "/moto-api/firehose-sse/faults", {"operation": "enable"})[0] == 200
        assert len(server.controller.pending_faults) == 1
        create_stream(firehose, "second")
        with pytest.raises(firehose.exceptions.LimitExceededException):
            create_stream(firehose, "third")
        # moto's state manager endpoint
        set_transition(url, {"progression": "manual", "times": 2})
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="second",
            DeliveryStreamEncryptionConfigurationInput={
                "KeyType": "CUSTOMER_MANAGED_CMK",
                "KeyARN": key,
            },
        )
        assert statuses(firehose, "second", 3) == ["ENABLING", "ENABLING", "ENABLING_FAILED"]
        # moto's reset, plus the controller's start-up settings
        assert call(url, "POST", "/moto-api/reset")[0] == 200
        assert server.controller.max_streams_per_region == 5000
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    # stop() undid the rules and the transition set over HTTP while it ran
    assert MODEL_NAME not in state_manager._transitions
    assert_plain_moto()


def test_start_stop_and_the_controller(tmp_path: Path) -> None:
    server = ThreadedFirehoseSSEServer("127.0.0.1", 0, max_encryption_changes_per_day=1)
    assert isinstance(server.controller, FirehoseSSE)
    assert server.controller.max_encryption_changes_per_day == 1
    with pytest.raises(RuntimeError, match="start"):
        server.endpoint_url  # noqa: B018
    assert server.start() is server
    try:
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
        firehose = remote(server.endpoint_url, "firehose")
        create_stream(firehose, "s")
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
        with pytest.raises(firehose.exceptions.LimitExceededException):
            firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    finally:
        server.stop()
    with pytest.raises(RuntimeError, match="before start"):
        server.stop()
    assert_plain_moto()
    # it starts again, on another free port
    with server:
        assert remote(server.endpoint_url, "firehose").list_delivery_streams()
    assert_plain_moto()


def test_a_transition_set_before_start_is_kept() -> None:
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 3})
    try:
        with ThreadedFirehoseSSEServer(preset="compat") as server:
            assert state_manager._transitions[MODEL_NAME] == {"progression": "immediate"}
            assert state_manager._transitions[DELETION_MODEL_NAME] == {"progression": "immediate"}
            assert server.controller.lenient_keys is True
        assert state_manager._transitions[MODEL_NAME] == {"progression": "manual", "times": 3}
        assert DELETION_MODEL_NAME not in state_manager._transitions
    finally:
        state_manager.unset_transition(MODEL_NAME)
    assert_plain_moto()


def test_a_port_in_use_fails_start_and_leaves_moto_plain() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = ThreadedFirehoseSSEServer(port=taken.getsockname()[1])
        with pytest.raises(OSError, match="port=0 takes a free port"):
            server.start()
    assert_plain_moto()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"port": -1}, ValueError),
        ({"port": 70000}, ValueError),
        ({"port": "5000"}, ValueError),
        ({"port": True}, ValueError),
        ({"ip_address": ""}, ValueError),
        ({"ip_address": None}, ValueError),
        ({"preset": "lenient"}, ValueError),
        ({"max_streams_per_region": 0}, ValueError),
        ({"no_such_setting": 1}, TypeError),
    ],
)
def test_bad_arguments_fail_at_once(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        ThreadedFirehoseSSEServer(**kwargs)


def test_importing_the_package_does_not_load_the_server() -> None:
    code = (
        "import sys, moto_firehose_sse;"
        "assert 'moto_firehose_sse.threaded_server' not in sys.modules;"
        "assert 'moto_firehose_sse.server' not in sys.modules;"
        "from moto_firehose_sse import ThreadedFirehoseSSEServer;"
        "assert ThreadedFirehoseSSEServer.__module__ == 'moto_firehose_sse.threaded_server'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        moto_firehose_sse.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


# The fixture ---------------------------------------------------------------------------------


def test_fixture_gives_a_started_server(firehose_sse_server: ThreadedFirehoseSSEServer) -> None:
    firehose = remote(firehose_sse_server.endpoint_url, "firehose")
    create_stream(firehose, "from-fixture")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="from-fixture")
    assert sse(firehose, "from-fixture")["Status"] == "ENABLING"  # type: ignore[index]
    assert firehose_sse_server.controller.settings() == FirehoseSSE().settings()


def test_fixture_resets_what_the_test_made(firehose_sse_server: ThreadedFirehoseSSEServer) -> None:
    firehose = remote(firehose_sse_server.endpoint_url, "firehose")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    create_stream(firehose, "from-fixture")


@pytest.mark.firehose_sse(preset="compat", max_streams_per_region=1)
def test_fixture_takes_the_marker(firehose_sse_server: ThreadedFirehoseSSEServer) -> None:
    assert firehose_sse_server.controller.lenient_keys is True
    firehose = remote(firehose_sse_server.endpoint_url, "firehose")
    create_stream(firehose, "one")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="one",
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": MADE_UP_KEY,
        },
    )
    assert sse(firehose, "one") == {
        "KeyARN": MADE_UP_KEY,
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "Status": "ENABLED",
    }
    with pytest.raises(firehose.exceptions.LimitExceededException) as caught:
        create_stream(firehose, "two")
    assert error_code(caught.value) == "LimitExceededException"


# Other SDKs -----------------------------------------------------------------------------------

# Requests to the loopback server go straight to it, whatever proxy the environment names.
SDK_ENV = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}

# What each SDK does against the server: the README's recipes, printing what it saw as JSON.
AIOBOTOCORE_RECIPE = """
import asyncio, json, sys

from aiobotocore.session import get_session


async def main(endpoint_url):
    seen = []
    session = get_session()
    async with session.create_client(
        "firehose", region_name="us-east-1", endpoint_url=endpoint_url
    ) as firehose:
        await firehose.create_delivery_stream(
            DeliveryStreamName="orders",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": "arn:aws:s3:::orders",
            },
        )
        await firehose.start_delivery_stream_encryption(DeliveryStreamName="orders")
        for _ in range(2):
            description = await firehose.describe_delivery_stream(DeliveryStreamName="orders")
            block = description["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"]
            seen.append(block["Status"])
        put = await firehose.put_record(DeliveryStreamName="orders", Record={"Data": b"x"})
        seen.append(put["Encrypted"])
        try:
            await firehose.start_delivery_stream_encryption(
                DeliveryStreamName="orders",
                DeliveryStreamEncryptionConfigurationInput={
                    "KeyType": "CUSTOMER_MANAGED_CMK",
                    "KeyARN": sys.argv[2],
                },
            )
        except firehose.exceptions.InvalidKMSResourceException as error:
            seen.append([error.response["Error"]["Code"], error.response["code"]])
    print(json.dumps(seen))


asyncio.run(main(sys.argv[1]))
"""

JAVASCRIPT_RECIPE = """
const {
  FirehoseClient, CreateDeliveryStreamCommand, StartDeliveryStreamEncryptionCommand,
  DescribeDeliveryStreamCommand, PutRecordCommand,
} = require("@aws-sdk/client-firehose");

async function main(endpoint, keyArn) {
  const firehose = new FirehoseClient({
    region: "us-east-1", endpoint, maxAttempts: 1,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  const seen = [];
  await firehose.send(new CreateDeliveryStreamCommand({
    DeliveryStreamName: "orders",
    ExtendedS3DestinationConfiguration: {
      RoleARN: "arn:aws:iam::123456789012:role/firehose", BucketARN: "arn:aws:s3:::orders",
    },
  }));
  await firehose.send(new StartDeliveryStreamEncryptionCommand({ DeliveryStreamName: "orders" }));
  for (let i = 0; i < 2; i++) {
    const out = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "orders" }));
    seen.push(out.DeliveryStreamDescription.DeliveryStreamEncryptionConfiguration.Status);
  }
  const put = await firehose.send(new PutRecordCommand({
    DeliveryStreamName: "orders", Record: { Data: Buffer.from("x") },
  }));
  seen.push(put.Encrypted);
  try {
    await firehose.send(new StartDeliveryStreamEncryptionCommand({
      DeliveryStreamName: "orders",
      DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: keyArn },
    }));
  } catch (error) {
    seen.push([error.name, error.code]);
  }
  console.log(JSON.stringify(seen));
}

main(process.argv[2], process.argv[3]).catch((error) => { console.error(error); process.exit(1); });
"""

SEEN = ["ENABLING", "ENABLED", True, ["InvalidKMSResourceException", "KMS.NotFoundException"]]


def _aiobotocore_python() -> str | None:
    """A Python with aiobotocore: ``MOTO_FIREHOSE_SSE_AIOBOTOCORE_PYTHON`` (nox makes one,
    since aiobotocore pins botocore exactly), else this one if it has aiobotocore."""
    named = os.environ.get("MOTO_FIREHOSE_SSE_AIOBOTOCORE_PYTHON")
    if named:
        return named
    try:
        import aiobotocore  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return None
    return sys.executable


def _node_with_sdk() -> str | None:
    """``node``, if it can load ``@aws-sdk/client-firehose`` (``NODE_PATH`` may point to it)."""
    node = shutil.which("node")
    if node is None:
        return None
    check = [node, "-e", "require.resolve('@aws-sdk/client-firehose')"]
    found = subprocess.run(check, capture_output=True, env=SDK_ENV, timeout=60)
    return node if found.returncode == 0 else None


def run_recipe(command: list[str], tmp_path: Path) -> Any:
    result = subprocess.run(
        command, capture_output=True, text=True, env=SDK_ENV, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_aiobotocore_against_the_fixture(
    firehose_sse_server: ThreadedFirehoseSSEServer, tmp_path: Path
) -> None:
    python = _aiobotocore_python()
    if python is None:
        pytest.skip(
            "no aiobotocore: set MOTO_FIREHOSE_SSE_AIOBOTOCORE_PYTHON to a Python that has it "
            "(`nox -s tests` makes one)"
        )
    script = tmp_path / "recipe.py"
    script.write_text(textwrap.dedent(AIOBOTOCORE_RECIPE))
    seen = run_recipe(
        [python, str(script), firehose_sse_server.endpoint_url, MADE_UP_KEY], tmp_path
    )
    assert seen == SEEN


def test_javascript_sdk_against_the_fixture(
    firehose_sse_server: ThreadedFirehoseSSEServer, tmp_path: Path
) -> None:
    if moto.__version__.startswith("5.0."):
        pytest.skip(
            "moto 5.0 sends Describe's timestamps as ISO strings, which the JavaScript SDK "
            "refuses (moto 5.2 sends epoch seconds, as AWS does)"
        )
    node = _node_with_sdk()
    if node is None:
        pytest.skip(
            "no node with @aws-sdk/client-firehose (install it and point NODE_PATH at its "
            "node_modules to run this recipe)"
        )
    script = tmp_path / "recipe.js"
    script.write_text(JAVASCRIPT_RECIPE)
    seen = run_recipe([node, str(script), firehose_sse_server.endpoint_url, MADE_UP_KEY], tmp_path)
    assert seen == SEEN
