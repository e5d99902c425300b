"""Rule 46: an S3 / Extended S3 destination describes with AWS's defaults for what it was
created without (the members botocore marks required), as scanners read it."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from moto_firehose_sse import mock_firehose_sse

from .helpers import (
    ACCOUNT,
    BUCKET_ARN,
    REGION,
    ROLE_ARN,
    client,
    create_kinesis_sourced_stream,
    create_stream,
    description,
)
from .server_helpers import remote

MINIMAL = {"RoleARN": ROLE_ARN, "BucketARN": BUCKET_ARN}
DEFAULTS = {
    "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
    "CompressionFormat": "UNCOMPRESSED",
    "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
}
"""What AWS shows for the members botocore marks required, for a destination created with only
a role and a bucket (the Firehose developer guide's describe-delivery-stream output, which also
shows CloudWatchLoggingOptions and S3BackupMode: not required, left out, every member added is
parsed by every client)."""
KMS_ARN = f"arn:aws:kms:{REGION}:123456789012:key/11111111-2222-3333-4444-555555555555"


def destination(firehose: Any, name: str) -> dict[str, Any]:
    (found,) = description(firehose, name)["Destinations"]
    return dict(found)


def test_every_member_botocore_requires_is_shown() -> None:
    """The defaults cover what botocore's model marks required, whatever its version."""
    model = botocore.session.get_session().get_service_model("firehose")
    for shape in ("S3DestinationDescription", "ExtendedS3DestinationDescription"):
        required = set(model.shape_for(shape).required_members)
        assert required == {"RoleARN", "BucketARN", *DEFAULTS}, (shape, required)


def test_an_extended_s3_destination_created_with_a_role_and_a_bucket(firehose: Any) -> None:
    create_stream(firehose, "s", ExtendedS3DestinationConfiguration=MINIMAL)
    found = destination(firehose, "s")
    assert found["ExtendedS3DestinationDescription"] == {**MINIMAL, **DEFAULTS}
    assert found["S3DestinationDescription"] == {**MINIMAL, **DEFAULTS}


def test_a_plain_s3_destination(firehose: Any) -> None:
    create_stream(firehose, "s", S3DestinationConfiguration=MINIMAL)
    found = destination(firehose, "s")
    assert found["S3DestinationDescription"] == {**MINIMAL, **DEFAULTS}
    assert "ExtendedS3DestinationDescription" not in found


def test_a_kinesis_sourced_stream_too(firehose: Any) -> None:
    create_kinesis_sourced_stream(firehose, "k")
    found = destination(firehose, "k")["ExtendedS3DestinationDescription"]
    assert found["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}


def test_what_was_given_is_kept(firehose: Any) -> None:
    given = {
        **MINIMAL,
        "Prefix": "p/",
        "BufferingHints": {"SizeInMBs": 64},
        "CompressionFormat": "GZIP",
        "EncryptionConfiguration": {"KMSEncryptionConfig": {"AWSKMSKeyARN": KMS_ARN}},
        "CloudWatchLoggingOptions": {"LogGroupName": "g", "LogStreamName": "s"},
        "S3BackupMode": "Enabled",
        "S3BackupConfiguration": {**MINIMAL, "CompressionFormat": "ZIP"},
    }
    create_stream(firehose, "s", ExtendedS3DestinationConfiguration=given)
    found = destination(firehose, "s")["ExtendedS3DestinationDescription"]
    assert found["Prefix"] == "p/"
    assert found["BufferingHints"] == {"SizeInMBs": 64, "IntervalInSeconds": 300}
    assert found["CompressionFormat"] == "GZIP"
    assert found["EncryptionConfiguration"] == {"KMSEncryptionConfig": {"AWSKMSKeyARN": KMS_ARN}}
    assert found["CloudWatchLoggingOptions"] == {"LogGroupName": "g", "LogStreamName": "s"}
    assert found["S3BackupMode"] == "Enabled"
    assert found["S3BackupDescription"] == {**MINIMAL, **DEFAULTS, "CompressionFormat": "ZIP"}


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        (
            "HttpEndpoint",
            {
                "EndpointConfiguration": {"Url": "https://example.com"},
                "S3Configuration": MINIMAL,
            },
        ),
        (
            "Redshift",
            {
                "RoleARN": ROLE_ARN,
                "ClusterJDBCURL": "jdbc:redshift://example.com:5439/db",
                "CopyCommand": {"DataTableName": "t"},
                "S3Configuration": MINIMAL,
                "S3BackupMode": "Enabled",
                "S3BackupConfiguration": MINIMAL,
            },
        ),
        (
            "Elasticsearch",
            {
                "RoleARN": ROLE_ARN,
                "DomainARN": f"arn:aws:es:{REGION}:123456789012:domain/d",
                "IndexName": "i",
                "S3Configuration": MINIMAL,
            },
        ),
    ],
)
def test_the_s3_part_of_other_destinations(firehose: Any, kind: str, config: Any) -> None:
    create_stream(firehose, "s", **{f"{kind}DestinationConfiguration": config})
    found = destination(firehose, "s")[f"{kind}DestinationDescription"]
    assert found["S3DestinationDescription"] == {**MINIMAL, **DEFAULTS}
    if "S3BackupConfiguration" in config:
        assert found["S3BackupDescription"] == {**MINIMAL, **DEFAULTS}


