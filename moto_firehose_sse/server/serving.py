"""The request handler of werkzeug's server, as the command line and the threaded server
run it: moto's (which keeps header names with underscores, moto >= 5.1), reading chunked
bodies strictly (``ChunkedInput``)."""

from __future__ import annotations

from functools import cache
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from .chunked import ChunkedInput


@cache
def request_handler() -> type[WSGIRequestHandler]:
    """The handler class to give werkzeug's ``run_simple`` or ``make_server``."""
    base: type[WSGIRequestHandler] = WSGIRequestHandler
    try:  # moto >= 5.1 keeps header names with underscores (S3 metadata)
        from moto.moto_server.werkzeug_app import MotoRequestHandler

        base = MotoRequestHandler
    except ImportError:  # pragma: no cover - moto 5.0
        pass

    class FirehoseSSERequestHandler(base):  # type: ignore[valid-type,misc]
        def make_environ(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().make_environ()
            if environ.get("wsgi.input_terminated"):  # werkzeug found a chunked body
                environ["wsgi.input"] = ChunkedInput(self.rfile)
            return environ

    return FirehoseSSERequestHandler
