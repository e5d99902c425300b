"""Every Firehose answer carries AWS's JSON 1.1 headers in-process, the plugin's errors and
moto's own alike: ``Content-Type: application/x-amz-json-1.1``, and on errors
``x-amzn-ErrorType`` naming the error (moto 5.0 says ``application/json``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from moto_firehose_sse import FirehoseSSE

from .helpers import ACCOUNT, client, create_stream

JSON_1_1 = "application/x-amz-json-1.1"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/firehose/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)


class Seen:
    """A Firehose client that keeps the status and headers of each raw response."""

    def __init__(self) -> None:
        self.client = client("firehose")
        self.answers: list[tuple[int, dict[str, str]]] = []
        self.client.meta.events.register("before-parse.firehose.*", self._keep)

    def _keep(self, response_dict: dict[str, Any], **_: Any) -> None:
        headers = {k.lower(): v for k, v in response_dict["headers"].items()}
        self.answers.append((response_dict["status_code"], headers))

    def error(self, method: str, **params: Any) -> tuple[str, dict[str, str]]:
        """Call ``method``, which must fail; (error code, the response's headers)."""
        with pytest.raises(self.client.exceptions.ClientError) as caught:
            getattr(self.client, method)(**params)
        status, headers = self.answers[-1]
        assert status == 400
        return str(caught.value.response["Error"]["Code"]), headers


@pytest.fixture
def seen(firehose_sse: FirehoseSSE) -> Seen:
    return Seen()


KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
CUSTOMER = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": KEY}
S3 = {"RoleARN": f"arn:aws:iam::{ACCOUNT}:role/r", "BucketARN": "arn:aws:s3:::b"}


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("describe_delivery_stream", {"DeliveryStreamName": "none"}, "ResourceNotFoundException"),
        ("delete_delivery_stream", {"DeliveryStreamName": "none"}, "ResourceNotFoundException"),
        (
            "start_delivery_stream_encryption",
            {"DeliveryStreamName": "web", "DeliveryStreamEncryptionConfigurationInput": CUSTOMER},
            "InvalidKMSResourceException",
        ),
        (
            "start_delivery_stream_encryption",
            {
                "DeliveryStreamName": "web",
                "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "CUSTOMER_MANAGED_CMK"},
            },
            "InvalidArgumentException",
        ),
        (
            "create_delivery_stream",
            {"DeliveryStreamName": "web", "ExtendedS3DestinationConfiguration": S3},
            "ResourceInUseException",
        ),
        (
            "create_delivery_stream",
            {
                "DeliveryStreamName": "tagged",
                "ExtendedS3DestinationConfiguration": S3,
                "Tags": [{"Key": "aws:reserved", "Value": "v"}],
            },
            "InvalidArgumentException",
        ),
        ("put_record", {"DeliveryStreamName": "none", "Record": {"Data": b"x"}}, None),
        (  # moto's own error: the plugin leaves UpdateDestination to moto
            "update_destination",
            {
                "DeliveryStreamName": "web",
                "CurrentDeliveryStreamVersionId": "1",
                "DestinationId": "x",
            },
            "InvalidArgumentException",
        ),
    ],
)
def test_errors_in_process_say_json_1_1_and_their_error_type(
    seen: Seen, method: str, params: dict[str, Any], code: str | None
) -> None:
    create_stream(seen.client, "web")
    got, headers = seen.error(method, **params)
    assert code is None or got == code
    assert headers["content-type"] == JSON_1_1
    assert headers["x-amzn-errortype"] == got


def test_the_daily_limit_error_says_json_1_1(seen: Seen, firehose_sse: FirehoseSSE) -> None:
    firehose_sse.max_encryption_changes_per_day = 1
    create_stream(seen.client, "web")
    seen.client.stop_delivery_stream_encryption(DeliveryStreamName="web")
    got, headers = seen.error("stop_delivery_stream_encryption", DeliveryStreamName="web")
    assert (got, headers["x-amzn-errortype"]) == ("LimitExceededException",) * 2
    assert headers["content-type"] == JSON_1_1


def test_successes_in_process_say_json_1_1(seen: Seen) -> None:
    create_stream(seen.client, "web")
    seen.client.start_delivery_stream_encryption(DeliveryStreamName="web")
    seen.client.put_record(DeliveryStreamName="web", Record={"Data": b"x"})
    assert [headers["content-type"] for _, headers in seen.answers] == [JSON_1_1] * 3
    assert all(status == 200 for status, _ in seen.answers)


@pytest.mark.parametrize(
    ("target", "body", "code"),
    [
        (
            "Firehose_20150804.StartDeliveryStreamEncryption",
            {"DeliveryStreamName": 7},
            "InvalidArgumentException",
        ),
        (
            "Firehose_20150804.DescribeDeliveryStream",
            {"DeliveryStreamName": "none"},
            "ResourceNotFoundException",
        ),
        (  # moto 5.2 can't parse it: the plugin's error raised past moto's dispatch
            "Firehose_20150804.DescribeDeliveryStream",
            {"DeliveryStreamName": "none", "Limit": "ten"},
            "ResourceNotFoundException",
        ),
    ],
)
def test_raw_requests_in_process_get_json_1_1_errors(
    firehose_sse: FirehoseSSE, target: str, body: dict[str, Any], code: str
) -> None:
    """A request that no SDK made (``requests`` under the mock) gets the same wire answer."""
    reply = requests.post(
        "https://firehose.us-east-1.amazonaws.com/",
        data=json.dumps(body),
        headers={"Content-Type": JSON_1_1, "X-Amz-Target": target, "Authorization": AUTH},
        timeout=10,
    )
    assert reply.status_code == 400
    assert reply.headers["Content-Type"] == JSON_1_1
    assert reply.headers["x-amzn-ErrorType"] == code
    assert reply.json()["__type"] == code
