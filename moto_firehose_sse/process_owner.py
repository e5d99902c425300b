"""One owner of the plugin's process-wide state at a time: a ``ThreadedFirehoseSSEServer``, or
``mock_firehose_sse`` (nested as deep as wanted).

moto's data, its state manager's transitions and the plugin's rules live once per process.
Two servers, or a server and a ``mock_firehose_sse``, running at once in one process would mix
them silently: a server's stop undoing the other's transitions, a mock's start wiping a
server's data and inheriting its transitions. So starting the second raises ``RuntimeError``
naming the one running; stop it first, or run the second server in another process
(``moto-firehose-sse-server``). Plain ``mock_aws`` and the session switch (``--firehose-sse``)
are not owners: they share moto with a server, as with ``ThreadedMotoServer``.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_server: object | None = None  # the running ThreadedFirehoseSSEServer
_mocks: list[object] = []  # the controllers of the mock_firehose_sse starts not stopped yet


def claim_for_server(server: object) -> None:
    """Register ``server`` as starting; ``RuntimeError`` if a server or a mock is running."""
    global _server
    with _lock:
        if _server is not None:
            raise RuntimeError(
                f"Can't start {type(server).__name__}: {_server!r} is running in this process. "
                "moto's data and transitions are process-wide, so two servers in one process "
                "would mix their settings and transitions; stop() it first, or run the second "
                "server in another process (moto-firehose-sse-server)."
            )
        if _mocks:
            raise RuntimeError(
                f"Can't start {type(server).__name__} inside an active mock_firehose_sse "
                f"({_mocks[-1]!r}): they would share moto's data and transitions. Stop the mock "
                "first, or run the server in another process (moto-firehose-sse-server)."
            )
        _server = server


def release_server(server: object) -> None:
    """``server`` has stopped (or failed to start)."""
    global _server
    with _lock:
        if _server is server:
            _server = None


def claim_for_mock(controller: object) -> None:
    """Register a ``mock_firehose_sse`` start; ``RuntimeError`` while a server runs."""
    with _lock:
        if _server is not None:
            raise RuntimeError(
                f"Can't start mock_firehose_sse while {_server!r} runs in this process: the "
                "mock would reset the server's data and share its transitions. Call the "
                "server's endpoint_url from this test instead, or stop() the server first."
            )
        _mocks.append(controller)


def release_mock(controller: object) -> None:
    """A ``mock_firehose_sse`` start has stopped."""
    with _lock:
        for index in range(len(_mocks) - 1, -1, -1):
            if _mocks[index] is controller:
                del _mocks[index]
                return
