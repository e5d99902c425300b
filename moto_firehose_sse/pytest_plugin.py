"""The pytest plugin: the ``firehose_sse`` and ``firehose_sse_server`` fixtures, the
``firehose_sse`` marker, and the switch that puts the rules into every ``mock_aws`` of a
session (``--firehose-sse``, the ini option ``firehose_sse``, ``MOTO_FIREHOSE_SSE``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .api import mock_firehose_sse
from .controller import FirehoseSSE

if TYPE_CHECKING:
    from .threaded_server import ThreadedFirehoseSSEServer

ENV_VAR = "MOTO_FIREHOSE_SSE"
SWITCH_VALUES = ("strict", "compat", "off")
_ENABLED_HERE = pytest.StashKey[bool]()


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
        hint = (
            " (a path right after --firehose-sse is read as its value: write "
            "--firehose-sse=strict, or put the option after the paths)"
            if source == "--firehose-sse"
            else ""
        )
        raise pytest.UsageError(f"{source}: {value!r} is not one of strict, compat or off{hint}.")
    return normalized, source


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "firehose_sse(**settings): settings (and preset=) for the firehose_sse and "
        "firehose_sse_server fixtures, as keywords, "
        "e.g. @pytest.mark.firehose_sse(max_streams_per_region=600)",
    )
    value, _source = switch_value(config)
    if value != "off":
        from . import wiring

        if wiring.session_preset() is None:  # a pytest run inside a switched-on one: keep it
            wiring.enable_session(value)
            config.stash[_ENABLED_HERE] = True


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_ENABLED_HERE, False):
        from . import wiring

        wiring.disable_session()


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
