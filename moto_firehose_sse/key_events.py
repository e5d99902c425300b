"""Key events (rule 48): every KMS call Firehose makes for a stream, as CloudTrail shows them.

moto's CloudTrail records nothing, so the mock keeps its own log of the KMS calls it models,
in order, with their outcome. Each mock's controller holds one ``KeyEventLog``, bounded by the
setting ``max_key_events`` (oldest dropped). The backend and the KMS view call ``record`` (or
``put``, for a PutRecord / PutRecordBatch) once at each KMS call site.

When the mock records which call:

- ``DescribeKey`` (the caller's credentials): when a Start or a Create with a customer key is
  refused at call time by KMS (``NotFoundException``, another account's ``AccessDeniedException``),
  and when an enable with a customer key ends (the key is checked again then).
- ``CreateGrant`` (the caller's credentials): when Firehose's grant is created, or refused
  (``AccessDeniedException``).
- ``RetireGrant`` (``firehose.amazonaws.com``): when Firehose's grant is retired (key change,
  switch to an AWS owned key, Stop, end of a deletion), or refused (``KMSInvalidStateException``).
- ``GenerateDataKey`` (``firehose.amazonaws.com``, encryption context ``aws:firehose:arn``): one
  per PutRecord / PutRecordBatch while a customer key is in force, refused or not; and when an
  enable ends KMS_ACCESS_DENIED because the key policy denies Firehose itself.
- ``Decrypt`` (the same): one per accepted PutRecord / PutRecordBatch, right after its
  ``GenerateDataKey``: moto delivers the records to the destination within the put, and
  Firehose decrypts what it delivers.

AWS owned keys make no events (their use is not in the customer's CloudTrail). Keys that
moto's KMS doesn't know (``lenient_keys``) make the DescribeKey and data events, but no grant
events: no grant exists in moto. An injected fault makes no event.
"""

from __future__ import annotations

import datetime
import threading
import time
import types
import urllib.parse
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import controller

if TYPE_CHECKING:
    from .controller import FirehoseSSE

Operation = Literal["DescribeKey", "CreateGrant", "RetireGrant", "GenerateDataKey", "Decrypt"]
OPERATIONS: tuple[Operation, ...] = (
    "DescribeKey",
    "CreateGrant",
    "RetireGrant",
    "GenerateDataKey",
    "Decrypt",
)
DATA_OPERATIONS = frozenset({"GenerateDataKey", "Decrypt"})
"""The operations made with the encryption context ``{"aws:firehose:arn": STREAM_ARN}``."""
FIREHOSE_PRINCIPAL = "firehose.amazonaws.com"
"""The principal of the calls Firehose makes as the service."""
CONTEXT_KEY = "aws:firehose:arn"

DEFAULT_MAX_KEY_EVENTS = 10_000
MAX_KEY_EVENTS_LIMIT = 1_000_000
"""The most ``max_key_events`` may be: a log that large already takes some 200 MB."""

KMS_ERROR_CODES = {
    "KMS.NotFoundException": "NotFoundException",
    "KMS.DisabledException": "DisabledException",
    "KMS.InvalidStateException": "KMSInvalidStateException",
    "KMS.AccessDeniedException": "AccessDeniedException",
}
"""Firehose's ``code`` of an InvalidKMSResourceException -> the error KMS answered."""

_UTC = datetime.timezone.utc
_NO_CONTEXT: Mapping[str, str] = types.MappingProxyType({})

# What the log keeps per call (cheap to make on the hot path): the time (seconds, mock
# clock), the stream ARN, the key ARN, the operation, the principal, the error or None.
_Entry = tuple[float, str, str, str, str, str | None]


@dataclass(frozen=True)
class KeyEvent:
    """One KMS call Firehose made for a stream, as CloudTrail would show it (rule 48).

    ``time`` is an aware UTC datetime on the mock's clock (freezegun and time-machine move
    it); ``principal`` is the caller's ARN (DescribeKey, CreateGrant) or
    ``firehose.amazonaws.com`` (the service's own calls); ``encryption_context`` is
    ``{"aws:firehose:arn": STREAM_ARN}`` for GenerateDataKey and Decrypt, empty otherwise;
    ``error`` is None when KMS answered the call, else KMS's error code
    (``NotFoundException``, ``DisabledException``, ``KMSInvalidStateException``,
    ``AccessDeniedException``).
    """

    time: datetime.datetime
    account: str
    region: str
    stream_name: str
    key_arn: str
    operation: Operation
    principal: str
    encryption_context: Mapping[str, str] = field(hash=False)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as ``GET /moto-api/firehose-sse/key-events`` answers it (``time`` in
        ISO 8601)."""
        return {
            "time": self.time.isoformat(),
            "account": self.account,
            "region": self.region,
            "stream_name": self.stream_name,
            "key_arn": self.key_arn,
            "operation": self.operation,
            "principal": self.principal,
            "encryption_context": dict(self.encryption_context),
            "error": self.error,
        }


def _event(entry: _Entry, contexts: dict[str, Mapping[str, str]]) -> KeyEvent:
    when, stream_arn, key_arn, operation, principal, error = entry
    _arn, _partition_name, _service, region, account, resource = stream_arn.split(":", 5)
    context = _NO_CONTEXT
    if operation in DATA_OPERATIONS:
        context = contexts.get(stream_arn) or contexts.setdefault(
            stream_arn, types.MappingProxyType({CONTEXT_KEY: stream_arn})
        )
    return KeyEvent(
        time=datetime.datetime.fromtimestamp(when, _UTC),
        account=account,
        region=region,
        stream_name=resource.partition("/")[2],
        key_arn=key_arn,
        operation=operation,  # type: ignore[arg-type]  # one of OPERATIONS, set by record()
        principal=principal,
        encryption_context=context,
        error=error,
    )


def check_max_key_events(value: Any) -> int:
    """``value`` as a ``max_key_events`` setting, or ``ValueError``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_KEY_EVENTS_LIMIT
    ):
        raise ValueError(
            "max_key_events must be a whole number from 0 (keep no key event) to "
            f"{MAX_KEY_EVENTS_LIMIT:,}; got {controller.shown_value(value)}"
        )
    return value


