"""The pytest plugin costs nothing unused (issue 18): installed, it loads in every pytest run of
the environment, so loading it imports neither moto nor boto3. moto loads when the switch is
on, or before pytest imports a test module or conftest file that uses the plugin (so that a
boto3 client made at import time is mocked), or when a fixture runs.

Each check is a pytest run in a subprocess, where nothing has imported moto yet.
"""

from __future__ import annotations

import pytest

from moto_firehose_sse.pytest_plugin import bare_flag_args

pytest_plugins = ["pytester"]

# The modules that make the plugin expensive; none of them may load in a suite that doesn't
# use it. The probe files never spell the plugin's name, which would count as a use.
HEAVY = '("moto", "boto3", "botocore", "werkzeug", "responses")'
HEAVY_LOADED = f"""
import sys


def heavy_loaded():
    ours = "moto_" + "firehose_sse"
    light = {{ours, ours + ".controller", ours + ".key_events", ours + ".pytest_plugin"}}
    return sorted(
        name
        for name in sys.modules
        if name.split(".")[0] in {HEAVY} or (name.startswith(ours) and name not in light)
    )
"""

MOTO_FREE_TESTS = """
import pytest

from heavy import heavy_loaded


def test_the_plugin_is_loaded(pytestconfig):
    assert pytestconfig.pluginmanager.hasplugin("firehose" + "_sse")


@pytest.mark.parametrize("n", range(3))
def test_nothing_heavy_is_loaded(n):
    assert heavy_loaded() == []
"""


@pytest.fixture
def moto_free(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("MOTO_FIREHOSE_SSE", raising=False)
    pytester.makepyfile(heavy=HEAVY_LOADED, test_moto_free=MOTO_FREE_TESTS)
    pytester.syspathinsert()
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *args)


@pytest.mark.parametrize(
    "args", [[], ["--firehose-sse=off"], ["--firehose-sse", "off"], ["-n", "2"]]
)
def test_a_suite_without_moto_loads_neither_moto_nor_boto3(
    moto_free: pytest.Pytester, args: list[str]
) -> None:
    run(moto_free, *args).assert_outcomes(passed=4)


def test_the_ini_option_off_loads_nothing(moto_free: pytest.Pytester) -> None:
    moto_free.makeini("[pytest]\nfirehose_sse = off\n")
    run(moto_free).assert_outcomes(passed=4)


@pytest.mark.parametrize("args", [["--firehose-sse"], ["--firehose-sse=compat"]])
def test_the_switch_on_loads_moto(moto_free: pytest.Pytester, args: list[str]) -> None:
    """The probe can fail: with the switch on, moto is there before any test runs."""
    result = run(moto_free, *args)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(["FAILED test_moto_free.py::test_nothing_heavy_is_loaded*"])


def test_the_switch_in_the_environment_loads_moto(
    moto_free: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_FIREHOSE_SSE", "compat")
    run(moto_free).assert_outcomes(passed=1, failed=3)


def test_without_the_plugin(moto_free: pytest.Pytester) -> None:
    """``-p no:firehose_sse`` leaves the plugin out: its option is unknown then."""
    result = run(moto_free, "-p", "no:firehose_sse")
    result.assert_outcomes(passed=3, failed=1)
    result = run(moto_free, "-p", "no:firehose_sse", "--firehose-sse")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unrecognized arguments: --firehose-sse*"])


# A client made when the module is imported, and whether moto was there before it.
MODULE_CLIENT = """
import sys

import boto3
from botocore.config import Config

MOTO_BEFORE_IMPORT = "moto.core.models" in sys.modules
client = boto3.client(
    "firehose", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
)
"""

USES = {
    "fixture": """
def test_it(firehose_sse):
    assert MOTO_BEFORE_IMPORT
    assert client.list_delivery_streams()["DeliveryStreamNames"] == []
""",
    "marker": """
import pytest

@pytest.mark.firehose_sse(preset="compat")
def test_it(request):
    assert MOTO_BEFORE_IMPORT
    request.getfixturevalue("firehose_sse")
    assert client.list_delivery_streams()["DeliveryStreamNames"] == []
""",
    "server fixture": """
def test_it(firehose_sse_server):
    assert MOTO_BEFORE_IMPORT
""",
}

# Everything that escapes a mock meets a dead proxy, with credentials that are not real.
OFFLINE = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "",
}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTO_FIREHOSE_SSE", raising=False)
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("use", sorted(USES))
@pytest.mark.usefixtures("offline")
def test_a_module_that_uses_the_plugin_gets_moto_before_it_is_imported(
    pytester: pytest.Pytester, use: str
) -> None:
    pytester.makepyfile(test_module_client=MODULE_CLIENT + USES[use])
    run(pytester).assert_outcomes(passed=1)


@pytest.mark.usefixtures("offline")
def test_a_conftest_that_uses_the_plugin_gets_moto_before_the_test_modules(
    pytester: pytest.Pytester,
) -> None:
    """The test module names only the conftest's fixture, which asks for the plugin's."""
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def aws(firehose_sse):
            yield firehose_sse
        """
    )
    pytester.makepyfile(
        test_module_client=MODULE_CLIENT
        + """
def test_it(aws):
    assert MOTO_BEFORE_IMPORT
    assert client.list_delivery_streams()["DeliveryStreamNames"] == []
"""
    )
    run(pytester).assert_outcomes(passed=1)


@pytest.mark.usefixtures("offline")
def test_usefixtures_in_the_ini_file_gets_moto_before_the_test_modules(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nusefixtures = firehose_sse\n")
    pytester.makepyfile(
        test_module_client=MODULE_CLIENT
        + """
def test_it():
    assert MOTO_BEFORE_IMPORT
    assert client.list_delivery_streams()["DeliveryStreamNames"] == []
"""
    )
    run(pytester).assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], []),
        (["--firehose-sse"], ["--firehose-sse=strict"]),
        (["--firehose-sse", "tests/"], ["--firehose-sse=strict", "tests/"]),
        (["--firehose-sse", "-x"], ["--firehose-sse=strict", "-x"]),
        (["--firehose-sse", "compat", "t"], ["--firehose-sse", "compat", "t"]),
        (["--firehose-sse", " OFF "], ["--firehose-sse", " OFF "]),
        (["--firehose-sse=compat", "t"], ["--firehose-sse=compat", "t"]),
        (["--", "--firehose-sse", "t"], ["--", "--firehose-sse", "t"]),
        (
            ["--firehose-sse", "--firehose-sse", "off"],
            ["--firehose-sse=strict", "--firehose-sse", "off"],
        ),
    ],
)
def test_bare_flag_args(args: list[str], expected: list[str]) -> None:
    assert bare_flag_args(args) == expected


def test_the_plugin_module_is_small_to_load() -> None:
    """What the plugin module itself imports at the top: pytest and the standard library."""
    import ast
    import inspect

    from moto_firehose_sse import pytest_plugin

    tree = ast.parse(inspect.getsource(pytest_plugin))
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    names = {
        alias.name if isinstance(node, ast.Import) else (node.module or "")
        for node in top
        for alias in node.names
    }
    standard = {"__future__", "collections.abc", "copy", "os", "pathlib", "sys", "typing"}
    assert names <= {*standard, "pytest"}, names
