"""Authorization headers that pass the plugin's checks reach Firehose, and nothing else.

moto's server routes a signed request by the first item of its ``Authorization`` header
(``auth.split(",")[0].split()[1]``), where the plugin reads every ``name=value`` item: a
header the plugin judged as Firehose's must reach moto's Firehose, and a request with a
Firehose ``X-Amz-Target`` always gets a JSON 1.1 answer (a modelled error, or Firehose's).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.test import EnvironBuilder

from moto_firehose_sse import FirehoseSSE
from moto_firehose_sse.server import FirehoseSSEApp, StartResponse

from .hypothesis_profiles import FUZZ
from .test_hostile_http import JSON_1_1, SCOPE, firehose_error

LIST = "Firehose_20150804.ListDeliveryStreams"
KINESIS = "t/20240101/us-east-1/kinesis/aws4_request"
SIGV4 = "AWS4-HMAC-SHA256"


def send(url: str, authorization: str, target: str = LIST) -> tuple[int, dict[str, str], bytes]:
    """A Firehose request with this ``Authorization`` header, sent as latin-1 bytes."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.putrequest("POST", "/", skip_accept_encoding=True)
        headers = {
            "Authorization": authorization,
            "X-Amz-Target": target,
            "Content-Type": JSON_1_1,
            "Content-Length": "2",
        }
        for name, value in headers.items():
            connection.putheader(name, value.encode("latin-1"))
        connection.endheaders(b"{}")
        reply = connection.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        connection.close()


LISTED = {"DeliveryStreamNames": [], "HasMoreDeliveryStreams": False}


@pytest.mark.parametrize(
    "authorization",
    [
        f"{SIGV4} SignedHeaders=host, Credential={SCOPE}, Signature=0",
        f"{SIGV4} Signature=0, SignedHeaders=host, Credential={SCOPE}",
        f"{SIGV4} Credential={SCOPE},SignedHeaders=host,Signature=0",
        f"{SIGV4} Credential={SCOPE},\tSignedHeaders=host,\tSignature=0",
        f"{SIGV4} Credential={SCOPE}, SignedHeaders=host, Signature=0, Other=1",
    ],
    ids=["signed-headers-first", "reversed", "no-spaces", "tabs", "an-extra-item"],
)
def test_parameters_in_any_order_reach_firehose(server: str, authorization: str) -> None:
    status, headers, body = send(server, authorization)
    assert (status, headers["content-type"], json.loads(body)) == (200, JSON_1_1, LISTED)


@pytest.mark.parametrize(
    ("authorization", "says"),
    [
        (
            f"{SIGV4} Credential=te sting/20240101/us-east-1/firehose/aws4_request, "
            "SignedHeaders=host, Signature=0",
            "whitespace",
        ),
        (
            f"{SIGV4} Credential=te\xa0sting/20240101/us-east-1/firehose/aws4_request, "
            "SignedHeaders=host, Signature=0",
            "whitespace",
        ),
        (
            f"{SIGV4} Credential=testing/2024 0101/us-east-1/firehose/aws4_request, "
            "SignedHeaders=host, Signature=0",
            "whitespace",
        ),
        (
            f"{SIGV4} Credential={KINESIS}, Credential={SCOPE}, SignedHeaders=host, Signature=0",
            "'Credential' parameter 2 times",
        ),
        (
            f"{SIGV4} Credential={SCOPE}, Credential={SCOPE}, SignedHeaders=host, Signature=0",
            "'Credential' parameter 2 times",
        ),
        (
            f"{SIGV4} Credential={SCOPE}, SignedHeaders=host, Signature=0, Signature=1",
            "'Signature' parameter 2 times",
        ),
    ],
    ids=["space-in-key", "nbsp-in-key", "space-in-date", "two-scopes", "same-twice", "two-sigs"],
)
def test_headers_moto_would_route_elsewhere_are_refused_as_json(
    server: str, authorization: str, says: str
) -> None:
    assert says in firehose_error(send(server, authorization), 400, "IncompleteSignatureException")


def test_a_firehose_scope_moto_reads_first_is_judged_as_firehose(server: str) -> None:
    # moto takes the first item's scope, with or without "Credential=": Firehose's here.
    for authorization in (
        f"{SIGV4} {SCOPE}, SignedHeaders=host, Signature=0",
        f"{SIGV4} Credential={SCOPE}, Credential={KINESIS}, SignedHeaders=host, Signature=0",
    ):
        reply = send(server, authorization, target="Kinesis_20131202.ListStreams")
        status, headers, _ = reply
        assert (status, headers["content-type"]) == (400, JSON_1_1)


