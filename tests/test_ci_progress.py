"""``.ci/progress.py``, through which nox runs its long steps: the command's output passed on
(pip's only in part), its exit status kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRESS = Path(__file__).resolve().parent.parent / ".ci" / "progress.py"

FAKE_PIP = """
import sys
for line in [
    "Requirement already satisfied: boto3 in ./lib",
    "Collecting moto==5.2.5",
    "WARNING: Location 'file:///x/' is ignored: it is neither a file nor a directory.",
    "  Downloading moto-5.2.5-py3-none-any.whl (5 MB)",
    "Installing collected packages: moto",
    "Successfully installed moto-5.2.5",
    "ERROR: something",
]:
    print(line)
sys.exit(3)
"""


def progress(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROGRESS), *args], capture_output=True, text=True, timeout=60
    )


def test_pip_lines_are_filtered_and_the_exit_status_kept() -> None:
    result = progress("--pip", "--", "python", "-c", FAKE_PIP)
    assert result.returncode == 3
    lines = result.stdout.splitlines()
    assert lines[:-1] == [
        "Collecting moto==5.2.5",
        "Installing collected packages: moto",
        "Successfully installed moto-5.2.5",
        "ERROR: something",
    ]
    assert lines[-1].startswith("  (python -c ") and lines[-1].endswith(" s)")


def test_every_line_is_passed_on_without_pip() -> None:
    result = progress("--", "python", "-c", "import sys; print('a'); print('b', file=sys.stderr)")
    assert result.returncode == 0
    assert result.stdout.splitlines()[:2] == ["a", "b"]


def test_no_command_is_a_usage_error() -> None:
    result = progress("--")
    assert result.returncode == 2
    assert "no command" in result.stderr
