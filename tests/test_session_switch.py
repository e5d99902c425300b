"""The session switch (issue 10): suites written for plain moto, run by pytest in a subprocess,
get the rules in every ``mock_aws`` with ``--firehose-sse``, ``firehose_sse`` in the ini file or
``MOTO_FIREHOSE_SSE``; off, they run on plain moto."""

from __future__ import annotations

import textwrap

import moto
import pytest
from moto.core.models import MockAWS
from moto.moto_api import state_manager

from moto_firehose_sse import MODEL_NAME, get_controller, mock_firehose_sse, wiring
from moto_firehose_sse.presets import DELETION_MODEL_NAME

from .helpers import assert_plain_moto, client, create_stream, sse

pytest_plugins = ["pytester"]

# Helpers of the probe suite: what a test sees of the rules. PROBE_EXPECT names the mode the
# outer test expects: plain (switch off), strict or compat.
PROBE_CONFTEST = '''
import os

import boto3
import pytest
from botocore.config import Config
from moto.moto_api import state_manager

from moto_firehose_sse import get_controller

EXPECT = os.environ["PROBE_EXPECT"]


def firehose():
    return boto3.client(
        "firehose", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )


def status(fh, name):
    description = fh.describe_delivery_stream(DeliveryStreamName=name)
    return description["DeliveryStreamDescription"].get("DeliveryStreamEncryptionConfiguration")


def make(fh, name):
    fh.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/r",
            "BucketARN": "arn:aws:s3:::b",
        },
    )


def probe(name="probe"):
    """Inside a mock_aws: the rules are in force as EXPECT says, or plain moto is."""
    fh = firehose()
    make(fh, name)
    if EXPECT == "plain":
        assert status(fh, name) is None  # plain moto: no block for a never-encrypted stream
        with pytest.raises(RuntimeError):
            get_controller()
        return
    assert status(fh, name) == {"Status": "DISABLED"}
    assert get_controller().lenient_keys is (EXPECT == "compat")
    fh.start_delivery_stream_encryption(DeliveryStreamName=name)
    first = "ENABLED" if EXPECT == "compat" else "ENABLING"
    assert status(fh, name) == {"KeyType": "AWS_OWNED_CMK", "Status": first}
    assert status(fh, name)["Status"] == "ENABLED"


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """After the plugin's own unconfigure: moto's MockAWS is moto's again."""
    from moto.core.models import MockAWS

    undone = MockAWS._enable_patching.__module__ == "moto.core.models"
    undone = undone and MockAWS._disable_patching.__module__ == "moto.core.models"
    with open(os.environ["PROBE_REPORT"], "w") as report:
        report.write("undone" if undone else "still wired")
'''

PROBE_FORMS = """
import unittest

import pytest
from moto import mock_aws

from conftest import EXPECT, firehose, probe


@mock_aws
def test_decorator():
    probe()


def test_context_manager():
    with mock_aws():
        probe()


def test_start_stop():
    mock = mock_aws()
    mock.start()
    try:
        probe()
    finally:
        mock.stop()


def test_nested_mocks_share_one_controller():
    with mock_aws():
        probe("outer")
        with mock_aws():
            assert firehose().list_delivery_streams()["DeliveryStreamNames"] == ["outer"]
        probe("after-inner")  # the inner exit took nothing away


@mock_aws
class TestClassDecorator:
    def test_one(self):
        probe("same-name")

    def test_two(self):
        probe("same-name")  # a fresh mock per test


@mock_aws
class TestUnittestCase(unittest.TestCase):
    def setUp(self):
        probe("from-setup")

    def test_sees_setup(self):
        names = firehose().list_delivery_streams()["DeliveryStreamNames"]
        self.assertEqual(names, ["from-setup"])


def test_outside_a_mock_moto_is_plain():
    from moto.firehose.models import FirehoseBackend, firehose_backends

    assert firehose_backends.backend is FirehoseBackend
    from moto_firehose_sse import get_controller

    with pytest.raises(RuntimeError):
        get_controller()
"""

PROBE_RESET = """
import pytest
from moto import mock_aws
from moto.moto_api import state_manager

from conftest import EXPECT, firehose, make, probe, status
from moto_firehose_sse import get_controller

pytestmark = pytest.mark.skipif(EXPECT == "plain", reason="no controller on plain moto")


@mock_aws
def test_a_changes_everything():
    sse = get_controller()
    sse.configure(max_encryption_changes_per_day=1, lenient_keys=EXPECT != "compat")
    sse.fail_next_enable()
    state_manager.set_transition("firehose::encryption", {"progression": "manual", "times": 3})


@mock_aws
def test_b_gets_fresh_settings_faults_and_transitions():
    sse = get_controller()
    assert sse.max_encryption_changes_per_day == 25
    assert sse.lenient_keys is (EXPECT == "compat")
    assert sse.pending_faults == ()
    probe()


def test_c_nothing_is_left_outside_the_mocks():
    assert "firehose::encryption" not in state_manager._transitions
    assert "firehose::deletion" not in state_manager._transitions
    assert "firehose::encryption" not in state_manager.get_registered_models()
"""

