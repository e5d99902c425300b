"""A Firehose stream's life under Terraform and under CloudFormation: create, update, delete.

Each class makes the calls its tool's published code makes for a delivery stream with
server-side encryption, and waits the way that code waits:

- ``Terraform`` (the AWS provider's ``aws_kinesis_firehose_delivery_stream``): Create, then wait
  while CREATING; a changed ``server_side_encryption`` is StartDeliveryStreamEncryption (wait
  while ENABLING) or StopDeliveryStreamEncryption (wait while DISABLING); destroy is
  DeleteDeliveryStream *without* AllowForceDelete, then wait while DELETING until Describe
  answers ResourceNotFoundException. Any other status fails the apply with the stream's
  ``FailureDescription`` as "TYPE: DETAILS".
- ``CloudFormation`` (the ``AWS::KinesisFirehose::DeliveryStream`` resource handler): the same
  create and update, and a delete that *always* sends ``AllowForceDelete=true`` and polls
  Describe every 30 seconds until ResourceNotFoundException.

So a stream whose key is pending deletion fails Terraform's destroy (DELETING_FAILED,
RETIRE_KMS_GRANT_FAILED) and is deleted by CloudFormation, which leaves Firehose's grant on the
key. Waits go through an injected ``sleep``; tests pass one that records instead of waiting.

Run ``python examples/deployment_tools.py`` for a demo against moto with moto-firehose-sse.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

CMK = "CUSTOMER_MANAGED_CMK"


class DeploymentError(Exception):
    """The tool stopped with this error; the message is the one the tool reports."""


def _encryption_input(key_arn: str | None) -> dict[str, str]:
    if key_arn is None:
        return {"KeyType": "AWS_OWNED_CMK"}
    return {"KeyType": CMK, "KeyARN": key_arn}


class _Tool:
    poll_seconds = 10.0

    def __init__(
        self,
        firehose: Any,
        *,
        role_arn: str,
        bucket_arn: str,
        sleep: Callable[[float], None] = time.sleep,
        max_polls: int = 120,
    ) -> None:
        self.firehose = firehose
        self.destination = {"RoleARN": role_arn, "BucketARN": bucket_arn}
        self.sleep = sleep
        self.max_polls = max_polls

    def _describe(self, name: str) -> dict[str, Any] | None:
        try:
            found = self.firehose.describe_delivery_stream(DeliveryStreamName=name)
        except self.firehose.exceptions.ResourceNotFoundException:
            return None
        return dict(found["DeliveryStreamDescription"])

    def _wait(
        self, name: str, what: str, pending: str, target: str | None, status: Callable[..., Any]
    ) -> dict[str, Any] | None:
        """Describe while ``status`` is ``pending``; the description at ``target`` (None: gone)."""
        for poll in range(self.max_polls):
            description = self._describe(name)
            current = status(description) if description is not None else None
            if current == target:
                return description
            if description is None:
                raise DeploymentError(f"{name} disappeared while waiting for its {what}")
            if current != pending:
                raise DeploymentError(self._error(name, what, current, target, description))
            if poll + 1 < self.max_polls:
                self.sleep(self.poll_seconds)
        raise DeploymentError(f"timeout while waiting for {name} {what} ({self.max_polls} polls)")

    def _error(
        self, name: str, what: str, status: str, target: str | None, found: dict[str, Any]
    ) -> str:
        """The tool's message when a wait meets a status it doesn't expect."""
        raise NotImplementedError

    @staticmethod
    def _failure(description: dict[str, Any], block: bool = False) -> str:
        source = description.get("DeliveryStreamEncryptionConfiguration", {}) if block else {}
        failure = source.get("FailureDescription") or description.get("FailureDescription")
        return f"{failure['Type']}: {failure['Details']}" if failure else "no FailureDescription"

    @staticmethod
    def _stream_status(description: dict[str, Any]) -> str:
        return str(description["DeliveryStreamStatus"])

    @staticmethod
    def _sse_status(description: dict[str, Any]) -> str:
        return str(description["DeliveryStreamEncryptionConfiguration"]["Status"])

    def create(self, name: str, key_arn: str | None = None, *, encrypted: bool = False) -> None:
        """Create a DirectPut stream (encrypted with ``key_arn``, or AWS owned when
        ``encrypted``) and wait until it is ACTIVE."""
        params: dict[str, Any] = {
            "DeliveryStreamName": name,
            "DeliveryStreamType": "DirectPut",
            "ExtendedS3DestinationConfiguration": self.destination,
        }
        if key_arn is not None or encrypted:
            params["DeliveryStreamEncryptionConfigurationInput"] = _encryption_input(key_arn)
        self.firehose.create_delivery_stream(**params)
        self._wait(name, "create", "CREATING", "ACTIVE", self._stream_status)

    def encrypt(self, name: str, key_arn: str | None = None) -> None:
        """Turn encryption on, or change its key; wait until ENABLED."""
        self.firehose.start_delivery_stream_encryption(
            DeliveryStreamName=name,
            DeliveryStreamEncryptionConfigurationInput=_encryption_input(key_arn),
        )
        self._wait(name, "encryption enable", "ENABLING", "ENABLED", self._sse_status)

    def decrypt(self, name: str) -> None:
        """Turn encryption off; wait until DISABLED."""
        self.firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)
        self._wait(name, "encryption disable", "DISABLING", "DISABLED", self._sse_status)


class Terraform(_Tool):
    """``aws_kinesis_firehose_delivery_stream`` as the Terraform AWS provider applies it."""

    poll_seconds = 10.0

    def _error(
        self, name: str, what: str, status: str, target: str | None, found: dict[str, Any]
    ) -> str:
        return (
            f"waiting for Kinesis Firehose Delivery Stream ({name}) {what}: unexpected state "
            f"'{status}', wanted target '{target or ''}'. last error: "
            f"{self._failure(found, what.startswith('encryption'))}"
        )

    def destroy(self, name: str) -> None:
        """DeleteDeliveryStream without AllowForceDelete; wait while DELETING."""
        try:
            self.firehose.delete_delivery_stream(DeliveryStreamName=name)
        except self.firehose.exceptions.ResourceNotFoundException:
            return
        self._wait(name, "delete", "DELETING", None, self._stream_status)


class CloudFormation(_Tool):
    """``AWS::KinesisFirehose::DeliveryStream`` as its resource handler manages it."""

    poll_seconds = 30.0

    def _error(
        self, name: str, what: str, status: str, target: str | None, found: dict[str, Any]
    ) -> str:
        return (
            f"NotStabilized: delivery stream {name} is {status}, not {target or 'deleted'} "
            f"({self._failure(found, what.startswith('encryption'))})"
        )

    def delete(self, name: str) -> None:
        """DeleteDeliveryStream with AllowForceDelete=true; poll until ResourceNotFound."""
        try:
            self.firehose.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True)
        except self.firehose.exceptions.ResourceNotFoundException as error:
            raise DeploymentError(f"NotFound: {error.response['Error']['Message']}") from error
        self._wait(name, "delete", "DELETING", None, self._stream_status)


def main() -> int:
    """A demo against moto: one stream per tool, its key scheduled for deletion before the end."""
    import boto3

    from moto_firehose_sse import mock_firehose_sse

    region = "us-east-1"
    with mock_firehose_sse():
        firehose = boto3.client("firehose", region_name=region)
        kms = boto3.client("kms", region_name=region)
        places = {
            "role_arn": "arn:aws:iam::123456789012:role/firehose",
            "bucket_arn": "arn:aws:s3:::logs",
            "sleep": lambda seconds: None,
        }
        terraform, cloudformation = (
            Terraform(firehose, **places),
            CloudFormation(firehose, **places),
        )
        outcomes = []
        for tool, delete in (
            (terraform, terraform.destroy),
            (cloudformation, cloudformation.delete),
        ):
            name = type(tool).__name__.lower()
            first, second = (kms.create_key()["KeyMetadata"] for _ in range(2))
            tool.create(name)
            tool.encrypt(name, first["Arn"])
            tool.encrypt(name, second["Arn"])  # key change
            kms.schedule_key_deletion(KeyId=second["KeyId"], PendingWindowInDays=7)
            try:
                delete(name)
            except DeploymentError as error:
                outcomes.append(f"{type(tool).__name__}: {error}")
                continue
            left = len(kms.list_grants(KeyId=second["KeyId"])["Grants"])
            outcomes.append(f"{type(tool).__name__}: deleted; {left} grant left on the key")
        print("\n".join(outcomes))
    return 0 if "DELETING_FAILED" in outcomes[0] and "1 grant" in outcomes[1] else 1


if __name__ == "__main__":
    sys.exit(main())
