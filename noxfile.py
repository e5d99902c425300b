"""Checks of moto-firehose-sse: `nox` runs the default sessions (what CI runs: lint, typing,
the test matrix, the package build and the docs site), `nox -s example` runs the example;
`nox -s mutation` (mutation testing) and `nox -s custodian` (Cloud Custodian policies) are not
in the default run. CONTRIBUTING.md says which session does what."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import xml.etree.ElementTree as ElementTree
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import nox

nox.options.sessions = ["lint", "typing", "tests", "build", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
# uv makes the environments and installs into them where it is installed (`pip install
# 'nox[uv]'`, as the README and CI do): a CI run spends seconds, not minutes, on installs.
nox.options.default_venv_backend = "uv|virtualenv"

# The support matrix ------------------------------------------------------------------------

# The oldest and the newest Python supported (pyproject's requires-python and classifiers);
# .ci/run makes pyenv's interpreters of these versions visible to nox.
PYTHONS = ["3.10", "3.13"]
# The oldest moto supported, the newest 5.1.x and the newest 5.2.x (pyproject pins the range).
MOTO_OLDEST, MOTO_5_1, MOTO_NEWEST = "5.0.28", "5.1.22", "5.2.5"
MOTO_VERSIONS = [MOTO_OLDEST, MOTO_5_1, MOTO_NEWEST]
# Where the whole suite runs: the oldest and the newest moto, each Python once (the newest
# Python with the newest moto, the oldest with the oldest). moto 5.1 runs SMOKE on both
# Pythons; the crossed pairs (3.10 with 5.2, 3.13 with 5.0) are left out to keep CI under 20
# minutes.
FULL = {("3.10", MOTO_OLDEST), ("3.13", MOTO_NEWEST)}
# Where the CDK CLI deploys an app against the server (tests/test_cloudformation_server.py).
CDK_PAIR = ("3.13", MOTO_NEWEST)
# The smoke subset: the tests that meet moto's internals where its releases differ (the
# wiring and its usage forms, nesting and hand-over with plain moto, the wire and Describe's
# body, KMS keys and grants, CloudWatch metrics, CloudFormation, the status model) and the
# example, about a quarter of the suite's time.
SMOKE = [
    "tests/test_import.py",
    "tests/test_isolation.py",
    "tests/test_mock_nesting.py",
    "tests/test_layering_adoption.py",
    "tests/test_handover.py",
    "tests/test_usage_forms.py",
    "tests/test_status_model.py",
    "tests/test_start_stop.py",
    "tests/test_kms_keys.py",
    "tests/test_kms_grants.py",
    "tests/test_wire_headers.py",
    "tests/test_unreadable_requests.py",
    "tests/test_describe_body.py",
    "tests/test_describe_defaults.py",
    "tests/test_kms_metrics.py",
    "tests/test_cloudformation.py",
    "examples/test_ensure_encrypted.py",
]
MATRIX = [
    nox.param(python, moto, id=f"python{python}-moto{moto}")
    for python in PYTHONS
    for moto in MOTO_VERSIONS
    if (python, moto) in FULL or moto == MOTO_5_1
]

# Saying what it does ----------------------------------------------------------------------

# Runs a command, passing its output on, with a line after 20 s of silence (.ci/progress.py).
PROGRESS = str(Path(__file__).resolve().parent / ".ci" / "progress.py")


def install(session: nox.Session, *args: str) -> None:
    """``uv pip install`` into the session's environment where nox uses uv, or ``pip install``
    with a line per package fetched."""
    if session.venv_backend == "uv":
        session.install(*args, silent=False)
        return
    session.log(f"pip install {' '.join(args)}")
    session.run(
        "python", PROGRESS, "--pip", "--", "python", "-m", "pip", "install",
        "--progress-bar", "off", *args,
    )  # fmt: skip


def install_into(session: nox.Session, python: str, *args: str) -> None:
    """``pip install`` into another environment (``python`` is its interpreter)."""
    session.log(f"pip install {' '.join(args)} (into {Path(python).parent.parent.name})")
    session.run(
        "python", PROGRESS, "--pip", "--", python, "-m", "pip", "install",
        "--progress-bar", "off", *args,
    )  # fmt: skip


def run_long(session: nox.Session, *args: str, **kwargs: Any) -> None:
    """``session.run`` for a step that can be quiet for long (mypy): a line every 20 s."""
    session.run("python", PROGRESS, "--", *args, **kwargs)


# Sessions ----------------------------------------------------------------------------------


@nox.session
def example(session: nox.Session) -> None:
    """Run the README's example end to end."""
    install(session, "-e", ".")
    session.run("python", "examples/ensure_encrypted.py")


