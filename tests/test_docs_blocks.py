"""Every code block of README.md and docs/**/*.md runs, one test per block.

The convention the pages are written to:

- a ```python block is a complete program, run alone in a fresh process; if it defines
  ``test_*`` functions it is run with pytest instead. It must pass.
- a ```console block: each line starting with ``$ `` is a command (a line ending in ``\\`` goes
  on to the next). The commands run in order in one shell, in a fresh directory holding a small
  moto suite (``test_streams.py``), with this environment's executables first on ``PATH``; each
  must succeed. The other lines are output, shown to the reader and not compared.
- an ```ini or ```toml block is written into a fresh project (``pytest.ini``, ``setup.cfg`` for
  ``[tool:pytest]``, ``pyproject.toml``) beside the same suite, and pytest must accept it and
  pass; a block that switches the plugin on must show the switch in pytest's header.
- a block preceded by a line ``<!-- not-run: REASON -->`` is not run (the test says why).

The programs run as a new user would run them: no AWS credentials, region or config files from
this machine, and a dead proxy for anything that tries to leave it.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .moto_bugs import CLOUDWATCH_UNREADABLE

ROOT = Path(__file__).resolve().parent.parent
RUN_LANGUAGES = {
    "python": "python",
    "py": "python",
    "console": "console",
    "ini": "ini",
    "toml": "toml",
}
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(?P<reason>.*?)\s*-->")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
TIMEOUT = 180
PLUGIN = "moto_firehose_sse.pytest_plugin"  # the pytest11 entry point's module

SUITE = """\
import boto3
from moto import mock_aws


@mock_aws
def test_a_stream_can_be_encrypted():
    firehose = boto3.client("firehose", region_name="us-east-1")
    firehose.create_delivery_stream(
        DeliveryStreamName="orders",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::orders",
        },
    )
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="orders",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )
    for _ in range(5):  # plain moto: ENABLED at once; the plugin's strict preset: one Describe later
        description = firehose.describe_delivery_stream(DeliveryStreamName="orders")
        status = description["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"]
        if status["Status"] == "ENABLED":
            break
    assert status["Status"] == "ENABLED"
"""


@dataclass(frozen=True)
class Block:
    path: str  # relative to the repository
    line: int  # of the opening fence, 1-based
    language: str  # python, console, ini or toml
    code: str
    not_run: str | None  # the reason, when marked

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


def blocks_of(path: Path, root: Path = ROOT) -> list[Block]:
    """The runnable blocks of one markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], opening["indent"]
        info = opening["info"].strip().split()
        language = info[0].lstrip(".").lower() if info else ""
        end = index + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(fence[0] * len(fence))
            and lines[end].strip().strip(fence[0]) == ""
        ):
            end += 1
        body = [
            line[len(indent) :] if line.startswith(indent) else line
            for line in lines[index + 1 : end]
        ]
        if language in RUN_LANGUAGES:
            previous = index - 1
            while previous >= 0 and not lines[previous].strip():
                previous -= 1
            marker = NOT_RUN.search(lines[previous]) if previous >= 0 else None
            found.append(
                Block(
                    path=path.relative_to(root).as_posix(),
                    line=index + 1,
                    language=RUN_LANGUAGES[language],
                    code="\n".join(body) + "\n",
                    not_run=None if marker is None else marker["reason"],
                )
            )
        index = end + 1
    return found


def all_blocks() -> list[Block]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [block for page in pages if page.is_file() for block in blocks_of(page)]


BLOCKS = all_blocks()

# mutmut runs the tests from a copy without the pages, and they would only slow it down.
pytestmark = pytest.mark.skipif(
    "MUTANT_UNDER_TEST" in os.environ, reason="documentation blocks are not run under mutmut"
)