def test_an_update_shows_through_the_defaults(firehose: Any) -> None:
    create_stream(firehose, "s", ExtendedS3DestinationConfiguration=MINIMAL)
    shown = description(firehose, "s")
    firehose.update_destination(
        DeliveryStreamName="s",
        CurrentDeliveryStreamVersionId=shown["VersionId"],
        DestinationId=shown["Destinations"][0]["DestinationId"],
        ExtendedS3DestinationUpdate={"CompressionFormat": "Snappy"},
    )
    found = destination(firehose, "s")["ExtendedS3DestinationDescription"]
    assert found["CompressionFormat"] == "Snappy"
    assert found["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}


def test_moto_keeps_what_was_given() -> None:
    """The defaults are the Describe's: plain moto, after the mock, shows its own data."""
    with mock_aws():
        firehose = client("firehose")
        with mock_firehose_sse():
            create_stream(firehose, "s", ExtendedS3DestinationConfiguration=MINIMAL)
            for _ in range(2):
                assert (
                    "EncryptionConfiguration"
                    in destination(firehose, "s")["ExtendedS3DestinationDescription"]
                )
        plain = destination(firehose, "s")["ExtendedS3DestinationDescription"]
        assert "EncryptionConfiguration" not in plain
        assert "BufferingHints" not in plain


def test_a_destination_that_is_not_an_object_is_passed_over() -> None:
    """Unit: the destinations after an odd one still get the defaults, and a destination's
    part that is text naming a nested part is left as it is."""
    from moto_firehose_sse import describe_defaults

    description: dict[str, Any] = {
        "Destinations": [
            "odd",
            {"RedshiftDestinationDescription": "S3BackupDescription"},
            {"ExtendedS3DestinationDescription": {"RoleARN": ROLE_ARN}},
        ]
    }
    describe_defaults.apply(description)
    odd, redshift, extended = description["Destinations"]
    assert odd == "odd"
    assert redshift == {"RedshiftDestinationDescription": "S3BackupDescription"}
    assert extended["ExtendedS3DestinationDescription"] == {
        "RoleARN": ROLE_ARN,
        "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
        "CompressionFormat": "UNCOMPRESSED",
        "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
    }


@pytest.mark.parametrize("value", ["x", 5, [], {}, None, ""])
def test_odd_stored_values_get_the_defaults_never_an_error(firehose: Any, value: Any) -> None:
    """Whatever moto holds (a stream made by plain moto or a tool that wrote its data)."""
    from moto.firehose.models import firehose_backends

    create_stream(firehose, "s", ExtendedS3DestinationConfiguration=MINIMAL)
    stored = firehose_backends[ACCOUNT][REGION].delivery_streams["s"].destinations[0]
    for member in ("EncryptionConfiguration", "BufferingHints", "CompressionFormat"):
        stored["ExtendedS3"][member] = value
    if isinstance(value, dict):
        stored["S3"] = value
    found = destination(firehose, "s")
    shown = found["ExtendedS3DestinationDescription"]
    assert shown["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}
    assert shown["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    # a text is shown as it is (botocore doesn't check enums in output); anything else defaults
    assert shown["CompressionFormat"] == (
        value if isinstance(value, str) and value else "UNCOMPRESSED"
    )
    if isinstance(value, dict):
        assert found["S3DestinationDescription"] == DEFAULTS


def test_over_http(server: str) -> None:
    firehose = remote(server, "firehose")
    create_stream(firehose, "s", ExtendedS3DestinationConfiguration=MINIMAL)
    found = destination(firehose, "s")
    assert found["ExtendedS3DestinationDescription"] == {**MINIMAL, **DEFAULTS}
