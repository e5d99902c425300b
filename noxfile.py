"""Checks of moto-firehose-sse: `nox` runs them all, `nox -s example` runs the example,
`nox -s mutation` the mutation testing and `nox -s custodian` the Cloud Custodian policies
(neither in the default run)."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import xml.etree.ElementTree as ElementTree
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


def aiobotocore_python(session: nox.Session) -> str:
    """A Python with aiobotocore, in an environment of its own, made once and shared.

    aiobotocore pins botocore to a narrow range: in the test environment it would move
    botocore away from the boto3 under test. The threaded-server tests run it as a client.
    """
    home = Path(session.virtualenv.location).parent / "aiobotocore"
    bin_dir = home / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    if not (home / "ready").exists():
        session.run("python", "-m", "venv", "--clear", str(home))
        session.run(str(python), "-m", "pip", "install", "--quiet", "aiobotocore", external=True)
        (home / "ready").write_text("")
    return str(python)


def javascript_sdk(session: nox.Session) -> dict[str, str]:
    """``NODE_PATH`` to the AWS SDK for JavaScript v3's Firehose client, installed once with npm.

    Empty where Node.js or npm is missing, or the install fails: its test then skips.
    """
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        session.log("No Node.js: the JavaScript SDK test will skip.")
        return {}
    home = Path(session.virtualenv.location).parent / "javascript-sdk"
    if not (home / "ready").exists():
        home.mkdir(parents=True, exist_ok=True)
        installed = session.run(
            npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(home),
            "@aws-sdk/client-firehose@3", external=True, success_codes=[0, 1], silent=True,
        )  # fmt: skip
        if not (home / "node_modules" / "@aws-sdk" / "client-firehose").is_dir():
            session.log(f"npm could not install the JavaScript SDK ({installed}): its test skips.")
            return {}
        (home / "ready").write_text("")
    return {"NODE_PATH": str((home / "node_modules").resolve())}


def cdk_cli(session: nox.Session) -> dict[str, str]:
    """The AWS CDK CLI (npm ``aws-cdk``) and ``aws-cdk-lib``, installed once with npm: the
    ``MOTO_FIREHOSE_SSE_CDK`` executable and the ``node_modules`` for ``NODE_PATH``.

    Empty where Node.js or npm is missing, or the install fails: the CDK test then skips.
    """
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        session.log("No Node.js: the CDK test will skip.")
        return {}
    home = Path(session.virtualenv.location).parent / "cdk"
    cdk = home / "node_modules" / ".bin" / ("cdk.cmd" if os.name == "nt" else "cdk")
    if not (home / "ready").exists():
        home.mkdir(parents=True, exist_ok=True)
        installed = session.run(
            npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(home),
            "aws-cdk@2", "aws-cdk-lib@2", "constructs@10", external=True, success_codes=[0, 1],
            silent=True,
        )  # fmt: skip
        if not cdk.exists() or not (home / "node_modules" / "aws-cdk-lib").is_dir():
            session.log(f"npm could not install the CDK ({installed}): its test skips.")
            return {}
        (home / "ready").write_text("")
    return {
        "MOTO_FIREHOSE_SSE_CDK": str(cdk.resolve()),
        "NODE_PATH": str((home / "node_modules").resolve()),
    }


def _node_env(*parts: dict[str, str]) -> dict[str, str]:
    """The helpers' variables together; their ``NODE_PATH`` entries joined."""
    env: dict[str, str] = {}
    for part in parts:
        for name, value in part.items():
            joined = name == "NODE_PATH" and name in env
            env[name] = env[name] + os.pathsep + value if joined else value
    return env


@nox.session
@nox.parametrize("moto", MOTO_VERSIONS)
def tests(session: nox.Session, moto: str) -> None:
    """The whole suite on one moto release, in parallel (pytest-xdist)."""
    session.install("-e", ".[test]", f"moto[server]=={moto}")
    session.run("python", "-c", "import moto; print('moto', moto.__version__)")
    env = {
        "MOTO_FIREHOSE_SSE_AWS_CLI": aws_cli(session),
        "MOTO_FIREHOSE_SSE_AIOBOTOCORE_PYTHON": aiobotocore_python(session),
        **_node_env(javascript_sdk(session), cdk_cli(session)),
    }
    session.run("pytest", "-n", "2", *session.posargs, env=env)


