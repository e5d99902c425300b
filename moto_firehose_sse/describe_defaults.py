"""AWS's defaults in the S3 parts of a Describe (rule 46), as scanners read them.

botocore marks ``BufferingHints``, ``CompressionFormat`` and ``EncryptionConfiguration``
required in ``S3DestinationDescription`` and ``ExtendedS3DestinationDescription``; AWS fills
them (and ``CloudWatchLoggingOptions``, and an Extended S3 destination's ``S3BackupMode``)
with its defaults when the stream was created without them. moto shows only what was given,
and tools that read ``EncryptionConfiguration`` (Cloud Custodian's ``encrypt-s3-destination``)
fail on that. The same shape sits inside other destinations (their ``S3DestinationDescription``
and ``S3BackupDescription``), and gets the same defaults.

moto's stored configuration is never changed: the description gets new dictionaries.
"""

from __future__ import annotations

from typing import Any

NO_ENCRYPTION = {"NoEncryptionConfig": "NoEncryption"}
BUFFERING_HINTS = {"SizeInMBs": 5, "IntervalInSeconds": 300}
COMPRESSION_FORMAT = "UNCOMPRESSED"
LOGGING_OFF = {"Enabled": False}
S3_BACKUP_MODE = "Disabled"

_S3 = "S3DestinationDescription"
_EXTENDED_S3 = "ExtendedS3DestinationDescription"
_S3_BACKUP = "S3BackupDescription"
_NESTED = (_S3, _S3_BACKUP)


def s3_description(shown: Any, *, extended: bool = False) -> Any:
    """``shown`` (an S3 or, with ``extended``, an Extended S3 destination description) with
    AWS's defaults for what it leaves out; anything but a dictionary as it is."""
    if not isinstance(shown, dict):
        return shown
    result = dict(shown)
    hints = result.get("BufferingHints")
    # a partial BufferingHints or CloudWatchLoggingOptions gets the missing members
    result["BufferingHints"] = (
        {**BUFFERING_HINTS, **hints} if isinstance(hints, dict) else dict(BUFFERING_HINTS)
    )
    compression = result.get("CompressionFormat")
    if not isinstance(compression, str) or not compression:
        result["CompressionFormat"] = COMPRESSION_FORMAT
    encryption = result.get("EncryptionConfiguration")
    if not isinstance(encryption, dict) or not encryption:
        result["EncryptionConfiguration"] = dict(NO_ENCRYPTION)
    logging = result.get("CloudWatchLoggingOptions")
    result["CloudWatchLoggingOptions"] = (
        {**LOGGING_OFF, **logging} if isinstance(logging, dict) else dict(LOGGING_OFF)
    )
    if extended:
        mode = result.get("S3BackupMode")
        if not isinstance(mode, str) or not mode:
            result["S3BackupMode"] = S3_BACKUP_MODE
        if _S3_BACKUP in result:
            result[_S3_BACKUP] = s3_description(result[_S3_BACKUP])
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
            if name == _S3:
                destination[name] = s3_description(shown)
            elif name == _EXTENDED_S3:
                destination[name] = s3_description(shown, extended=True)
            elif isinstance(shown, dict) and any(part in shown for part in _NESTED):
                destination[name] = {
                    **shown,
                    **{part: s3_description(shown[part]) for part in _NESTED if part in shown},
                }
