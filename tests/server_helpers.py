"""HTTP helpers shared by the tests of server mode: starting a server, raw calls, boto3 clients."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

from moto_firehose_sse import MODEL_NAME

from .helpers import NO_RETRIES, REGION

# Requests to the local server go straight to it, whatever proxy the environment names.
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# The server, ended when its stdin closes: a test process that dies (killed by a time-out,
# a crashed pytest-xdist worker) leaves no server behind.
_SERVER_UNTIL_EOF = """
import os, sys, threading
def _watch():
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=_watch, daemon=True).start()
from moto_firehose_sse.server import main
main(sys.argv[1:])
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_ready(url: str) -> bool:
    try:
        with NO_PROXY.open(f"{url}/moto-api/firehose-sse/settings", timeout=1) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def running_server(log_path: Path, *options: str) -> Iterator[str]:
    """``moto-firehose-sse-server`` with ``options`` in a subprocess on a free loopback port.

    Yields its base URL once it answers (within 60 s), and ends it afterwards.
    """
    deadline = time.monotonic() + 60
    for _attempt in range(3):  # another process may take the free port before the server does
        url = f"http://127.0.0.1:{_free_port()}"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-c", _SERVER_UNTIL_EOF, "-p", url.rsplit(":", 1)[1], *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.PIPE,
            )
        while process.poll() is None and time.monotonic() < deadline:
            if _server_ready(url):
                break
            time.sleep(0.05)  # waiting for the server process to listen, not a test delay
        if process.poll() is None and _server_ready(url):
            break
        process.kill()
        process.wait()
    else:
        raise RuntimeError(
            f"moto-firehose-sse-server did not start; its log:\n{log_path.read_text()[-3000:]}"
        )
    try:
        yield url
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def remote(url: str, service: str) -> Any:
    """A boto3 client (no retries) of the server at ``url``."""
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=NO_RETRIES,
    )


def call(
    url: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One raw HTTP request; (status, decoded JSON body or None)."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=10) as reply:
            status, raw = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw else None


def set_transition(url: str, transition: dict[str, Any], model: str = MODEL_NAME) -> None:
    """Sets the transition of ``model`` (the encryption's by default) on the server at ``url``."""
    body = {"model_name": model, "transition": transition}
    assert call(url, "POST", "/moto-api/state-manager/set-transition", body)[0] == 201
