"""What moto-firehose-sse costs on top of plain moto.

Run from the repository root: ``python benchmarks/bench.py`` (about a minute; no network).

Every figure is CPU time (``time.process_time``), so other work on the machine moves it less
than wall time. Plugin and plain moto run in the same process, in short blocks alternated
in ABBA order (plugin, moto, moto, plugin; then moto, plugin, plugin, moto; ...), and a
ratio is taken per round of four blocks: drift in machine speed hits both sides alike.

Prints each target as PASS/FAIL with its figure; exits 1 if any target fails, so it can be
used as a check. It is not part of the test suite.
"""

from __future__ import annotations

import functools
import gc
import inspect
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from unittest import mock

try:
    import resource  # CPU time of child processes (Unix)
except ImportError:  # pragma: no cover - Windows: wall time
    resource = None  # type: ignore[assignment]

for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[_name] = _value

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3  # noqa: E402
import moto  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto import mock_aws  # noqa: E402

from moto_firehose_sse import DELETION_MODEL_NAME, mock_firehose_sse  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
BIG_REGION = "eu-west-1"
BUCKET = "firehose-sse-bench"
DESTINATION = {
    "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose",
    "BucketARN": f"arn:aws:s3:::{BUCKET}",
}
AWS_OWNED = {"KeyType": "AWS_OWNED_CMK"}
RECORD = {"Data": b"x" * 100}
BATCH = [RECORD] * 50
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})

ROUNDS = 40  # ABBA rounds of the workload (4 blocks each)
STREAMS_PER_BLOCK = 6
ENTER_ROUNDS = 16
ENTERS_PER_BLOCK = 15
IMPORT_RUNS = 11
SCALE_STREAMS = 10_000
SCALE_ROUNDS = 12
MEMORY_STREAMS = 2_000
OWN_WORK_STREAMS = 200
OWN_WORK_ROUNDS = 3

Mock = Callable[[], AbstractContextManager[Any]]
SIDES: dict[str, Mock] = {"plugin": mock_firehose_sse, "moto": mock_aws}
_results: list[tuple[str, bool, str]] = []


def clients(region: str = REGION) -> tuple[Any, Any, Any]:
    """Firehose, S3 and KMS clients (no retries: each call reaches the mock once)."""
    firehose, s3, kms = (
        boto3.client(service, region_name=region, config=NO_RETRIES)
        for service in ("firehose", "s3", "kms")
    )
    return firehose, s3, kms


FIREHOSE, S3, KMS = clients()


def target(name: str, ok: bool, figure: str) -> None:
    _results.append((name, ok, figure))
    print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {figure}")


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def spread(values: list[float]) -> str:
    q1, median, q3 = quartiles(values)
    return (
        f"median {median:.3f} (IQR {q1:.3f}-{q3:.3f}, min-max {min(values):.3f}-"
        f"{max(values):.3f}, {len(values)} rounds)"
    )


def abba(rounds: int, a: str = "plugin", b: str = "moto") -> Iterator[tuple[int, list[str]]]:
    """Rounds of four blocks: a, b, b, a; then b, a, a, b; and so on."""
    for index in range(rounds):
        first, second = (a, b) if index % 2 == 0 else (b, a)
        yield index, [first, second, second, first]


# 1. The workload -----------------------------------------------------------------------

OPERATIONS = ("Create", "Start", "Describe", "PutRecord", "PutRecordBatch", "Stop", "Describe2")


Calls = dict[str, list[float]]
"""CPU seconds of each call, by operation."""


def new_calls() -> Calls:
    return {op: [] for op in OPERATIONS}


def workload(
    firehose: Any, names: list[str], calls: Calls, key: dict[str, str] = AWS_OWNED
) -> None:
    """Create the streams, then per stream: Start, Describe, PutRecord, PutRecordBatch of
    50 records, Stop, Describe. Each call's CPU time goes to ``calls``."""

    def timed(operation: str, call: Callable[..., Any], **kwargs: Any) -> Any:
        started = time.process_time()
        result = call(**kwargs)
        calls[operation].append(time.process_time() - started)
        return result

    for name in names:
        timed(
            "Create",
            firehose.create_delivery_stream,
            DeliveryStreamName=name,
            ExtendedS3DestinationConfiguration=DESTINATION,
        )
    for name in names:
        timed(
            "Start",
            firehose.start_delivery_stream_encryption,
            DeliveryStreamName=name,
            DeliveryStreamEncryptionConfigurationInput=key,
        )
        timed("Describe", firehose.describe_delivery_stream, DeliveryStreamName=name)
        timed("PutRecord", firehose.put_record, DeliveryStreamName=name, Record=RECORD)
        timed("PutRecordBatch", firehose.put_record_batch, DeliveryStreamName=name, Records=BATCH)
        timed("Stop", firehose.stop_delivery_stream_encryption, DeliveryStreamName=name)
        timed("Describe2", firehose.describe_delivery_stream, DeliveryStreamName=name)


