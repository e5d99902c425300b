"""What Firehose checks of a request's members before it runs: stream names and types, the
encryption input, and the records of PutRecord and PutRecordBatch.

Records: a record's data is at most 1,000 KiB (1,024,000 bytes, before base64), a
PutRecordBatch at most 4 MiB of data. moto 5.0 hands the data over in base64, moto 5.2 decoded.
"""

from __future__ import annotations

from typing import Any

from .controller import STREAM_NAME_PATTERN
from .exceptions import InvalidArgumentException, ResourceNotFoundException

AWS_OWNED_CMK = "AWS_OWNED_CMK"
CUSTOMER_MANAGED_CMK = "CUSTOMER_MANAGED_CMK"
KEY_TYPES = (AWS_OWNED_CMK, CUSTOMER_MANAGED_CMK)
STREAM_TYPES = ("DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
_NAME_RULE = (
    "must have length between 1 and 64 and match the regular expression pattern [a-zA-Z0-9_.-]+"
)


def not_found(name: Any, account: str) -> ResourceNotFoundException:
    """AWS's answer for a stream the account doesn't have (odd names quoted, so they print)."""
    shown = name if isinstance(name, str) and STREAM_NAME_PATTERN.fullmatch(name) else repr(name)
    shown = "(no DeliveryStreamName given)" if name is None else shown
    return ResourceNotFoundException(f"Firehose {shown} under account {account} not found.")


def stream_name(name: Any) -> str:
    """``name`` if it is a valid stream name; else botocore's validation message."""
    if not isinstance(name, str) or STREAM_NAME_PATTERN.fullmatch(name) is None:
        value, rule = ("null", "must not be null") if name is None else (repr(name), _NAME_RULE)
        raise InvalidArgumentException(
            f"1 validation error detected: Value {value} at 'deliveryStreamName' failed to "
            f"satisfy constraint: Member {rule}"
        )
    return name


def stream_type(given: Any) -> str:
    """The stream's source type (DirectPut when left out)."""
    kind = given or "DirectPut"
    if kind not in STREAM_TYPES:
        raise InvalidArgumentException(
            f"DeliveryStreamType {kind!r} is not valid; use one of {', '.join(STREAM_TYPES)}."
        )
    return str(kind)


def encryption_input(config: Any) -> tuple[str, str | None]:
    """Rules 7 and 8: (KeyType, KeyARN) of a DeliveryStreamEncryptionConfigurationInput."""
    if config is None:
        return AWS_OWNED_CMK, None
    if not isinstance(config, dict):
        raise InvalidArgumentException(
            "DeliveryStreamEncryptionConfigurationInput must be a structure."
        )
    key_type, key_arn = config.get("KeyType"), config.get("KeyARN")
    if key_type not in KEY_TYPES:
        given = "is missing" if key_type is None else f"{key_type!r} is not valid"
        raise InvalidArgumentException(
            f"KeyType {given}; it must be AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK."
        )
    if key_type == AWS_OWNED_CMK and key_arn is not None:
        raise InvalidArgumentException(
            "KeyARN must not be given with KeyType AWS_OWNED_CMK; leave it out, or use "
            "KeyType CUSTOMER_MANAGED_CMK for your own key."
        )
    if key_type == CUSTOMER_MANAGED_CMK and key_arn is None:
        raise InvalidArgumentException(
            "KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK: give the ARN of a "
            "symmetric KMS key (or alias) in the stream's account and region."
        )
    return str(key_type), key_arn


MAX_RECORD_BYTES = 1_024_000
MAX_BATCH_BYTES = 4 * 1024 * 1024


def _size(data: Any) -> int:
    """The decoded size of a record's data (bytes, or base64 text)."""
    if isinstance(data, (bytes, bytearray)):
        return len(data)
    text = str(data)
    return len(text) * 3 // 4 - (2 if text.endswith("==") else 1 if text.endswith("=") else 0)


def records(given: Any) -> list[dict[str, Any]]:
    """The records of a put: 1 to 500, each with Data, within AWS's size limits."""
    if (
        not isinstance(given, list)
        or not 1 <= len(given) <= 500
        or not all(isinstance(r, dict) and "Data" in r for r in given)
    ):
        raise InvalidArgumentException(
            "Records must be a list of 1 to 500 records, each with Data."
        )
    _check_sizes(given)
    return given


def _check_sizes(records: list[dict[str, Any]]) -> None:
    """Refuse a put whose records are over AWS's limits (``InvalidArgumentException``)."""
    total = 0
    for index, record in enumerate(records):
        size = _size(record["Data"])
        if size > MAX_RECORD_BYTES:
            raise InvalidArgumentException(
                f"1 validation error detected: Value at record {index + 1} (its Data, "
                f"{size} bytes) failed to satisfy constraint: Member must have length less "
                f"than or equal to {MAX_RECORD_BYTES}. Split the record."
            )
        total += size
    if total > MAX_BATCH_BYTES:
        raise InvalidArgumentException(
            f"Records size exceeds 4 MB limit ({total} bytes of data, at most "
            f"{MAX_BATCH_BYTES}); send the records in smaller batches."
        )
