from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moto_firehose_sse import FirehoseSSE

from .helpers import client


@pytest.fixture
def firehose(firehose_sse: FirehoseSSE) -> Iterator[Any]:
    """A boto3 Firehose client (us-east-1, no retries) inside the plugin's mock."""
    yield client("firehose")


@pytest.fixture
def kms(firehose_sse: FirehoseSSE) -> Iterator[Any]:
    """A boto3 KMS client (us-east-1) inside the plugin's mock."""
    yield client("kms")


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


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
        with _NO_PROXY.open(f"{url}/moto-api/firehose-sse/settings", timeout=1) as reply:
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


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``moto-firehose-sse-server`` with default settings for the session; its base URL.

    One server per test session, so one per pytest-xdist worker. The server keeps its state
    between tests: start from ``POST /moto-api/reset`` (the ``server`` fixture of
    ``tests/test_server.py`` does).
    """
    with running_server(tmp_path_factory.mktemp("moto-server") / "server.log") as url:
        yield url