def workload_cost(calls: Calls) -> float:
    """One pass of the workload per stream: the sum over operations of the median call.

    Medians, not totals: a call slowed by other work on the machine moves a total, not
    a median.
    """
    return sum(statistics.median(values) for values in calls.values())


def check_same_work(side: str, names: list[str]) -> None:
    """Both sides delivered every put to S3, and the plugin side shows the SSE rules."""
    delivered = S3.list_objects_v2(Bucket=BUCKET)["KeyCount"]
    if delivered != 2 * len(names):
        raise SystemExit(f"{side}: {delivered} S3 objects for {len(names)} streams")
    if side == "plugin":
        block = FIREHOSE.describe_delivery_stream(DeliveryStreamName=names[0])
        status = block["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"]
        if status["Status"] != "DISABLED":
            raise SystemExit(f"plugin side: unexpected final status {status}")


def bench_workload() -> None:
    print(
        "\n== Workload: create, then Start, Describe, PutRecord, PutRecordBatch(50), Stop, Describe"
    )
    names = [f"bench-{i}" for i in range(STREAMS_PER_BLOCK)]
    every: dict[str, Calls] = {side: new_calls() for side in SIDES}
    ratios, total_ratios = [], []
    for index, order in abba(ROUNDS + 1):
        calls = {side: new_calls() for side in SIDES}
        spent = dict.fromkeys(SIDES, 0.0)
        for side in order:
            with SIDES[side]():
                S3.create_bucket(Bucket=BUCKET)
                gc.collect()
                started = time.process_time()
                workload(FIREHOSE, names, calls[side])
                spent[side] += time.process_time() - started
                check_same_work(side, names)
        if index == 0:
            continue  # the first round warms up both sides
        ratios.append(workload_cost(calls["plugin"]) / workload_cost(calls["moto"]))
        total_ratios.append(spent["plugin"] / spent["moto"])
        for side in SIDES:
            for op in OPERATIONS:
                every[side][op] += calls[side][op]
    print(
        f"  {len(names) * len(OPERATIONS)} calls per block, {len(ratios)} ABBA rounds; "
        "median CPU time per call:"
    )
    print(f"  {'operation':<16}{'moto':>10}{'plugin':>10}{'ratio':>8}")
    for op in OPERATIONS:
        plain = statistics.median(every["moto"][op]) * 1e6
        ours = statistics.median(every["plugin"][op]) * 1e6
        print(f"  {op:<16}{plain:>8.0f}us{ours:>8.0f}us{ours / plain:>8.3f}")
    print(f"  block totals, plugin/moto: {spread(total_ratios)}")
    target(
        "per-call ratio plugin/moto <= 1.05 (per round: sum of median calls)",
        quartiles(ratios)[1] <= 1.05,
        spread(ratios),
    )


LOG_ROUNDS = 20  # ABBA rounds of the customer-key workload, key-event log on and off


def prefill_key_events(count: int) -> None:
    """Fill the active mock's key-event log to ``count`` events (a long suite's steady state:
    each new event then drops the oldest)."""
    from moto_firehose_sse import key_events

    arn = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/earlier"
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/earlier"
    for _ in range(count):
        key_events.record("GenerateDataKey", arn, key)


