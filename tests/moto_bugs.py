"""Bugs of moto releases themselves, which plain moto has too: a test that meets one is marked
with the marker here (an expected failure on those releases only, strict: it must fail there),
naming moto's issue, never dropped or loosened."""

from __future__ import annotations

import moto
import pytest


def moto_version() -> tuple[int, ...]:
    return tuple(int(part) for part in moto.__version__.split(".")[:3] if part.isdigit())


# moto 5.1.22's UpdateAlias deletes the alias before moving it, then raises KeyError
# in plain moto as well: brought in by getmoto/moto#9745 (after 5.1.21), reported as
# getmoto/moto#9831 and fixed by getmoto/moto#9841 (in 5.2.0).
UPDATE_ALIAS_KEYERROR = pytest.mark.xfail(
    (5, 1, 22) <= moto_version() < (5, 2, 0),
    reason="moto 5.1.22: UpdateAlias raises KeyError in plain moto "
    "(https://github.com/getmoto/moto/issues/9831, fixed by "
    "https://github.com/getmoto/moto/pull/9841 in 5.2.0)",
    raises=KeyError,
    strict=True,
)


# moto 5.0 deletes a stack's resources in a set's order (by the process's hash seed): when an
# IAM Role goes before an AWS::IAM::Policy on it, the policy's deletion raises NoSuchEntity
# ("Role ... not found") and the stack stays DELETE_FAILED, in plain moto too (a CDK stack
# with a service role meets it): getmoto/moto#8590, fixed by getmoto/moto#8831 in 5.1. As it
# happens at random, it is no strict marker: the test that meets it accepts that one failure
# there (and says xfail), and any other failure still fails it.
ROLE_POLICY_DELETE_ORDER = moto_version() < (5, 1, 0)
ROLE_POLICY_DELETE_ORDER_REASON = (
    "moto 5.0: a stack's IAM Role deleted before the AWS::IAM::Policy on it fails the "
    "deletion at random (https://github.com/getmoto/moto/issues/8590, fixed by "
    "https://github.com/getmoto/moto/pull/8831 in 5.1)"
)


def _cloudwatch_unreadable() -> bool:
    """True when this moto can't read the CloudWatch protocol this botocore speaks.

    botocore's CloudWatch model lists ``smithy-rpc-v2-cbor`` first (botocore 1.37 and later
    pick it); moto 5.0 reads only the Query protocol, so plain moto's CloudWatch answers
    nothing useful there (getmoto/moto#9195, "Amazon CloudWatch protocol changes will affect
    Moto"). Asked of plain moto itself, once.
    """
    import boto3
    from moto import mock_aws

    try:
        with mock_aws():
            cloudwatch = boto3.client(
                "cloudwatch",
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            cloudwatch.put_metric_data(
                Namespace="probe", MetricData=[{"MetricName": "probe", "Value": 1.0}]
            )
            return not cloudwatch.list_metrics(Namespace="probe").get("Metrics")
    except Exception:
        return True


_CLOUDWATCH_REASON = (
    f"moto {moto.__version__} can't read botocore's CloudWatch protocol (smithy-rpc-v2-cbor) "
    "in plain moto either: https://github.com/getmoto/moto/issues/9195"
)
_CLOUDWATCH_UNREADABLE = _cloudwatch_unreadable()
# Tests that find metrics in moto's CloudWatch through boto3 (the KMS metrics, rule 47).
CLOUDWATCH_UNREADABLE = pytest.mark.xfail(
    _CLOUDWATCH_UNREADABLE, reason=_CLOUDWATCH_REASON, strict=True
)
# Tests that find none there: where nothing can be read they check nothing, so they skip.
CLOUDWATCH_UNREADABLE_SKIP = pytest.mark.skipif(_CLOUDWATCH_UNREADABLE, reason=_CLOUDWATCH_REASON)
