"""The command line: ``moto-firehose-sse-server`` (or ``python -m moto_firehose_sse.server``)."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import sys
from typing import Any

from werkzeug.serving import get_sockaddr, is_running_from_reloader, select_address_family

from ..controller import PRODUCER_KEY_ACCESS, SETTINGS, FirehoseSSE
from .app import make_app
from .controller_api import API_PREFIX
from .serving import request_handler


def _port(text: str) -> int:
    """A port to listen on: a whole number from 1 to 65535, in ASCII digits."""
    if not re.fullmatch(r"[0-9]{1,5}", text.strip()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port: give a whole number from 1 to 65535"
        )
    return int(text)


def _host(text: str) -> str:
    """A host name or address this machine can resolve (or werkzeug's ``unix://PATH``)."""
    if text.startswith("unix://"):
        return text
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "give an address to bind: 127.0.0.1 for this machine only, 0.0.0.0 for every interface"
        )
    try:
        family = select_address_family(text, 0)
        socket.getaddrinfo(text, None, family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a host name or address this machine can resolve ({exc})"
        ) from None
    return text


def _file(text: str) -> str:
    """A readable file."""
    if not os.path.isfile(text) or not os.access(text, os.R_OK):
        raise argparse.ArgumentTypeError(f"{text!r} is not a file this process can read")
    return text


def _parser() -> argparse.ArgumentParser:
    defaults = FirehoseSSE()
    parser = argparse.ArgumentParser(
        prog="moto-firehose-sse-server",
        description="moto's server with Amazon Firehose server-side encryption as AWS does it. "
        f"The controller is at {API_PREFIX}/settings, {API_PREFIX}/faults and "
        f"{API_PREFIX}/key-events.",
    )
    parser.add_argument(
        "-H", "--host", type=_host, default="127.0.0.1", help="host to bind (127.0.0.1)"
    )
    parser.add_argument(
        "-p",
        "--port",
        type=_port,
        help="port to listen on, 1 to 65535 (MOTO_PORT, else 5000)",
    )
    parser.add_argument(
        "-r", "--reload", action="store_true", help="reload the server on a file change"
    )
    parser.add_argument(
        "-s", "--ssl", action="store_true", help="HTTPS with a generated certificate"
    )
    parser.add_argument(
        "-c", "--ssl-cert", type=_file, help="path to an SSL certificate (with --ssl-key)"
    )
    parser.add_argument(
        "-k", "--ssl-key", type=_file, help="path to an SSL private key (with --ssl-cert)"
    )
    for name, kind in (
        ("max_streams_per_region", int),
        ("max_streams_per_key", int),
        ("max_encryption_changes_per_day", int),
        ("record_encryption_lag", float),
        ("max_key_events", int),
    ):
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            default=getattr(defaults, name),
            help=f"setting {name} (%(default)s)",
        )
    parser.add_argument(
        "--producer-key-access",
        choices=PRODUCER_KEY_ACCESS,
        default=defaults.producer_key_access,
        help="setting producer_key_access: whether puts need the caller's KMS access to the "
        "stream's customer key (%(default)s: on AWS's dates)",
    )
    parser.add_argument(
        "--lenient-keys",
        action="store_true",
        help="accept KMS key ARNs that moto's KMS doesn't know (setting lenient_keys)",
    )
    return parser


def _exit(signum: int, frame: Any) -> None:
    sys.exit(0)


def _check_can_listen(parser: argparse.ArgumentParser, host: str, port: int) -> None:
    """A usage error, not a traceback, when the server can't listen on ``host:port``."""
    if is_running_from_reloader() or host.startswith("unix://"):  # the parent holds it
        return
    family = select_address_family(host, port)  # as werkzeug chooses them
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind(get_sockaddr(host, port, family))
    except OSError as exc:
        parser.error(
            f"can't listen on {host}:{port} ({exc.strerror or exc}): choose a free port with "
            "-p, and an address of this machine with -H"
        )


def _check_ssl(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Any:
    """The ``ssl_context`` for werkzeug, or a usage error."""
    if bool(args.ssl_cert) != bool(args.ssl_key):
        parser.error("--ssl-cert and --ssl-key go together: give both, or --ssl alone")
    if args.ssl_cert:
        return (args.ssl_cert, args.ssl_key)
    if not args.ssl:
        return None
    try:
        import cryptography  # noqa: F401  # werkzeug makes the ad-hoc certificate with it
    except ImportError:
        parser.error("--ssl needs the cryptography package: pip install cryptography")
    return "adhoc"


def main(argv: list[str] | None = None) -> None:
    """Run the server until interrupted (SIGINT or SIGTERM)."""
    from werkzeug.serving import run_simple

    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        sse = FirehoseSSE(**{name: getattr(args, name) for name in SETTINGS})
    except ValueError as exc:
        parser.error(str(exc))
    if args.port is None:
        try:
            args.port = _port(os.environ.get("MOTO_PORT", "5000"))
        except argparse.ArgumentTypeError as exc:
            parser.error(f"MOTO_PORT (the port when -p is not given): {exc}")
    ssl_context = _check_ssl(parser, args)
    _check_can_listen(parser, args.host, args.port)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit)

    app = make_app(sse)
    run_simple(
        args.host,
        args.port,
        app,
        threaded=True,
        use_reloader=args.reload,
        ssl_context=ssl_context,
        request_handler=request_handler(),
    )