# The documentation site's tools, installed in the docs session only.
DOCS_REQUIREMENTS = ["mkdocs>=1.6,<2", "mkdocs-material>=9.5,<10", "mkdocstrings[python]>=0.26"]


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site with warnings as errors, check every internal link and
    anchor of the built pages, and open it in headless Chromium (skipped where Debian's
    `chromium` and `chromium-driver` are missing). Arguments go to that pytest run."""
    install(session, "-e", ".[test]", *DOCS_REQUIREMENTS, "selenium>=4.11")
    site = Path(session.create_tmp()).resolve() / "site"
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run("mkdocs", "build", "--strict", "--clean", "--site-dir", str(site), env=env)
    session.run(
        "pytest", "-p", "no:xdist", "tests/test_docs_site.py", *session.posargs,
        env={**env, "MOTO_FIREHOSE_SSE_DOCS_SITE": str(site)},
    )  # fmt: skip


@nox.session
def lint(session: nox.Session) -> None:
    install(session, "ruff>=0.4")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    install(session, "-e", ".[test]", "mypy>=1.8", "typing_extensions>=4.6")
    # The package, and the public API's types as users see them (tests/typing).
    session.log("mypy --strict moto_firehose_sse tests/typing (a minute or two without cache)")
    run_long(session, "mypy", "--strict", "moto_firehose_sse", "tests/typing")


def aws_cli(session: nox.Session) -> str:
    """An ``aws`` executable from an environment of its own, made once and shared.

    The ``awscli`` package pins botocore exactly (or vendors its own), so it can't share an
    environment with the boto3 under test.
    """
    home = Path(session.virtualenv.location).parent / "awscli"
    bin_dir = home / ("Scripts" if os.name == "nt" else "bin")
    aws = bin_dir / ("aws.cmd" if os.name == "nt" else "aws")
    if not aws.exists():
        session.log("A separate environment for the AWS CLI")
        session.run("python", "-m", "venv", "--clear", str(home))
        install_into(session, str(bin_dir / "python"), "awscli")
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
        session.log("A separate environment for aiobotocore")
        session.run("python", "-m", "venv", "--clear", str(home))
        install_into(session, str(python), "aiobotocore")
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
        session.log("npm install @aws-sdk/client-firehose@3 (once)")
        installed = session.run(
            "python", PROGRESS, "--", npm, "install", "--silent", "--no-audit", "--no-fund",
            "--prefix", str(home), "@aws-sdk/client-firehose@3", success_codes=[0, 1],
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
@nox.parametrize("python,moto", MATRIX)
def tests(session: nox.Session, moto: str) -> None:
    """The suite on one Python and one moto release: whole (FULL pairs) or the smoke subset.

    In parallel (pytest-xdist). Arguments go to pytest (and replace the smoke subset's paths).
    """
    # pip too: uv's environments have none, and the docs' install check runs `python -m pip`
    install(session, "-e", ".[test]", f"moto[server]=={moto}", "pip")
    session.run("python", "-c", "import moto, sys; print('moto', moto.__version__, sys.version)")
    env = {
        "MOTO_FIREHOSE_SSE_AWS_CLI": aws_cli(session),
        "MOTO_FIREHOSE_SSE_AIOBOTOCORE_PYTHON": aiobotocore_python(session),
        **_node_env(
            javascript_sdk(session),
            # the CDK deploy (a minute) once, against the newest moto: the in-process
            # CloudFormation tests cover every release
            cdk_cli(session) if (session.python, moto) == CDK_PAIR else {},
        ),
    }
    full = (session.python, moto) in FULL
    paths = [] if full or session.posargs else SMOKE
    session.log(f"{'The whole suite' if full else 'The smoke subset'} on moto {moto}")
    session.run("pytest", "-n", "2", *paths, *session.posargs, env=env)


# The package ------------------------------------------------------------------------------

# What the sdist must hold beside the package: the licence and project files, and all that its
# tests need to run from the unpacked sdist (MANIFEST.in).
SDIST_FILES = [
    "LICENSE",
    "README.md",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    "pyproject.toml",
    "noxfile.py",
    ".ci/run",
    ".ci/progress.py",
    "tests/conftest.py",
    "tests/helpers.py",
    "tests/kms_helpers.py",
    "tests/server_helpers.py",
    "tests/typing/check_api.py",
    "examples/ensure_encrypted.py",
    "examples/test_ensure_encrypted.py",
    "benchmarks/bench.py",
]

# What `nox -s build` runs from the unpacked sdist (after collecting every test there).
SDIST_TESTS = [
    "tests/test_import.py",
    "tests/test_status_model.py",
    "tests/test_kms_keys.py",
    "examples/test_ensure_encrypted.py",
]

_CHECK_INSTALLED_LICENCE = """
import sys
from importlib.metadata import distribution

dist = distribution("moto-firehose-sse")
meta = dist.metadata
assert meta["License-Expression"] == "Apache-2.0", meta["License-Expression"]
assert meta.get_all("License-File") == ["LICENSE"], meta.get_all("License-File")
files = [f for f in dist.files or [] if f.name == "LICENSE"]
assert files, "no LICENSE among the installed files"
text = files[0].read_text()
assert text == open(sys.argv[1], encoding="utf-8").read(), "LICENSE differs"
print("installed:", meta["Name"], meta["Version"], "with", files[0], f"({len(text)} characters)")
"""


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and the wheel, check them (twine, licence, the sdist's tests).

    ``twine check --strict``; the licence in both and the tests' files in the sdist; the wheel
    installed alone in a clean environment carries the licence; from the unpacked sdist, every
    test is collected and SDIST_TESTS pass (arguments replace them, e.g. ``nox -s build --
    tests examples`` for the whole suite).
    """
    install(session, "build>=1.2", "twine>=6.1")
    tmp = Path(session.create_tmp()).resolve()
    dist = tmp / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.log("Building the sdist and the wheel")
    run_long(session, "python", "-m", "build", "--outdir", str(dist), ".")
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    session.run("twine", "check", "--strict", str(sdist), str(wheel))

    licence = Path("LICENSE").read_text(encoding="utf-8")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        in_wheel = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        if not in_wheel or archive.read(in_wheel[0]).decode() != licence:
            session.error(f"{wheel.name} does not carry LICENSE")
    root = sdist.name[: -len(".tar.gz")]
    with tarfile.open(sdist) as archive:
        in_sdist = {name[len(root) + 1 :] for name in archive.getnames()}
    missing = [name for name in SDIST_FILES if name not in in_sdist]
    if missing:
        session.error(f"{sdist.name} lacks {missing}")
    session.log(f"{wheel.name}: {len(names)} files; {sdist.name}: {len(in_sdist)} files")

    clean = tmp / "clean-venv"
    session.log("The wheel alone in a clean environment")
    session.run("python", "-m", "venv", "--clear", str(clean))
    python = str(clean / ("Scripts" if os.name == "nt" else "bin") / "python")
    install_into(session, python, "--no-deps", str(wheel))
    session.run(
        python, "-c", _CHECK_INSTALLED_LICENCE, str(Path("LICENSE").resolve()), external=True
    )

    unpacked = tmp / "sdist"
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+, 3.11.4+
            archive.extractall(unpacked, filter="data")
        else:
            archive.extractall(unpacked)  # our own archive, just built
    source = unpacked / root
    # uv keeps an installed release of the same version (a reused environment): not this one
    reinstall = ["--reinstall-package", "moto-firehose-sse"] if session.venv_backend == "uv" else []
    install(session, *reinstall, f"{source}[test]")
    with session.chdir(source):
        session.log(f"pytest from the unpacked {sdist.name}: every test collected, some run")
        session.run("pytest", "--collect-only", "-q", "--no-header")
        session.run("pytest", "-n", "2", *(session.posargs or SDIST_TESTS))


@nox.session
def custodian(session: nox.Session) -> None:
    """Cloud Custodian (c7n) policies on aws.firehose against the mock, in-process and with the
    `custodian` CLI against the server (tests/test_custodian.py; not in the default run).

    c7n pins boto3 exactly: one install lets pip pick a boto3 that suits c7n and the plugin.
    """
    install(session, "c7n", "-e", ".[test]", "moto[server]==5.2.5")
    session.run("python", "-c", "import c7n.version; print('c7n', c7n.version.version)")
    session.run("pytest", "-n", "0", "tests/test_custodian.py", *session.posargs)


# moto's own Firehose tests under `--firehose-sse=compat`: each test that still fails there
# fails because of an AWS behaviour the plugin models; the docs' "Move an existing moto suite"
# (docs/how-to/existing-suite.md) lists each with its rule (docs/reference/rules.md#rule-N).
# The session fails on any other failure, and on a listed test that passes (the list and that
# page must be updated then).
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


@nox.session(venv_backend="virtualenv")  # pip, to download moto's sdist
@nox.parametrize("moto", MOTO_VERSIONS)
def moto_firehose_tests(session: nox.Session, moto: str) -> None:
    """moto's own Firehose tests, unchanged, with `--firehose-sse=compat` (not run by default)."""
    install(session, "-e", ".", "pytest>=7", f"moto[server]=={moto}")
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
    session.log(f"{len(ran)} tests, {len(failed)} failures, each a listed AWS difference (docs).")


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

    Not in the default run (every module: several CPU-hours). The modules mutated and the tests run
    are `[tool.mutmut]` in pyproject.toml. Arguments go to `mutmut run`, e.g. mutant names:
    `nox -s mutation -- "moto_firehose_sse.kms*"`. Each run starts from a fresh `mutants/`.
    """
    install(session, "-e", ".[test]", f"moto[server]=={MOTO_NEWEST}", "mutmut>=3.8,<3.9")
    shutil.rmtree("mutants", ignore_errors=True)  # mutmut keeps stale copies of unmutated files
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    for line in mutation_summary(Path("mutants")):
        session.log(line)
