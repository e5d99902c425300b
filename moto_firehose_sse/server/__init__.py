"""``moto-firehose-sse-server``: moto's server with the Firehose SSE rules active.

Any SDK, the AWS CLI or Terraform can then use Firehose SSE as AWS does it over HTTP::

    moto-firehose-sse-server -p 5000
    aws firehose start-delivery-stream-encryption --endpoint-url http://127.0.0.1:5000 ...

Besides moto's own ``/moto-api/...`` paths (the state manager, ``/moto-api/reset``), the
controller is reachable under ``/moto-api/firehose-sse/``:

- ``GET /moto-api/firehose-sse/settings``: the settings, as a JSON object.
- ``POST /moto-api/firehose-sse/settings`` with a JSON object of settings to change;
  answers the settings in force.
- ``GET /moto-api/firehose-sse/faults``: the injected faults not consumed yet.
- ``POST /moto-api/firehose-sse/faults`` with ``{"operation": "enable" | "disable" |
  "delete", "type": ..., "details": ..., "stream_name": ...}`` (all but ``operation``
  optional): the next matching enable, disable or delete fails that way. Answers the
  pending faults.
- ``DELETE /moto-api/firehose-sse/faults``: drop every pending fault.
- ``GET /moto-api/firehose-sse/key-events[?stream_name=NAME]``: the key events (rule 48), a
  JSON list (see ``moto_firehose_sse.key_events``).

Bad input there is answered with HTTP 400 and ``{"message": ...}``. ``POST /moto-api/reset``
also puts the settings back to the server's start-up values, drops pending faults and
forgets the key events.

Firehose requests are checked before moto sees them, so that malformed ones get the
answer AWS gives (JSON 1.1 with ``x-amzn-ErrorType``: ``SerializationException``,
``UnknownOperationException``, ``MissingAuthenticationTokenException``,
``IncompleteSignatureException``, ``InvalidSignatureException``, ``InvalidArgumentException``,
413 ``RequestEntityTooLargeException``), never a 500. Bodies are read in bounded chunks, up
to ``FIREHOSE_BODY_LIMIT`` for Firehose and ``CONTROL_BODY_LIMIT`` for the controller and
moto's state-manager endpoints, whose requests are checked for every model.

The package is laid out along its concerns (internal; import from ``moto_firehose_sse.server``):
``http_io`` (bodies, answers, ``BadRequest``), ``wire_checks`` (what AWS checks of a Firehose
request), ``controller_api`` (the ``/moto-api/firehose-sse/`` route table and the
state-manager checks), ``app`` (the WSGI application) and ``cli`` (the command line).
"""

from __future__ import annotations

from .app import FirehoseSSEApp, make_app
from .cli import main
from .controller_api import API_PREFIX, ROUTES, STATE_MANAGER_PREFIX, ApiRequest
from .http_io import (
    CONTROL_BODY_LIMIT,
    FIREHOSE_BODY_LIMIT,
    BadRequest,
    StartResponse,
    WSGIApp,
)
from .wire_checks import FIREHOSE_TARGET_PREFIX

__all__ = [
    "API_PREFIX",
    "CONTROL_BODY_LIMIT",
    "FIREHOSE_BODY_LIMIT",
    "FIREHOSE_TARGET_PREFIX",
    "ROUTES",
    "STATE_MANAGER_PREFIX",
    "ApiRequest",
    "BadRequest",
    "FirehoseSSEApp",
    "StartResponse",
    "WSGIApp",
    "main",
    "make_app",
]
