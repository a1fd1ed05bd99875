"""Class-based views: ``View`` and ``MethodView`` turned into view functions by ``as_view``."""

from __future__ import annotations

import functools
import typing as t

import pytest

from framework import App, Blueprint, request, url_for
from framework.views import MethodView, View


@pytest.fixture
def app() -> App:
    return App(__name__)


class IndexView(MethodView):
    """The notes' example view."""

    methods = ["GET"]

    def get(self) -> str:
        return "Index.GET"

    def post(self) -> str:
        return "Index.POST"


def test_as_view_returns_a_function_named_after_the_endpoint() -> None:
    view = IndexView.as_view("index")

    assert callable(view)
    assert view.__name__ == "index"
    assert view.view_class is IndexView
    assert view.__doc__ == IndexView.__doc__
    assert view.__module__ == IndexView.__module__


def test_as_view_name_becomes_the_endpoint(app: App) -> None:
    app.add_url_rule("/index", view_func=IndexView.as_view(name="index"))

    assert "index" in app.view_functions
    assert [rule.rule for rule in app.url_map.iter_rules("index")] == ["/index"]


def test_class_methods_restrict_the_rule_as_the_notes_show(app: App) -> None:
    app.add_url_rule("/index", view_func=IndexView.as_view(name="index"))
    client = app.test_client()

    assert client.get("/index").text == "Index.GET"
    assert client.post("/index").status_code == 405


def test_view_subclass_dispatch_request_receives_url_values(app: App) -> None:
    class Greeting(View):
        def dispatch_request(self, name: str) -> str:
            return f"hello {name} via {request.method}"

    app.add_url_rule("/hello/<name>", view_func=Greeting.as_view("greeting"))

    assert app.test_client().get("/hello/ann").text == "hello ann via GET"


def test_view_without_methods_accepts_only_get(app: App) -> None:
    class Plain(View):
        def dispatch_request(self) -> str:
            return "plain"

    app.add_url_rule("/", view_func=Plain.as_view("plain"))
    client = app.test_client()

    assert client.get("/").text == "plain"
    assert client.post("/").status_code == 405


def test_view_methods_attribute_is_copied_to_the_function(app: App) -> None:
    class Submit(View):
        methods = ["POST", "PUT"]

        def dispatch_request(self) -> str:
            return request.method

    view = Submit.as_view("submit")
    app.add_url_rule("/submit", view_func=view)
    client = app.test_client()

    assert set(view.methods) == {"POST", "PUT"}
    assert client.put("/submit").text == "PUT"
    assert client.get("/submit").status_code == 405


def test_class_args_and_kwargs_reach_the_constructor(app: App) -> None:
    class Templated(View):
        def __init__(self, greeting: str, *, punctuation: str) -> None:
            self.greeting = greeting
            self.punctuation = punctuation

        def dispatch_request(self) -> str:
            return self.greeting + self.punctuation

    app.add_url_rule("/", view_func=Templated.as_view("templated", "hi", punctuation="!"))

    assert app.test_client().get("/").text == "hi!"


def _tagging(tag: str) -> t.Callable[[t.Callable[..., str]], t.Callable[..., str]]:
    def decorator(view: t.Callable[..., str]) -> t.Callable[..., str]:
        @functools.wraps(view)
        def wrapper(**kwargs: t.Any) -> str:
            return f"{tag}({view(**kwargs)})"

        return wrapper

    return decorator


def test_decorators_are_applied_in_order_first_innermost(app: App) -> None:
    class Wrapped(View):
        decorators = [_tagging("inner"), _tagging("outer")]

        def dispatch_request(self) -> str:
            return "view"

    app.add_url_rule("/", view_func=Wrapped.as_view("wrapped"))

    assert app.test_client().get("/").text == "outer(inner(view))"


def test_decorators_see_the_endpoint_name(app: App) -> None:
    seen: list[str] = []

    def record_name(view: t.Callable[..., str]) -> t.Callable[..., str]:
        seen.append(view.__name__)
        return view

    class Named(View):
        decorators = [record_name]

        def dispatch_request(self) -> str:
            return "named"

    view = Named.as_view("the_endpoint")

    assert seen == ["the_endpoint"]
    assert view.view_class is Named