# Fuzz: the WSGI application, with moto's own routing --------------------------------------

_ROUTER = DomainDispatcherApplication(create_backend_app)
_TEXT = st.characters(min_codepoint=9, max_codepoint=255, blacklist_characters="\r\n")
_SPACE = st.sampled_from([" ", "", "  ", "\t", "\xa0", "\x0b", "\x1c"])
_SCOPE_PART = st.sampled_from(
    ["testing", "20240101", "us-east-1", "firehose", "FIREHOSE", "kinesis", "aws4_request", ""]
) | st.text(_TEXT, max_size=6)
_SCOPES = st.lists(_SCOPE_PART, min_size=1, max_size=7).map("/".join) | st.sampled_from(
    [SCOPE, KINESIS, SCOPE.replace("testing", "te sting")]
)
_ITEM = st.tuples(
    _SPACE,
    st.sampled_from(["Credential", "SignedHeaders", "Signature", "Other", ""]),
    st.sampled_from(["=", "=", " = ", ""]),
    _SCOPES | st.sampled_from(["host", "host;x-amz-date", "0"]),
    _SPACE,
).map("".join)
_AUTHORIZATION = st.tuples(
    st.sampled_from([SIGV4, SIGV4, "AWS4-HMAC-SHA256\t", "AWS4", ""]),
    _SPACE,
    st.lists(_ITEM, min_size=1, max_size=5).map(lambda items: ",".join(items)),
).map("".join) | st.text(_TEXT, max_size=120)


def _passed_on(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("299 Passed On", [("Content-Type", "text/plain")])
    return [b""]


def _wsgi(authorization: str, target: str) -> tuple[str, dict[str, str], bytes, dict[str, Any]]:
    """The plugin's app over a stand-in for moto: (status, headers, body, environ passed on)."""
    headers = {"Authorization": authorization, "Content-Type": JSON_1_1}
    if target:
        headers["X-Amz-Target"] = target
    environ = EnvironBuilder(method="POST", path="/", headers=headers, data=b"{}").get_environ()
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer.update(status=status, headers={k.lower(): v for k, v in headers})

    body = b"".join(FirehoseSSEApp(_passed_on, FirehoseSSE())(environ, start_response))
    return answer["status"], answer["headers"], body, environ


@settings(FUZZ, max_examples=max(FUZZ.max_examples, 600))
@given(
    authorization=_AUTHORIZATION,
    target=st.sampled_from([LIST, "Firehose_20150804.Nothing", "Kinesis_20131202.X", ""]),
)
def test_fuzz_what_the_plugin_passes_on_moto_routes_to_firehose_only_if_checked(
    authorization: str, target: str
) -> None:
    status, headers, body, environ = _wsgi(authorization, target)
    if not status.startswith("299"):  # answered by the plugin: a JSON 1.1 error
        assert headers["content-type"] == JSON_1_1
        assert json.loads(body)["__type"] == headers["x-amzn-errortype"]
        return
    try:
        host = _ROUTER.infer_service_region_host(environ, "/") or ""
    except IndexError:  # moto's own failure on a one-word header, never Firehose's request
        assert not target.startswith("Firehose_")
        return
    if target.startswith("Firehose_"):
        assert host.startswith("firehose."), (environ["HTTP_AUTHORIZATION"], host)
    if host.startswith("firehose."):  # only a request that passed Firehose's checks
        assert target == LIST
        assert environ["HTTP_AUTHORIZATION"].startswith(f"{SIGV4} Credential=")


# Fuzz: a live server ----------------------------------------------------------------------


@settings(
    FUZZ,
    max_examples=min(FUZZ.max_examples, 150),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(authorization=_AUTHORIZATION)
def test_fuzz_a_firehose_target_always_gets_json_1_1(server: str, authorization: str) -> None:
    status, headers, body = send(server, authorization)
    assert status < 500, body[:300]
    assert headers["content-type"] == JSON_1_1, body[:300]
    document = json.loads(body)
    assert (
        document == LISTED if status == 200 else document["__type"] == headers["x-amzn-errortype"]
    )
