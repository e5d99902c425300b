"""The pytest plugin: the ``firehose_sse`` fixture and the ``firehose_sse`` marker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .api import mock_firehose_sse
from .controller import FirehoseSSE


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "firehose_sse(**settings): settings for the firehose_sse fixture, "
        "e.g. @pytest.mark.firehose_sse(max_streams_per_region=600)",
    )


@pytest.fixture
def firehose_sse(request: pytest.FixtureRequest) -> Iterator[FirehoseSSE]:
    """moto with Firehose SSE rules for one test; yields the controller."""
    marker = request.node.get_closest_marker("firehose_sse")
    settings = dict(marker.kwargs) if marker is not None else {}

    with mock_firehose_sse(**settings) as sse:
        yield sse
