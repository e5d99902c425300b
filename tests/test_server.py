"""Server mode: ``moto-firehose-sse-server`` driven over HTTP by boto3 and by raw requests."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from moto_firehose_sse import MODEL_NAME
from moto_firehose_sse.server import main

from .helpers import create_stream, error_code, settle, sse
from .server_helpers import NO_PROXY, call, remote, running_server, set_transition

DEFAULTS = {
    "max_streams_per_region": 5000,
    "max_streams_per_key": 500,
    "max_encryption_changes_per_day": 25,
    "record_encryption_lag": 0.0,
    "lenient_keys": False,
    "producer_key_access": "scheduled",
    "max_key_events": 10_000,
}
AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/firehose/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)


def firehose_call(url: str, target: str | None, body: bytes, **headers: str) -> tuple[int, Any]:
    sent = {"Content-Type": "application/x-amz-json-1.1", "Authorization": AUTH, **headers}
    if target is not None:
        sent["X-Amz-Target"] = target
    return call(url, "POST", "/", body, {k: v for k, v in sent.items() if v})


@pytest.fixture
def firehose(server: str) -> Any:
    return remote(server, "firehose")


@pytest.fixture
def kms(server: str) -> Any:
    return remote(server, "kms")


# Firehose SSE over HTTP ----------------------------------------------------------------


def test_start_describe_put_stop_over_http(firehose: Any) -> None:
    create_stream(firehose, "web")
    assert sse(firehose, "web") == {"Status": "DISABLED"}
    firehose.start_delivery_stream_encryption(DeliveryStreamName="web")
    assert sse(firehose, "web") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
    assert sse(firehose, "web") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    assert firehose.put_record(DeliveryStreamName="web", Record={"Data": b"x"})["Encrypted"]
    batch = firehose.put_record_batch(DeliveryStreamName="web", Records=[{"Data": b"y"}] * 2)
    assert batch["Encrypted"] is True
    assert batch["FailedPutCount"] == 0
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="web")
    assert sse(firehose, "web") == {"Status": "DISABLING", "KeyType": "AWS_OWNED_CMK"}
    assert sse(firehose, "web") == {"Status": "DISABLED"}
    assert (
        firehose.put_record(DeliveryStreamName="web", Record={"Data": b"x"})["Encrypted"] is False
    )


def test_customer_key_grant_and_errors_over_http(firehose: Any, kms: Any) -> None:
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "cmk")
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="cmk",
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": key_arn,
        },
    )
    assert settle(firehose, "cmk") == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": key_arn,
        "Status": "ENABLED",
    }
    grants = kms.list_grants(KeyId=key_arn)["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == ["firehose.amazonaws.com"]
    assert {"Encrypt", "Decrypt", "GenerateDataKey"} <= set(grants[0]["Operations"])

    missing = key_arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    with pytest.raises(firehose.exceptions.InvalidKMSResourceException) as refused:
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="cmk",
            DeliveryStreamEncryptionConfigurationInput={
                "KeyType": "CUSTOMER_MANAGED_CMK",
                "KeyARN": missing,
            },
        )
    assert refused.value.response["code"] == "KMS.NotFoundException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.stop_delivery_stream_encryption(DeliveryStreamName="nope")

    firehose.stop_delivery_stream_encryption(DeliveryStreamName="cmk")
    assert settle(firehose, "cmk") == {"Status": "DISABLED"}
    assert kms.list_grants(KeyId=key_arn)["Grants"] == []


# moto's state manager and reset ---------------------------------------------------------


def test_state_manager_transitions_over_http(server: str, firehose: Any) -> None:
    create_stream(firehose, "fast")
    set_transition(server, {"progression": "immediate"})
    firehose.start_delivery_stream_encryption(DeliveryStreamName="fast")
    assert sse(firehose, "fast") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}

    set_transition(server, {"progression": "manual", "times": 3})
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="fast")
    statuses = [sse(firehose, "fast")["Status"] for _ in range(4)]  # type: ignore[index]
    assert statuses == ["DISABLING"] * 3 + ["DISABLED"]
    status, got = call(
        server, "GET", f"/moto-api/state-manager/get-transition?model_name={MODEL_NAME}"
    )
    assert (status, got) == (200, {"progression": "manual", "times": 3})


@pytest.mark.parametrize(
    "transition",
    [
        {"progression": "sometimes"},
        {"progression": "manual"},
        {"progression": "manual", "times": 0},
        {"progression": "time", "seconds": "ten"},
        "immediate",
    ],
)
def test_unusable_transition_is_refused(server: str, transition: Any) -> None:
    body = {"model_name": MODEL_NAME, "transition": transition}
    status, got = call(server, "POST", "/moto-api/state-manager/set-transition", body)
    assert status == 400
    assert MODEL_NAME in got["message"]
    assert (
        "progression" in got["message"] or "times" in got["message"] or "seconds" in got["message"]
    )
    status, got = call(
        server, "GET", f"/moto-api/state-manager/get-transition?model_name={MODEL_NAME}"
    )
    assert got == {"progression": "manual", "times": 1}  # the default stays


def test_reset_clears_streams_settings_and_faults_but_keeps_the_rules(
    server: str, firehose: Any
) -> None:
    create_stream(firehose, "gone")
    assert (
        call(server, "POST", "/moto-api/firehose-sse/settings", {"max_streams_per_key": 7})[0]
        == 200
    )
    assert call(server, "POST", "/moto-api/firehose-sse/faults", {"operation": "enable"})[0] == 200

    assert call(server, "POST", "/moto-api/reset")[0] == 200
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert call(server, "GET", "/moto-api/firehose-sse/settings") == (200, DEFAULTS)
    assert call(server, "GET", "/moto-api/firehose-sse/faults") == (200, {"faults": []})
    # The SSE rules are still in moto's Firehose (plain moto shows ENABLED at once).
    create_stream(firehose, "again")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="again")
    assert sse(firehose, "again") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}


# The controller over HTTP ------------------------------------------------------------------


def test_settings_over_http(server: str, firehose: Any) -> None:
    assert call(server, "GET", "/moto-api/firehose-sse/settings") == (200, DEFAULTS)
    status, got = call(
        server,
        "POST",
        "/moto-api/firehose-sse/settings",
        {"max_streams_per_region": 2, "max_encryption_changes_per_day": 1},
    )
    assert status == 200
    assert got == {**DEFAULTS, "max_streams_per_region": 2, "max_encryption_changes_per_day": 1}

    create_stream(firehose, "one")
    create_stream(firehose, "two")
    with pytest.raises(firehose.exceptions.LimitExceededException):
        create_stream(firehose, "three")
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="one")  # a no-op that counts
    with pytest.raises(firehose.exceptions.LimitExceededException):
        firehose.start_delivery_stream_encryption(DeliveryStreamName="one")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{max_streams", "not valid JSON"),
        ([1, 2], "JSON object"),
        ({"max_streams": 3}, "unknown name"),
        ({"max_streams_per_key": 3, "max_streams_per_region": 0}, "max_streams_per_region"),
        ({"record_encryption_lag": -1}, "record_encryption_lag"),
        ({"lenient_keys": "yes"}, "lenient_keys"),
        ({"producer_key_access": "sometimes"}, "producer_key_access"),
        ({"producer_key_access": None}, "producer_key_access"),
        ({"producer_key_access": ["required"]}, "producer_key_access"),
        ({"max_streams_per_key": None}, "max_streams_per_key"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(server: str, body: Any, words: str) -> None:
    status, got = call(server, "POST", "/moto-api/firehose-sse/settings", body)
    assert status == 400
    assert words in got["message"]
    assert "None" not in got["message"]
    assert call(server, "GET", "/moto-api/firehose-sse/settings") == (200, DEFAULTS)


def test_wrong_method_or_path_under_the_controller(server: str) -> None:
    status, got = call(server, "PUT", "/moto-api/firehose-sse/settings", {})
    assert status == 405
    assert "GET or POST" in got["message"]
    status, got = call(server, "GET", "/moto-api/firehose-sse/nothing")
    assert status == 404
    assert "/moto-api/firehose-sse/settings" in got["message"]


def test_faults_over_http(server: str, firehose: Any) -> None:
    for name in ("hit", "spared"):
        create_stream(firehose, name)
    fault = {
        "operation": "enable",
        "type": "KMS_ACCESS_DENIED",
        "details": "no",
        "stream_name": "hit",
    }
    status, got = call(server, "POST", "/moto-api/firehose-sse/faults", fault)
    assert (status, got) == (200, {"faults": [fault]})
    call(server, "POST", "/moto-api/firehose-sse/faults", {"operation": "disable"})

    firehose.start_delivery_stream_encryption(DeliveryStreamName="spared")
    assert settle(firehose, "spared")["Status"] == "ENABLED"
    firehose.start_delivery_stream_encryption(DeliveryStreamName="hit")
    failed = settle(firehose, "hit")
    assert failed["Status"] == "ENABLING_FAILED"
    assert failed["FailureDescription"] == {"Type": "KMS_ACCESS_DENIED", "Details": "no"}

    firehose.stop_delivery_stream_encryption(DeliveryStreamName="spared")
    stopped = settle(firehose, "spared")
    assert stopped["Status"] == "DISABLING_FAILED"
    assert stopped["FailureDescription"]["Type"] == "RETIRE_KMS_GRANT_FAILED"
    assert call(server, "GET", "/moto-api/firehose-sse/faults") == (200, {"faults": []})

    call(server, "POST", "/moto-api/firehose-sse/faults", {"operation": "disable"})
    assert call(server, "DELETE", "/moto-api/firehose-sse/faults") == (200, {"faults": []})
    firehose.start_delivery_stream_encryption(DeliveryStreamName="hit")
    assert settle(firehose, "hit")["Status"] == "ENABLED"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"[", "not valid JSON"),
        ({}, "operation"),
        ({"operation": "flip"}, "operation"),
        ({"operation": "enable", "type": "BROKEN"}, "DeliveryStreamFailureType"),
        ({"operation": "enable", "type": "kms_access_denied"}, "DeliveryStreamFailureType"),
        ({"operation": "enable", "type": 3}, "DeliveryStreamFailureType"),
        ({"operation": "enable", "type": None}, "DeliveryStreamFailureType"),
        ({"operation": "enable", "details": ""}, "details"),
        ({"operation": "enable", "stream_name": ["a"]}, "stream_name"),
        ({"operation": "enable", "stream_name": ""}, "stream_name"),
        ({"operation": "enable", "stream_name": "two words"}, "stream_name"),
        ({"operation": "enable", "stream_name": "n" * 65}, "stream_name"),
        ({"operation": "enable", "when": "now"}, "unknown name"),
    ],
)
def test_bad_faults_are_refused(server: str, body: Any, words: str) -> None:
    status, got = call(server, "POST", "/moto-api/firehose-sse/faults", body)
    assert status == 400
    assert words in got["message"]
    assert "None" not in got["message"]
    assert call(server, "GET", "/moto-api/firehose-sse/faults") == (200, {"faults": []})


def test_fault_types_beyond_botocores_list_over_http(server: str, firehose: Any) -> None:
    create_stream(firehose, "s")
    fault = {"operation": "enable", "type": "CREATE_PRIVATE_LINK_FAILED"}
    assert call(server, "POST", "/moto-api/firehose-sse/faults", fault)[0] == 200
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    failure = settle(firehose, "s")["FailureDescription"]
    assert failure["Type"] == "CREATE_PRIVATE_LINK_FAILED"


# Malformed Firehose requests ---------------------------------------------------------------

DESCRIBE = "Firehose_20150804.DescribeDeliveryStream"


def test_an_unsigned_request_is_a_403_missing_authentication_token(server: str) -> None:
    """AWS's common error for a request without credentials is HTTP 403."""
    status, got = firehose_call(server, DESCRIBE, b'{"DeliveryStreamName": "a"}', Authorization="")
    assert status == 403
    assert got["__type"] == "MissingAuthenticationTokenException"
    assert got["message"].startswith("Missing Authentication Token")


