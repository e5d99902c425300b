"""Checks of moto-firehose-sse: `nox` runs them all, `nox -s example` runs the example."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.sessions = ["lint", "typing", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

# The oldest and the newest moto release supported (pyproject pins the range).
MOTO_VERSIONS = ["5.0.28", "5.2.5"]


@nox.session
def example(session: nox.Session) -> None:
    """Run the README's example end to end."""
    session.install("-e", ".")
    session.run("python", "examples/ensure_encrypted.py")


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.4")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    session.install("-e", ".[test]", "mypy>=1.8", "typing_extensions>=4.6")
    # The package, and the public API's types as users see them (tests/typing).
    session.run("mypy", "--strict", "moto_firehose_sse", "tests/typing")


def aws_cli(session: nox.Session) -> str:
    """An ``aws`` executable from an environment of its own, made once and shared.

    The ``awscli`` package pins botocore exactly (or vendors its own), so it can't share an
    environment with the boto3 under test.
    """
    home = Path(session.virtualenv.location).parent / "awscli"
    bin_dir = home / ("Scripts" if os.name == "nt" else "bin")
    aws = bin_dir / ("aws.cmd" if os.name == "nt" else "aws")
    if not aws.exists():
        session.run("python", "-m", "venv", "--clear", str(home))
        python = str(bin_dir / "python")
        session.run(python, "-m", "pip", "install", "--quiet", "awscli", external=True)
    session.run(str(aws), "--version", external=True)
    return str(aws.resolve())


@nox.session
@nox.parametrize("moto", MOTO_VERSIONS)
def tests(session: nox.Session, moto: str) -> None:
    """The whole suite on one moto release, in parallel (pytest-xdist)."""
    session.install("-e", ".[test]", f"moto[server]=={moto}")
    session.run("python", "-c", "import moto; print('moto', moto.__version__)")
    env = {"MOTO_FIREHOSE_SSE_AWS_CLI": aws_cli(session)}
    session.run("pytest", "-n", "2", *session.posargs, env=env)
