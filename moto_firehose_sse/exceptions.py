"""Firehose errors as botocore's model declares them (JSON 1.1, HTTP 400).

They are moto ``JsonRESTError`` subclasses: moto 5.0 and 5.2 both turn them into
``{"__type": ..., "message": ...}`` bodies, and the body can carry the extra modelled
members (``code`` of InvalidKMSResourceException) that moto's ``ServiceException`` can't.
They answer with AWS's JSON 1.1 headers: ``Content-Type: application/x-amz-json-1.1`` and
``x-amzn-ErrorType`` (``JsonRESTError`` alone says ``application/json``).
"""

from __future__ import annotations

import json

from moto.core.exceptions import JsonRESTError

JSON_1_1 = "application/x-amz-json-1.1"


class FirehoseSSEError(JsonRESTError):
    """Base of the errors the plugin returns; the class name is the modelled error code."""

    def __init__(self, message: str, **members: str) -> None:
        super().__init__(type(self).__name__, message)
        self.content_type = JSON_1_1
        if members:
            self.description = json.dumps(
                {"__type": self.error_type, "message": message, **members}
            )


class InvalidArgumentException(FirehoseSSEError):
    """The input is not valid for this operation or this stream."""


class InvalidKMSResourceException(FirehoseSSEError):
    """KMS refused the key; ``code`` carries the KMS error, e.g. ``KMS.NotFoundException``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.kms_code = code


class LimitExceededException(FirehoseSSEError):
    """A quota of the stream, the key or the region is used up."""


class ResourceInUseException(FirehoseSSEError):
    """The stream is busy (a transition is under way) or not ACTIVE."""


class ResourceNotFoundException(FirehoseSSEError):
    """No stream of that name in the caller's account and region."""


class ServiceUnavailableException(FirehoseSSEError):
    """The service could not take the request; retry it."""