@pytest.mark.parametrize(
    ("target", "body", "headers", "code"),
    [
        (DESCRIBE, b"{not json", {}, "SerializationException"),
        (DESCRIBE, b"[1, 2]", {}, "SerializationException"),
        (DESCRIBE, b'{"DeliveryStreamName": ["a"]}', {}, "SerializationException"),
        (DESCRIBE, b'{"DeliveryStreamName": 5}', {}, "SerializationException"),
        (DESCRIBE, b"{}", {}, "InvalidArgumentException"),
        (DESCRIBE, b"", {}, "InvalidArgumentException"),
        (
            "Firehose_20150804.ListDeliveryStreams",
            b'{"Limit": "ten"}',
            {},
            "SerializationException",
        ),
        (
            "Firehose_20150804.StartDeliveryStreamEncryption",
            b'{"DeliveryStreamName": "a", "DeliveryStreamEncryptionConfigurationInput": "x"}',
            {},
            "SerializationException",
        ),
        (
            "Firehose_20150804.PutRecord",
            b'{"DeliveryStreamName": "a", "Record": {"Data": "not base64!"}}',
            {},
            "SerializationException",
        ),
        (
            "Firehose_20150804.TagDeliveryStream",
            b'{"DeliveryStreamName": "a", "Tags": [{"Key": 1}]}',
            {},
            "SerializationException",
        ),
        ("Firehose_20150804.Nothing", b"{}", {}, "UnknownOperationException"),
        ("Kinesis_20131202.ListStreams", b"{}", {}, "UnknownOperationException"),
        (None, b"{}", {}, "UnknownOperationException"),
    ],
)
def test_malformed_firehose_requests_get_modelled_400s(
    server: str, target: str | None, body: bytes, headers: dict[str, str], code: str
) -> None:
    status, got = firehose_call(server, target, body, **headers)
    assert status == 400
    assert got["__type"] == code
    assert got["message"]
    # The server lives on and answers the next well-formed request.
    status, got = firehose_call(server, DESCRIBE, b'{"DeliveryStreamName": "a"}')
    assert (status, got["__type"]) == (400, "ResourceNotFoundException")