def test_a_decorator_can_refuse_the_request_like_the_notes_auth(app: App) -> None:
    def auth(view: t.Callable[..., str]) -> t.Callable[..., t.Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: t.Any) -> t.Any:
            if request.headers.get("X-User") is None:
                return "login required", 401
            return view(**kwargs)

        return wrapper

    class Secret(MethodView):
        decorators = [auth]

        def get(self) -> str:
            return "secret"

    app.add_url_rule("/secret", view_func=Secret.as_view("secret"))
    client = app.test_client()

    assert client.get("/secret").status_code == 401
    assert client.get("/secret", headers={"X-User": "ann"}).text == "secret"


def test_init_every_request_builds_a_new_instance_per_request(app: App) -> None:
    instances: list[int] = []

    class Fresh(View):
        def dispatch_request(self) -> str:
            instances.append(id(self))
            return "ok"

    app.add_url_rule("/", view_func=Fresh.as_view("fresh"))
    client = app.test_client()
    kept = [client.get("/") for _ in range(2)]

    assert all(response.status_code == 200 for response in kept)
    assert len(instances) == 2
    assert Fresh.init_every_request is True


def test_init_every_request_false_shares_one_instance(app: App) -> None:
    constructed: list[object] = []

    class Shared(View):
        init_every_request = False

        def __init__(self) -> None:
            constructed.append(self)
            self.hits = 0

        def dispatch_request(self) -> str:
            self.hits += 1
            return str(self.hits)

    app.add_url_rule("/", view_func=Shared.as_view("shared"))
    client = app.test_client()

    assert [client.get("/").text for _ in range(3)] == ["1", "2", "3"]
    assert len(constructed) == 1


class Items(MethodView):
    def get(self) -> str:
        return "list"

    def post(self) -> str:
        return "create"

    def delete(self) -> str:
        return "delete"


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", "list"), ("POST", "create"), ("DELETE", "delete")],
)
def test_method_view_dispatches_on_the_lowercase_method(app: App, method: str, body: str) -> None:
    app.add_url_rule("/items", view_func=Items.as_view("items"))

    assert app.test_client().open("/items", method=method).text == body


def test_method_view_derives_methods_from_its_handlers() -> None:
    assert set(Items.methods) == {"GET", "POST", "DELETE"}
    assert set(Items.as_view("items").methods) == {"GET", "POST", "DELETE"}


def test_method_view_rejects_methods_without_handler(app: App) -> None:
    app.add_url_rule("/items", view_func=Items.as_view("items"))
    response = app.test_client().put("/items")

    assert response.status_code == 405
    allowed = set(response.headers["Allow"].split(", "))
    assert allowed == {"GET", "HEAD", "POST", "DELETE", "OPTIONS"}


def test_method_view_head_falls_back_to_get(app: App) -> None:
    app.add_url_rule("/items", view_func=Items.as_view("items"))
    response = app.test_client().head("/items")

    assert response.status_code == 200
    assert response.data == b""
    assert response.content_length == len("list")


def test_method_view_explicit_head_handler_wins(app: App) -> None:
    class WithHead(MethodView):
        def get(self) -> str:
            return "body"

        def head(self) -> tuple[str, int, dict[str, str]]:
            return "", 204, {"X-Head": "own"}

    app.add_url_rule("/", view_func=WithHead.as_view("with_head"))
    response = app.test_client().head("/")

    assert response.status_code == 204
    assert response.headers["X-Head"] == "own"


def test_method_view_inherits_handlers_and_their_methods(app: App) -> None:
    class Readable(MethodView):
        def get(self) -> str:
            return "read"

    class Writable(Readable):
        def put(self) -> str:
            return "write"

    app.add_url_rule("/doc", view_func=Writable.as_view("doc"))
    client = app.test_client()

    assert set(Writable.methods) == {"GET", "PUT"}
    assert client.get("/doc").text == "read"
    assert client.put("/doc").text == "write"


def test_method_view_inherits_handlers_from_a_mixin(app: App) -> None:
    class DeleteMixin:
        def delete(self) -> str:
            return "gone"

    class Resource(DeleteMixin, MethodView):
        def get(self) -> str:
            return "here"

    app.add_url_rule("/r", view_func=Resource.as_view("resource"))

    assert set(Resource.methods) == {"GET", "DELETE"}
    assert app.test_client().delete("/r").text == "gone"


def test_method_view_passes_url_values_to_the_handler(app: App) -> None:
    class User(MethodView):
        def get(self, user_id: int) -> str:
            return f"user {user_id}"

    app.add_url_rule("/users/<int:user_id>", view_func=User.as_view("user"))

    assert app.test_client().get("/users/7").text == "user 7"


def test_view_without_dispatch_request_is_an_error(app: App) -> None:
    class Forgotten(View):
        pass

    app.add_url_rule("/", view_func=Forgotten.as_view("forgotten"))
    app.testing = True

    with pytest.raises(NotImplementedError):
        app.test_client().get("/")