def check_stream_name(stream_name: Any) -> str | None:
    """``stream_name`` as a filter of the key events (None: every stream), or ``ValueError``."""
    if stream_name is None:
        return None
    if (
        not isinstance(stream_name, str)
        or controller.STREAM_NAME_PATTERN.fullmatch(stream_name) is None
    ):
        raise ValueError(
            "stream_name must be a delivery stream name (1 to 64 characters of a-z, A-Z, "
            f"0-9, _ . -), or left out for every stream; got {controller.shown_value(stream_name)}"
        )
    return stream_name


class KeyEventLog:
    """The key events of one mock, oldest first, at most ``maxlen`` (the oldest dropped)."""

    __slots__ = ("_entries", "_lock")

    def __init__(self, maxlen: int = DEFAULT_MAX_KEY_EVENTS) -> None:
        self._lock = threading.Lock()
        self._entries: deque[_Entry] = deque(maxlen=check_max_key_events(maxlen))

    @property
    def maxlen(self) -> int:
        return self._entries.maxlen or 0

    def resize(self, maxlen: int) -> None:
        """Keep at most ``maxlen`` events from now on (the newest, when there are more)."""
        maxlen = check_max_key_events(maxlen)
        with self._lock:
            if maxlen != self._entries.maxlen:
                self._entries = deque(self._entries, maxlen=maxlen)

    def append(self, entry: _Entry) -> None:
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def events(self, stream_name: str | None = None) -> list[KeyEvent]:
        """The events in the order the calls were made; only ``stream_name``'s if given."""
        name = check_stream_name(stream_name)
        with self._lock:
            entries = list(self._entries)
        if name is not None:
            suffix = f":deliverystream/{name}"
            entries = [entry for entry in entries if entry[1].endswith(suffix)]
        contexts: dict[str, Mapping[str, str]] = {}
        return [_event(entry, contexts) for entry in entries]


# Recording: called once at each KMS call site ---------------------------------------------


def record(
    operation: Operation,
    stream_arn: str,
    key_arn: str,
    principal: str = FIREHOSE_PRINCIPAL,
    error: str | None = None,
    now: float | None = None,
) -> None:
    """Log one KMS call made for the stream ``stream_arn`` (into the active mock's log).

    ``error`` is KMS's error code when the call was refused; ``now`` the mock clock's time
    if the caller has read it already.
    """
    when = time.time() if now is None else now
    controller.current()._key_log.append((when, stream_arn, key_arn, operation, principal, error))


def put(stream_arn: str, key_arn: str, refusal: str | None, now: float) -> None:
    """A PutRecord / PutRecordBatch while the customer key ``key_arn`` is in force.

    Accepted (``refusal`` None): GenerateDataKey, then Decrypt (the delivery). Refused
    (``refusal``: Firehose's ``code``, e.g. ``KMS.DisabledException``): a GenerateDataKey
    with KMS's error, and one datapoint of the matching CloudWatch metric (rule 47).
    """
    log = controller.current()._key_log
    if refusal is None:
        log.append((now, stream_arn, key_arn, "GenerateDataKey", FIREHOSE_PRINCIPAL, None))
        log.append((now, stream_arn, key_arn, "Decrypt", FIREHOSE_PRINCIPAL, None))
        return
    error = KMS_ERROR_CODES.get(refusal, refusal)
    log.append((now, stream_arn, key_arn, "GenerateDataKey", FIREHOSE_PRINCIPAL, error))
    from . import metrics

    metrics.publish_refusal(stream_arn, error)


# Over HTTP ----------------------------------------------------------------------------------

QUERY_LIMIT = 1024
"""The longest query string ``GET .../key-events`` reads (characters)."""


def _query_stream_name(query: str) -> str | None:
    """The ``stream_name`` of a query string (None when absent), or ``ValueError``."""
    if len(query) > QUERY_LIMIT:
        raise ValueError(
            f"key-events: the query string is over {QUERY_LIMIT} characters; use "
            "?stream_name=NAME or no query."
        )
    if not query:
        return None
    try:
        # a WSGI query string is the raw bytes decoded as latin-1
        text = query.encode("latin-1").decode("utf-8")
        pairs = urllib.parse.parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=4,
        )
    except ValueError as exc:  # UnicodeError included
        raise ValueError(
            f"key-events: the query string {query[:100]!r} can't be read ({exc}); use "
            "?stream_name=NAME (URL-encoded), or no query."
        ) from None
    names = [name for name, _ in pairs]
    unknown = sorted(set(names) - {"stream_name"})
    if unknown:
        raise ValueError(
            f"key-events: unknown query parameter(s) {unknown}; the only one is stream_name."
        )
    if len(names) > 1:
        raise ValueError("key-events: give stream_name once.")
    try:
        return check_stream_name(pairs[0][1])
    except ValueError as exc:
        raise ValueError(f"key-events: {exc}.") from None


def http_payload(sse: FirehoseSSE, query: str) -> list[dict[str, Any]]:
    """The answer of ``GET /moto-api/firehose-sse/key-events[?stream_name=NAME]``: the key
    events as JSON objects. A query it can't read → ``ValueError`` (the server's 400)."""
    return [event.to_json() for event in sse.key_events(_query_stream_name(query))]
