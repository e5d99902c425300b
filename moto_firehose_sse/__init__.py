"""Amazon Firehose server-side encryption, as AWS does it, in moto.

``import moto_firehose_sse`` alone imports neither moto nor boto3, so that the pytest plugin
costs nothing in a suite that doesn't use it. The first use of a name of the mocking API
(``from moto_firehose_sse import mock_firehose_sse``, ``get_controller``, ...) imports moto, as
``from moto import mock_aws`` does: moto's botocore hook is then in place, so a boto3 client is
mocked once a mock starts, wherever it was made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The settings' names and types: plain Python, no moto.
from .controller import (
    CREATION_MODEL_NAME,
    DELETION_MODEL_NAME,
    MODEL_NAME,
    Fault,
    FirehoseSSE,
    Transition,
)
from .key_events import KeyEvent

if TYPE_CHECKING:
    from .api import MockFirehoseSSE, get_controller, mock_firehose_sse
    from .threaded_server import ThreadedFirehoseSSEServer

__all__ = [
    "CREATION_MODEL_NAME",
    "DELETION_MODEL_NAME",
    "MODEL_NAME",
    "Fault",
    "FirehoseSSE",
    "KeyEvent",
    "MockFirehoseSSE",
    "ThreadedFirehoseSSEServer",
    "Transition",
    "get_controller",
    "mock_firehose_sse",
]
__version__ = "0.2.0"

# Names that import moto (and, for the server, werkzeug), loaded on first use: name -> module.
_LAZY = {
    "MockFirehoseSSE": ".api",
    "get_controller": ".api",
    "mock_firehose_sse": ".api",
    "ThreadedFirehoseSSEServer": ".threaded_server",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