def clean_environment(home: Path) -> dict[str, str]:
    """This process's environment as a new user's machine has it: no AWS settings or files,
    no switch of the plugin, nothing of the pytest run around it, no way out."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "MOTO_", "PYTEST_", "HYPOTHESIS_"))
        and name not in ("COV_CORE_SOURCE", "PYTHONPATH")
    }
    env.update(
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


# pytest for python, ini and toml blocks: this package's plugin only, loaded by the module its
# entry point names. The other plugins of the environment (hypothesis, xdist, time-machine)
# take two thirds of a block's run and are no part of what a block shows.
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", PLUGIN]


def run(command: list[str], where: Path, autoload: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in its own process group; whatever it left running is stopped after it."""
    env = clean_environment(where)
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # files, not pipes: a background server (`... &`) holding a pipe would keep us waiting
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            command,
            cwd=where,
            env=env,
            stdout=stdout,
            stderr=stderr,
            text=True,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            returncode = process.wait(timeout=TIMEOUT)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stdout.seek(0)
        stderr.seek(0)
        return subprocess.CompletedProcess(command, returncode, stdout.read(), stderr.read())


def defines_tests(code: str) -> bool:
    return (
        re.search(r"^\s*(async\s+)?def test_\w*\(|^class Test\w*", code, re.MULTILINE) is not None
    )


def commands(code: str) -> list[str]:
    """The ``$ `` commands of a console block, continuation lines joined."""
    found: list[str] = []
    lines = code.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("$ "):
            command = line[2:]
            while command.rstrip().endswith("\\") and index + 1 < len(lines):
                index += 1
                command = command.rstrip()[:-1].rstrip() + " " + lines[index].strip()
            found.append(command)
        index += 1
    return found


def explain(block: Block, result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"{block.id} ({block.language}) exited {result.returncode}\n--- block ---\n{block.code}"
        f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
    )


def test_the_pages_have_blocks_to_run() -> None:
    # The collection itself must find the pages: a parser that finds nothing passes nothing.
    assert len([b for b in BLOCKS if b.not_run is None]) >= 30
    assert {b.language for b in BLOCKS} >= {"python", "console", "ini", "toml"}


def test_every_not_run_marker_gives_a_reason() -> None:
    assert [b.id for b in BLOCKS if b.not_run is not None and len(b.not_run) < 10] == []


def problem(block: Block, where: Path) -> str | None:
    """Run one block in the fresh directory ``where``: None if it passes, else what went wrong."""
    if block.language == "python":
        if defines_tests(block.code):
            (where / "test_block.py").write_text(block.code)
            (where / "pytest.ini").write_text("[pytest]\n")
            result = run([*PYTEST, "-q", "test_block.py"], where, autoload=False)
        else:
            (where / "block.py").write_text(block.code)
            result = run([sys.executable, "block.py"], where)
        return None if result.returncode == 0 else explain(block, result)
    (where / "test_streams.py").write_text(SUITE)
    if block.language == "console":
        script = commands(block.code)
        if not script:
            return f"{block.id}: a console block without a `$ ` command"
        (where / "pytest.ini").write_text("[pytest]\n")
        result = run(["bash", "-euo", "pipefail", "-c", "\n".join(script)], where)
        return None if result.returncode == 0 else explain(block, result)
    if block.language == "toml":
        name = "pyproject.toml"
    elif "[tool:pytest]" in block.code:
        name = "setup.cfg"
    else:
        name = "pytest.ini"
    (where / name).write_text(textwrap.dedent(block.code))
    result = run(PYTEST, where, autoload=False)
    if result.returncode != 0 or "1 passed" not in result.stdout:
        return explain(block, result)
    switched = re.search(r"firehose_sse\s*=\s*\"?(strict|compat)", block.code)
    if switched and f"preset {switched[1]} (from the ini option" not in result.stdout:
        return f"the switch is not on\n{explain(block, result)}"
    return None


@pytest.mark.parametrize(
    "block",
    [
        # a block that reads moto's CloudWatch meets moto 5.0's own protocol gap
        pytest.param(block, marks=CLOUDWATCH_UNREADABLE) if '"cloudwatch"' in block.code else block
        for block in BLOCKS
    ],
    ids=[block.id for block in BLOCKS],
)
def test_block(block: Block, tmp_path: Path) -> None:
    if block.not_run is not None:
        pytest.skip(f"not run: {block.not_run}")
    assert problem(block, tmp_path) is None


