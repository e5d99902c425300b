"""Run a command and say what it is doing: nox runs long steps (pip installs, mypy) through
this, so that no stretch of CI output is silent for more than ~20 seconds.

    python .ci/progress.py [--pip] [--every SECONDS] -- COMMAND [ARGS...]

The command's output is passed on line by line; after SECONDS (default 20) without a line,
a line says the command is still running and for how long. With ``--pip`` only pip's lines
about what it fetches and installs are passed on (``Collecting``, ``Building``, ``Installing``,
``Successfully``, warnings and errors), not the ``Requirement already satisfied`` flood. The
exit status is the command's.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

PIP_LINES = (
    "Collecting",
    "Building",
    "Installing",
    "Successfully",
    "Created wheel",
    "WARNING",
    "ERROR",
    "error",
)
# A warning of every package looked up where pip's configuration names a missing index.
PIP_NOISE = "is ignored: it is neither a file nor a directory"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pip", action="store_true", help="pass on pip's progress lines only")
    parser.add_argument("--every", type=float, default=20.0, help="seconds of silence")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("no command")
    if command[0] == "python":  # the interpreter running this script (a nox session's)
        command[0] = sys.executable
    shown = [Path(command[0]).name, *(arg.strip().split("\n")[0][:40] for arg in command[1:4])]
    name = " ".join(shown) + (" ..." if len(command) > 4 else "")
    started = time.monotonic()
    last = [started]
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            sys.stdout.write(line)
            sys.stdout.flush()
            last[0] = time.monotonic()

    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(1.0):
            now = time.monotonic()
            if now - last[0] >= options.every:
                say(f"  ... still running after {now - started:.0f} s: {name}\n")

    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
    )
    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    assert process.stdout is not None
    for line in process.stdout:
        if not options.pip or (line.lstrip().startswith(PIP_LINES) and PIP_NOISE not in line):
            say(line)
    code = process.wait()
    done.set()
    beat.join()
    say(f"  ({name}: {time.monotonic() - started:.0f} s)\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
