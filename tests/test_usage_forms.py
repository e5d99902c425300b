"""The ways users turn the plugin on, its settings, layering on moto, and plain moto after."""

from __future__ import annotations

import asyncio
import inspect
import unittest
from typing import Any

import moto
import moto.firehose.models
import pytest
from moto.firehose.models import DeliveryStream, FirehoseBackend

from moto_firehose_sse import (
    FirehoseSSE,
    MockFirehoseSSE,
    get_controller,
    mock_firehose_sse,
)
from moto_firehose_sse.models import FirehoseSSEBackend

from .helpers import (
    ACCOUNT,
    BUCKET_ARN,
    REGION,
    ROLE_ARN,
    assert_plain_moto,
    client,
    create_stream,
    delete_stream,
    settle,
    sse,
)

DISABLED = {"Status": "DISABLED"}
ENABLING = {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
ENABLED = {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}


def assert_rules_apply(name: str = "probe") -> None:
    """The plugin is in force: a fresh stream is DISABLED and Start is asynchronous."""
    firehose = client("firehose")
    create_stream(firehose, name)
    assert sse(firehose, name) == DISABLED
    firehose.start_delivery_stream_encryption(DeliveryStreamName=name)
    assert sse(firehose, name) == ENABLING


# Decorator forms --------------------------------------------------------------------------


@mock_firehose_sse
def test_bare_decorator() -> None:
    assert_rules_apply()
    assert get_controller().settings() == FirehoseSSE().settings()


@mock_firehose_sse()
def test_called_decorator() -> None:
    assert_rules_apply()


@mock_firehose_sse(max_streams_per_region=2, record_encryption_lag=1.5)
def test_decorator_with_settings() -> None:
    controller = get_controller()
    assert controller.max_streams_per_region == 2
    assert controller.record_encryption_lag == 1.5
    firehose = client("firehose")
    create_stream(firehose, "one")
    create_stream(firehose, "two")
    with pytest.raises(firehose.exceptions.LimitExceededException):
        create_stream(firehose, "three")


def test_decorator_keeps_function_metadata_and_result() -> None:
    @mock_firehose_sse
    def scenario(value: int) -> int:
        """Docstring."""
        create_stream(client("firehose"), "s")
        return value * 2

    assert scenario.__name__ == "scenario"
    assert scenario.__doc__ == "Docstring."
    assert scenario(21) == 42
    assert scenario(1) == 2  # a new mock each call: "s" does not exist yet
    assert_plain_moto()


def test_async_decorator() -> None:
    @mock_firehose_sse
    async def scenario() -> dict[str, Any] | None:
        assert_rules_apply()
        return sse(client("firehose"), "probe")

    assert asyncio.run(scenario()) == ENABLED
    assert_plain_moto()


@mock_firehose_sse
class TestPlainClass:
    """Each test of a decorated class gets its own fresh mock."""

    def test_first(self) -> None:
        assert_rules_apply("shared-name")

    def test_second(self) -> None:
        assert_rules_apply("shared-name")
        assert client("firehose").list_delivery_streams()["DeliveryStreamNames"] == ["shared-name"]


@mock_firehose_sse(max_encryption_changes_per_day=1)
class TestPlainClassWithSetupMethod:
    def setup_method(self, method: Any) -> None:
        self.firehose = client("firehose")
        create_stream(self.firehose, "from-setup")
        self.firehose.stop_delivery_stream_encryption(DeliveryStreamName="from-setup")

    def test_setup_state_is_seen(self) -> None:
        assert get_controller().max_encryption_changes_per_day == 1
        with pytest.raises(self.firehose.exceptions.LimitExceededException):
            self.firehose.stop_delivery_stream_encryption(DeliveryStreamName="from-setup")

    def test_each_test_starts_clean(self) -> None:
        assert self.firehose.list_delivery_streams()["DeliveryStreamNames"] == ["from-setup"]


@mock_firehose_sse
class TestUnittestCase(unittest.TestCase):
    """setUp and the test share one mock, as with moto's ``@mock_aws``."""

    def setUp(self) -> None:
        self.firehose = client("firehose")
        create_stream(self.firehose, "from-setup")
        self.firehose.start_delivery_stream_encryption(DeliveryStreamName="from-setup")
        get_controller().max_encryption_changes_per_day = 2

    def test_sees_setup_stream_and_controller(self) -> None:
        self.assertEqual(sse(self.firehose, "from-setup"), ENABLING)
        self.assertEqual(sse(self.firehose, "from-setup"), ENABLED)
        self.assertEqual(get_controller().max_encryption_changes_per_day, 2)
        self.firehose.stop_delivery_stream_encryption(DeliveryStreamName="from-setup")
        settle(self.firehose, "from-setup")
        with self.assertRaises(self.firehose.exceptions.LimitExceededException):
            self.firehose.stop_delivery_stream_encryption(DeliveryStreamName="from-setup")

    def test_setup_runs_on_a_fresh_mock(self) -> None:
        names = self.firehose.list_delivery_streams()["DeliveryStreamNames"]
        self.assertEqual(names, ["from-setup"])
        self.assertEqual(sse(self.firehose, "from-setup"), ENABLING)


def test_unittest_case_leaves_plain_moto() -> None:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(TestUnittestCase).run(result)
    assert result.testsRun == 2
    assert result.wasSuccessful(), result.failures + result.errors
    assert_plain_moto()


# Context manager, fixture, marker, controller ---------------------------------------------


def test_context_manager_yields_the_controller() -> None:
    mock = mock_firehose_sse(max_streams_per_region=7)
    assert isinstance(mock, MockFirehoseSSE)
    with mock as controller:
        assert isinstance(controller, FirehoseSSE)
        assert controller.max_streams_per_region == 7
        assert get_controller() is controller
        assert_rules_apply()
    assert_plain_moto()


def test_start_and_stop_by_hand() -> None:
    mock = mock_firehose_sse()
    controller = mock.start()
    try:
        assert get_controller() is controller
        assert_rules_apply()
    finally:
        mock.stop()
    with pytest.raises(RuntimeError, match="before start"):
        mock.stop()
    assert_plain_moto()


def test_get_controller_outside_a_mock() -> None:
    with pytest.raises(RuntimeError, match="No mock_firehose_sse is active"):
        get_controller()


def test_fixture_yields_the_active_controller(firehose_sse: FirehoseSSE) -> None:
    assert get_controller() is firehose_sse
    assert firehose_sse.settings() == FirehoseSSE().settings()
    assert_rules_apply("fixture")


@pytest.mark.firehose_sse(max_streams_per_region=60, max_encryption_changes_per_day=3)
def test_marker_settings(firehose: Any, firehose_sse: FirehoseSSE) -> None:
    assert firehose_sse.max_streams_per_region == 60
    assert firehose_sse.max_encryption_changes_per_day == 3
    for index in range(60):
        create_stream(firehose, f"s{index}")
    with pytest.raises(firehose.exceptions.LimitExceededException) as info:
        create_stream(firehose, "s60")
    assert "quota of 60" in info.value.response["Error"]["Message"]


def test_controller_repr_and_configure(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.configure(max_streams_per_region=9, record_encryption_lag=2)
    assert firehose_sse.settings()["max_streams_per_region"] == 9
    assert firehose_sse.record_encryption_lag == 2.0
    assert "max_streams_per_region=9" in repr(firehose_sse)


# Streams per region -----------------------------------------------------------------------


def test_default_quota_is_aws_5000_streams_per_region(
    firehose: Any, firehose_sse: FirehoseSSE
) -> None:
    """Rule 23: AWS's default quota (botocore's CreateDeliveryStream documentation)."""
    assert firehose_sse.max_streams_per_region == 5000
    for index in range(51):  # beyond moto's 50
        create_stream(firehose, f"s{index}")
    backend = moto.firehose.models.firehose_backends[ACCOUNT][REGION]
    later = list(inspect.signature(FirehoseBackend.create_delivery_stream).parameters)[6:]
    destination = {"RoleARN": ROLE_ARN, "BucketARN": BUCKET_ARN}
    for index in range(51, 5000):  # through the backend: 5,000 API calls would take seconds
        rest = {name: None for name in later}
        rest.update(extended_s3_destination_configuration=destination, tags=[])
        backend.create_delivery_stream(REGION, f"s{index}", "DirectPut", None, None, **rest)
    with pytest.raises(firehose.exceptions.LimitExceededException) as info:
        create_stream(firehose, "s5000")
    assert info.value.response["Error"]["Message"].startswith(
        "You have already consumed your firehose quota of 5000 hoses in us-east-1"
    )
    create_stream(client("firehose", "eu-west-1"), "s5000")  # the quota is per region
    delete_stream(firehose, "s0")  # a DELETING stream still counts until it is gone
    create_stream(firehose, "s5000")
    assert DeliveryStream.MAX_STREAMS_PER_REGION == 5000  # what moto's own code reads


@pytest.mark.firehose_sse(max_streams_per_region=50)
def test_moto_quota_of_50_is_a_setting_away(firehose: Any) -> None:
    for index in range(50):
        create_stream(firehose, f"s{index}")
    with pytest.raises(firehose.exceptions.LimitExceededException) as info:
        create_stream(firehose, "s50")
    assert info.value.response["Error"]["Message"].startswith(
        "You have already consumed your firehose quota of 50 hoses in us-east-1"
    )
    assert len(firehose.list_delivery_streams(Limit=100)["DeliveryStreamNames"]) == 50
    other_region = client("firehose", "eu-west-1")
    create_stream(other_region, "s50")  # the quota is per region
    delete_stream(firehose, "s0")
    create_stream(firehose, "s50")


def test_raised_quota_lets_more_streams_be_created(firehose_sse: FirehoseSSE) -> None:
    firehose_sse.max_streams_per_region = 55
    firehose = client("firehose")
    for index in range(55):
        create_stream(firehose, f"s{index}")
    with pytest.raises(firehose.exceptions.LimitExceededException):
        create_stream(firehose, "s55")


# Bad settings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        ({"max_streams_per_region": 0}, ValueError),
        ({"max_streams_per_region": "50"}, ValueError),
        ({"max_streams_per_key": True}, ValueError),
        ({"max_encryption_changes_per_day": 2.5}, ValueError),
        ({"record_encryption_lag": -0.1}, ValueError),
        ({"lenient_keys": "yes"}, ValueError),
        ({"max_streams_per_key": None}, ValueError),
        ({"record_encryption_lag": None}, ValueError),
        ({"lenient_keys": None}, ValueError),
        ({"max_streams": 5}, TypeError),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        mock_firehose_sse(**settings)
    controller = FirehoseSSE()
    with pytest.raises(error) as refused:
        controller.configure(**settings)
    assert "None" not in str(refused.value)  # a missing value is said in words
    assert controller.settings() == FirehoseSSE().settings()
    assert_plain_moto()


@pytest.mark.parametrize(
    "settings",
    [
        {"max_streams_per_region": 7, "lenient_keys": "yes"},
        {"record_encryption_lag": 2, "max_encryption_changes_per_day": 0},
        {"max_streams_per_key": 3, "max_streams_per_region": None, "lenient_keys": True},
    ],
)
def test_configure_is_all_or_nothing(firehose_sse: FirehoseSSE, settings: dict[str, Any]) -> None:
    """A bad value leaves every setting as it was, as the HTTP endpoint does."""
    firehose_sse.max_streams_per_key = 9
    before = firehose_sse.settings()
    with pytest.raises(ValueError):
        firehose_sse.configure(**settings)
    assert firehose_sse.settings() == before
    firehose = client("firehose")
    for index in range(8):  # the quota in force is still the default one
        create_stream(firehose, f"s{index}")


def test_bad_fault_injection_is_refused(firehose_sse: FirehoseSSE) -> None:
    with pytest.raises(ValueError, match="DeliveryStreamFailureType"):
        firehose_sse.fail_next_enable("no such type")
    with pytest.raises(ValueError, match="details"):
        firehose_sse.fail_next_disable("UNKNOWN_ERROR", "")
    assert firehose_sse.pending_faults == ()
    firehose_sse.fail_next_enable()
    firehose_sse.clear_faults()
    assert firehose_sse.pending_faults == ()


# Layering and nesting ---------------------------------------------------------------------


def test_layering_on_an_active_mock_aws() -> None:
    with moto.mock_aws():
        firehose = client("firehose")
        create_stream(firehose, "old-plain")
        create_stream(firehose, "old-encrypted")
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="old-encrypted",
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
        )
        kinesis = client("kinesis")
        kinesis.create_stream(StreamName="other-service", ShardCount=1)

        with mock_firehose_sse():
            # Existing streams are kept, and get the rules.
            assert sse(firehose, "old-plain") == DISABLED
            assert sse(firehose, "old-encrypted") == ENABLED
            put = firehose.put_record(DeliveryStreamName="old-encrypted", Record={"Data": b"x"})
            assert put["Encrypted"] is True
            firehose.stop_delivery_stream_encryption(DeliveryStreamName="old-encrypted")
            assert settle(firehose, "old-encrypted") == DISABLED
            firehose.start_delivery_stream_encryption(DeliveryStreamName="old-plain")
            assert settle(firehose, "old-plain") == ENABLED
            create_stream(firehose, "new")
            assert kinesis.list_streams()["StreamNames"] == ["other-service"]

        # The outer mock still has every stream, in the state the plugin left them,
        # and behaves as plain moto.
        assert moto.firehose.models.firehose_backends.backend is FirehoseBackend
        names = firehose.list_delivery_streams()["DeliveryStreamNames"]
        assert sorted(names) == ["new", "old-encrypted", "old-plain"]
        assert sse(firehose, "old-plain") == ENABLED
        assert sse(firehose, "old-encrypted") == DISABLED
        assert sse(firehose, "new") == DISABLED  # plain moto's form, so that its Stop works
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="new",
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
        )
        assert sse(firehose, "new") == ENABLED  # at once: plain moto
        assert kinesis.list_streams()["StreamNames"] == ["other-service"]
        with mock_firehose_sse():  # and the plugin can join again
            assert sse(firehose, "new") == ENABLED
            assert sse(firehose, "old-encrypted") == DISABLED
    assert_plain_moto()