def test_a_get_to_firehose_is_refused(server: str) -> None:
    headers = {"Authorization": AUTH, "X-Amz-Target": DESCRIBE}
    status, got = call(server, "GET", "/", None, headers)
    assert (status, got["__type"]) == (400, "UnknownOperationException")


def test_well_formed_raw_request_reaches_the_plugin(server: str, firehose: Any) -> None:
    create_stream(firehose, "raw")
    target = "Firehose_20150804.StartDeliveryStreamEncryption"
    status, got = firehose_call(server, target, b'{"DeliveryStreamName": "raw"}')
    assert (status, got) == (200, {})
    status, got = firehose_call(server, target, b'{"DeliveryStreamName": "raw"}')
    assert (status, got["__type"]) == (400, "ResourceInUseException")
    assert sse(firehose, "raw") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}


def test_boto3_sees_wire_errors_as_client_errors(server: str, firehose: Any) -> None:
    with pytest.raises(ClientError) as caught:
        firehose.describe_delivery_stream(DeliveryStreamName="x" * 65)
    assert error_code(caught.value) == "ResourceNotFoundException"


# The command line ------------------------------------------------------------------------------


def test_command_line_settings_are_the_start_up_values(tmp_path: Path) -> None:
    with running_server(
        tmp_path / "server.log",
        "--max-streams-per-region",
        "1",
        "--lenient-keys",
        "--producer-key-access",
        "required",
    ) as url:
        expected = {
            **DEFAULTS,
            "max_streams_per_region": 1,
            "lenient_keys": True,
            "producer_key_access": "required",
        }
        assert call(url, "GET", "/moto-api/firehose-sse/settings") == (200, expected)
        firehose = remote(url, "firehose")
        create_stream(firehose, "only")
        with pytest.raises(firehose.exceptions.LimitExceededException):
            create_stream(firehose, "more")
        call(url, "POST", "/moto-api/firehose-sse/settings", {"max_streams_per_region": 9})
        call(url, "POST", "/moto-api/reset")
        assert call(url, "GET", "/moto-api/firehose-sse/settings") == (200, expected)


