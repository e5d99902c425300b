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

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

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


def blocks_of(path: Path) -> list[Block]:
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
                    path=path.relative_to(ROOT).as_posix(),
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


def run(command: list[str], where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=where,
        env=clean_environment(where),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


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
                command = command.rstrip()[:-1] + " " + lines[index].strip()
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


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_block(block: Block, tmp_path: Path) -> None:
    if "MUTANT_UNDER_TEST" in os.environ:
        pytest.skip("documentation blocks are not run under mutation testing")
    if block.not_run is not None:
        pytest.skip(f"not run: {block.not_run}")
    if block.language == "python":
        if defines_tests(block.code):
            (tmp_path / "test_block.py").write_text(block.code)
            (tmp_path / "pytest.ini").write_text("[pytest]\n")
            result = run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_block.py"],
                tmp_path,
            )
        else:
            (tmp_path / "block.py").write_text(block.code)
            result = run([sys.executable, "block.py"], tmp_path)
        assert result.returncode == 0, explain(block, result)
    elif block.language == "console":
        script = commands(block.code)
        assert script, f"{block.id}: a console block without a `$ ` command"
        (tmp_path / "test_streams.py").write_text(SUITE)
        (tmp_path / "pytest.ini").write_text("[pytest]\n")
        result = run(["bash", "-euo", "pipefail", "-c", "\n".join(script)], tmp_path)
        assert result.returncode == 0, explain(block, result)
    else:
        (tmp_path / "test_streams.py").write_text(SUITE)
        if block.language == "toml":
            name = "pyproject.toml"
        elif "[tool:pytest]" in block.code:
            name = "setup.cfg"
        else:
            name = "pytest.ini"
        (tmp_path / name).write_text(textwrap.dedent(block.code))
        result = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], tmp_path)
        assert result.returncode == 0, explain(block, result)
        assert "1 passed" in result.stdout, explain(block, result)
        switched = re.search(r"firehose_sse\s*=\s*\"?(strict|compat)", block.code)
        if switched:
            assert f"preset {switched[1]} (from the ini option" in result.stdout, explain(
                block, result
            )