def bench_key_event_log() -> None:
    """The workload with a customer managed key, whose every KMS call is a key event (rule 48):
    the log on (``max_key_events`` at its default, full from the start) against off (0)."""
    print("\n== Workload with a customer managed key: key-event log on (full, 10,000) vs off (0)")
    names = [f"log-{i}" for i in range(STREAMS_PER_BLOCK)]
    sides = {"on": 10_000, "off": 0}
    every: dict[str, Calls] = {side: new_calls() for side in sides}
    ratios, kept = [], 0
    for index, order in abba(LOG_ROUNDS + 1, "on", "off"):
        calls = {side: new_calls() for side in sides}
        for side in order:
            with mock_firehose_sse(max_key_events=sides[side]) as sse:
                S3.create_bucket(Bucket=BUCKET)
                cmk = {
                    "KeyType": "CUSTOMER_MANAGED_CMK",
                    "KeyARN": KMS.create_key()["KeyMetadata"]["Arn"],
                }
                prefill_key_events(sides[side])
                gc.collect()
                workload(FIREHOSE, names, calls[side], key=cmk)
                check_same_work("plugin", names)
                if side == "on":
                    kept = len(sse.key_events())
        if index == 0:
            continue
        ratios.append(workload_cost(calls["on"]) / workload_cost(calls["off"]))
        for side in sides:
            for op in OPERATIONS:
                every[side][op] += calls[side][op]
    print(f"  {'operation':<16}{'log off':>10}{'log on':>10}{'ratio':>8}")
    for op in OPERATIONS:
        off = statistics.median(every["off"][op]) * 1e6
        on = statistics.median(every["on"][op]) * 1e6
        print(f"  {op:<16}{off:>8.0f}us{on:>8.0f}us{on / off:>8.3f}")
    print(f"  events kept with the log on: {kept:,} (max_key_events 10,000)")
    target(
        "per-call ratio key-event log on/off <= 1.05 (customer managed key, log full)",
        quartiles(ratios)[1] <= 1.05 and kept == 10_000,
        spread(ratios),
    )


def backend_steps(b: Any) -> list[tuple[str, Callable[[str], Any]]]:
    """The workload's operations as direct calls on the backend ``b``."""
    return [
        ("Create", lambda name: backend_create(b.region_name, name)),
        ("Start", lambda name: b.start_delivery_stream_encryption(name, dict(AWS_OWNED))),
        ("Describe", b.describe_delivery_stream),
        ("PutRecord", lambda name: b.put_record(name, RECORD)),
        ("PutRecordBatch", lambda name: b.put_record_batch(name, BATCH)),
        ("Stop", b.stop_delivery_stream_encryption),
        ("Describe2", b.describe_delivery_stream),
    ]


def bench_own_work() -> None:
    """The same calls straight on the backend: the plugin's own work, without botocore's."""
    print("\n== The plugin's own work: the workload's calls on the backend, no botocore")
    from moto.firehose.models import DeliveryStream

    names = [f"own-{i}" for i in range(OWN_WORK_STREAMS)]
    costs: dict[tuple[str, str], list[float]] = {}
    for _, order in abba(OWN_WORK_ROUNDS):
        for side in order:
            quota = DeliveryStream.__dict__["MAX_STREAMS_PER_REGION"]
            with (
                mock_firehose_sse(max_streams_per_region=len(names))
                if side == "plugin"
                else mock_aws()
            ):
                DeliveryStream.MAX_STREAMS_PER_REGION = len(names)
                try:
                    S3.create_bucket(Bucket=BUCKET)
                    steps = backend_steps(backend(REGION))
                    gc.collect()
                    for op, step in steps:
                        started = time.process_time()
                        for name in names:
                            step(name)
                        spent = (time.process_time() - started) / len(names)
                        costs.setdefault((side, op), []).append(spent)
                finally:
                    if side == "moto":
                        DeliveryStream.MAX_STREAMS_PER_REGION = quota
    print(f"  {'operation':<16}{'moto':>10}{'plugin':>10}{'added':>10}")
    for op in OPERATIONS:
        plain = statistics.median(costs["moto", op]) * 1e6
        ours = statistics.median(costs["plugin", op]) * 1e6
        print(f"  {op:<16}{plain:>8.1f}us{ours:>8.1f}us{ours - plain:>+8.1f}us")


# 2. Mock enter + exit --------------------------------------------------------------------