@pytest.mark.parametrize(
    "argv",
    [
        ["--max-streams-per-region", "0"],
        ["--record-encryption-lag", "-2"],
        ["--port", "x"],
        ["--producer-key-access", "always"],
        ["--max-key-events", "-1"],
    ],
)
def test_bad_command_line_is_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "moto-firehose-sse-server: error:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        [str(Path(sys.executable).with_name("moto-firehose-sse-server"))],
        [sys.executable, "-m", "moto_firehose_sse.server"],
    ],
    ids=["console-script", "python-m"],
)
def test_entry_points(command: list[str]) -> None:
    done = subprocess.run(
        [*command, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: moto-firehose-sse-server")
    for option in ("--host", "--port", "--max-streams-per-region", "--lenient-keys"):
        assert option in done.stdout
    assert "/moto-api/firehose-sse/settings" in done.stdout


def test_chunked_firehose_request_is_read_whole(server: str, firehose: Any) -> None:
    create_stream(firehose, "chunked")
    body = b'{"DeliveryStreamName": "chunked"}'
    request = urllib.request.Request(
        server + "/",
        data=iter([body[:10], body[10:]]),  # no length: urllib sends it chunked
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": AUTH,
            "X-Amz-Target": "Firehose_20150804.StartDeliveryStreamEncryption",
        },
    )
    with NO_PROXY.open(request, timeout=10) as reply:
        assert (reply.status, json.loads(reply.read())) == (200, {})
    assert sse(firehose, "chunked") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
