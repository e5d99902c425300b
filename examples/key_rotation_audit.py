"""Audit a Firehose key rotation from the KMS calls made for the stream (CloudTrail's view).

After a stream's customer managed key was changed, an auditor asks: did Firehose get a grant
on the new key, was its grant on the old key retired, were the records after the rotation
encrypted under the new key only, and did KMS refuse anything since? On AWS the answers are in
CloudTrail; with moto-firehose-sse they are the mock's key events (rule 48), read in-process
with ``FirehoseSSE.key_events()`` or over HTTP from ``GET /moto-api/firehose-sse/key-events``.

``audit_rotation`` takes either form (``KeyEvent`` objects or the endpoint's JSON objects).

Run ``python examples/key_rotation_audit.py`` for a demo against moto with moto-firehose-sse.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Event = Mapping[str, Any] | Any
"""A key event: a ``moto_firehose_sse.KeyEvent``, or one JSON object of the HTTP endpoint."""


def _field(event: Event, name: str) -> Any:
    return event[name] if isinstance(event, Mapping) else getattr(event, name)


@dataclass(frozen=True)
class RotationAudit:
    """What the key events say about the rotation of ``stream`` to ``new_key``.

    ``old_key`` is the customer key whose grant was in force before (None: an AWS owned key
    or no encryption); ``data_keys_after`` counts the data keys Firehose generated after the
    rotation, by key ARN; ``refusals`` describes each KMS call refused since then.
    """

    stream: str
    new_key: str
    rotated: bool
    old_key: str | None = None
    old_grant_retired: bool = False
    data_keys_after: dict[str, int] = field(default_factory=dict)
    refusals: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """What an auditor would flag; empty when the rotation is clean."""
        if not self.rotated:
            return [f"Firehose got no grant on {self.new_key}: the rotation did not happen"]
        found = []
        if self.old_key is not None and not self.old_grant_retired:
            found.append(f"the grant on the old key {self.old_key} was not retired")
        for key, count in sorted(self.data_keys_after.items()):
            if key != self.new_key:
                found.append(f"{count} put(s) after the rotation used {key}")
        found.extend(self.refusals)
        return found

    def summary(self) -> str:
        problems = self.problems()
        if not problems:
            puts = self.data_keys_after.get(self.new_key, 0)
            return f"{self.stream}: rotated to {self.new_key}, {puts} put(s) since, all under it"
        return f"{self.stream}: " + "; ".join(problems)


def audit_rotation(events: Iterable[Event], stream: str, new_key: str) -> RotationAudit:
    """Audit the rotation of ``stream`` to the customer key ``new_key`` from its key events
    (oldest first, as the mock gives them)."""
    mine = [e for e in events if _field(e, "stream_name") == stream]
    granted = [
        index
        for index, e in enumerate(mine)
        if _field(e, "operation") == "CreateGrant"
        and _field(e, "key_arn") == new_key
        and _field(e, "error") is None
    ]
    if not granted:
        return RotationAudit(stream, new_key, rotated=False)
    at = granted[-1]
    before, after = mine[:at], mine[at + 1 :]
    old_at = next(
        (
            index
            for index in range(len(before) - 1, -1, -1)
            if _field(before[index], "operation") == "CreateGrant"
            and _field(before[index], "error") is None
        ),
        None,
    )
    old_key = _field(before[old_at], "key_arn") if old_at is not None else None
    if old_key == new_key:  # the same key again: nothing was rotated away
        old_key = None
    retired = old_at is not None and any(
        _field(e, "operation") == "RetireGrant"
        and _field(e, "key_arn") == old_key
        and _field(e, "error") is None
        for e in mine[old_at + 1 :]
    )
    data_keys = Counter(
        _field(e, "key_arn")
        for e in after
        if _field(e, "operation") == "GenerateDataKey" and _field(e, "error") is None
    )
    refusals = tuple(
        f"{_field(e, 'operation')} on {_field(e, 'key_arn')} refused at "
        f"{_field(e, 'time')}: {_field(e, 'error')}"
        for e in after
        if _field(e, "error") is not None
    )
    return RotationAudit(
        stream,
        new_key,
        rotated=True,
        old_key=old_key,
        old_grant_retired=retired,
        data_keys_after=dict(data_keys),
        refusals=refusals,
    )


def events_from_server(endpoint_url: str, stream: str) -> list[dict[str, Any]]:
    """The key events of ``stream`` from a moto-firehose-sse server (its JSON objects)."""
    query = urllib.parse.urlencode({"stream_name": stream})
    url = f"{endpoint_url}/moto-api/firehose-sse/key-events?{query}"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # a local server
    with direct.open(url, timeout=10) as reply:
        events: list[dict[str, Any]] = json.loads(reply.read())
    return events


def main() -> int:
    """A demo against moto: a clean rotation, and one to a disabled key."""
    import boto3

    from moto_firehose_sse import mock_firehose_sse

    region = "us-east-1"
    destination = {
        "RoleARN": "arn:aws:iam::123456789012:role/firehose",
        "BucketARN": "arn:aws:s3:::orders",
    }
    with mock_firehose_sse() as sse:
        sse.set_transition({"progression": "immediate"})  # each change ends at the next read
        firehose = boto3.client("firehose", region_name=region)
        kms = boto3.client("kms", region_name=region)
        old, new, disabled = (kms.create_key()["KeyMetadata"] for _ in range(3))
        kms.disable_key(KeyId=disabled["KeyId"])
        audits = []
        for stream, target in (("orders", new), ("payments", disabled)):
            firehose.create_delivery_stream(
                DeliveryStreamName=stream,
                DeliveryStreamEncryptionConfigurationInput={
                    "KeyType": "CUSTOMER_MANAGED_CMK",
                    "KeyARN": old["Arn"],
                },
                ExtendedS3DestinationConfiguration=destination,
            )
            firehose.start_delivery_stream_encryption(
                DeliveryStreamName=stream,
                DeliveryStreamEncryptionConfigurationInput={
                    "KeyType": "CUSTOMER_MANAGED_CMK",
                    "KeyARN": target["Arn"],
                },
            )
            firehose.describe_delivery_stream(DeliveryStreamName=stream)  # the change ends
            for _ in range(3):
                firehose.put_record(DeliveryStreamName=stream, Record={"Data": b"{}"})
            audits.append(audit_rotation(sse.key_events(stream), stream, target["Arn"]))
        for audit in audits:
            print(audit.summary())
        ok = [a.problems() == [] for a in audits] == [True, False]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
