"""AWS's defaults in the S3 parts of a Describe (rule 46), as scanners read them.

botocore marks ``BufferingHints``, ``CompressionFormat`` and ``EncryptionConfiguration``
required in ``S3DestinationDescription`` and ``ExtendedS3DestinationDescription`` (with
``RoleARN`` and ``BucketARN``, which Create requires); AWS shows its defaults for them when the
stream was created without them. moto shows only what was given, and tools that read
``EncryptionConfiguration`` (Cloud Custodian's ``encrypt-s3-destination``) fail on that. The
same shape sits inside other destinations (their ``S3DestinationDescription`` and
``S3BackupDescription``), and gets the same defaults.

Only the required members are filled: every member added is parsed by every client on every
Describe. moto's stored configuration is never changed: the description gets new dictionaries.
"""

from __future__ import annotations

from typing import Any

NO_ENCRYPTION = {"NoEncryptionConfig": "NoEncryption"}
BUFFERING_HINTS = {"SizeInMBs": 5, "IntervalInSeconds": 300}
COMPRESSION_FORMAT = "UNCOMPRESSED"

_S3 = "S3DestinationDescription"
_EXTENDED_S3 = "ExtendedS3DestinationDescription"
_S3_BACKUP = "S3BackupDescription"
_NESTED = (_S3, _S3_BACKUP)


def s3_description(shown: Any) -> Any:
    """``shown`` (an S3 or Extended S3 destination description) with AWS's defaults for the
    required members it leaves out; anything but a dictionary as it is."""
    if not isinstance(shown, dict):
        return shown
    result = dict(shown)
    hints = result.get("BufferingHints")
    # a partial BufferingHints gets the missing member
    result["BufferingHints"] = (
        {**BUFFERING_HINTS, **hints} if isinstance(hints, dict) else dict(BUFFERING_HINTS)
    )
    compression = result.get("CompressionFormat")
    if not isinstance(compression, str) or not compression:
        result["CompressionFormat"] = COMPRESSION_FORMAT
    encryption = result.get("EncryptionConfiguration")
    if not isinstance(encryption, dict) or not encryption:
        result["EncryptionConfiguration"] = dict(NO_ENCRYPTION)
    return result


def apply(description: dict[str, Any]) -> None:
    """Fill the S3 parts of each destination of a ``DeliveryStreamDescription`` in place
    (the destination dictionaries are the Describe's own; what they hold is moto's)."""
    destinations = description.get("Destinations")
    if not isinstance(destinations, list):
        return
    for destination in destinations:
        if not isinstance(destination, dict):
            continue
        for name, shown in destination.items():
            if name in (_S3, _EXTENDED_S3):
                shown = destination[name] = s3_description(shown)
            if isinstance(shown, dict) and name != _S3 and any(p in shown for p in _NESTED):
                destination[name] = {
                    **shown,
                    **{part: s3_description(shown[part]) for part in _NESTED if part in shown},
                }