PROBE_AUTOUSE_CONFTEST = """
import pytest
from moto import mock_aws


@pytest.fixture(autouse=True)
def aws():
    with mock_aws():
        yield
"""

PROBE_AUTOUSE = """
import boto3
import pytest

from conftest import EXPECT, firehose, make, probe, status


def test_autouse_fixture():
    probe()


def test_the_plugin_fixture_inside_follows_its_own_preset(firehose_sse):
    assert firehose_sse.lenient_keys is False  # strict: the fixture's default
    fh = firehose()
    make(fh, "explicit")
    fh.start_delivery_stream_encryption(DeliveryStreamName="explicit")
    assert status(fh, "explicit")["Status"] == "ENABLING"


def test_the_threaded_server_inside_follows_its_own_preset(firehose_sse_server):
    fh = boto3.client(
        "firehose",
        region_name="us-east-1",
        endpoint_url=firehose_sse_server.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    make(fh, "served")
    fh.start_delivery_stream_encryption(DeliveryStreamName="served")
    assert status(fh, "served")["Status"] == "ENABLING"
    assert firehose_sse_server.controller.lenient_keys is False


@pytest.mark.firehose_sse(preset="compat")
def test_the_plugin_fixture_with_a_preset(firehose_sse):
    assert firehose_sse.lenient_keys is True
    fh = firehose()
    make(fh, "explicit")
    fh.start_delivery_stream_encryption(DeliveryStreamName="explicit")
    assert status(fh, "explicit")["Status"] == "ENABLED"
"""

# A suite as written for plain moto: made-up key ARNs, ENABLED right after Start, a stream
# gone (and its name free) right after Delete.
MOTO_SUITE = """
import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"


@pytest.fixture
def fh():
    with mock_aws():
        client = boto3.client(
            "firehose", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
        )
        client.create_delivery_stream(
            DeliveryStreamName="logs",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/r",
                "BucketARN": "arn:aws:s3:::b",
            },
        )
        yield client


def encryption(fh):
    description = fh.describe_delivery_stream(DeliveryStreamName="logs")
    return description["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"]


def test_made_up_customer_key(fh):
    fh.start_delivery_stream_encryption(
        DeliveryStreamName="logs",
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": KEY_ARN,
        },
    )
    assert encryption(fh) == {
        "KeyARN": KEY_ARN,
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "Status": "ENABLED",
    }


def test_enabled_right_after_start(fh):
    fh.start_delivery_stream_encryption(
        DeliveryStreamName="logs",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )
    assert encryption(fh)["Status"] == "ENABLED"


def test_stop_after_start(fh):
    fh.start_delivery_stream_encryption(
        DeliveryStreamName="logs",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )
    fh.stop_delivery_stream_encryption(DeliveryStreamName="logs")
    assert encryption(fh)["Status"] == "DISABLED"


def test_delete_and_create_again_at_once(fh):
    fh.delete_delivery_stream(DeliveryStreamName="logs")
    assert fh.list_delivery_streams()["DeliveryStreamNames"] == []
    fh.create_delivery_stream(
        DeliveryStreamName="logs",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/r",
            "BucketARN": "arn:aws:s3:::b",
        },
    )
"""

PROBE_TESTS = 15  # 8 forms + 3 reset + 4 autouse tests
MOTO_SUITE_TESTS = 4


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """The probe suite and the moto suite, and no switch in the environment."""
    monkeypatch.delenv("MOTO_FIREHOSE_SSE", raising=False)
    monkeypatch.setenv("PROBE_REPORT", str(pytester.path / "report.txt"))
    pytester.makeconftest(PROBE_CONFTEST)
    pytester.makepyfile(test_forms=PROBE_FORMS, test_reset=PROBE_RESET)
    autouse = pytester.mkpydir("autouse")
    (autouse / "conftest.py").write_text(textwrap.dedent(PROBE_AUTOUSE_CONFTEST))
    (autouse / "test_autouse.py").write_text(textwrap.dedent(PROBE_AUTOUSE))
    moto_suite = pytester.mkdir("moto_suite")
    (moto_suite / "test_moto_suite.py").write_text(textwrap.dedent(MOTO_SUITE))
    return pytester


def run(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    expect: str,
    *args: str,
    env: str | None = None,
) -> pytest.RunResult:
    monkeypatch.setenv("PROBE_EXPECT", expect)
    if env is not None:
        monkeypatch.setenv("MOTO_FIREHOSE_SSE", env)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *args)


