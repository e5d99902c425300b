"""Amazon Firehose server-side encryption, as AWS does it, in moto.

Importing it imports moto, as ``from moto import mock_aws`` does: moto's botocore hook is then
in place, so a boto3 client is mocked once a mock starts, wherever it was made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .api import MockFirehoseSSE, get_controller, mock_firehose_sse
from .controller import (
    CREATION_MODEL_NAME,
    DELETION_MODEL_NAME,
    MODEL_NAME,
    Fault,
    FirehoseSSE,
    Transition,
)

if TYPE_CHECKING:
    from .threaded_server import ThreadedFirehoseSSEServer

__all__ = [
    "CREATION_MODEL_NAME",
    "DELETION_MODEL_NAME",
    "MODEL_NAME",
    "Fault",
    "FirehoseSSE",
    "MockFirehoseSSE",
    "ThreadedFirehoseSSEServer",
    "Transition",
    "get_controller",
    "mock_firehose_sse",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The server (and werkzeug) load on first use, keeping `import moto_firehose_sse` cheap.
    if name == "ThreadedFirehoseSSEServer":
        from .threaded_server import ThreadedFirehoseSSEServer

        return ThreadedFirehoseSSEServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