def bench_enter_exit() -> None:
    print("\n== Mock enter+exit: `with mock_firehose_sse(): pass` vs `with mock_aws(): pass`")
    ratios = []
    costs: dict[str, list[float]] = {side: [] for side in SIDES}
    for index, order in abba(ENTER_ROUNDS + 1):
        spent = dict.fromkeys(SIDES, 0.0)
        for side in order:
            make = SIDES[side]
            gc.collect()
            started = time.process_time()
            for _ in range(ENTERS_PER_BLOCK):
                with make():
                    pass
            spent[side] += time.process_time() - started
        if index > 0:
            ratios.append(spent["plugin"] / spent["moto"])
            for side, value in spent.items():
                costs[side].append(value / (2 * ENTERS_PER_BLOCK))
    print(
        f"  moto {statistics.median(costs['moto']) * 1e3:.2f} ms, plugin "
        f"{statistics.median(costs['plugin']) * 1e3:.2f} ms per enter+exit"
    )
    target("enter+exit ratio plugin/moto <= 1.05", quartiles(ratios)[1] <= 1.05, spread(ratios))


# 3. Import time --------------------------------------------------------------------------

_IMPORT_SPLIT = """
import time
t0 = time.process_time()
import moto
t1 = time.process_time()
from moto_firehose_sse import mock_firehose_sse
t2 = time.process_time()
print(t1 - t0, t2 - t1)
"""

_IMPORT_ALONE = """
import time, sys
import pytest  # loaded before pytest loads its plugins
t0 = time.process_time()
import moto_firehose_sse, moto_firehose_sse.pytest_plugin
t1 = time.process_time()
print(t1 - t0, int("moto" in sys.modules))
"""

_FIRST_USE = """
import os, time
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
import boto3, moto
{imports}
client = boto3.client("firehose", region_name="us-east-1")
t0 = time.process_time()
with {mock}():
    client.list_delivery_streams()
print(time.process_time() - t0)
"""


def run_python(code: str) -> list[float]:
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    return [float(x) for x in out.split()]


def bench_import() -> None:
    print("\n== Import time (fresh interpreters, CPU time)")
    run_python(_IMPORT_SPLIT)  # compiled files in place
    splits = [run_python(_IMPORT_SPLIT) for _ in range(IMPORT_RUNS)]
    moto_ms = statistics.median(s[0] for s in splits) * 1e3
    added = [s[1] * 1e3 for s in splits]
    alone = [run_python(_IMPORT_ALONE) for _ in range(5)]
    print(f"  import moto: {moto_ms:.0f} ms (median of {IMPORT_RUNS})")
    print(
        f"  import moto_firehose_sse + its pytest plugin (pytest loaded, moto not): "
        f"{statistics.median(a[0] for a in alone) * 1e3:.1f} ms; imports moto: "
        f"{'yes' if any(a[1] for a in alone) else 'no'}"
    )
    first: dict[str, list[float]] = {"moto": [], "plugin": []}
    for index in range(4):
        for side in ("moto", "plugin") if index % 2 == 0 else ("plugin", "moto"):
            code = _FIRST_USE.format(
                imports="from moto_firehose_sse import mock_firehose_sse"
                if side == "plugin"
                else "",
                mock="mock_firehose_sse" if side == "plugin" else "moto.mock_aws",
            )
            first[side].append(run_python(code)[0] * 1e3)
    print(
        f"  first mock + first Firehose call in a fresh process: moto "
        f"{statistics.median(first['moto']):.0f} ms, plugin {statistics.median(first['plugin']):.0f} ms"
    )
    q1, median, q3 = quartiles(added)
    target(
        "from moto_firehose_sse import mock_firehose_sse adds <= 30 ms to import moto",
        median <= 30,
        f"median {median:.1f} ms (IQR {q1:.1f}-{q3:.1f}, {IMPORT_RUNS} runs)",
    )


# 3b. The pytest start of a suite that doesn't use the plugin ----------------------------------

PYTEST_START_RUNS = 8  # per side, alternated ABBA

# 20 tests that never touch moto; the last checks that nothing loaded moto or boto3.
_MOTO_FREE_SUITE = """
import sys

import pytest


@pytest.mark.parametrize("n", range(19))
def test_arithmetic(n):
    assert n + n == 2 * n


def test_nothing_loaded_moto():
    assert "moto" not in sys.modules and "boto3" not in sys.modules
"""


