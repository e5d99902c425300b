"""Server mode against hostile raw HTTP: every answer is a JSON 4xx, never a 5xx.

Raw requests over loopback (``http.client``, or a socket where the request must lie about
its length) to the session's ``moto-firehose-sse-server``.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moto_firehose_sse import MODEL_NAME
from moto_firehose_sse.server import CONTROL_BODY_LIMIT, FIREHOSE_BODY_LIMIT

from .helpers import create_stream
from .hypothesis_profiles import FUZZ
from .server_helpers import call, remote

JSON_1_1 = "application/x-amz-json-1.1"
SCOPE = "testing/20240101/us-east-1/firehose/aws4_request"
AUTH = f"AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=host;x-amz-date, Signature=0"
DESCRIBE = "Firehose_20150804.DescribeDeliveryStream"
NAMED = b'{"DeliveryStreamName": "a"}'
DEEP = b"[" * 5000 + b"]" * 5000


def firehose_headers(**changes: str) -> dict[str, str]:
    headers = {"Content-Type": JSON_1_1, "Authorization": AUTH, "X-Amz-Target": DESCRIBE}
    headers.update(changes)
    return {name: value for name, value in headers.items() if value}


def send(
    url: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One raw request; (status, headers with lower-case names, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        connection.close()


def send_raw(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Bytes written to the server as they are (the client then stops sending)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def firehose_error(reply: tuple[int, dict[str, str], bytes], status: int, code: str) -> str:
    """Check a JSON 1.1 error as AWS sends it; its message."""
    got_status, headers, body = reply
    document = json.loads(body)
    assert (got_status, document["__type"]) == (status, code), document
    assert headers["content-type"] == JSON_1_1
    assert headers["x-amzn-errortype"] == code
    assert document["message"]
    return str(document["message"])


def still_serves(url: str) -> None:
    reply = send(url, "POST", "/", NAMED, firehose_headers())
    firehose_error(reply, 400, "ResourceNotFoundException")


# 1. Deeply nested JSON -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [DEEP, b'{"DeliveryStreamName": ' + DEEP + b"}", b'{"a": ' * 5000 + b"1" + b"}" * 5000],
    ids=["array", "member", "objects"],
)
def test_deeply_nested_json_to_firehose_is_a_serialization_exception(
    server: str, body: bytes
) -> None:
    message = firehose_error(
        send(server, "POST", "/", body, firehose_headers()), 400, "SerializationException"
    )
    assert "nested too deeply" in message
    still_serves(server)


@pytest.mark.parametrize(
    "path",
    [
        "/moto-api/firehose-sse/settings",
        "/moto-api/firehose-sse/faults",
        "/moto-api/state-manager/set-transition",
        "/moto-api/state-manager/unset-transition",
    ],
)
def test_deeply_nested_json_on_the_controller_and_state_manager_is_a_400(
    server: str, path: str
) -> None:
    status, headers, body = send(server, "POST", path, DEEP)
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert "nested too deeply" in json.loads(body)["message"]
    still_serves(server)


# 2. Bodies too large, and bodies shorter than announced ------------------------------------


def raw_post(path: str, length: int, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize("length", [FIREHOSE_BODY_LIMIT + 1, 10**12, 2**63])
def test_a_huge_content_length_to_firehose_is_refused_with_413(server: str, length: int) -> None:
    reply = send_raw(server, raw_post("/", length, NAMED, firehose_headers()))
    message = firehose_error(reply, 413, "RequestEntityTooLargeException")
    assert str(FIREHOSE_BODY_LIMIT) in message
    still_serves(server)


@pytest.mark.parametrize(
    "path",
    [
        "/moto-api/firehose-sse/settings",
        "/moto-api/firehose-sse/faults",
        "/moto-api/state-manager/set-transition",
        "/moto-api/state-manager/get-transition?model_name=x",
    ],
)
def test_a_huge_content_length_on_the_controller_is_refused_with_413(
    server: str, path: str
) -> None:
    status, headers, body = send_raw(server, raw_post(path, 10**12, b"{}", {}))
    assert (status, headers["content-type"]) == (413, "application/json")
    assert str(CONTROL_BODY_LIMIT) in json.loads(body)["message"]
    still_serves(server)


def test_bodies_over_the_limits_are_refused_whole_or_chunked(server: str) -> None:
    big = b'{"DeliveryStreamName": "' + b"a" * FIREHOSE_BODY_LIMIT + b'"}'
    reply = send(server, "POST", "/", big, firehose_headers())
    firehose_error(reply, 413, "RequestEntityTooLargeException")
    chunked = iter([big[: len(big) // 2], big[len(big) // 2 :]])  # no length: sent chunked
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    connection.request("POST", "/", body=chunked, headers=firehose_headers())
    reply_chunked = connection.getresponse()
    got = reply_chunked.status, {k.lower(): v for k, v in reply_chunked.getheaders()}
    firehose_error((*got, reply_chunked.read()), 413, "RequestEntityTooLargeException")
    connection.close()

    settings_body = json.dumps({"lenient_keys": True, "x": "a" * CONTROL_BODY_LIMIT}).encode()
    status, _, _ = send(server, "POST", "/moto-api/firehose-sse/settings", settings_body)
    assert status == 413
    assert call(server, "GET", "/moto-api/firehose-sse/settings")[1]["lenient_keys"] is False


def test_a_body_shorter_than_its_content_length_is_read_as_sent(server: str) -> None:
    reply = send_raw(server, raw_post("/", 1000, NAMED, firehose_headers()))
    firehose_error(reply, 400, "ResourceNotFoundException")
    reply = send_raw(server, raw_post("/", 1000, b'{"DeliveryStreamName": "a', firehose_headers()))
    firehose_error(reply, 400, "SerializationException")


def test_records_at_aws_limits_pass_over_http_and_beyond_are_refused(server: str) -> None:
    firehose = remote(server, "firehose")
    create_stream(firehose, "big")
    record = {"Data": b"x" * 1_024_000}
    reply = firehose.put_record_batch(DeliveryStreamName="big", Records=[record] * 4)
    assert reply["FailedPutCount"] == 0  # 4,096,000 bytes: within 4 MiB
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        firehose.put_record_batch(DeliveryStreamName="big", Records=[record] * 5)
    assert "Records size exceeds 4 MB limit" in caught.value.response["Error"]["Message"]
    with pytest.raises(firehose.exceptions.InvalidArgumentException) as caught:
        firehose.put_record(DeliveryStreamName="big", Record={"Data": b"x" * 1_024_001})
    assert "less than or equal to 1024000" in caught.value.response["Error"]["Message"]


# 3. Malformed signatures, other paths ------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "status", "code", "says"),
    [
        ("AWS4-HMAC-SHA256", 400, "IncompleteSignatureException", "requires 'Credential'"),
        ("garbage", 400, "IncompleteSignatureException", "requires 'Credential'"),
        (
            f"AWS4-HMAC-SHA256 Credential={SCOPE}",
            400,
            "IncompleteSignatureException",
            "requires 'Signature'",
        ),
        (
            f"AWS4-HMAC-SHA256 Credential {SCOPE}, SignedHeaders=host, Signature=0",
            400,
            "IncompleteSignatureException",
            "not a valid key=value pair",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=testing, SignedHeaders=host, Signature=0",
            400,
            "IncompleteSignatureException",
            "exactly 5 slash-delimited elements",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/firehose, "
            "SignedHeaders=host, Signature=0",
            400,
            "IncompleteSignatureException",
            "exactly 5 slash-delimited elements",
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={SCOPE}/more, SignedHeaders=host, Signature=0",
            400,
            "IncompleteSignatureException",
            "exactly 5 slash-delimited elements",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=testing/20240101//firehose/aws4_request, "
            "SignedHeaders=host, Signature=0",
            403,
            "InvalidSignatureException",
            "valid region, not ''",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=testing/20240101/mars-9/firehose/aws4_request, "
            "SignedHeaders=host, Signature=0",
            403,
            "InvalidSignatureException",
            "valid region, not 'mars-9'",
        ),
        (
            AUTH.replace("/firehose/", "/kinesis/"),
            403,
            "InvalidSignatureException",
            "correct service: 'firehose'",
        ),
        (
            AUTH.replace("/aws4_request", "/aws5_request"),
            403,
            "InvalidSignatureException",
            "terminator",
        ),
        (
            AUTH.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"),
            400,
            "IncompleteSignatureException",
            "Signature Version 4",
        ),
    ],
)
def test_malformed_signatures_get_json_errors(
    server: str, authorization: str, status: int, code: str, says: str
) -> None:
    reply = send(server, "POST", "/", NAMED, firehose_headers(Authorization=authorization))
    assert says in firehose_error(reply, status, code)
    still_serves(server)


def test_a_firehose_scope_without_a_target_is_still_judged_as_firehose(server: str) -> None:
    authorization = (
        "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/firehose, "
        "SignedHeaders=host, Signature=0"
    )
    headers = firehose_headers(Authorization=authorization, **{"X-Amz-Target": ""})
    reply = send(server, "POST", "/", b"", headers)
    firehose_error(reply, 400, "IncompleteSignatureException")


@pytest.mark.parametrize("path", ["/foo", "/firehose", "/a/b/"])
def test_a_well_formed_firehose_request_on_another_path_is_an_unknown_operation(
    server: str, path: str
) -> None:
    reply = send(server, "POST", path, NAMED, firehose_headers())
    assert "path /" in firehose_error(reply, 400, "UnknownOperationException")


# 4. The state manager's endpoints, for any model -------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{}", "model_name"),
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"[1]", "JSON object"),
        (b"null", "JSON object"),
        (b'{"model_name": 5, "transition": {}}', "model_name"),
        (b'{"model_name": "", "transition": {}}', "model_name"),
        (b'{"model_name": ["a"], "transition": {}}', "model_name"),
        (b'{"model_name": "other::model"}', "transition"),
        (b'{"model_name": "other::model", "transition": 3}', "transition"),
        (b'{"model_name": "other::model", "transition": "immediate"}', "transition"),
        (b'{"model_name": "other::model", "transition": null}', "transition"),
    ],
)
def test_malformed_set_transition_is_a_400_for_any_model(
    server: str, body: bytes, says: str
) -> None:
    status, headers, reply = send(server, "POST", "/moto-api/state-manager/set-transition", body)
    assert (status, headers["content-type"]) == (400, "application/json")
    message = json.loads(reply)["message"]
    assert says in message
    assert '{"model_name": "firehose::encryption", "transition": {' in message  # an example
    status, got = call(
        server, "GET", "/moto-api/state-manager/get-transition?model_name=other::model"
    )
    assert (status, got) == (200, {"progression": "immediate"})  # moto's default: nothing set


def test_a_well_formed_transition_of_another_model_is_still_set(server: str) -> None:
    body = {"model_name": "other::model", "transition": {"progression": "manual", "times": 3}}
    assert call(server, "POST", "/moto-api/state-manager/set-transition", body)[0] == 201
    query = "/moto-api/state-manager/get-transition?model_name=other::model"
    assert call(server, "GET", query) == (200, body["transition"])
    unset = {"model_name": "other::model"}
    assert call(server, "POST", "/moto-api/state-manager/unset-transition", unset)[0] == 201
    assert call(server, "GET", query) == (200, {"progression": "immediate"})


@pytest.mark.parametrize("body", [b"", b"{}", b"[]", b'{"model_name": 1}', DEEP])
def test_malformed_unset_transition_is_a_400(server: str, body: bytes) -> None:
    status, _, reply = send(server, "POST", "/moto-api/state-manager/unset-transition", body)
    assert status == 400
    assert "model_name" in json.loads(reply)["message"]


@pytest.mark.parametrize("query", ["", "?", "?model_name", "?model_name=a=b", "?x=1", "?a&b"])
def test_malformed_get_transition_is_a_400(server: str, query: str) -> None:
    status, _, reply = send(server, "GET", "/moto-api/state-manager/get-transition" + query)
    assert status == 400
    assert "?model_name=NAME" in json.loads(reply)["message"]


# 10. Errors over HTTP carry AWS's JSON 1.1 headers ------------------------------------------


def test_errors_over_http_say_json_1_1_with_their_error_type(server: str) -> None:
    firehose = remote(server, "firehose")
    seen: list[tuple[int, dict[str, str]]] = []
    firehose.meta.events.register(
        "before-parse.firehose.*",
        lambda response_dict, **_: seen.append(
            (response_dict["status_code"], dict(response_dict["headers"]))
        ),
    )
    create_stream(firehose, "web")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("describe_delivery_stream", {"DeliveryStreamName": "none"}),  # the plugin's
        ("start_delivery_stream_encryption", {"DeliveryStreamName": "none"}),  # the plugin's
        (  # moto's own
            "update_destination",
            {
                "DeliveryStreamName": "web",
                "CurrentDeliveryStreamVersionId": "9",
                "DestinationId": "x",
            },
        ),
    ]
    for method, params in calls:
        with pytest.raises(firehose.exceptions.ClientError) as caught:
            getattr(firehose, method)(**params)
        status, headers = seen[-1]
        lower = {k.lower(): v for k, v in headers.items()}
        assert status == 400
        assert lower["content-type"] == JSON_1_1
        assert lower["x-amzn-errortype"] == caught.value.response["Error"]["Code"]


# A fuzz test: raw requests of any shape --------------------------------------------------

_HEADER_VALUE = st.text(
    st.characters(min_codepoint=32, max_codepoint=126), max_size=80
)  # what http.client sends as it is
_OPERATIONS = ["DescribeDeliveryStream", "StartDeliveryStreamEncryption", "PutRecord", "Nothing"]
_AUTHS = st.one_of(
    st.just(AUTH),
    st.sampled_from(
        [
            "",
            "AWS4-HMAC-SHA256",
            AUTH.replace("us-east-1", ""),
            AUTH.replace("/aws4_request", ""),
            AUTH.replace("Credential=", "Credential "),
            AUTH.replace(", Signature=0", ""),
        ]
    ),
    _HEADER_VALUE.map(lambda text: AUTH[: len(text)] + text),
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["DeliveryStreamName", "Record", "Data", "Limit", "model_name", "x"])
            | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)
_BODIES = st.one_of(
    st.binary(max_size=200),
    _JSON.map(lambda value: json.dumps(value).encode()),
    st.integers(1, 6000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 6000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
)


@settings(
    FUZZ,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(
    method=st.sampled_from(["POST", "POST", "GET", "PUT"]),
    path=st.sampled_from(["/", "/", "/x", "/?a=b"]),
    target=st.sampled_from(_OPERATIONS).map(lambda op: "Firehose_20150804." + op)
    | _HEADER_VALUE.map(lambda text: "Firehose_" + text),
    authorization=_AUTHS,
    content_type=st.sampled_from([JSON_1_1, "application/json", "text/plain", ""]),
    body=_BODIES,
)
def test_fuzz_firehose_requests_never_get_a_5xx(
    server: str,
    method: str,
    path: str,
    target: str,
    authorization: str,
    content_type: str,
    body: bytes,
) -> None:
    headers = firehose_headers(
        Authorization=authorization, **{"X-Amz-Target": target, "Content-Type": content_type}
    )
    status, got, reply = send(server, method, path, body, headers)
    assert status < 500, reply[:300]
    assert got["content-type"] == JSON_1_1
    document = json.loads(reply)
    if status >= 400:
        assert got["x-amzn-errortype"] == document["__type"]


_CONTROL_PATHS = [
    "/moto-api/firehose-sse/settings",
    "/moto-api/firehose-sse/faults",
    "/moto-api/state-manager/set-transition",
    "/moto-api/state-manager/unset-transition",
    "/moto-api/state-manager/get-transition",
]


@settings(
    FUZZ,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(
    method=st.sampled_from(["POST", "GET", "DELETE", "PUT"]),
    path=st.sampled_from(_CONTROL_PATHS),
    query=st.sampled_from(["", "?model_name=x", "?model_name=" + MODEL_NAME])
    | _HEADER_VALUE.map(lambda text: "?" + text),
    body=_BODIES,
)
def test_fuzz_controller_and_state_manager_never_get_a_5xx(
    server: str, method: str, path: str, query: str, body: bytes
) -> None:
    status, _, reply = send(server, method, path + query.replace(" ", "%20"), body)
    assert status < 500, reply[:300]
    if reply:
        json.loads(reply)
    call(server, "POST", "/moto-api/state-manager/unset-transition", {"model_name": "x"})
    call(server, "POST", "/moto-api/state-manager/unset-transition", {"model_name": MODEL_NAME})