@nox.session
def custodian(session: nox.Session) -> None:
    """Cloud Custodian (c7n) policies on aws.firehose against the mock, in-process and with the
    `custodian` CLI against the server (tests/test_custodian.py; not in the default run).

    c7n pins boto3 exactly: one install lets pip pick a boto3 that suits c7n and the plugin.
    """
    session.install("c7n", "-e", ".[test]", "moto[server]==5.2.5")
    session.run("python", "-c", "import c7n.version; print('c7n', c7n.version.version)")
    session.run("pytest", "-n", "0", "tests/test_custodian.py", *session.posargs)


# moto's own Firehose tests under `--firehose-sse=compat`: each test that still fails there
# fails because of an AWS behaviour the plugin models; the README's "Moving an existing suite"
# lists each with its rule. The session fails on any other failure, and on a listed test that
# passes (the list and the README must be updated then).
MOTO_SUITE_DIFFERENCES = {
    "test_firehose_without_encryption": "rule 2: a DirectPut stream shows {'Status': 'DISABLED'}",
    "test_create_s3_delivery_stream": "rule 2",
    "test_create_extended_s3_delivery_stream": "rule 2",
    "test_create_redshift_delivery_stream": "rule 2",
    "test_create_elasticsearch_delivery_stream": "rule 2",
    "test_create_snowflake_delivery_stream": "rule 2",
    "test_create_iceberg_delivery_stream": "rule 2",
    "test_create_http_stream": "rule 2",
    "test_firehose_with_encryption": "rules 1 and 26: the block always has a Status",
    "test_start_encryption_on_unknown_stream": "stream names follow botocore's pattern",
    "test_stop_encryption_on_unknown_stream": "stream names follow botocore's pattern",
    "test_create_delivery_stream_failures": "rule 23: 5,000 streams per region, not moto's 50",
}
# These deliver to https://google.com: no network here.
MOTO_SUITE_NEEDS_NETWORK = (
    "test_firehose/test_firehose_put.py::test_put_record_http_destination",
    "test_firehose/test_firehose_put.py::test_put_record_batch_http_destination",
)


def _moto_tests(session: nox.Session, moto: str) -> Path:
    """tests/test_firehose of moto's sdist (and the test package files it imports)."""
    home = Path(session.create_tmp()).resolve() / f"moto-{moto}"
    if not (home / "tests" / "test_firehose").is_dir():
        session.run(
            "python", "-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps",
            f"moto=={moto}", "--dest", str(home),
        )  # fmt: skip
        prefix = f"moto-{moto}/tests/"
        wanted = ("__init__.py", "conftest.py", "markers.py", "test_firehose/")
        with tarfile.open(home / f"moto-{moto}.tar.gz") as sdist:
            for member in sdist.getmembers():
                relative = member.name[len(prefix) :] if member.name.startswith(prefix) else ""
                if member.isfile() and relative.startswith(wanted) and ".." not in relative:
                    target = home / "tests" / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = sdist.extractfile(member)
                    assert source is not None
                    target.write_bytes(source.read())
        (home / "pytest.ini").write_text("[pytest]\n")  # the rootdir: not this project's
    return home


@nox.session
@nox.parametrize("moto", MOTO_VERSIONS)
def moto_firehose_tests(session: nox.Session, moto: str) -> None:
    """moto's own Firehose tests, unchanged, with `--firehose-sse=compat` (not run by default)."""
    session.install("-e", ".", "pytest>=7", f"moto[server]=={moto}")
    home = _moto_tests(session, moto)
    report = home / "report.xml"
    deselect = [f"--deselect=tests/{test}" for test in MOTO_SUITE_NEEDS_NETWORK]
    # Anything that tries to leave the machine meets a dead proxy on loopback.
    offline = {
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    with session.chdir(home):
        session.run(
            "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-rf", "--firehose-sse=compat",
            f"--junitxml={report}", *deselect, *session.posargs, "tests/test_firehose",
            env=offline, success_codes=[0, 1],
        )  # fmt: skip
    ran, failed = set(), set()
    for case in ElementTree.parse(report).iter("testcase"):
        name = case.get("name", "").split("[")[0]
        ran.add(name)
        if case.find("failure") is not None or case.find("error") is not None:
            failed.add(name)
    unexpected = sorted(failed - set(MOTO_SUITE_DIFFERENCES))
    fixed = sorted((set(MOTO_SUITE_DIFFERENCES) & ran) - failed)
    if unexpected or fixed:
        session.error(
            f"moto's Firehose tests under --firehose-sse=compat: failures not listed as AWS "
            f"differences: {unexpected}; listed differences that no longer fail: {fixed}"
        )
    session.log(f"{len(ran)} tests, {len(failed)} failures, each a listed AWS difference (README).")


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
