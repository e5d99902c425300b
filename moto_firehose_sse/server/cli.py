"""The command line: ``moto-firehose-sse-server`` (or ``python -m moto_firehose_sse.server``)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from ..controller import PRODUCER_KEY_ACCESS, SETTINGS, FirehoseSSE
from .app import make_app
from .controller_api import API_PREFIX
from .serving import request_handler


def _parser() -> argparse.ArgumentParser:
    defaults = FirehoseSSE()
    parser = argparse.ArgumentParser(
        prog="moto-firehose-sse-server",
        description="moto's server with Amazon Firehose server-side encryption as AWS does it. "
        f"The controller is at {API_PREFIX}/settings and {API_PREFIX}/faults.",
    )
    parser.add_argument("-H", "--host", default="127.0.0.1", help="host to bind (127.0.0.1)")
    parser.add_argument(
        "-p",
        "--port",
        type=int,
        default=int(os.environ.get("MOTO_PORT", 5000)),
        help="port to listen on (MOTO_PORT, else 5000)",
    )
    parser.add_argument(
        "-r", "--reload", action="store_true", help="reload the server on a file change"
    )
    parser.add_argument(
        "-s", "--ssl", action="store_true", help="HTTPS with a generated certificate"
    )
    parser.add_argument("-c", "--ssl-cert", help="path to an SSL certificate")
    parser.add_argument("-k", "--ssl-key", help="path to an SSL private key")
    for name, kind in (
        ("max_streams_per_region", int),
        ("max_streams_per_key", int),
        ("max_encryption_changes_per_day", int),
        ("record_encryption_lag", float),
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


def main(argv: list[str] | None = None) -> None:
    """Run the server until interrupted (SIGINT or SIGTERM)."""
    from werkzeug.serving import run_simple

    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        sse = FirehoseSSE(**{name: getattr(args, name) for name in SETTINGS})
    except ValueError as exc:
        parser.error(str(exc))
    os.environ.setdefault("MOTO_PORT", str(args.port))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit)

    app = make_app(sse)
    ssl_context: Any = None
    if args.ssl_key and args.ssl_cert:
        ssl_context = (args.ssl_cert, args.ssl_key)
    elif args.ssl:
        ssl_context = "adhoc"
    run_simple(
        args.host,
        args.port,
        app,
        threaded=True,
        use_reloader=args.reload,
        ssl_context=ssl_context,
        request_handler=request_handler(),
    )