def assert_undone(pytester: pytest.Pytester) -> None:
    assert (pytester.path / "report.txt").read_text() == "undone"


def test_off_is_plain_moto(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(suite, monkeypatch, "plain", "-v")
    result.assert_outcomes(passed=PROBE_TESTS - 3 + MOTO_SUITE_TESTS, skipped=3)
    # the plugin's own fixture works as always inside an autouse mock_aws
    result.stdout.fnmatch_lines(["*test_the_plugin_fixture_inside_follows_its_own_preset PASSED*"])


def test_cli_flag_is_strict(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(suite, monkeypatch, "strict", "--firehose-sse", "-vv")
    result.stdout.fnmatch_lines(["*firehose-sse: *preset strict (from --firehose-sse)*"])
    result.assert_outcomes(passed=PROBE_TESTS, failed=MOTO_SUITE_TESTS)
    # strict fails the plain-moto suite where AWS would
    result.stdout.fnmatch_lines(
        [
            "FAILED moto_suite/test_moto_suite.py::test_made_up_customer_key*"
            "InvalidKMSResourceException*",
            "FAILED moto_suite/test_moto_suite.py::test_enabled_right_after_start*ENABLING*",
            "FAILED moto_suite/test_moto_suite.py::test_stop_after_start*ResourceInUseException*",
            "FAILED moto_suite/test_moto_suite.py::test_delete_and_create_again_at_once*",
        ]
    )
    assert_undone(suite)


def test_cli_compat_keeps_a_plain_moto_suite_green(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(suite, monkeypatch, "compat", "--firehose-sse=compat")
    result.assert_outcomes(passed=PROBE_TESTS + MOTO_SUITE_TESTS)
    assert_undone(suite)


@pytest.mark.parametrize(
    ("ini_file", "text"),
    [
        ("pytest.ini", "[pytest]\nfirehose_sse = compat\n"),
        ("pyproject.toml", '[tool.pytest.ini_options]\nfirehose_sse = "compat"\n'),
    ],
)
def test_ini_option(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ini_file: str, text: str
) -> None:
    (suite.path / ini_file).write_text(text)
    run(suite, monkeypatch, "compat", "test_forms.py").assert_outcomes(passed=8)


def test_environment_variable(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(suite, monkeypatch, "compat", env="compat")
    result.assert_outcomes(passed=PROBE_TESTS + MOTO_SUITE_TESTS)


@pytest.mark.parametrize(
    ("cli", "env", "ini", "expect"),
    [
        ("--firehose-sse=off", "compat", "strict", "plain"),  # the command line wins
        ("--firehose-sse", "compat", "off", "strict"),
        (None, "compat", "strict", "compat"),  # then the environment
        (None, "", "compat", "compat"),  # an empty variable is no setting
    ],
)
def test_precedence(
    suite: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    cli: str | None,
    env: str,
    ini: str,
    expect: str,
) -> None:
    suite.makeini(f"[pytest]\nfirehose_sse = {ini}\n")
    args = [cli] if cli else []
    result = run(suite, monkeypatch, expect, "test_forms.py", *args, env=env)
    result.assert_outcomes(passed=8)


@pytest.mark.parametrize(
    ("args", "expect", "passed"),
    [
        (["--firehose-sse", "test_forms.py"], "strict", 8),  # the bare flag, then a path
        (["--firehose-sse", "autouse"], "strict", 4),  # a directory
        (["--firehose-sse", "test_forms.py", "autouse"], "strict", 12),
        (["--firehose-sse", "-v", "test_forms.py"], "strict", 8),  # then another option
        (["test_forms.py", "--firehose-sse"], "strict", 8),  # last
        (["--firehose-sse", "compat", "test_forms.py"], "compat", 8),  # a value keeps working
        (["--firehose-sse", "Compat", "test_forms.py"], "compat", 8),
        (["--firehose-sse=compat", "test_forms.py"], "compat", 8),
        (["--firehose-sse", "off", "test_forms.py"], "plain", 8),
        (["--firehose-sse", "strict", "test_forms.py"], "strict", 8),
        (["-n", "2", "--firehose-sse", "test_forms.py"], "strict", 8),  # xdist workers too
    ],
)
def test_the_flag_never_swallows_a_path(
    suite: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    expect: str,
    passed: int,
) -> None:
    """``pytest --firehose-sse tests/`` runs ``tests/`` with the strict preset: only the paths
    given run, each under the preset the flag names."""
    result = run(suite, monkeypatch, expect, *args)
    result.assert_outcomes(passed=passed)
    if expect != "plain":
        result.stdout.fnmatch_lines([f"*firehose-sse: *preset {expect} (from --firehose-sse)*"])


def test_a_word_after_the_flag_that_is_no_value_is_a_path(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt value is not silently a preset: pytest looks for it as a path."""
    result = run(suite, monkeypatch, "strict", "--firehose-sse", "loose", "test_forms.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*file or directory not found: loose*"])


def test_pytest_xdist_workers_get_the_switch(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(suite, monkeypatch, "compat", "-n", "2", "test_forms.py", "autouse", env="compat")
    result.assert_outcomes(passed=12)


@pytest.mark.parametrize(
    ("args", "env", "ini", "message"),
    [
        (["--firehose-sse=loose"], None, None, "--firehose-sse: 'loose' is not one of*"),
        ([], "yes", None, "MOTO_FIREHOSE_SSE: 'yes' is not one of strict, compat or off*"),
        ([], None, "on", "the ini option firehose_sse: 'on' is not one of*"),
    ],
)
def test_bad_values_are_usage_errors(
    suite: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: str | None,
    ini: str | None,
    message: str,
) -> None:
    if ini is not None:
        suite.makeini(f"[pytest]\nfirehose_sse = {ini}\n")
    result = run(suite, monkeypatch, "plain", *args, env=env)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}"])


def test_marker_refuses_positional_arguments(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.firehose_sse(600)
        def test_it(firehose_sse):
            pass

        @pytest.mark.firehose_sse("compat")
        def test_server(firehose_sse_server):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*TypeError: @pytest.mark.firehose_sse takes settings as keywords, e.g. "
            "@pytest.mark.firehose_sse(preset='compat', max_streams_per_region=600); "
            "got positional argument(s) (600,).",
        ]
    )
    result.stdout.fnmatch_lines(["*got positional argument(s) ('compat',).*"])


# The switch in-process: wiring.enable_session / disable_session -------------------------


def test_switch_is_undone_exactly() -> None:
    before = (MockAWS.__dict__["_enable_patching"], MockAWS.__dict__["_disable_patching"])
    wiring.enable_session("compat")
    try:
        with moto.mock_aws():
            assert get_controller().lenient_keys is True
            assert state_manager._transitions[MODEL_NAME] == {"progression": "immediate"}
            assert state_manager._transitions[DELETION_MODEL_NAME] == {"progression": "immediate"}
            firehose = client("firehose")
            create_stream(firehose, "s")
            firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
            assert sse(firehose, "s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
        assert MODEL_NAME not in state_manager._transitions
        assert DELETION_MODEL_NAME not in state_manager._transitions
    finally:
        wiring.disable_session()
    assert (MockAWS.__dict__["_enable_patching"], MockAWS.__dict__["_disable_patching"]) == before
    assert wiring.session_preset() is None
    assert_plain_moto()


def test_switch_keeps_a_transition_the_user_set_before() -> None:
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 2})
    wiring.enable_session("strict")
    try:
        with moto.mock_aws():
            firehose = client("firehose")
            create_stream(firehose, "s")
            firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
            assert [sse(firehose, "s")["Status"] for _ in range(3)] == [
                "ENABLING",
                "ENABLING",
                "ENABLED",
            ]
            state_manager.set_transition(MODEL_NAME, {"progression": "immediate"})
        assert state_manager._transitions[MODEL_NAME] == {"progression": "manual", "times": 2}
    finally:
        wiring.disable_session()
        state_manager.unset_transition(MODEL_NAME)
    assert_plain_moto()


def test_switch_turned_on_inside_a_running_mock_leaves_that_mock_alone() -> None:
    with moto.mock_aws():
        wiring.enable_session("compat")
        try:
            with pytest.raises(RuntimeError):
                get_controller()
        finally:
            wiring.disable_session()
    assert_plain_moto()


def test_mock_firehose_sse_inside_a_switched_on_mock_follows_its_preset() -> None:
    wiring.enable_session("compat")
    try:
        with moto.mock_aws():
            session_controller = get_controller()
            with mock_firehose_sse(max_streams_per_key=7) as explicit:
                assert get_controller() is explicit
                assert explicit.lenient_keys is False
                assert MODEL_NAME not in state_manager._transitions
                firehose = client("firehose")
                create_stream(firehose, "s")
                firehose.start_delivery_stream_encryption(DeliveryStreamName="s")
                assert sse(firehose, "s")["Status"] == "ENABLING"
            assert get_controller() is session_controller
            assert state_manager._transitions[MODEL_NAME] == {"progression": "immediate"}
    finally:
        wiring.disable_session()
    assert_plain_moto()


def test_switch_cannot_be_turned_on_twice() -> None:
    wiring.enable_session("strict")
    try:
        with pytest.raises(RuntimeError, match="already on"):
            wiring.enable_session("compat")
    finally:
        wiring.disable_session()
    wiring.disable_session()  # a no-op when off
    assert_plain_moto()
