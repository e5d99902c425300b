"""``ThreadedFirehoseSSEServer``: ``moto-firehose-sse-server`` in a thread of the test process.

For SDKs that can't be mocked in-process (aiobotocore, the JavaScript SDK, the AWS CLI), as
moto's ``ThreadedMotoServer`` is for plain moto.
"""

from __future__ import annotations

import threading
from typing import Any

from . import presets, process_owner, wiring
from .controller import FirehoseSSE
from .presets import Preset


class ThreadedFirehoseSSEServer:
    """moto's server with the Firehose SSE rules, in a daemon thread.

    Serves what ``moto-firehose-sse-server`` serves: every moto service, the controller under
    ``/moto-api/firehose-sse/``, moto's state manager and ``/moto-api/reset``. ``port=0``
    takes a free port (read it from ``endpoint_url``). Settings and ``preset`` as for
    ``mock_firehose_sse``; ``controller`` changes them in-process.

    ``stop()`` ends the server and undoes what ``start()`` put into moto: the rules, and the
    transitions set while it ran. moto's data stays until ``reset()`` or the next mock, as
    with ``ThreadedMotoServer``.
    """

    def __init__(
        self,
        ip_address: str = "127.0.0.1",
        port: int = 0,
        *,
        preset: Preset | None = None,
        **settings: Any,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(
                f"port must be a whole number from 0 (a free port) to 65535, not {port!r}"
            )
        if not isinstance(ip_address, str) or not ip_address:
            raise ValueError(f"ip_address must be an address to bind, not {ip_address!r}")
        self._ip_address = ip_address
        self._port = port
        self._controller = FirehoseSSE(**presets.settings(preset, settings))
        self._startup_settings = self._controller.settings()
        self._transitions = presets.transitions(preset)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._saved: wiring.SavedTransitions | None = None
        self._starting = False  # between the claim on the process and serving

    @property
    def controller(self) -> FirehoseSSE:
        """The server's settings and fault injection, as the ``firehose_sse`` fixture gives."""
        return self._controller

    @property
    def endpoint_url(self) -> str:
        """``http://HOST:PORT`` for boto3's, aiobotocore's or any SDK's ``endpoint_url``."""
        if self._server is None:
            raise RuntimeError("ThreadedFirehoseSSEServer: call start() before endpoint_url.")
        host, port = self._server.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}"

    def start(self) -> ThreadedFirehoseSSEServer:
        """Bind the port, put the rules into moto and serve in a thread; returns the server."""
        if self._server is not None:
            raise RuntimeError("ThreadedFirehoseSSEServer is already running; stop() it first.")
        from werkzeug.serving import make_server

        from .server import make_app
        from .server.serving import request_handler

        process_owner.claim_for_server(self)  # one server (or mocks) per process at a time
        self._starting = True
        saved = wiring.saved_transitions()
        self._startup_settings = self._controller.settings()  # what a reset goes back to
        try:
            app = make_app(self._controller)  # installs the rules
        except BaseException:
            self._starting = False
            process_owner.release_server(self)
            raise
        try:
            server = make_server(
                self._ip_address,
                self._port,
                app,
                threaded=True,
                request_handler=request_handler(),
            )
        except SystemExit as exc:  # werkzeug exits when it can't bind
            self._undo(saved)
            raise OSError(
                f"ThreadedFirehoseSSEServer can't listen on {self._ip_address}:{self._port} "
                "(in use, or not an address of this machine); port=0 takes a free port."
            ) from exc
        except BaseException:
            self._undo(saved)
            raise
        wiring.drop_session_transitions()  # the server follows its own preset
        wiring.set_transitions(self._transitions)
        self._saved, self._server, self._starting = saved, server, False
        self._thread = threading.Thread(
            target=server.serve_forever, name="ThreadedFirehoseSSEServer", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and undo the wiring and the transitions set while it ran."""
        server, thread, saved = self._server, self._thread, self._saved
        if server is None or saved is None:
            raise RuntimeError("ThreadedFirehoseSSEServer: stop() called before start().")
        self._server = self._thread = self._saved = None
        try:
            server.shutdown()
            server.server_close()
            if thread is not None:
                thread.join()
        finally:
            self._undo(saved)

    def reset(self) -> None:
        """What ``POST /moto-api/reset`` does: moto's data, and the settings back to start-up
        values with no pending fault and no key event."""
        from moto.core.base_backend import BackendDict
        from moto.core.model_instances import reset_model_data

        BackendDict.reset()
        reset_model_data()
        self._controller.configure(**self._startup_settings)
        self._controller.clear_faults()
        self._controller.clear_key_events()

    def _undo(self, saved: wiring.SavedTransitions) -> None:
        self._starting = False
        try:
            wiring.uninstall()
            wiring.restore_transitions(saved)
        finally:
            process_owner.release_server(self)

    def __enter__(self) -> ThreadedFirehoseSSEServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        if self._server is not None:
            where = self.endpoint_url
        elif self._starting:
            where = f"starting on {self._ip_address}:{self._port}"
        else:
            where = "not started"
        return f"ThreadedFirehoseSSEServer({where}, {self._controller!r})"
