"""Entering and leaving the mock while another thread creates a backend (issue 12 item 6).

A thread creating the Firehose backend of a new region or account is held inside the
backend's ``__init__`` (moto holds its backend lock there) until the thread entering or
leaving the mock reaches moto's backend lock, or has finished. No sleeps: the order is made
with events, and a switch that doesn't wait for the backend lock finishes first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import moto
import pytest
from moto.core import base_backend
from moto.firehose.models import FirehoseBackend, firehose_backends

from moto_firehose_sse import mock_firehose_sse
from moto_firehose_sse.models import FirehoseSSEBackend

from .helpers import ACCOUNT, create_stream, sse
from .kms_helpers import OTHER_ACCOUNT, other_account_client, session_client

TIMEOUT = 60.0
NEW_REGION = "eu-west-3"


class _SpyLock:
    """moto's backend lock, telling when ``watched`` threads start waiting for it."""

    def __init__(self, lock: Any, on_wait: Callable[[], None]) -> None:
        self.lock = lock
        self.on_wait = on_wait
        self.watched: set[threading.Thread] = set()

    def acquire(self, *args: Any, **kwargs: Any) -> bool:
        if threading.current_thread() in self.watched:
            self.on_wait()
        return bool(self.lock.acquire(*args, **kwargs))

    def release(self) -> None:
        self.lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


@contextmanager
def held_backend_creation(
    account: str, region: str
) -> Iterator[tuple[threading.Event, threading.Event, _SpyLock]]:
    """A Firehose backend created for ``account``/``region`` waits in ``__init__`` for ``proceed``.

    Yields (``proceed``, the spy lock): a thread added to ``spy.watched`` sets ``proceed``
    when it asks for moto's backend lock.
    """
    inside, proceed = threading.Event(), threading.Event()
    original = FirehoseBackend.__init__

    def held_init(self: Any, region_name: str, account_id: str) -> None:
        if (account_id, region_name) == (account, region):
            inside.set()
            assert proceed.wait(TIMEOUT), "nobody let the backend creation go on"
        original(self, region_name, account_id)

    spy = _SpyLock(base_backend.backend_lock, proceed.set)
    with (
        mock.patch.object(FirehoseBackend, "__init__", held_init),
        mock.patch.object(base_backend, "backend_lock", spy),
    ):
        yield inside, proceed, spy


def thread(target: Callable[[], Any], failures: list[BaseException]) -> threading.Thread:
    def body() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    return threading.Thread(target=body, daemon=True)


def race(creating_client: Any, switch: Callable[[], Any], account: str, region: str) -> None:
    """``creating_client`` makes the backend of ``account``/``region`` while ``switch`` runs."""
    failures: list[BaseException] = []
    with held_backend_creation(account, region) as (inside, proceed, spy):
        creator = thread(creating_client.list_delivery_streams, failures)
        creator.start()
        assert inside.wait(TIMEOUT), "the backend creation did not start"

        def switch_then_proceed() -> None:
            try:
                switch()
            finally:
                proceed.set()

        switcher = thread(switch_then_proceed, failures)
        spy.watched.add(switcher)
        switcher.start()
        for started in (creator, switcher):
            started.join(TIMEOUT)
            assert not started.is_alive(), "a thread did not finish"
    if failures:
        raise failures[0]


def where(account: str) -> tuple[Any, str]:
    """A client of ``account`` in the new region (made here: client creation isn't thread-safe)."""
    if account == ACCOUNT:
        return session_client("firehose", NEW_REGION), NEW_REGION
    return other_account_client("firehose", account, NEW_REGION), NEW_REGION


@pytest.mark.parametrize("account", [ACCOUNT, OTHER_ACCOUNT], ids=["new-region", "new-account"])
def test_entering_while_a_backend_is_created_gives_it_the_rules(account: str) -> None:
    with moto.mock_aws():
        firehose, region = where(account)
        session_client("firehose").list_delivery_streams()  # the home account exists
        mock = mock_firehose_sse()
        race(firehose, mock.start, account, region)
        try:
            assert type(firehose_backends[account][region]) is FirehoseSSEBackend
            create_stream(firehose, "late")
            assert sse(firehose, "late") == {"Status": "DISABLED"}  # the plugin's answer
        finally:
            mock.stop()


@pytest.mark.parametrize("account", [ACCOUNT, OTHER_ACCOUNT], ids=["new-region", "new-account"])
def test_leaving_while_a_backend_is_created_gives_plain_moto_back(account: str) -> None:
    with moto.mock_aws():
        firehose, region = where(account)
        mock = mock_firehose_sse()
        mock.start()
        session_client("firehose").list_delivery_streams()
        race(firehose, mock.stop, account, region)
        assert type(firehose_backends[account][region]) is FirehoseBackend
        create_stream(firehose, "late")
        assert sse(firehose, "late") is None  # plain moto: no block for a never-encrypted stream
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="late",
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
        )
        assert sse(firehose, "late") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
