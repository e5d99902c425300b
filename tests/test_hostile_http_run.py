"""A hostile-HTTP run: a few thousand mixed hostile requests to one server over loopback.

Bad bodies, chunked bodies (well-formed and not), hostile headers (Authorization, Content-Type,
Content-Length, X-Amz-Target), methods and paths, seeded so that a failure replays. On Firehose
requests (a Firehose target or credential scope, off ``/moto-api``): 0 answers of 5xx and 0
answers that are not JSON 1.1. On the controller's and the state manager's paths: 0 of 5xx
and 0 that are not JSON. A malformed chunked body is a 400 on every path.
"""

from __future__ import annotations

import base64
import collections
import json
import os
import random
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .test_hostile_http import JSON_1_1, SCOPE

REQUESTS = int(os.environ.get("HOSTILE_HTTP_REQUESTS", "3000"))
SEED = int(os.environ.get("HOSTILE_HTTP_SEED", "15"))

OPERATIONS = [
    "CreateDeliveryStream",
    "DescribeDeliveryStream",
    "ListDeliveryStreams",
    "DeleteDeliveryStream",
    "StartDeliveryStreamEncryption",
    "StopDeliveryStreamEncryption",
    "PutRecord",
    "PutRecordBatch",
    "TagDeliveryStream",
    "UpdateDestination",
]
CONTROL_PATHS = [
    "/moto-api/firehose-sse/settings",
    "/moto-api/firehose-sse/faults",
    "/moto-api/firehose-sse/nothing",
    "/moto-api/state-manager/set-transition",
    "/moto-api/state-manager/unset-transition",
    "/moto-api/state-manager/get-transition?model_name=firehose::encryption",
    "/moto-api/state-manager/get-transition?model_name",
]
NAMES = ["a", "b", "web", "", "?", "x" * 65, "ok-name"]
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"


@dataclass
class Sent:
    kind: str  # "firehose", "control" or "chunked"
    method: str
    request: bytes


def _junk(rng: random.Random) -> Any:
    return rng.choice(
        [None, True, -1, 2**70, 1.5e308, "", "x" * rng.randint(0, 300), [], {}, [1, "a"], {"a": 1}]
    )


def _params(rng: random.Random, operation: str, hostile: bool) -> dict[str, Any]:
    def value(good: Any) -> Any:
        return _junk(rng) if hostile and rng.random() < 0.4 else good

    name = value(rng.choice(NAMES) if hostile else rng.choice(NAMES[:3]))
    data = value(base64.b64encode(rng.randbytes(rng.randint(0, 64))).decode())
    if hostile and rng.random() < 0.1:
        data = "not base64!"
    params: dict[str, Any] = {"DeliveryStreamName": name}
    if operation == "CreateDeliveryStream":
        params["DeliveryStreamType"] = value("DirectPut")
        if rng.random() < 0.5:
            params["DeliveryStreamEncryptionConfigurationInput"] = {
                "KeyType": value(rng.choice(["AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK"])),
                "KeyARN": value(KEY_ARN),
            }
    elif operation == "StartDeliveryStreamEncryption" and rng.random() < 0.5:
        params["DeliveryStreamEncryptionConfigurationInput"] = value(
            {"KeyType": value("CUSTOMER_MANAGED_CMK"), "KeyARN": value(KEY_ARN)}
        )
    elif operation == "PutRecord":
        params["Record"] = value({"Data": data})
    elif operation == "PutRecordBatch":
        params["Records"] = value([{"Data": data}] * rng.randint(0, 4))
    elif operation == "ListDeliveryStreams":
        params = {"Limit": value(rng.randint(1, 10000))}
    elif operation == "DescribeDeliveryStream":
        params["Limit"] = value(rng.randint(1, 5))
    elif operation == "TagDeliveryStream":
        params["Tags"] = value([{"Key": value("k"), "Value": value("v")}])
    elif operation == "DeleteDeliveryStream":
        params["AllowForceDelete"] = value(rng.random() < 0.5)
    if hostile and rng.random() < 0.2:
        params[rng.choice(["Unknown", "x", ""])] = _junk(rng)
    return params


def _body(rng: random.Random, operation: str, hostile: bool) -> bytes:
    roll = rng.random() if hostile else 0.0
    if roll < 0.5:
        return json.dumps(_params(rng, operation, hostile)).encode()
    if roll < 0.6:
        depth = rng.choice([10, 999, 5000])
        return b"[" * depth + b"]" * depth
    if roll < 0.75:
        return rng.randbytes(rng.randint(0, 200))
    if roll < 0.9:
        return rng.choice([b"", b"null", b"[]", b"1", b'"s"', b"{", b'{"a":}', b"\xff\xfe{}"])
    return json.dumps(_junk(rng)).encode()


GOOD_AUTH = f"AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=host;x-amz-date, Signature=0"


def _authorization(rng: random.Random) -> str | None:
    """A hostile ``Authorization`` header (or none)."""
    key = rng.choice(["testing", "te sting", "te\xa0sting", "AKIA" + "X" * 16, ""])
    region = rng.choice(["us-east-1", "eu-west-1", "mars-9", "", "us east-1"])
    service = rng.choice(["firehose", "firehose", "kinesis", "FIREHOSE", "s3"])
    terminator = rng.choice(["/aws4_request", "/aws4_request", "", "/aws5_request", "/x/y"])
    items = [
        f"Credential={key}/20240101/{region}/{service}{terminator}",
        "SignedHeaders=host;x-amz-date",
        "Signature=0",
    ]
    rng.shuffle(items)
    if rng.random() < 0.2:
        items.append(rng.choice(items))  # a parameter twice
    if rng.random() < 0.2:
        items.pop(rng.randrange(len(items)))
    separator = rng.choice([", ", ",", " , ", ",\t"])
    algorithm = rng.choice(["AWS4-HMAC-SHA256"] * 4 + ["AWS4-ECDSA-P256-SHA256", "", "AWS4"])
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.2:
        return "".join(rng.choice("AWS4-HMAC/=, firehose") for _ in range(rng.randint(1, 60)))
    return f"{algorithm} {separator.join(items)}"


