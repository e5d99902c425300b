"""Firehose's size limits on the records of PutRecord and PutRecordBatch.

AWS: a record's data is at most 1,000 KiB (1,024,000 bytes, before base64), a PutRecordBatch
at most 4 MiB of data. moto 5.0 hands the data over in base64, moto 5.2 decoded.
"""

from __future__ import annotations

from typing import Any

from .exceptions import InvalidArgumentException

MAX_RECORD_BYTES = 1_024_000
MAX_BATCH_BYTES = 4 * 1024 * 1024


def _size(data: Any) -> int:
    """The decoded size of a record's data (bytes, or base64 text)."""
    if isinstance(data, (bytes, bytearray)):
        return len(data)
    text = str(data)
    return len(text) * 3 // 4 - (2 if text.endswith("==") else 1 if text.endswith("=") else 0)


def check_sizes(records: list[dict[str, Any]]) -> None:
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
