"""Checks of moto-firehose-sse: `nox` runs them all, `nox -s example` runs the example,
`nox -s mutation` the mutation testing (not in the default run)."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
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


# mutmut's verdicts by exit code (mutmut/stats.py); None is "not run", the rest are timeouts,
# crashes, mutants no test reaches and the like.
_KILLED, _SURVIVED = {1, 3}, {0}


def mutation_summary(mutants: Path) -> list[str]:
    """Per mutated file: killed, survived, not run, other verdicts, total, and the kill rate of
    the mutants run; then the survivors by name."""
    lines = [
        f"{'file':<32} {'killed':>6} {'survived':>8} {'not run':>7} {'other':>5} {'total':>5}"
        f" {'killed % of run':>15}"
    ]
    survivors = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        verdicts = json.loads(meta.read_text())["exit_code_by_key"]
        codes = Counter(verdicts.values())
        total, not_run = sum(codes.values()), codes[None]
        killed = sum(codes[c] for c in _KILLED)
        survived = sum(codes[c] for c in _SURVIVED)
        other = total - killed - survived - not_run
        rate = f"{100 * killed / (total - not_run):.1f}" if total > not_run else "-"
        name = str(meta.relative_to(mutants))[: -len(".meta")]
        lines.append(
            f"{name:<32} {killed:>6} {survived:>8} {not_run:>7} {other:>5} {total:>5} {rate:>15}"
        )
        survivors += [key for key, code in verdicts.items() if code in _SURVIVED]
    lines.append(f"survivors ({len(survivors)}; `mutmut show NAME` prints the change):")
    lines += [f"  {name}" for name in survivors]
    return lines


@nox.session
def mutation(session: nox.Session) -> None:
    """Mutation testing with mutmut: the fast tests against mutants of the rule modules.

    Not in the default run (several minutes on 2 cores). The modules mutated and the tests run
    are `[tool.mutmut]` in pyproject.toml. Arguments go to `mutmut run`, e.g. mutant names:
    `nox -s mutation -- "moto_firehose_sse.kms*"`. Each run starts from a fresh `mutants/`.
    """
    session.install("-e", ".[test]", "moto[server]==5.2.5", "mutmut>=3.8,<3.9")
    shutil.rmtree("mutants", ignore_errors=True)  # mutmut keeps stale copies of unmutated files
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    for line in mutation_summary(Path("mutants")):
        session.log(line)
