"""Concurrency: the plugin's state changes are safe under threads (issue 5; rules 12, 19, 22, 24).

Each thread has its own boto3 client; threads start together at a barrier and run bounded
loops. The same workloads run in-process and against ``moto-firehose-sse-server``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from botocore.exceptions import ClientError

from moto_firehose_sse import FirehoseSSE

from .helpers import create_stream, error_code, settle
from .kms_helpers import grants, grants_for, session_client
from .server_helpers import set_transition

RACERS = 8  # threads racing Start/Stop on one stream
ROUNDS = 10  # immediate transitions: each racer alternates Start/Stop this many times
MAX_ROUNDS = 200  # manual transitions: a racer stops at its first LimitExceeded, or here
STREAMS = 16  # threads with a stream each
LIMIT = 25  # Start/Stop calls accepted per stream per 24 hours
JOIN_TIMEOUT = 120.0
REFUSALS = {"LimitExceededException", "ResourceInUseException"}

T = TypeVar("T")


def in_threads(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(0)`` ... ``work(count - 1)`` in threads that start together; the results."""
    barrier = threading.Barrier(count)
    results: dict[int, T] = {}
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            results[index] = work(index)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    if failures:
        raise failures[0]
    return [results[index] for index in range(count)]


def clients(count: int, service: str, **kwargs: Any) -> list[Any]:
    """``count`` clients, one per thread (made here: creating clients is not thread-safe)."""
    return [session_client(service, **kwargs) for _ in range(count)]


# Workloads --------------------------------------------------------------------------------


def race(firehose: list[Any], name: str, manual: bool) -> Counter[str]:
    """Racers alternate Start and Stop on one stream; the outcomes, counted.

    With a manual transition each racer also describes the stream (which moves the transition
    on) and stops at its first LimitExceeded.
    """

    def racer(index: int) -> Counter[str]:
        api, seen = firehose[index], Counter[str]()
        for round_ in range(MAX_ROUNDS if manual else ROUNDS):
            if manual:
                api.describe_delivery_stream(DeliveryStreamName=name)
            try:
                if (index + round_) % 2:
                    api.stop_delivery_stream_encryption(DeliveryStreamName=name)
                else:
                    api.start_delivery_stream_encryption(DeliveryStreamName=name)
            except ClientError as exc:
                assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400, exc.response
                seen[error_code(exc)] += 1
                if manual and error_code(exc) == "LimitExceededException":
                    break
            else:
                seen["accepted"] += 1
        return seen

    return sum(in_threads(RACERS, racer), Counter[str]())


def check_race(seen: Counter[str], manual: bool) -> None:
    assert seen["accepted"] == LIMIT, seen
    assert set(seen) - {"accepted"} <= REFUSALS, seen
    assert seen["LimitExceededException"] >= (RACERS if manual else RACERS * ROUNDS - LIMIT)
    if not manual:
        assert sum(seen.values()) == RACERS * ROUNDS
        assert seen["ResourceInUseException"] == 0, "an immediate transition is never under way"


def encrypt_and_back(firehose: list[Any], kms: list[Any], key: dict[str, str]) -> list[str]:
    """Each thread: a stream, encryption on (customer key for even threads), puts, then off."""

    def worker(index: int) -> str:
        api, name = firehose[index], f"stream-{index}"
        arn = create_stream(api, name)
        config = {"KeyType": "AWS_OWNED_CMK"}
        if index % 2 == 0:
            config = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key["Arn"]}
        api.start_delivery_stream_encryption(
            DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=config
        )
        assert settle(api, name) == {**config, "Status": "ENABLED"}
        held = grants_for(kms[index], key["KeyId"], arn)
        assert len(held) == (1 if index % 2 == 0 else 0), held
        assert api.put_record(DeliveryStreamName=name, Record={"Data": b"x"})["Encrypted"] is True
        batch = api.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"y"}] * 3)
        assert batch["Encrypted"] is True and batch["FailedPutCount"] == 0
        api.stop_delivery_stream_encryption(DeliveryStreamName=name)
        assert settle(api, name) == {"Status": "DISABLED"}
        assert grants_for(kms[index], key["KeyId"], arn) == []
        assert api.put_record(DeliveryStreamName=name, Record={"Data": b"x"})["Encrypted"] is False
        return arn

    return in_threads(STREAMS, worker)


def check_streams(firehose: Any, kms: Any, key: dict[str, str], arns: list[str]) -> None:
    assert len(set(arns)) == STREAMS
    listed = firehose.list_delivery_streams(Limit=100)["DeliveryStreamNames"]
    assert sorted(listed) == sorted(f"stream-{i}" for i in range(STREAMS))
    assert grants(kms, key["KeyId"]) == []


# In-process -------------------------------------------------------------------------------


@pytest.mark.parametrize("manual", [False, True], ids=["immediate", "manual"])
def test_racing_start_stop_accepts_exactly_25(firehose_sse: FirehoseSSE, manual: bool) -> None:
    if not manual:
        firehose_sse.set_transition({"progression": "immediate"})
    racers = clients(RACERS, "firehose")
    create_stream(racers[0], "raced")
    check_race(race(racers, "raced", manual), manual)
    with pytest.raises(ClientError) as refused:
        racers[0].start_delivery_stream_encryption(DeliveryStreamName="raced")
    assert error_code(refused.value) == "LimitExceededException"


def test_threads_on_separate_streams_see_no_errors(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.set_transition({"progression": "immediate"})
    kms = session_client("kms")
    key = kms.create_key()["KeyMetadata"]
    arns = encrypt_and_back(clients(STREAMS, "firehose"), clients(STREAMS, "kms"), key)
    check_streams(session_client("firehose"), kms, key, arns)


# Against the server -----------------------------------------------------------------------


def remote_clients(url: str, count: int, service: str) -> list[Any]:
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return clients(count, service, endpoint_url=url, **credentials)


@pytest.mark.parametrize("manual", [False, True], ids=["immediate", "manual"])
def test_server_racing_start_stop_accepts_exactly_25(server: str, manual: bool) -> None:
    if not manual:
        set_transition(server, {"progression": "immediate"})
    racers = remote_clients(server, RACERS, "firehose")
    create_stream(racers[0], "raced")
    check_race(race(racers, "raced", manual), manual)


def test_server_threads_on_separate_streams_see_no_errors(server: str) -> None:
    set_transition(server, {"progression": "immediate"})
    kms = remote_clients(server, STREAMS, "kms")
    key = kms[0].create_key()["KeyMetadata"]
    arns = encrypt_and_back(remote_clients(server, STREAMS, "firehose"), kms, key)
    check_streams(remote_clients(server, 1, "firehose")[0], kms[0], key, arns)