# The blocks issue 18 found broken in the old README, each as it was: the runner must fail them.
BROKEN = {
    "no-import-pytest": (
        "python",
        "from moto_firehose_sse import mock_firehose_sse\n\n"
        "@pytest.mark.firehose_sse(max_encryption_changes_per_day=3)\n"
        "def test_e(firehose_sse): ...\n",
    ),
    "ini-inline-comment": (
        "ini",
        "[pytest]\nfirehose_sse = compat                   # strict | compat | off (the default)\n",
    ),
    "short-session-name-and-no-region": (
        "python",
        "import boto3\nfrom moto_firehose_sse import mock_firehose_sse\n\n"
        "@mock_firehose_sse\ndef test_only_the_producer_role_may_write():\n"
        "    sts = boto3.client('sts')\n"
        "    sts.assume_role(RoleArn='arn:aws:iam::123456789012:role/producer', "
        "RoleSessionName='t')\n",
    ),
    "no-import-of-the-model-name": (
        "python",
        "from moto_firehose_sse import mock_firehose_sse\n\n"
        "with mock_firehose_sse() as sse:\n"
        "    sse.set_transition({'progression': 'immediate'}, model=DELETION_MODEL_NAME)\n",
    ),
    "a-failing-command": ("console", "$ pytest --firehose-sse=sometimes\n"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_block_fails(name: str, tmp_path: Path) -> None:
    language, code = BROKEN[name]
    assert problem(Block(f"broken/{name}.md", 1, language, code, None), tmp_path) is not None


def test_a_block_that_fails_with_a_server_in_the_background_ends_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    """A failing server-mode block fails at once; its background process does not outlive it."""
    code = "$ sleep 59.25 &\n$ echo $! > background.pid\n$ false\n"
    started = time.monotonic()
    assert problem(Block("broken/server.md", 1, "console", code, None), tmp_path) is not None
    assert time.monotonic() - started < 30  # not the runner's timeout
    pid = int((tmp_path / "background.pid").read_text())
    try:
        if Path(f"/proc/{pid}/cmdline").read_bytes() != b"sleep\x0059.25\x00":
            return  # gone, and its PID already another process's
        handle = os.pidfd_open(pid)
    except (FileNotFoundError, ProcessLookupError):
        return  # gone
    try:  # killed, it ends as soon as the kernel has delivered the signal
        ended, _, _ = select.select([handle], [], [], 10)
    finally:
        os.close(handle)
    assert ended, "the block's background process outlived it"


def test_blocks_are_read_as_the_convention_says(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Text.\n\n```python\nprint(1)\n```\n\n<!-- not-run: needs a browser of its own -->\n\n"
        "```console\n$ echo a \\\n    b\noutput\n$ true\n```\n\n"
        "- in a list:\n\n    ```ini\n    [pytest]\n    ```\n\n"
        "```json\n{}\n```\n\n````toml\n[tool.pytest.ini_options]\n```\n````\n"
    )
    found = blocks_of(page, root=tmp_path)
    assert [(b.line, b.language, b.not_run) for b in found] == [
        (3, "python", None),
        (9, "console", "needs a browser of its own"),
        (18, "ini", None),
        (26, "toml", None),
    ]
    assert found[0].code == "print(1)\n"
    assert commands(found[1].code) == ["echo a b", "true"]
    assert found[2].code == "[pytest]\n"
    assert found[3].code == "[tool.pytest.ini_options]\n```\n"
    assert defines_tests("async def test_x():\n    pass\n")
    assert not defines_tests("def helper_test_x():\n    pass\n")


def test_blocks_load_the_plugin_the_entry_point_names() -> None:
    from importlib.metadata import entry_points

    names = {point.name: point.value for point in entry_points(group="pytest11")}
    assert names.get("firehose_sse") == PLUGIN
