"""Amazon Firehose server-side encryption, as AWS does it, in moto.

Importing it imports moto, as ``from moto import mock_aws`` does: moto's botocore hook is then
in place, so a boto3 client is mocked once a mock starts, wherever it was made.
"""

from .api import MockFirehoseSSE, get_controller, mock_firehose_sse
from .controller import DELETION_MODEL_NAME, MODEL_NAME, Fault, FirehoseSSE, Transition

__all__ = [
    "DELETION_MODEL_NAME",
    "MODEL_NAME",
    "Fault",
    "FirehoseSSE",
    "MockFirehoseSSE",
    "Transition",
    "get_controller",
    "mock_firehose_sse",
]
__version__ = "0.1.0"
