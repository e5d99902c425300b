"""Firehose's KMS metrics (rule 47), put into moto's CloudWatch.

When Firehose meets a KMS error on a customer key, AWS publishes one of four metrics in the
namespace ``AWS/Firehose`` with the dimension ``DeliveryStreamName``, unit Count ("Data
protection in Amazon Data Firehose"). The mock puts a datapoint of 1 for each PutRecord /
PutRecordBatch refused because of the customer key, into moto's CloudWatch of the stream's
account and region, at the mock clock's time. ``get_metric_statistics``,
``get_metric_data`` and ``list_metrics`` read them, in-process and over HTTP; alarms can be
created on them (moto does not evaluate alarms).
"""

from __future__ import annotations

NAMESPACE = "AWS/Firehose"
DIMENSION = "DeliveryStreamName"
METRICS = {
    "AccessDeniedException": "KMSKeyAccessDenied",
    "DisabledException": "KMSKeyDisabled",
    "KMSInvalidStateException": "KMSKeyInvalidState",
    "NotFoundException": "KMSKeyNotFound",
}
"""KMS's error code -> the metric Firehose publishes for it."""


def publish_refusal(stream_arn: str, kms_error: str) -> None:
    """One datapoint of 1 (Count) for a put on ``stream_arn`` refused with ``kms_error``.

    moto stamps it with the time of its clock (``datetime.now``, which freezegun and
    time-machine move), in the form its release compares: aware in moto 5.0, naive later.
    """
    name = METRICS.get(kms_error)
    if name is None:  # not a key error Firehose publishes a metric for
        return
    from moto.cloudwatch.models import cloudwatch_backends  # loaded on the first refusal

    _arn, _partition, _service, region, account, resource = stream_arn.split(":", 5)
    dimensions = [{"Name": DIMENSION, "Value": resource.partition("/")[2]}]
    try:
        cloudwatch = cloudwatch_backends[account][region]
    except KeyError:  # a region moto's CloudWatch doesn't serve: nowhere to publish
        return
    cloudwatch.put_metric_data(
        NAMESPACE,
        [
            {
                "MetricName": name,
                "Dimensions": dimensions,
                "Dimensions.member": dimensions,  # moto 5.0 reads the query protocol's name
                "Value": 1.0,
                "Unit": "Count",
            }
        ],
    )
