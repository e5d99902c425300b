"""``moto-firehose-sse-server``'s command line: usage errors (exit 2, a message, no traceback),
never a traceback or a port other than the one asked for."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moto_firehose_sse.server import main
from moto_firehose_sse.server.cli import _port

from .hypothesis_profiles import FUZZ


@pytest.fixture(autouse=True)
def never_serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """werkzeug's ``run_simple`` records its arguments instead of serving."""
    served: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        "werkzeug.serving.run_simple", lambda host, port, *_, **__: served.append((host, port))
    )
    monkeypatch.delenv("MOTO_PORT", raising=False)
    yield served


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: moto-firehose-sse-server")
    assert "Traceback" not in err
    return err.splitlines()[-1]


@pytest.mark.parametrize(
    "port", ["70000", "65536", "-1", "0", "abc", "", "5_000", "\uff15\uff10\uff10\uff10", "1e3"]
)
def test_a_port_out_of_range_or_not_a_number_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str], never_serve: list[tuple[Any, ...]]
) -> None:
    message = usage_error(["-p", port], capsys)
    assert "argument -p/--port" in message
    assert "1 to 65535" in message
    assert never_serve == []


def test_a_bad_moto_port_is_a_usage_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOTO_PORT", "70000")
    assert "MOTO_PORT" in usage_error([], capsys)


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("", "give an address"),
        ("  ", "give an address"),
        ("999.1.1.1", "this machine can resolve"),
        ("no-such-host.invalid", "this machine can resolve"),
        ("a" * 300, "this machine can resolve"),
    ],
)
def test_a_host_that_is_no_address_is_a_usage_error(
    host: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    message = usage_error(["-H", host], capsys)
    assert "argument -H/--host" in message
    assert says in message


def test_an_address_of_another_machine_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], free_port: int
) -> None:
    message = usage_error(["-H", "192.0.2.1", "-p", str(free_port)], capsys)  # TEST-NET-1
    assert f"can't listen on 192.0.2.1:{free_port}" in message


def test_a_port_in_use_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = usage_error(["-p", str(port)], capsys)
    assert f"can't listen on 127.0.0.1:{port}" in message
    assert "choose a free port with -p" in message


def test_ssl_files_must_exist_and_go_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "not a file" in usage_error(["--ssl-cert", str(tmp_path / "none.pem")], capsys)
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    assert "go together" in usage_error(["--ssl-cert", str(cert)], capsys)
    assert "go together" in usage_error(["--ssl-key", str(cert)], capsys)


def test_good_arguments_serve_on_the_port_asked_for(
    free_port: int, never_serve: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto_firehose_sse import controller, wiring

    monkeypatch.setattr("signal.signal", lambda *_: None)
    try:
        main(["-H", "localhost", "-p", f" {free_port}"])
    finally:  # main() installs the rules for the server it would run: undo them
        wiring.uninstall()
        controller.deactivate(controller.current())
    assert never_serve == [("localhost", free_port)]


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_the_console_script_prints_a_usage_error_not_a_traceback(port: str) -> None:
    script = Path(sys.executable).with_name("moto-firehose-sse-server")
    done = subprocess.run(
        [str(script), "-p", port], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "1 to 65535" in done.stderr.splitlines()[-1]


@settings(FUZZ)
@given(text=st.text(max_size=8) | st.integers(-(10**6), 10**6).map(str))
def test_a_port_is_1_to_65535_or_refused(text: str) -> None:
    try:
        port = _port(text)
    except argparse.ArgumentTypeError as exc:
        assert "1 to 65535" in str(exc)
    else:
        assert 1 <= port <= 65535
        assert str(port) == text.strip().lstrip("0")