def _chunked(rng: random.Random, body: bytes, hostile: bool) -> tuple[bytes, bool]:
    """``body`` in chunks; malformed (True) when ``hostile``."""
    cut = rng.randint(0, len(body))
    parts = [body[:cut], body[cut:]]
    good = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p) + b"0\r\n\r\n"
    if not hostile:
        return good, False
    broken = rng.choice(
        [
            good[: rng.randint(0, max(0, len(good) - 6))],  # cut short
            b"zz\r\n" + good,
            b"-1\r\n" + good,
            b"%x\r\n%s0\r\n\r\n" % (len(body) + 5, body),  # a size larger than the data
            b"%x\r\n%sXY\r\n0\r\n\r\n" % (len(body), body),  # no CRLF after the data
            b"1" * 5000,
        ]
    )
    return broken, True


def _request(
    method: str, path: str, headers: list[tuple[str, str]], body: bytes, chunked: bool
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    elif not any(name.lower() == "content-length" for name, _ in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


ASPECTS = ("body", "auth", "method", "path", "target", "content-type", "length", "chunked")


def hostile_requests(rng: random.Random, count: int) -> list[Sent]:
    """``count`` requests, each with 0 to 3 of its aspects hostile (0: a request AWS serves)."""
    sent: list[Sent] = []
    for _ in range(count):
        hostile = set(rng.sample(ASPECTS, rng.choice([0, 0, 1, 1, 1, 2, 3])))
        operation = rng.choice(OPERATIONS)
        method = "POST"
        if "method" in hostile:
            method = rng.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
        body = _body(rng, operation, "body" in hostile)
        chunked = "chunked" in hostile or rng.random() < 0.1
        broken = False
        if chunked:
            body, broken = _chunked(rng, body, "chunked" in hostile)
        if rng.random() < 0.2:
            path = rng.choice(CONTROL_PATHS)
            headers: list[tuple[str, str]] = []
            kind = "control"
        else:
            path = "/"
            if "path" in hostile:
                path = rng.choice(["/x", "//", "/?a=b", "/%00", "/" + "a" * 3000, "/moto"])
            target = f"Firehose_20150804.{operation}"
            if "target" in hostile:
                target = rng.choice(
                    [
                        "Firehose_20150804.Nothing",
                        "Firehose_",
                        "Firehose_x.y",
                        target + "," + target,
                    ]
                )
            headers = [("X-Amz-Target", target)]
            authorization = _authorization(rng) if "auth" in hostile else GOOD_AUTH
            if authorization is not None:
                headers.append(("Authorization", authorization))
            content_type = JSON_1_1
            if "content-type" in hostile:
                content_type = rng.choice(["application/json", "text/plain", "", "x" * 500])
            if content_type:
                headers.append(("Content-Type", content_type))
            kind = "firehose"
        if "length" in hostile and not chunked:
            length = rng.choice(["-1", "abc", str(len(body) + 100), "0", "9" * 20, "1e3"])
            headers.append(("Content-Length", length))
        request = _request(method, path, headers, body, chunked)
        sent.append(Sent("chunked" if broken else kind, method, request))
    return sent


def exchange(host: str, port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection((host, port), timeout=30) as sock:
        try:
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server answered and closed before reading it all
            pass
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        data, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            data, rest = data + rest[:size], rest[size + 2 :]
        body = data
    return int(lines[0].split()[1]), headers, body


def _problem(sent: Sent, status: int, headers: dict[str, str], body: bytes) -> str | None:
    if status >= 500:
        return f"{status}"
    if sent.kind == "chunked" and status != 400:
        return f"{status} for a malformed chunked body"
    if sent.kind == "firehose" and headers.get("content-type") != JSON_1_1:
        return f"content-type {headers.get('content-type')!r}"
    if sent.method == "HEAD" or (sent.kind == "chunked" and not body):
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return "not JSON"
    if (
        sent.kind == "firehose"
        and status >= 400
        and document.get("__type") != headers.get("x-amzn-errortype")
    ):
        return "__type and x-amzn-ErrorType differ"
    return None


def test_thousands_of_hostile_requests_get_no_5xx_and_only_json_on_firehose(server: str) -> None:
    parts = urlsplit(server)
    host, port = parts.hostname or "", parts.port or 80
    rng = random.Random(SEED)
    sent_all = hostile_requests(rng, REQUESTS)
    problems: list[str] = []
    counts: collections.Counter[str] = collections.Counter()
    for number, sent in enumerate(sent_all):
        status, headers, body = exchange(host, port, sent.request)
        counts[f"{sent.kind} {status // 100}xx"] += 1
        problem = _problem(sent, status, headers, body)
        if problem is not None:
            problems.append(f"#{number} {problem}: {sent.request[:300]!r} -> {body[:200]!r}")
        if number % 500 == 499:  # don't let streams and faults pile up
            exchange(host, port, b"POST /moto-api/reset HTTP/1.1\r\nHost: x\r\n\r\n")
    print(dict(sorted(counts.items())))
    assert not problems, f"{len(problems)} of {REQUESTS}:\n" + "\n".join(problems[:20])
    assert counts["firehose 4xx"] > REQUESTS // 4  # the run exercised the checks...
    assert counts["firehose 2xx"] > REQUESTS // 40  # ...and reached moto's Firehose
    assert counts["chunked 4xx"] > REQUESTS // 50
