"""Cloud Custodian (c7n) policies on ``aws.firehose`` against the mock, in-process and through
the server with the ``custodian`` CLI (issue 16, rules 1-3, 39 and 46).

c7n pins boto3 exactly: it runs in an environment of its own, ``nox -s custodian``. Without
c7n installed this file is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from moto_firehose_sse import CREATION_MODEL_NAME, FirehoseSSE, mock_firehose_sse

from .helpers import ACCOUNT, REGION, client, create_kinesis_sourced_stream, create_stream
from .kms_helpers import cmk
from .server_helpers import remote

pytest.importorskip("c7n", reason="Cloud Custodian runs in its own environment: nox -s custodian")

from c7n.config import Config
from c7n.policy import Policy
from c7n.resources import load_resources

load_resources(("aws.firehose", "aws.kms"))

ALIAS = "alias/firehose-sse"
UNENCRYPTED = {
    "name": "firehose-unencrypted",
    "resource": "aws.firehose",
    "filters": [
        {
            "type": "value",
            "key": "DeliveryStreamEncryptionConfiguration.Status",
            "op": "ne",
            "value": "ENABLED",
        }
    ],
}
BY_KEY = {
    "name": "firehose-by-key",
    "resource": "aws.firehose",
    "filters": [{"type": "kms-key", "key": "c7n:AliasName", "value": ALIAS}],
}
CUSTOMER_KEYS = {
    "name": "firehose-customer-keys",
    "resource": "aws.firehose",
    "filters": [{"type": "kms-key", "key": "KeyManager", "value": "CUSTOMER"}],
}
S3_NOT_ENCRYPTED = {
    "type": "value",
    "key": "Destinations[0].ExtendedS3DestinationDescription.EncryptionConfiguration"
    ".NoEncryptionConfig",
    "value": "NoEncryption",
}


def encrypt_s3(key_arn: str) -> dict[str, Any]:
    return {
        "name": "firehose-encrypt-s3-destination",
        "resource": "aws.firehose",
        "filters": [S3_NOT_ENCRYPTED],
        "actions": [{"type": "encrypt-s3-destination", "key_arn": key_arn}],
    }


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Any]:
    """Run one policy in-process (c7n's own session factory, mocked by moto); the names of the
    streams it matched."""

    def run_policy(data: dict[str, Any]) -> list[str]:
        config = Config.empty(region=REGION, account_id=ACCOUNT, output_dir=str(tmp_path))
        policy = Policy(data, config)
        policy.validate()
        return sorted(r["DeliveryStreamName"] for r in policy.run())

    yield run_policy


def s3_encryption(firehose: Any, name: str) -> Any:
    found = firehose.describe_delivery_stream(DeliveryStreamName=name)
    destination = found["DeliveryStreamDescription"]["Destinations"][0]
    return destination["ExtendedS3DestinationDescription"]["EncryptionConfiguration"]


def estate(firehose: Any, kms: Any) -> dict[str, str]:
    """Streams in each state a scanner meets; the key ARNs by role."""
    aliased = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName=ALIAS, TargetKeyId=aliased["KeyId"])
    bare = kms.create_key()["KeyMetadata"]
    disabled = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])
    create_stream(firehose, "plain")
    create_stream(
        firehose, "owned", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    create_stream(firehose, "aliased", DeliveryStreamEncryptionConfigurationInput=cmk(ALIAS_ARN))
    create_stream(firehose, "bare", DeliveryStreamEncryptionConfigurationInput=cmk(bare["Arn"]))
    create_stream(
        firehose, "broken", DeliveryStreamEncryptionConfigurationInput=cmk(disabled["Arn"])
    )
    create_kinesis_sourced_stream(firehose, "sourced")
    return {"aliased": aliased["Arn"], "bare": bare["Arn"], "disabled": disabled["Arn"]}


ALIAS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:{ALIAS}"
EVERY_STREAM = ["aliased", "bare", "broken", "owned", "plain", "sourced"]


def test_the_status_filter_finds_every_stream_not_encrypted(
    firehose: Any, kms: Any, run: Any
) -> None:
    estate(firehose, kms)
    # plain: DISABLED; broken: CREATING_FAILED, ENABLING_FAILED; sourced: no block at all
    assert run(UNENCRYPTED) == ["broken", "plain", "sourced"]


def test_a_stream_mid_transition_is_not_encrypted_yet(firehose: Any, run: Any) -> None:
    """The first Describe after a Start shows ENABLING (the default transition): a scan then
    reports the stream; the next scan sees ENABLED."""
    create_stream(firehose, "s")
    firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
    assert run(UNENCRYPTED) == ["s"]
    assert run(UNENCRYPTED) == []
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert run(UNENCRYPTED) == ["s"]  # DISABLING
    assert run(UNENCRYPTED) == ["s"]  # DISABLED


def test_the_kms_key_filter_follows_the_stream_key(firehose: Any, kms: Any, run: Any) -> None:
    estate(firehose, kms)
    assert run(BY_KEY) == ["aliased"]
    # broken shows its key too (ENABLING_FAILED keeps the key it tried)
    assert run(CUSTOMER_KEYS) == ["aliased", "bare", "broken"]


def test_encrypt_s3_destination(firehose: Any, kms: Any, run: Any) -> None:
    keys = estate(firehose, kms)
    assert run(encrypt_s3(keys["bare"])) == EVERY_STREAM
    kms_config = {"KMSEncryptionConfig": {"AWSKMSKeyARN": keys["bare"]}}
    for name in ("aliased", "bare", "owned", "plain", "sourced"):
        assert s3_encryption(firehose, name) == kms_config, name
    # c7n updates ACTIVE streams only
    assert s3_encryption(firehose, "broken") == {"NoEncryptionConfig": "NoEncryption"}
    assert run(encrypt_s3(keys["bare"])) == ["broken"]


def test_encrypt_s3_destination_skips_a_creating_stream(
    firehose_sse: FirehoseSSE, firehose: Any, kms: Any, run: Any
) -> None:
    firehose_sse.set_transition({"progression": "manual", "times": 2}, model=CREATION_MODEL_NAME)
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    create_stream(firehose, "s")
    assert run(encrypt_s3(key_arn)) == ["s"]  # the scan's Describe showed CREATING
    assert s3_encryption(firehose, "s") == {"NoEncryptionConfig": "NoEncryption"}  # CREATING
    assert run(encrypt_s3(key_arn)) == ["s"]  # ACTIVE now: updated
    assert s3_encryption(firehose, "s") == {"KMSEncryptionConfig": {"AWSKMSKeyARN": key_arn}}


def test_plain_moto_crashes_the_action(tmp_path: Path) -> None:
    """The gap the plugin closes: plain moto's Describe has no EncryptionConfiguration."""
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k"
    every_stream = {**encrypt_s3(key_arn), "filters": []}
    config = Config.empty(region=REGION, account_id=ACCOUNT, output_dir=str(tmp_path))
    with mock_aws():
        create_stream(client("firehose"), "s")
        with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'pop'"):
            Policy(every_stream, config).run()
    with mock_firehose_sse():
        firehose = client("firehose")
        create_stream(firehose, "s")
        assert [r["DeliveryStreamName"] for r in Policy(every_stream, config).run()] == ["s"]
        assert s3_encryption(firehose, "s") == {"KMSEncryptionConfig": {"AWSKMSKeyARN": key_arn}}


# The custodian CLI against the server ------------------------------------------------------


def custodian(server: str, tmp_path: Path, *policies: dict[str, Any]) -> dict[str, list[str]]:
    """``custodian run`` of ``policies`` against the server; matched stream names by policy."""
    policy_file = tmp_path / "policy.json"  # c7n reads YAML, and JSON is YAML
    policy_file.write_text(json.dumps({"policies": list(policies)}))
    output = tmp_path / "output"
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    env.pop("AWS_PROFILE", None)
    executable = Path(sys.executable).with_name("custodian")
    # no cache: c7n's default file in the home directory would outlive the server's data
    cache = ["--cache-period", "0", "--cache", str(tmp_path / "c7n.cache")]
    done = subprocess.run(
        [str(executable), "run", "-s", str(output), "--region", REGION, *cache, str(policy_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = {}
    for policy in policies:
        resources = json.loads((output / policy["name"] / "resources.json").read_text())
        found[policy["name"]] = sorted(r["DeliveryStreamName"] for r in resources)
    return found


def test_the_custodian_cli_against_the_server(server: str, tmp_path: Path) -> None:
    firehose, kms = remote(server, "firehose"), remote(server, "kms")
    keys = estate(firehose, kms)
    found = custodian(server, tmp_path, UNENCRYPTED, BY_KEY, encrypt_s3(keys["aliased"]))
    assert found == {
        "firehose-unencrypted": ["broken", "plain", "sourced"],
        "firehose-by-key": ["aliased"],
        "firehose-encrypt-s3-destination": EVERY_STREAM,
    }
    assert s3_encryption(firehose, "plain") == {
        "KMSEncryptionConfig": {"AWSKMSKeyARN": keys["aliased"]}
    }
    assert s3_encryption(firehose, "broken") == {"NoEncryptionConfig": "NoEncryption"}
