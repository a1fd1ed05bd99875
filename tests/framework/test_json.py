"""JSON: the app's provider, jsonify, and the tagged serializer behind session cookies."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import io
import json as stdlib_json
import typing as t
import uuid

import flask.json.tag
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from framework import App, json, jsonify, render_template_string, request, session
from framework.json.provider import DefaultJSONProvider, JSONProvider
from framework.json.tag import JSONTag, TaggedJSONSerializer


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.secret_key = "json"
    return app


TWO_HOURS = datetime.timedelta(hours=2)


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Escaped:
    def __html__(self) -> str:
        return "<b>safe</b>"


# --- the provider -------------------------------------------------------------------


def test_app_json_is_the_default_provider(app: App) -> None:
    assert isinstance(app.json, DefaultJSONProvider)


def test_dumps_is_compact_and_sorted_by_default(app: App) -> None:
    assert app.json.dumps({"b": 1, "a": [1, 2]}) == '{"a": [1, 2], "b": 1}'


def test_loads_accepts_str_and_bytes(app: App) -> None:
    assert app.json.loads('{"a": 1}') == {"a": 1}
    assert app.json.loads(b'{"a": "\xc3\xa9"}') == {"a": "é"}


def test_loads_rejects_malformed_json(app: App) -> None:
    with pytest.raises(ValueError):
        app.json.loads("{not json")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2015, 10, 21, 7, 28, 0), '"Wed, 21 Oct 2015 07:28:00 GMT"'),
        (
            datetime.datetime(
                2015, 10, 21, 9, 28, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            '"Wed, 21 Oct 2015 07:28:00 GMT"',
        ),
        (datetime.date(2024, 5, 17), '"Fri, 17 May 2024 00:00:00 GMT"'),
        (
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
            '"12345678-1234-5678-1234-567812345678"',
        ),
        (Point(1, 2), '{"x": 1, "y": 2}'),
        (decimal.Decimal("10.50"), '"10.50"'),
        (Escaped(), '"<b>safe</b>"'),
        (Markup("<i>hi</i>"), '"<i>hi</i>"'),
    ],
    ids=[
        "datetime",
        "aware-datetime",
        "date",
        "uuid",
        "dataclass",
        "decimal",
        "__html__",
        "markup",
    ],
)
def test_dumps_handles_flasks_extra_types(app: App, value: object, expected: str) -> None:
    assert app.json.dumps(value) == expected


@pytest.mark.parametrize("value", [{1, 2}, object(), b"bytes"])
def test_dumps_refuses_other_objects_with_a_clear_type_error(app: App, value: object) -> None:
    with pytest.raises(TypeError, match="is not JSON serializable"):
        app.json.dumps(value)


def test_sort_keys_can_be_turned_off(app: App) -> None:
    app.json.sort_keys = False  # type: ignore[attr-defined]

    assert app.json.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


def test_ensure_ascii_is_on_by_default_and_can_be_turned_off(app: App) -> None:
    assert app.json.dumps("é") == '"\\u00e9"'
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    assert app.json.dumps("é") == '"é"'


def test_response_is_compact_outside_debug(app: App) -> None:
    with app.app_context():
        response = app.json.response({"b": [1, 2], "a": None})

    assert response.mimetype == "application/json"
    assert response.get_data(as_text=True) == '{"a":null,"b":[1,2]}\n'


def test_response_is_pretty_in_debug(app: App) -> None:
    app.debug = True

    with app.app_context():
        response = app.json.response({"b": 1, "a": 2})

    assert response.get_data(as_text=True) == '{\n  "a": 2,\n  "b": 1\n}\n'


@pytest.mark.parametrize(
    ("compact", "debug", "body"),
    [
        (True, True, '{"a":1}\n'),
        (False, False, '{\n  "a": 1\n}\n'),
        (None, False, '{"a":1}\n'),
        (None, True, '{\n  "a": 1\n}\n'),
    ],
)
def test_compact_setting_overrides_debug(
    app: App, compact: bool | None, debug: bool, body: str
) -> None:
    app.debug = debug
    app.json.compact = compact  # type: ignore[attr-defined]

    with app.app_context():
        assert app.json.response({"a": 1}).get_data(as_text=True) == body


def test_mimetype_setting(app: App) -> None:
    app.json.mimetype = "application/vnd.api+json"  # type: ignore[attr-defined]

    with app.app_context():
        assert app.json.response([]).mimetype == "application/vnd.api+json"


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((), {}, None),
        ((1,), {}, 1),
        ((1, 2), {}, [1, 2]),
        ((), {"a": 1}, {"a": 1}),
        (([1, 2],), {}, [1, 2]),
    ],
)
def test_response_arguments(
    app: App, args: tuple[t.Any, ...], kwargs: dict[str, t.Any], expected: object
) -> None:
    with app.app_context():
        response = app.json.response(*args, **kwargs)

    assert response.json == expected


def test_response_refuses_args_and_kwargs_together(app: App) -> None:
    with app.app_context(), pytest.raises(TypeError, match="either args or kwargs"):
        app.json.response(1, a=2)


def test_custom_provider_class(app: App) -> None:
    class SetsAsLists(DefaultJSONProvider):
        @staticmethod
        def default(o: t.Any) -> t.Any:
            if isinstance(o, set):
                return sorted(o)
            return DefaultJSONProvider.default(o)

    class CustomApp(App):
        json_provider_class = SetsAsLists

    custom = CustomApp(__name__)
    custom.route("/")(lambda: {"tags": {"b", "a"}, "when": datetime.date(2024, 1, 1)})

    assert custom.test_client().get("/").json == {
        "tags": ["a", "b"],
        "when": "Mon, 01 Jan 2024 00:00:00 GMT",
    }


def test_request_get_json_uses_the_provider(app: App) -> None:
    class Marking(DefaultJSONProvider):
        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            data = super().loads(s, **kwargs)
            data["via"] = "provider"
            return data

    app.json = Marking(app)
    app.route("/", methods=["POST"])(lambda: {"got": request.get_json()})
    response = app.test_client().post("/", json={"a": 1})

    assert response.get_data(as_text=True) == '{"got":{"a":1,"via":"provider"}}\n'


# --- jsonify and the json module --------------------------------------------------


def test_jsonify_makes_a_json_response(app: App) -> None:
    app.route("/")(lambda: jsonify(user="ann", id=uuid.UUID(int=1)))
    response = app.test_client().get("/")

    assert response.mimetype == "application/json"
    assert response.json == {"id": "00000000-0000-0000-0000-000000000001", "user": "ann"}


def test_jsonify_pretty_prints_in_debug(app: App) -> None:
    app.debug = True
    app.route("/")(lambda: jsonify([1, {"a": 2}]))

    assert app.test_client().get("/").text == '[\n  1,\n  {\n    "a": 2\n  }\n]\n'


def test_returned_dict_and_list_become_json(app: App) -> None:
    app.add_url_rule("/dict", "dict", lambda: {"a": Point(1, 2)})
    app.add_url_rule("/list", "list", lambda: [decimal.Decimal("1.5")])
    client = app.test_client()

    assert client.get("/dict").json == {"a": {"x": 1, "y": 2}}
    assert client.get("/list").json == ["1.5"]


def test_jsonify_outside_an_app_context_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="application context"):
        jsonify(a=1)


def test_json_module_functions_work_without_an_app() -> None:
    assert json.dumps({"when": datetime.date(2024, 5, 17)}) == (
        '{"when": "Fri, 17 May 2024 00:00:00 GMT"}'
    )
    assert json.loads('{"a": [1]}') == {"a": [1]}


def test_json_module_functions_use_the_current_app(app: App) -> None:
    app.json.sort_keys = False  # type: ignore[attr-defined]

    with app.app_context():
        assert json.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


# --- tagged serializer ----------------------------------------------------------


ROUND_TRIP_VALUES = [
    (1, "x"),
    b"\x00\xffbytes",
    Markup("<b>bold</b>"),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    datetime.datetime(2024, 5, 17, 12, 30, 15, tzinfo=datetime.UTC),
    {" t": "looks like a tag"},
    {" di": {"nested": [1, (2, 3)]}},
    [(1, 2), [b"a", {"k": (Markup("<i>"),)}]],
    {"plain": {"nested": {"dict": True}}},
    "plain string",
    None,
]
ROUND_TRIP_IDS = [
    "tuple",
    "bytes",
    "markup",
    "uuid",
    "datetime",
    "tag-like-key",
    "escaped-tag-key",
    "nested",
    "plain-dict",
    "str",
    "none",
]


@pytest.mark.parametrize("value", ROUND_TRIP_VALUES, ids=ROUND_TRIP_IDS)
def test_tagged_serializer_round_trips(value: object) -> None:
    serializer = TaggedJSONSerializer()
    restored = serializer.loads(serializer.dumps(value))

    assert restored == value
    assert type(restored) is type(value)


@pytest.mark.parametrize("value", ROUND_TRIP_VALUES, ids=ROUND_TRIP_IDS)
def test_tagged_serializer_writes_what_flask_writes(value: object) -> None:
    ours = TaggedJSONSerializer().dumps(value)

    assert ours == flask.json.tag.TaggedJSONSerializer().dumps(value)
    assert flask.json.tag.TaggedJSONSerializer().loads(ours) == value


def test_tagged_serializer_format() -> None:
    serializer = TaggedJSONSerializer()

    assert serializer.dumps((1, b"a")) == '{" t":[1,{" b":"YQ=="}]}'


def test_naive_datetime_comes_back_as_utc() -> None:
    serializer = TaggedJSONSerializer()
    restored = serializer.loads(serializer.dumps(datetime.datetime(2024, 5, 17, 12, 0)))

    assert restored == datetime.datetime(2024, 5, 17, 12, 0, tzinfo=datetime.UTC)


def test_custom_tags_can_be_registered() -> None:
    class TagPoint(JSONTag):
        key = " point"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, Point)

        def to_json(self, value: t.Any) -> t.Any:
            return [value.x, value.y]

        def to_python(self, value: t.Any) -> t.Any:
            return Point(*value)

    serializer = TaggedJSONSerializer()
    serializer.register(TagPoint, index=0)

    assert serializer.dumps(Point(1, 2)) == '{" point":[1,2]}'
    assert serializer.loads(serializer.dumps({"p": Point(1, 2)})) == {"p": Point(1, 2)}


def test_registering_a_tag_key_twice_is_an_error() -> None:
    class Duplicate(JSONTag):
        key = " t"

    serializer = TaggedJSONSerializer()

    with pytest.raises(KeyError, match="already registered"):
        serializer.register(Duplicate)


def test_session_round_trips_tagged_values(app: App) -> None:
    stored = {
        "pair": (1, 2),
        "raw": b"\x01\x02",
        "html": Markup("<em>hi</em>"),
        "id": uuid.UUID(int=7),
        "when": datetime.datetime(2024, 5, 17, 8, 0, tzinfo=datetime.UTC),
    }

    @app.route("/store")
    def store() -> str:
        session.update(stored)
        return "stored"

    @app.route("/check")
    def check() -> str:
        return repr({key: (type(session[key]).__name__, session[key]) for key in stored})

    client = app.test_client()
    client.get("/store")

    assert client.get("/check").text == repr(
        {key: (type(value).__name__, value) for key, value in stored.items()}
    )


def test_dumps_keyword_arguments_override_the_provider(app: App) -> None:
    assert app.json.dumps({"b": 1, "a": 2}, sort_keys=False, indent=1) == '{\n "b": 1,\n "a": 2\n}'


def test_dump_and_load_with_files(app: App) -> None:
    buffer = io.StringIO()
    app.json.dump({"id": uuid.UUID(int=0)}, buffer)
    buffer.seek(0)

    assert buffer.getvalue() == '{"id": "00000000-0000-0000-0000-000000000000"}'
    assert app.json.load(buffer) == {"id": "00000000-0000-0000-0000-000000000000"}


def test_json_module_dump_and_load_without_an_app() -> None:
    buffer = io.StringIO()
    json.dump({"a": 1}, buffer)
    buffer.seek(0)

    assert json.load(buffer) == {"a": 1}


def test_a_view_returning_unserialisable_json_answers_500(app: App) -> None:
    app.route("/")(lambda: {"tags": {"a", "b"}})

    assert app.test_client().get("/").status_code == 500


def test_jsonify_refuses_bytes(app: App) -> None:
    with app.app_context(), pytest.raises(TypeError, match="bytes is not JSON serializable"):
        jsonify(b"raw")


def test_tagged_datetime_keeps_whole_seconds() -> None:
    serializer = TaggedJSONSerializer()
    value = datetime.datetime(2020, 1, 1, 1, 1, 1, 123456, tzinfo=datetime.UTC)

    assert serializer.dumps(value) == '{" d":"Wed, 01 Jan 2020 01:01:01 GMT"}'
    assert serializer.loads(serializer.dumps(value)) == value.replace(microsecond=0)


def test_unknown_tags_are_left_as_plain_dicts() -> None:
    assert TaggedJSONSerializer().loads('{" zz": 1}') == {" zz": 1}


def test_tagged_serializer_refuses_unknown_types() -> None:
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        TaggedJSONSerializer().dumps({1, 2})


def test_a_tag_can_replace_a_builtin_one_with_force() -> None:
    class TupleAsList(JSONTag):
        key = " t"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, tuple)

        def to_json(self, value: t.Any) -> t.Any:
            return [self.serializer.tag(item) for item in value]

        def to_python(self, value: t.Any) -> t.Any:
            return list(value)

    serializer = TaggedJSONSerializer()
    serializer.register(TupleAsList, force=True)

    assert serializer.loads(serializer.dumps((1,))) == [1]


# --- custom providers and templates -------------------------------------------------------


class SemicolonJSON(JSONProvider):
    """A provider built on the base class alone: only dumps and loads."""

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        return stdlib_json.dumps(obj, separators=(";", "="))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        return stdlib_json.loads(s)


def test_a_minimal_provider_serves_json_responses(app: App) -> None:
    app.json = SemicolonJSON(app)
    app.route("/")(lambda: {"a": [1, 2]})
    response = app.test_client().get("/")

    assert (response.data, response.mimetype) == (b'{"a"=[1;2]}', "application/json")


def test_the_base_provider_needs_dumps(app: App) -> None:
    with pytest.raises(NotImplementedError):
        JSONProvider(app).dumps({})


def test_default_provider_settings(app: App) -> None:
    provider = t.cast(DefaultJSONProvider, app.json)

    assert (provider.ensure_ascii, provider.sort_keys, provider.compact, provider.mimetype) == (
        True,
        True,
        None,
        "application/json",
    )


def test_tojson_filter_escapes_html_and_uses_the_provider(app: App) -> None:
    with app.app_context():
        rendered = render_template_string(
            "{{ data | tojson }}", data={"tag": "<x>", "day": datetime.date(2020, 1, 1)}
        )

    assert rendered == '{"day": "Wed, 01 Jan 2020 00:00:00 GMT", "tag": "\\u003cx\\u003e"}'


# --- generated values: same output as Flask, and a faithful round trip ---------------------

TAG_LIKE_KEYS = st.sampled_from([" t", " b", " m", " u", " d", " di", " t_", "plain", ""])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.text(max_size=12),
    st.binary(max_size=12),
    st.uuids(),
    st.builds(Markup, st.text(max_size=12)),
    st.datetimes(
        min_value=datetime.datetime(1970, 1, 2),
        max_value=datetime.datetime(2200, 1, 1),
        timezones=st.just(datetime.UTC),
    ).map(lambda value: value.replace(microsecond=0)),
)
SESSION_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.one_of(TAG_LIKE_KEYS, st.text(max_size=6)), children, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(SESSION_VALUES)
def test_generated_values_serialise_like_flask_and_round_trip(value: object) -> None:
    """Compared inside app contexts, as sessions are saved: both then sort dict keys."""
    ours = TaggedJSONSerializer()
    with App(__name__).app_context():
        text = ours.dumps(value)
    with flask.Flask(__name__).app_context():
        flask_text = flask.json.tag.TaggedJSONSerializer().dumps(value)

    assert text == flask_text
    assert ours.loads(text) == value
