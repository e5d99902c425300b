"""Checks of moto-firehose-sse: `nox` runs them all, `nox -s example` runs the example."""

from __future__ import annotations

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
    session.install("-e", ".[test]", "mypy>=1.8")
    session.run("mypy", "--strict", "moto_firehose_sse")


@nox.session
@nox.parametrize("moto", MOTO_VERSIONS)
def tests(session: nox.Session, moto: str) -> None:
    """The whole suite on one moto release, in parallel (pytest-xdist)."""
    session.install("-e", ".[test]", f"moto[server]=={moto}")
    session.run("python", "-c", "import moto; print('moto', moto.__version__)")
    session.run("pytest", "-n", "2", *session.posargs)
