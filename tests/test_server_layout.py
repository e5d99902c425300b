"""The server package: its public names, and the controller API's route table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest
from werkzeug.test import Client

import moto_firehose_sse.server as server
from moto_firehose_sse import FirehoseSSE
from moto_firehose_sse.server import ROUTES, ApiRequest, FirehoseSSEApp, StartResponse


def _moto(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"moto"]


def test_public_names_stay_importable_from_the_package() -> None:
    for name in (
        "main",
        "make_app",
        "FirehoseSSEApp",
        "API_PREFIX",
        "FIREHOSE_TARGET_PREFIX",
        "FIREHOSE_BODY_LIMIT",
        "CONTROL_BODY_LIMIT",
        "STATE_MANAGER_PREFIX",
    ):
        assert getattr(server, name) is not None
    assert server.API_PREFIX == "/moto-api/firehose-sse"


def test_a_new_route_is_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    def events(sse: FirehoseSSE, request: ApiRequest) -> dict[str, Any]:
        return {"query": request.query, "limit": sse.max_streams_per_region}

    monkeypatch.setitem(ROUTES, "key-events", {"GET": events})
    client = Client(FirehoseSSEApp(_moto, FirehoseSSE(max_streams_per_region=3)))
    reply = client.get("/moto-api/firehose-sse/key-events?stream=a")
    assert (reply.status_code, reply.json) == (200, {"query": "stream=a", "limit": 3})
    refused = client.post("/moto-api/firehose-sse/key-events")
    assert refused.status_code == 405
    assert json.loads(refused.data) == {"message": "key-events: use GET."}
    missing = client.get("/moto-api/firehose-sse/nothing")
    assert missing.status_code == 404
    assert "/moto-api/firehose-sse/key-events (GET)" in missing.json["message"]


def test_unknown_paths_name_every_route() -> None:
    client = Client(FirehoseSSEApp(_moto, FirehoseSSE()))
    reply = client.get("/moto-api/firehose-sse/")
    assert reply.status_code == 404
    message = reply.json["message"]
    assert "/moto-api/firehose-sse/settings (GET, POST)" in message
    assert "/moto-api/firehose-sse/faults (GET, POST, DELETE)" in message
    assert client.get("/elsewhere").data == b"moto"