def pytest_start(directory: Path, *args: str) -> tuple[float, float]:
    """One ``pytest`` run of the suite in ``directory``: its CPU time and wall time (s)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MOTO_FIREHOSE_SSE", "PYTEST_ADDOPTS")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN) if resource else None
    wall = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        env=env,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - wall
    if resource is None or before is None:
        return wall, wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return cpu, wall


def bench_pytest_start() -> None:
    print("\n== pytest start of a 20-test suite without moto (fresh processes)")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "pytest.ini").write_text("[pytest]\n")
        (directory / "test_moto_free.py").write_text(_MOTO_FREE_SUITE)
        sides = {"plugin": (), "without": ("-p", "no:firehose_sse")}
        pytest_start(directory)  # compiled files in place
        runs: dict[str, list[tuple[float, float]]] = {"plugin": [], "without": []}
        for index in range(PYTEST_START_RUNS):
            order = ("plugin", "without") if index % 2 == 0 else ("without", "plugin")
            for side in order:
                runs[side].append(pytest_start(directory, *sides[side]))
    cpu = {side: statistics.median(r[0] for r in runs[side]) * 1e3 for side in runs}
    wall = {side: statistics.median(r[1] for r in runs[side]) * 1e3 for side in runs}
    print(
        f"  with the plugin: {cpu['plugin']:.0f} ms CPU, {wall['plugin']:.0f} ms wall; with "
        f"-p no:firehose_sse: {cpu['without']:.0f} ms CPU, {wall['without']:.0f} ms wall "
        f"(medians of {PYTEST_START_RUNS})"
    )
    added = [a[0] * 1e3 - b[0] * 1e3 for a, b in zip(runs["plugin"], runs["without"], strict=True)]
    target(
        "the plugin adds <= 20 ms to the pytest start of a suite without moto",
        cpu["plugin"] - cpu["without"] <= 20,
        f"{cpu['plugin'] - cpu['without']:.1f} ms CPU (difference of the medians; per pair "
        f"{min(added):.0f} to {max(added):.0f} ms), moto and boto3 not loaded",
    )


# 4. 10 vs 10,000 streams in a region -----------------------------------------------------


def backend(region: str) -> Any:
    from moto.firehose.models import firehose_backends

    return firehose_backends[ACCOUNT][region]


@functools.cache
def create_parameters() -> list[str]:
    """The parameters of moto's ``create_delivery_stream`` (they change between releases)."""
    from moto.firehose.models import FirehoseBackend

    return list(inspect.signature(FirehoseBackend.create_delivery_stream).parameters)[1:]


def backend_create(region: str, name: str, encryption: dict[str, Any] | None = None) -> None:
    """Create a stream straight through the backend (fast), whatever moto's signature."""
    params = create_parameters()
    args: dict[str, Any] = dict.fromkeys(params)
    args.update(
        region=region,
        delivery_stream_name=name,
        delivery_stream_type="DirectPut",
        delivery_stream_encryption_configuration_input=encryption,
        extended_s3_destination_configuration=DESTINATION,
    )
    backend(region).create_delivery_stream(*(args[p] for p in params))


def bench_scale() -> None:
    print(f"\n== Per-call cost with 10 vs {SCALE_STREAMS:,} streams in a region (plugin)")
    small, big = clients(REGION), clients(BIG_REGION)
    with mock_firehose_sse(
        max_streams_per_region=SCALE_STREAMS + 100, max_streams_per_key=SCALE_STREAMS
    ) as sse:
        # Each block deletes its streams and the next creates them again at once.
        sse.set_transition({"progression": "immediate"}, model=DELETION_MODEL_NAME)
        S3.create_bucket(Bucket=BUCKET)  # bucket names are global: one serves both regions
        keys = {
            region: kms.create_key()["KeyMetadata"]["Arn"]
            for region, (_, _, kms) in ((REGION, small), (BIG_REGION, big))
        }
        started = time.process_time()
        for region, count in ((REGION, 10), (BIG_REGION, SCALE_STREAMS)):
            cmk = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": keys[region]}
            for i in range(count):
                # a third each: no SSE, AWS owned key, customer key
                backend_create(region, f"fill-{i}", (None, AWS_OWNED, cmk)[i % 3])
        fill = time.process_time() - started
        print(f"  filled through the backend in {fill:.1f} s")
        costs: dict[str, list[float]] = {"small": [], "big": []}
        ratios = []
        names = [f"scale-{i}" for i in range(STREAMS_PER_BLOCK)]
        for index, order in abba(SCALE_ROUNDS + 1, "big", "small"):
            calls = {"small": new_calls(), "big": new_calls()}
            for side in order:
                region, (firehose, _, _) = (BIG_REGION, big) if side == "big" else (REGION, small)
                cmk = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": keys[region]}
                gc.collect()
                workload(firehose, names, calls[side], key=cmk)
                for name in names:
                    firehose.delete_delivery_stream(DeliveryStreamName=name)
            if index > 0:
                for side, values in calls.items():
                    costs[side].append(workload_cost(values) / len(OPERATIONS))
                ratios.append(costs["big"][-1] / costs["small"][-1])
        counts = {r: len(backend(r).delivery_streams) for r in (REGION, BIG_REGION)}
    print(
        f"  median call (customer managed key): {statistics.median(costs['small']) * 1e6:.0f} us "
        f"with {counts[REGION]} streams, {statistics.median(costs['big']) * 1e6:.0f} us with "
        f"{counts[BIG_REGION]:,} streams"
    )
    target(
        f"{SCALE_STREAMS:,}-stream per-call cost <= 1.1x the 10-stream cost",
        quartiles(ratios)[1] <= 1.1,
        spread(ratios),
    )