def test_nested_mocks() -> None:
    with mock_firehose_sse(max_streams_per_region=5) as outer:
        firehose = client("firehose")
        create_stream(firehose, "outer")
        firehose.start_delivery_stream_encryption(DeliveryStreamName="outer")
        with mock_firehose_sse(max_streams_per_region=2) as inner:
            assert get_controller() is inner
            assert sse(firehose, "outer") == ENABLING  # the outer state is kept
            create_stream(firehose, "inner")
            with pytest.raises(firehose.exceptions.LimitExceededException):
                create_stream(firehose, "third")
        assert get_controller() is outer
        assert type(moto.firehose.models.firehose_backends["123456789012"]["us-east-1"]) is (
            FirehoseSSEBackend
        )
        assert sse(firehose, "outer") == ENABLED
        assert sse(firehose, "inner") == DISABLED
        create_stream(firehose, "third")  # the outer quota of 5 is back
    assert_plain_moto()


def test_nothing_happens_at_import() -> None:
    import importlib

    import moto_firehose_sse

    importlib.reload(moto_firehose_sse)
    assert_plain_moto()


def test_plain_moto_is_back_after_the_fixture(firehose: Any) -> None:
    """Runs inside the fixture; the next test checks plain moto is back."""
    firehose_sse = get_controller()
    firehose_sse.set_transition({"progression": "immediate"})
    firehose_sse.max_streams_per_region = 3
    assert DeliveryStream.MAX_STREAMS_PER_REGION == 3


def test_plain_moto_is_back_after_exit() -> None:
    assert_plain_moto()
