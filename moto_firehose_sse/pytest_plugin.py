"""The pytest plugin: the ``firehose_sse`` and ``firehose_sse_server`` fixtures, the
``firehose_sse`` marker, and the switch that puts the rules into every ``mock_aws`` of a
session (``--firehose-sse``, the ini option ``firehose_sse``, ``MOTO_FIREHOSE_SSE``).

Installed, it is loaded by every pytest run of the environment, so it costs nothing unused:
loading it imports neither moto nor boto3. moto loads when the switch is on, when a fixture of
the plugin runs, and before pytest imports a test module or conftest file that names
``firehose_sse`` (the fixtures, the marker): a boto3 client such a module makes at import time
is then made after moto's botocore hook is in place, and mocked once a mock starts.
``-p no:firehose_sse`` leaves the plugin out altogether.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .controller import FirehoseSSE
    from .threaded_server import ThreadedFirehoseSSEServer

ENV_VAR = "MOTO_FIREHOSE_SSE"
SWITCH_VALUES = ("strict", "compat", "off")
OPTION = "--firehose-sse"
_ENABLED_HERE = pytest.StashKey[bool]()
# What a test module or conftest file names when it uses the plugin (fixtures and marker).
_USE_MARK = b"firehose_sse"


def load_moto() -> None:
    """Import moto (through the mocking API): its botocore hook goes in place."""
    if "moto_firehose_sse.api" not in sys.modules:
        from . import api  # noqa: F401


def _names_the_plugin(path: Path) -> bool:
    try:
        return _USE_MARK in path.read_bytes()
    except OSError:
        return False


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """``--firehose-sse`` followed by something that is not a switch value is the bare flag
    (strict): ``pytest --firehose-sse tests/`` runs ``tests/``. The arguments are rewritten in
    place, before pytest parses them for good (and the early parse that pytest finds the
    initial conftest files with is corrected)."""
    rewritten = bare_flag_args(args)
    if rewritten != args:
        args[:] = rewritten
        known = parser.parse_known_args(args, namespace=copy.copy(early_config.option))
        for name in ("file_or_dir", "firehose_sse"):
            setattr(early_config.known_args_namespace, name, getattr(known, name))


def bare_flag_args(args: list[str]) -> list[str]:
    """``args`` with each ``--firehose-sse`` whose next argument is not a switch value (a path,
    another option, nothing) written ``--firehose-sse=strict``."""
    out: list[str] = []
    for index, arg in enumerate(args):
        if arg == "--":
            return out + args[index:]
        if arg == OPTION:
            following = args[index + 1] if index + 1 < len(args) else None
            if following is None or following.strip().lower() not in SWITCH_VALUES:
                arg = f"{OPTION}=strict"
        out.append(arg)
    return out


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("firehose-sse", "Firehose server-side encryption (moto-firehose-sse)")
    group.addoption(
        "--firehose-sse",
        dest="firehose_sse",
        nargs="?",
        const="strict",
        default=None,
        metavar="strict|compat|off",
        help="put the Firehose SSE rules into every moto mock_aws of the session: strict "
        "(AWS's behaviour, the default) or compat (immediate transitions, lenient keys). "
        f"Overrides ${ENV_VAR} and the ini option firehose_sse.",
    )
    parser.addini(
        "firehose_sse",
        "Firehose SSE rules in every moto mock_aws: strict, compat or off (the default). "
        f"${ENV_VAR} and --firehose-sse override it.",
        default="off",
    )


def switch_value(config: pytest.Config) -> tuple[str, str]:
    """The switch's value and where it came from: the command line, then the environment,
    then the ini file. Raises ``pytest.UsageError`` for a value that is not a switch value."""
    cli = config.getoption("firehose_sse")
    env = os.environ.get(ENV_VAR, "").strip()
    if cli is not None:
        value, source = cli, "--firehose-sse"
    elif env:
        value, source = env, ENV_VAR
    else:
        value, source = config.getini("firehose_sse"), "the ini option firehose_sse"
    normalized = str(value).strip().lower()
    if normalized not in SWITCH_VALUES:
        raise pytest.UsageError(f"{source}: {value!r} is not one of strict, compat or off.")
    return normalized, source


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "firehose_sse(**settings): settings (and preset=) for the firehose_sse and "
        "firehose_sse_server fixtures, as keywords, "
        "e.g. @pytest.mark.firehose_sse(max_streams_per_region=600)",
    )
    value, _source = switch_value(config)
    if "firehose_sse" in config.getini("usefixtures"):
        load_moto()
    if value != "off":
        from . import wiring

        if wiring.session_preset() is None:  # a pytest run inside a switched-on one: keep it
            wiring.enable_session(value)
            config.stash[_ENABLED_HERE] = True


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_ENABLED_HERE, False):
        from . import wiring

        wiring.disable_session()


def pytest_plugin_registered(plugin: object, manager: pytest.PytestPluginManager) -> None:
    """A conftest file that names the plugin loads moto before the test modules it serves."""
    file = getattr(plugin, "__file__", None)
    if (
        isinstance(file, str)
        and Path(file).name == "conftest.py"
        and "moto_firehose_sse.api" not in sys.modules
        and _names_the_plugin(Path(file))
    ):
        load_moto()


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> None:
    """A test module that names the plugin loads moto before pytest imports it."""
    if "moto_firehose_sse.api" not in sys.modules and _names_the_plugin(module_path):
        load_moto()


def pytest_report_header(config: pytest.Config) -> str | None:
    value, source = switch_value(config)
    if value == "off":
        return None
    return f"firehose-sse: every mock_aws carries the Firehose SSE rules, preset {value} (from {source})"


def _marker_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("firehose_sse")
    if marker is None:
        return {}
    if marker.args:
        raise TypeError(
            "@pytest.mark.firehose_sse takes settings as keywords, e.g. "
            "@pytest.mark.firehose_sse(preset='compat', max_streams_per_region=600); "
            f"got positional argument(s) {marker.args!r}."
        )
    return dict(marker.kwargs)


@pytest.fixture
def firehose_sse(request: pytest.FixtureRequest) -> Iterator[FirehoseSSE]:
    """moto with Firehose SSE rules for one test; yields the controller."""
    from .api import mock_firehose_sse

    with mock_firehose_sse(**_marker_settings(request)) as sse:
        yield sse


@pytest.fixture
def firehose_sse_server(request: pytest.FixtureRequest) -> Iterator[ThreadedFirehoseSSEServer]:
    """A started ``ThreadedFirehoseSSEServer`` on a free loopback port for the test.

    Settings (and ``preset``) through the ``firehose_sse`` marker. What the test made through
    it is reset at the end (moto's data lives in the test process, shared with ``mock_aws``).
    """
    from .threaded_server import ThreadedFirehoseSSEServer

    with ThreadedFirehoseSSEServer(**_marker_settings(request)) as server:
        try:
            yield server
        finally:
            server.reset()