# 5. Memory and the 24-hour window --------------------------------------------------------


def traced(action: Callable[[], None]) -> int:
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    action()
    gc.collect()
    return tracemalloc.get_traced_memory()[0] - before


def cycle(region: str, names: list[str]) -> None:
    """One Start and one Stop per stream, each shown once by Describe (2 changes)."""
    b = backend(region)
    for name in names:
        b.start_delivery_stream_encryption(name, dict(AWS_OWNED))
        b.describe_delivery_stream(name)
        b.stop_delivery_stream_encryption(name)
        b.describe_delivery_stream(name)


def bench_memory() -> None:
    print(f"\n== Memory kept (tracemalloc, {MEMORY_STREAMS:,} streams)")
    from moto.firehose.models import DeliveryStream

    names = [f"mem-{i}" for i in range(MEMORY_STREAMS)]
    per_stream: dict[str, float] = {}
    per_change = 0.0

    def create_all() -> None:
        for name in names:
            backend_create(REGION, name)

    def five_cycles() -> None:
        for _ in range(5):
            cycle(REGION, names)

    tracemalloc.start()
    try:
        for side in ("moto", "plugin"):
            quota = DeliveryStream.__dict__["MAX_STREAMS_PER_REGION"]
            with (
                mock_firehose_sse(max_streams_per_region=MEMORY_STREAMS + 1)
                if side == "plugin"
                else mock_aws()
            ):
                if side == "moto":
                    DeliveryStream.MAX_STREAMS_PER_REGION = MEMORY_STREAMS + 1
                try:
                    backend_create(REGION, "warm-up")
                    per_stream[side] = traced(create_all) / len(names)
                    if side == "plugin":
                        cycle(REGION, names)
                        per_change = traced(five_cycles) / (10 * len(names))
                finally:
                    DeliveryStream.MAX_STREAMS_PER_REGION = quota
    finally:
        tracemalloc.stop()
    print(
        f"  per stream: moto keeps {per_stream['moto']:.0f} B, with the plugin "
        f"{per_stream['plugin']:.0f} B (+{per_stream['plugin'] - per_stream['moto']:.0f} B)"
    )
    print(f"  per accepted Start/Stop: {per_change:.0f} B (kept only while in the 24-hour window)")
    bench_key_event_memory()