def test_view_without_dispatch_request_answers_500_outside_testing(app: App) -> None:
    class Forgotten(View):
        pass

    app.add_url_rule("/", view_func=Forgotten.as_view("forgotten"))

    assert app.test_client().get("/").status_code == 500


def test_two_as_view_calls_on_one_endpoint_name_conflict(app: App) -> None:
    app.add_url_rule("/a", view_func=Items.as_view("items"))

    with pytest.raises(AssertionError, match="items"):
        app.add_url_rule("/b", view_func=Items.as_view("items"))


def test_provide_automatic_options_false_on_the_class(app: App) -> None:
    class NoOptions(MethodView):
        provide_automatic_options = False

        def get(self) -> str:
            return "get"

    app.add_url_rule("/", view_func=NoOptions.as_view("no_options"))

    assert app.test_client().options("/").status_code == 405


def test_subclass_of_a_view_with_explicit_methods_adds_its_handlers() -> None:
    class ReadOnly(MethodView):
        methods = ["GET"]

        def get(self) -> str:
            return "get"

        def post(self) -> str:
            return "post"

    class Editable(ReadOnly):
        def put(self) -> str:
            return "put"

    assert sorted(ReadOnly.methods) == ["GET"]
    assert sorted(Editable.methods) == ["GET", "POST", "PUT"]


def test_view_without_methods_gets_the_default_rule_methods(app: App) -> None:
    class Plain(View):
        def dispatch_request(self) -> str:
            return "plain"

    app.add_url_rule("/", view_func=Plain.as_view("plain"))

    assert sorted(next(app.url_map.iter_rules("plain")).methods) == ["GET", "HEAD", "OPTIONS"]


def test_class_based_view_in_a_blueprint(app: App) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("/items", view_func=Items.as_view("items"))
    app.register_blueprint(bp)
    client = app.test_client()

    assert "api.items" in app.view_functions
    assert client.post("/api/items").text == "create"
    with app.test_request_context():
        assert url_for("api.items") == "/api/items"


def test_lowercase_methods_on_the_class_are_accepted(app: App) -> None:
    class Lower(View):
        methods = ["get", "post"]

        def dispatch_request(self) -> str:
            return request.method

    app.add_url_rule("/", view_func=Lower.as_view("lower"))

    assert app.test_client().post("/").text == "POST"


def test_methods_as_a_plain_string_is_a_clear_error(app: App) -> None:
    class Mistaken(View):
        methods = "GET"  # type: ignore[assignment]

        def dispatch_request(self) -> str:
            return "x"

    with pytest.raises(TypeError, match="Allowed methods must be a list of strings"):
        app.add_url_rule("/", view_func=Mistaken.as_view("mistaken"))


def test_add_url_rule_methods_override_the_class(app: App) -> None:
    class PostOnly(View):
        methods = ["POST"]

        def dispatch_request(self) -> str:
            return request.method

    app.add_url_rule("/", view_func=PostOnly.as_view("post_only"), methods=["PUT"])
    client = app.test_client()

    assert client.put("/").status_code == 200
    assert client.post("/").status_code == 405


def test_method_view_without_handlers_has_no_methods_and_fails(app: App) -> None:
    class Empty(MethodView):
        pass

    app.add_url_rule("/", view_func=Empty.as_view("empty"))

    assert Empty.methods is None
    assert app.test_client().get("/").status_code == 500


def test_method_view_can_answer_options_itself(app: App) -> None:
    class WithOptions(MethodView):
        def get(self) -> str:
            return "get"

        def options(self) -> str:
            return "custom options"

    app.add_url_rule("/", view_func=WithOptions.as_view("with_options"))

    assert sorted(WithOptions.methods) == ["GET", "OPTIONS"]
    assert app.test_client().options("/").text == "custom options"


def test_method_view_handlers_return_anything_a_view_may(app: App) -> None:
    class Create(MethodView):
        def post(self) -> tuple[dict[str, bool], int, dict[str, str]]:
            return {"created": True}, 201, {"Location": "/items/1"}

    app.add_url_rule("/items", view_func=Create.as_view("create"))
    response = app.test_client().post("/items")

    assert (response.status_code, response.json) == (201, {"created": True})
    assert response.headers["Location"] == "/items/1"


def test_as_view_needs_a_string_name() -> None:
    with pytest.raises(TypeError):
        Items.as_view(None)  # type: ignore[arg-type]
