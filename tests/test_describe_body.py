"""DescribeDeliveryStream's body, written by the plugin, is byte for byte moto's serializer's.

``describe_body`` writes the answer itself (moto 5.1 and later) and gives None wherever it
can't vouch for it; then moto's serializer writes it. Compared here against moto's own
serializer: every destination through boto3, and any value hypothesis makes of the output
shape (wrong types, alias keys, None items, odd timestamps included).
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moto_firehose_sse import describe_body, mock_firehose_sse

from .helpers import ACCOUNT, ROLE_ARN, client, create_stream
from .test_cloudformation import DESTINATIONS

try:
    from moto.core.serialize import XFormedAttributePicker, get_serializer_class
    from moto.core.utils import get_service_model
except ImportError:  # moto 5.0: no serializer, the plugin writes no body
    get_serializer_class = None

needs_serializer = pytest.mark.skipif(
    get_serializer_class is None, reason="moto 5.0 has no model-driven serializer"
)


def moto_body(result: Any, pretty: bool = False) -> str:
    """What moto's serializer writes for a Describe's ``result`` (raises what it raises)."""
    operation = get_service_model("firehose").operation_model("DescribeDeliveryStream")
    serializer = get_serializer_class("firehose", "json")(
        operation_model=operation,
        pretty_print=pretty,
        value_picker=XFormedAttributePicker(response_transformers=None),
    )
    return str(serializer.serialize(result)["body"])


def test_moto_5_0_keeps_its_own_answer() -> None:
    if get_serializer_class is not None:
        pytest.skip("moto 5.1 and later have a serializer")
    assert describe_body.body({"DeliveryStreamDescription": {}}) is None


# Through boto3: every destination, the plugin's body and moto's ------------------------------


def describe_twice(firehose: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The raw body of a Describe written by the plugin, then by moto's serializer."""
    bodies: list[Any] = []
    written: list[str | None] = []
    original = describe_body.body

    def keep(http_response: Any, parsed: Any, **_: Any) -> None:
        bodies.append((http_response.content, http_response.headers["Content-Type"], parsed))

    def spy(*args: Any) -> str | None:
        written.append(original(*args))
        return written[-1]

    firehose.meta.events.register("after-call.firehose.DescribeDeliveryStream", keep)
    with monkeypatch.context() as patch:
        patch.setattr(describe_body, "body", spy)
        firehose.describe_delivery_stream(DeliveryStreamName=name)
    assert len(written) == 1 and written[0] is not None  # the plugin wrote the first one
    with monkeypatch.context() as patch:
        patch.setattr(describe_body, "body", lambda *args: None)
        firehose.describe_delivery_stream(DeliveryStreamName=name)
    return bodies


@needs_serializer
@pytest.mark.filterwarnings("ignore:A Splunk destination")
@pytest.mark.parametrize("member", sorted(DESTINATIONS))
def test_every_destination_gets_moto_s_body(member: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_firehose_sse() as sse:
        sse.set_transition({"progression": "manual", "times": 5})  # both Describes: ENABLING
        firehose = client("firehose")
        create_stream(firehose, "s", **{member: DESTINATIONS[member]})
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName="s",
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
        )
        ours, moto_s = describe_twice(firehose, "s", monkeypatch)
    assert ours[0] == moto_s[0]
    assert ours[1] == moto_s[1] == "application/x-amz-json-1.1"
    description = ours[2]["DeliveryStreamDescription"]
    assert description["DeliveryStreamEncryptionConfiguration"]["Status"] == "ENABLING"
    assert isinstance(description["CreateTimestamp"], datetime.datetime)


CONVERSION = {
    **DESTINATIONS["ExtendedS3DestinationConfiguration"],
    "DataFormatConversionConfiguration": {
        "Enabled": True,
        "SchemaConfiguration": {"DatabaseName": "db", "TableName": "t", "RoleARN": ROLE_ARN},
        "InputFormatConfiguration": {
            "Deserializer": {"OpenXJsonSerDe": {"ColumnToJsonKeyMappings": {"ts": "timestamp"}}}
        },
        "OutputFormatConfiguration": {
            # doubles and a map, nine levels down the output shape
            "Serializer": {"OrcSerDe": {"PaddingTolerance": 1, "DictionaryKeyThreshold": 0.25}}
        },
    },
}