def bench_key_event_memory() -> None:
    """What a full key-event log keeps, and that it stays full, not longer."""
    from moto_firehose_sse import key_events

    limit = 10_000
    arn = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/memory"
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/memory"
    with mock_firehose_sse(max_key_events=limit) as sse:
        tracemalloc.start()
        try:
            full = traced(
                lambda: [key_events.put(arn, key, None, time.time()) for _ in range(limit // 2)]
            )
            more = traced(
                lambda: [key_events.put(arn, key, None, time.time()) for _ in range(limit)]
            )
        finally:
            tracemalloc.stop()
        kept = len(sse.key_events())
    print(
        f"  key-event log: {full / limit:.0f} B per event, {full / 1e6:.1f} MB at max_key_events "
        f"{limit:,}; {2 * limit:,} events more then kept {more:+,} B"
    )
    target(
        "key-event log bounded: max_key_events kept, no growth once full",
        kept == limit and more < 0.01 * full,
        f"{kept:,} kept, {more:+,} B after {2 * limit:,} more events",
    )


def bench_window() -> None:
    print("\n== The 24-hour window: Start/Stop every 30 minutes for 5 days on one stream")
    clock = [1_700_000_000.0]
    longest = 0
    stale = 0
    accepted = refused = 0
    with mock_firehose_sse() as sse, mock.patch("time.time", lambda: clock[0]):
        FIREHOSE.create_delivery_stream(
            DeliveryStreamName="window", ExtendedS3DestinationConfiguration=DESTINATION
        )
        state = backend(REGION)._sse["window"]
        limit = sse.max_encryption_changes_per_day
        for step in range(5 * 48):
            try:
                if state.key is None:
                    FIREHOSE.start_delivery_stream_encryption(
                        DeliveryStreamName="window",
                        DeliveryStreamEncryptionConfigurationInput=AWS_OWNED,
                    )
                else:
                    FIREHOSE.stop_delivery_stream_encryption(DeliveryStreamName="window")
                accepted += 1
            except FIREHOSE.exceptions.LimitExceededException:
                refused += 1
            FIREHOSE.describe_delivery_stream(DeliveryStreamName="window")
            FIREHOSE.describe_delivery_stream(DeliveryStreamName="window")
            longest = max(longest, len(state.changes))
            stale += sum(1 for t in state.changes if t <= clock[0] - 24 * 3600)
            clock[0] += 1800 + step % 7  # not a divisor of 24 h
    print(f"  {accepted} accepted, {refused} refused (LimitExceededException); limit {limit}")
    target(
        "24-hour window keeps <= 25 entries per stream, old ones dropped",
        longest <= 25 and stale == 0 and refused > 0 and accepted > 25,
        f"at most {longest} entries, {stale} older than 24 h",
    )


# 6. Hostile key policies -----------------------------------------------------------------

POLICY_LIMIT = 32 * 1024  # AWS's largest key policy
HOSTILE_RUNS = 7
HOSTILE_STREAM = "a" * 60  # many a's: what a*a*a... patterns backtracked on


def _policy_document(*statements: dict[str, Any]) -> str:
    import json

    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow_all(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*", **fields}


def _up_to_32kb(make: Callable[[list[Any]], str], item: Callable[[int], Any]) -> str:
    """The largest document ``make(items)`` of at most 32 KB, items from ``item(index)``."""
    items: list[Any] = []
    step = 256
    while step:
        trial = items + [item(len(items) + i) for i in range(step)]
        if len(make(trial)) <= POLICY_LIMIT:
            items = trial
        else:
            step //= 2
    return make(items)


def hostile_policies() -> dict[str, str]:
    """Key policies made to be slow: the ones that backtracked, and 32 KB of the worst shapes."""
    doc, allow = _policy_document, _allow_all
    arn_part = f"arn:aws:firehose:{REGION}:{ACCOUNT}:"
    a8b = "*a" * 8 + "*b"
    return {
        "Action kms:+22 stars+x": doc(allow(Action="kms:" + "*" * 22 + "x")),
        "ArnLike *a x8 *b, stream ARN": doc(
            allow(Condition={"ArnLike": {"aws:SourceArn": arn_part + a8b}})
        ),
        "StringLike (*a x8 *b) x2": doc(
            allow(Condition={"StringLike": {"aws:SourceArn": a8b * 2}})
        ),
        "32 KB: one pattern of stars": doc(allow(Action="kms:" + "*" * (POLICY_LIMIT - 200) + "x")),
        "32 KB: many statements": _up_to_32kb(
            lambda xs: doc(*xs),
            lambda i: {**allow(Action=f"kms:*{i}*"), "Effect": "Deny", "Sid": f"S{i}"},
        ),
        "32 KB: statements with conditions": _up_to_32kb(
            lambda xs: doc(*xs),
            lambda i: allow(Condition={"StringLike": {"aws:SourceArn": f"*a*{i}*b"}}),
        ),
        "32 KB: action patterns": _up_to_32kb(
            lambda xs: doc(allow(Action=xs)), lambda i: f"kms:*{i}*Q"
        ),
        "32 KB: ? patterns": _up_to_32kb(
            lambda xs: doc(allow(Condition={"StringLike": {"aws:SourceArn": xs}})),
            lambda i: "*" + "a?" * (i % 30) + "b*",
        ),
        "32 KB: ArnLike patterns": _up_to_32kb(
            lambda xs: doc(allow(Condition={"ArnLike": {"aws:SourceArn": xs}})),
            lambda i: arn_part + "*a" * (i % 12) + "*b",
        ),
        "32 KB: grant operations": _up_to_32kb(
            lambda xs: doc(
                allow(Condition={"ForAllValues:StringLike": {"kms:GrantOperations": xs}})
            ),
            lambda i: f"?{i}*?",
        ),
        "nested past the recursion limit": doc(allow(Sid="x")).replace(
            '"x"', "[" * 5000 + "]" * 5000
        ),
    }


def bench_hostile_policies() -> None:
    print("\n== Hostile key policies: one decision (parse + evaluate), CPU time")
    from moto_firehose_sse import caller, kms, policy, wildcards

    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    stream_arn = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{HOSTILE_STREAM}"
    worst_all = 0.0
    with mock_firehose_sse():
        use = kms.Use(caller.current(ACCOUNT, REGION, "aws"), stream_arn)
        requests = [kms._request(a, key, use, False) for a in kms.ENABLE_ACTIONS] + [
            kms._request(a, key, use, True) for a in kms.GRANT_USE_ACTIONS
        ]
        print(
            f"  {'document':<36}{'bytes':>7}{'median':>10}{'worst':>10}  (of {HOSTILE_RUNS} runs)"
        )
        for name, text in hostile_policies().items():
            decisions = []
            for _ in range(HOSTILE_RUNS):
                for request in requests:  # each decision from cold caches
                    policy.parse.cache_clear()
                    wildcards.compile_pattern.cache_clear()
                    gc.collect()  # a collection of the whole process is not the policy's cost
                    started = time.process_time()
                    policy.parse(text).evaluate(request)
                    decisions.append(time.process_time() - started)
            worst = max(decisions)
            worst_all = max(worst_all, worst)
            print(
                f"  {name:<36}{len(text):>7}{statistics.median(decisions) * 1e3:>8.2f}ms"
                f"{worst * 1e3:>8.2f}ms"
            )
        firehose, _, kms_client = clients()
        creates = []
        for text in list(hostile_policies().values())[:3]:
            arn = kms_client.create_key(Policy=text)["KeyMetadata"]["Arn"]
            started = time.process_time()
            firehose.create_delivery_stream(
                DeliveryStreamName=f"hostile-{len(creates)}",
                ExtendedS3DestinationConfiguration=DESTINATION,
                DeliveryStreamEncryptionConfigurationInput={
                    "KeyType": "CUSTOMER_MANAGED_CMK",
                    "KeyARN": arn,
                },
            )
            creates.append(time.process_time() - started)
        print(
            "  CreateDeliveryStream through boto3 with the first three: "
            + ", ".join(f"{c * 1e3:.1f} ms" for c in creates)
        )
    target(
        "any key policy up to 32 KB decides in <= 10 ms (worst decision of every document)",
        worst_all <= 0.010,
        f"worst {worst_all * 1e3:.2f} ms",
    )


# -----------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {sys.version.split()[0]}, "
        f"moto {moto.__version__}, boto3 {boto3.__version__}"
    )


def main() -> int:
    started = time.perf_counter()
    print(f"moto-firehose-sse benchmark: {machine()}")
    with mock_firehose_sse():  # warm up: the plugin's modules and moto's backends load
        S3.create_bucket(Bucket=BUCKET)
        FIREHOSE.list_delivery_streams()
        KMS.list_keys()
    for section in (
        bench_workload,
        bench_key_event_log,
        bench_own_work,
        bench_enter_exit,
        bench_import,
        bench_pytest_start,
        bench_scale,
        bench_memory,
        bench_window,
        bench_hostile_policies,
    ):
        wall, cpu = time.perf_counter(), time.process_time()
        section()
        print(f"  ({time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU)")
    failed = [name for name, ok, _ in _results if not ok]
    print(
        f"\n{len(_results) - len(failed)}/{len(_results)} targets met in {time.perf_counter() - started:.0f} s"
    )
    for name in failed:
        print(f"  FAILED: {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
