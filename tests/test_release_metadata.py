"""The release metadata tells the truth (issue 18): one version, in the changelog too; the
licence text and its metadata; the Python versions advertised are the ones CI tests; the moto
releases CI tests are inside the dependency range."""

from __future__ import annotations

import ast
import re
from importlib.metadata import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import moto_firehose_sse

ROOT = Path(__file__).resolve().parent.parent
META = metadata("moto-firehose-sse")


def noxfile_constant(name: str) -> object:
    """A constant of noxfile.py (literals, and names of earlier constants), read without
    importing nox."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    constants: dict[str, object] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        try:
            value = eval(  # literals and names of constants only, no builtins
                compile(ast.Expression(node.value), "noxfile.py", "eval"),
                {"__builtins__": {}},
                dict(constants),
            )
        except Exception:  # a call of nox, or the like: not a constant
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name):
            constants[target.id] = value
        elif isinstance(target, ast.Tuple) and isinstance(value, tuple):
            for item, part in zip(target.elts, value, strict=True):
                if isinstance(item, ast.Name):
                    constants[item.id] = part
    return constants[name]


def test_one_version() -> None:
    assert META["Version"] == moto_firehose_sse.__version__
    assert (
        "version = "
        not in (ROOT / "pyproject.toml")
        .read_text(encoding="utf-8")
        .split("[project.optional-dependencies]")[0]
    ), "the version is written in moto_firehose_sse/__init__.py only"


def test_the_changelog_has_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.MULTILINE)
    assert moto_firehose_sse.__version__ in headings
    assert "0.1.0" in headings
    for version in headings:
        if version != "Unreleased":
            assert f"[{version}]: https://" in changelog, f"no link for {version}"


def test_the_licence() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(text) > 11_000
    assert META["License-Expression"] == "Apache-2.0"
    assert META.get_all("License-File") == ["LICENSE"]
    assert not [c for c in META.get_all("Classifier") or [] if c.startswith("License ::")]


def test_the_python_versions_are_the_ones_ci_tests() -> None:
    pythons = noxfile_constant("PYTHONS")
    assert isinstance(pythons, list)
    oldest, newest = pythons[0], pythons[-1]
    assert META["Requires-Python"] == f">={oldest}"
    classified = [
        c.rsplit(" :: ", 1)[1]
        for c in META.get_all("Classifier") or []
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    minors = range(int(oldest.split(".")[1]), int(newest.split(".")[1]) + 1)
    assert classified == [f"3.{minor}" for minor in minors]
    ruff = re.search(
        r'^target-version = "py(\d)(\d+)"', (ROOT / "pyproject.toml").read_text(), re.M
    )
    assert ruff is not None and f"{ruff[1]}.{ruff[2]}" == oldest


def test_ci_tests_the_ends_of_the_moto_range() -> None:
    requirements = [Requirement(r) for r in META.get_all("Requires-Dist") or []]
    (moto,) = [r for r in requirements if r.name == "moto" and r.marker is None]
    tested = noxfile_constant("MOTO_VERSIONS")
    assert isinstance(tested, list)
    assert all(Version(v) in moto.specifier for v in tested)
    lowest = min(s.version for s in moto.specifier if s.operator == ">=")
    assert lowest in tested, "CI tests the oldest moto supported"
    upper = [s.version for s in moto.specifier if s.operator == "<"]
    assert len(upper) == 1
    newest_series = Version(upper[0]).release[:2]
    newest_tested = max(Version(v) for v in tested)
    assert SpecifierSet(f"<{upper[0]}").contains(newest_tested)
    assert newest_tested.release[:2] == (newest_series[0], newest_series[1] - 1)


def test_project_urls() -> None:
    urls = dict(url.split(", ", 1) for url in META.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