@needs_serializer
def test_a_format_conversion_gets_moto_s_body(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_firehose_sse():
        firehose = client("firehose")
        create_stream(firehose, "s", ExtendedS3DestinationConfiguration=CONVERSION)
        ours, moto_s = describe_twice(firehose, "s", monkeypatch)
    assert ours[0] == moto_s[0]
    assert b'"PaddingTolerance": 1.0' in ours[0]
    assert b'"ColumnToJsonKeyMappings": {"ts": "timestamp"}' in ours[0]


@needs_serializer
def test_the_plugin_writes_the_usual_describe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken for a plain stream (not every answer left to moto)."""
    written: list[str | None] = []
    original = describe_body.body

    def spy(*args: Any) -> str | None:
        written.append(original(*args))
        return written[-1]

    with mock_firehose_sse():
        firehose = client("firehose")
        create_stream(firehose, "s")
        monkeypatch.setattr(describe_body, "body", spy)
        firehose.describe_delivery_stream(DeliveryStreamName="s")
    assert len(written) == 1 and written[0] is not None
    assert json.loads(written[0])["DeliveryStreamDescription"]["DeliveryStreamName"] == "s"


@needs_serializer
def test_pretty_responses_are_pretty_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import settings as moto_settings

    monkeypatch.setattr(moto_settings, "PRETTIFY_RESPONSES", True)
    result = {"DeliveryStreamDescription": {"DeliveryStreamName": "s", "VersionId": "1"}}
    assert describe_body.body(result) == moto_body(result, pretty=True)
    assert "\n    " in str(describe_body.body(result))


@needs_serializer
def test_response_transformers_are_left_to_moto() -> None:
    result = {"DeliveryStreamDescription": {"DeliveryStreamName": "s"}}
    assert describe_body.body(result) is not None
    assert describe_body.body(result, {"DeliveryStreamName": str.upper}) is None


# Any value of the output shape ------------------------------------------------------------

UTC_PLUS_2 = datetime.timezone(datetime.timedelta(hours=2))


def odd(*more: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Values of other types, as a backend storing what it was given may hold."""
    return st.one_of(
        st.none(), st.integers(-5, 5), st.booleans(), st.text(max_size=3), st.just({}), *more
    )


def scalar(kind: str, well_typed: bool) -> st.SearchStrategy[Any]:
    good: st.SearchStrategy[Any] = {
        "string": st.text(max_size=8),
        "integer": st.integers(-(2**40), 2**40),
        "long": st.integers(-(2**62), 2**62),
        "boolean": st.booleans(),
        "double": st.floats(allow_nan=False) | st.integers(-10, 10),
        "timestamp": st.datetimes(
            min_value=datetime.datetime(1971, 1, 1),
            timezones=st.sampled_from([None, datetime.timezone.utc, UTC_PLUS_2]),
        ),
    }[kind]
    if well_typed:
        return good
    return st.one_of(good, odd(st.floats(), st.just([])))


def values(shape: Any, well_typed: bool, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of ``shape``: dictionaries with some members; with ``well_typed`` False also
    wrong types, alias keys (``snake_case`` and shape names) and None items."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 9:
            return st.just({})
        members = {n: values(m, well_typed, depth + 1) for n, m in shape.members.items()}
        made = st.fixed_dictionaries({}, optional=members)
        if well_typed:
            return made
        aliases = sorted(_aliases_of(shape))
        extra = st.dictionaries(
            st.sampled_from(aliases) if aliases else st.just("Unknown"),
            st.text(max_size=3) | st.integers(),
            max_size=2,
        )
        with_extra = st.builds(lambda a, b: {**a, **b}, made, extra)
        return st.one_of(made, with_extra, odd())
    if kind == "list":
        items = values(shape.member, well_typed, depth + 1)
        if not well_typed:
            items = items | st.none()
        return st.lists(items, max_size=2) | (st.nothing() if well_typed else odd())
    if kind == "map":
        return st.dictionaries(st.text(max_size=4), values(shape.value, well_typed, depth + 1))
    return scalar(kind, well_typed)


def _aliases_of(shape: Any) -> set[str]:
    """The other keys moto's own attribute picker reads the members of ``shape`` under, as
    asked of the picker (not of the module under test) for a dictionary."""
    from moto.core.serialize import AttributePickerContext

    picker = XFormedAttributePicker()
    found: set[str] = set()
    for name, member in shape.members.items():
        member.parent = shape  # as the serializer sets it before picking
        context = AttributePickerContext(obj={}, key=name, shape=member)
        found |= set(picker.get_possible_keys(context))
    return found - set(shape.members)


@functools.cache
def answers(well_typed: bool) -> st.SearchStrategy[Any]:
    shape = get_service_model("firehose").operation_model("DescribeDeliveryStream").output_shape
    return values(shape, well_typed)


def moto_or_error(result: Any) -> str | Exception:
    try:
        return moto_body(result)
    except Exception as exc:  # what moto's serializer does with it
        return exc


@needs_serializer
@pytest.mark.parametrize("well_typed", [True, False], ids=["well-typed", "any"])
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_answer_is_written_as_moto_writes_it_or_left_to_moto(
    well_typed: bool, data: st.DataObject
) -> None:
    """A well-typed answer is always written by the plugin; any other is moto's or None."""
    result = data.draw(answers(well_typed))
    ours = describe_body.body(result)
    if well_typed:
        assert ours is not None
    if ours is not None:
        assert ours == moto_or_error(result)


SAMPLE = {
    "structure": {},
    "list": [],
    "map": {},
    "string": "x",
    "integer": 1,
    "long": 1,
    "boolean": True,
    "double": 1.5,
    "timestamp": datetime.datetime(2020, 1, 1),
}


def alias_cases() -> list[tuple[str, dict[str, Any]]]:
    """For every structure of Describe's output and every other key moto's picker reads one of
    its members under: the smallest answer holding that structure with only the alias key."""
    if get_serializer_class is None:
        return []
    from moto.core.serialize import AttributePickerContext

    root = get_service_model("firehose").operation_model("DescribeDeliveryStream").output_shape
    paths: dict[str, tuple[Any, list[tuple[str, str]]]] = {}
    todo: list[tuple[Any, list[tuple[str, str]]]] = [(root, [])]
    while todo:  # breadth first: the shortest path to each structure
        shape, path = todo.pop(0)
        if shape.name in paths:
            continue
        paths[shape.name] = (shape, path)
        for name, member in shape.members.items():
            inner = member.member if member.type_name == "list" else member
            step = "list" if member.type_name == "list" else "structure"
            if inner.type_name == "structure":
                todo.append((inner, [*path, (name, step)]))
    picker = XFormedAttributePicker()
    cases = []
    for shape, path in paths.values():
        for name, member in shape.members.items():
            member.parent = shape
            context = AttributePickerContext(obj={}, key=name, shape=member)
            for alias in dict.fromkeys(picker.get_possible_keys(context)):
                if alias in shape.members:
                    continue
                value: Any = {alias: SAMPLE[member.type_name]}
                for step_name, step in reversed(path):
                    value = {step_name: [value] if step == "list" else value}
                cases.append((f"{shape.name}.{name}:{alias}", value))
    return cases


ALIAS_CASES = alias_cases()


@needs_serializer
def test_every_alias_key_is_left_to_moto() -> None:
    """A key moto's serializer would read a member under (its snake_case, its shape's name, the
    name without the structure's prefix) is never written by the plugin: moto answers."""
    assert len(ALIAS_CASES) > 300
    written = [case for case, result in ALIAS_CASES if describe_body.body(result) is not None]
    assert written == []
    for _, result in ALIAS_CASES[:: max(1, len(ALIAS_CASES) // 40)]:
        assert isinstance(moto_or_error(result), (str, Exception))  # and moto answers it


@needs_serializer
@pytest.mark.parametrize(
    "description",
    [
        {"delivery_stream_name": "from-an-alias"},  # xform_name alias of DeliveryStreamName
        {"DeliveryStreamName": "s", "DestinationDescriptionList": []},  # shape-name alias
        {"DeliveryStreamName": 5},  # an int where a string goes: str(5)
        {"VersionId": True},
        {"CreateTimestamp": "2026-01-01T00:00:00Z"},  # a string timestamp
        {"Destinations": "not a list"},
    ],
)
def test_what_the_plugin_leaves_to_moto(description: dict[str, Any]) -> None:
    result = {"DeliveryStreamDescription": description}
    assert describe_body.body(result) is None
    assert isinstance(moto_or_error(result), (str, Exception))


@needs_serializer
def test_a_missing_destination_is_null_as_moto_writes_it() -> None:
    result = {"DeliveryStreamDescription": {"Destinations": [None, {"DestinationId": "d"}]}}
    assert describe_body.body(result) == moto_body(result)
    assert '"Destinations": [null, {"DestinationId": "d"}]' in str(describe_body.body(result))


@needs_serializer
def test_a_stored_account_is_never_shown() -> None:
    """Members outside the shape (moto keeps more than AWS shows) are not written."""
    result = {"DeliveryStreamDescription": {"DeliveryStreamName": "s", "AccountId": ACCOUNT}}
    assert describe_body.body(result) == moto_body(result)
    assert ACCOUNT not in str(describe_body.body(result))
