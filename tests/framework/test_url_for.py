"""url_for: relative and external URLs, its underscore options, build errors, URL hooks."""

from __future__ import annotations

import pytest
from werkzeug.routing import BuildError

from framework import App, g, request, url_for


@pytest.fixture
def app() -> App:
    application = App("url_for_tests")
    application.testing = True

    @application.route("/")
    def index() -> str:
        return "home"

    @application.route("/user/<int:user_id>")
    def profile(user_id: int) -> str:
        return f"user {user_id}"

    @application.route("/items", methods=["POST"], endpoint="create_item")
    def create_item() -> str:
        return "created"

    @application.route("/items", methods=["GET"], endpoint="list_items")
    def list_items() -> str:
        return "items"

    return application


def test_relative_url_inside_a_request(app: App) -> None:
    with app.test_request_context("/anywhere"):
        assert url_for("profile", user_id=3) == "/user/3"


def test_external_url_uses_the_request_host(app: App) -> None:
    with app.test_request_context("/", base_url="https://shop.example:8443"):
        assert url_for("profile", user_id=3, _external=True) == "https://shop.example:8443/user/3"


def test_anchor_is_quoted(app: App) -> None:
    with app.test_request_context():
        assert url_for("index", _anchor="top part") == "/#top%20part"


def test_scheme_alone_implies_external(app: App) -> None:
    with app.test_request_context():
        assert url_for("index", _scheme="https") == "https://localhost/"


def test_scheme_with_external_false_is_refused(app: App) -> None:
    with app.test_request_context(), pytest.raises(ValueError, match="_external"):
        url_for("index", _scheme="https", _external=False)


def test_scheme_with_external(app: App) -> None:
    with app.test_request_context():
        assert url_for("index", _scheme="https", _external=True) == "https://localhost/"


@pytest.mark.parametrize(("method", "expected"), [("GET", "/items"), ("POST", "/items")])
def test_method_picks_the_rule_for_that_method(app: App, method: str, expected: str) -> None:
    with app.test_request_context():
        endpoint = "list_items" if method == "GET" else "create_item"
        assert url_for(endpoint, _method=method) == expected


def test_wrong_method_is_a_build_error(app: App) -> None:
    with app.test_request_context(), pytest.raises(BuildError):
        url_for("create_item", _method="GET")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"page": 2}, "/?page=2"),
        ({"q": "a b&c"}, "/?q=a+b%26c"),
        ({"tag": ["x", "y"]}, "/?tag=x&tag=y"),
        ({"lang": "中文"}, "/?lang=%E4%B8%AD%E6%96%87"),
    ],
)
def test_unknown_values_go_to_the_query_string(
    app: App, values: dict[str, object], expected: str
) -> None:
    with app.test_request_context():
        assert url_for("index", **values) == expected


def test_rule_values_and_query_values_together(app: App) -> None:
    with app.test_request_context():
        assert url_for("profile", user_id=7, tab="posts") == "/user/7?tab=posts"


def test_url_for_inside_a_view(app: App) -> None:
    @app.route("/links")
    def links() -> str:
        return url_for("profile", user_id=1) + " " + url_for("index", _external=True)

    response = app.test_client().get("/links")
    assert response.text == "/user/1 http://localhost/"


def test_script_root_is_part_of_the_url(app: App) -> None:
    with app.test_request_context("/", base_url="http://localhost/mounted"):
        assert url_for("profile", user_id=1) == "/mounted/user/1"


def test_static_url(app: App) -> None:
    with app.test_request_context():
        assert url_for("static", filename="css/site.css") == "/static/css/site.css"


# -- outside a request ------------------------------------------------------------


def test_bare_app_context_with_server_name_builds_external_urls(app: App) -> None:
    app.config["SERVER_NAME"] = "shop.example"
    with app.app_context():
        assert url_for("profile", user_id=5) == "http://shop.example/user/5"


def test_bare_app_context_honours_application_root_and_preferred_scheme(app: App) -> None:
    app.config.update(
        SERVER_NAME="shop.example", APPLICATION_ROOT="/store", PREFERRED_URL_SCHEME="https"
    )
    with app.app_context():
        assert url_for("index") == "https://shop.example/store/"


def test_bare_app_context_relative_url_when_asked(app: App) -> None:
    app.config["SERVER_NAME"] = "shop.example"
    with app.app_context():
        assert url_for("profile", user_id=5, _external=False) == "/user/5"


def test_bare_app_context_without_server_name_explains_what_to_set(app: App) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        url_for("index")


def test_outside_any_context_is_an_error(app: App) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        url_for("index")


def test_app_url_for_method_in_a_request(app: App) -> None:
    with app.test_request_context():
        assert app.url_for("profile", user_id=2) == "/user/2"


# -- build errors -----------------------------------------------------------------


def test_unknown_endpoint_build_error_suggests_a_close_name(app: App) -> None:
    with app.test_request_context(), pytest.raises(BuildError) as excinfo:
        url_for("indx")
    message = str(excinfo.value)
    assert "Could not build url for endpoint 'indx'" in message
    assert "Did you mean 'index' instead?" in message


def test_missing_value_build_error_names_it(app: App) -> None:
    with app.test_request_context(), pytest.raises(BuildError) as excinfo:
        url_for("profile")
    assert "Did you forget to specify values ['user_id']?" in str(excinfo.value)


def test_value_the_converter_cannot_take_raises_its_error(app: App) -> None:
    with app.test_request_context(), pytest.raises(ValueError):
        url_for("profile", user_id="not-a-number")


def test_build_error_is_raised_unchanged_when_no_handler_answers(app: App) -> None:
    with app.test_request_context(), pytest.raises(BuildError) as excinfo:
        url_for("nowhere", a=1)
    assert excinfo.value.endpoint == "nowhere"
    assert excinfo.value.values == {"a": 1}


def test_url_build_error_handler_can_supply_a_url(app: App) -> None:
    def external_docs(error: BuildError, endpoint: str, values: dict[str, object]) -> str:
        if endpoint == "docs":
            return "https://docs.example/"
        raise error

    app.url_build_error_handlers.append(external_docs)
    with app.test_request_context():
        assert url_for("docs") == "https://docs.example/"
        with pytest.raises(BuildError):
            url_for("other")


def test_build_error_inside_a_view_gives_500(app: App) -> None:
    app.testing = False

    @app.route("/broken")
    def broken() -> str:
        return url_for("missing_endpoint")

    assert app.test_client().get("/broken").status_code == 500


# -- url_defaults and url_value_preprocessor -----------------------------------------


@pytest.fixture
def lang_app() -> App:
    """The classic language-code example: ``/<lang_code>/...`` pulled into ``g``."""
    app = App("url_for_tests")
    app.testing = True

    @app.url_defaults
    def add_language_code(endpoint: str, values: dict[str, object]) -> None:
        if "lang_code" in values or not g.get("lang_code"):
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            values["lang_code"] = g.lang_code

    @app.url_value_preprocessor
    def pull_lang_code(endpoint: str | None, values: dict[str, object] | None) -> None:
        g.lang_code = values.pop("lang_code", None) if values else None

    @app.route("/<lang_code>/")
    def home() -> str:
        return f"home in {g.lang_code}: {url_for('about')}"

    @app.route("/<lang_code>/about")
    def about() -> str:
        return f"about in {g.lang_code}"

    @app.route("/plain")
    def plain() -> str:
        return f"view_args={request.view_args}"

    return app


def test_url_value_preprocessor_pulls_values_before_the_view(lang_app: App) -> None:
    assert lang_app.test_client().get("/de/about").text == "about in de"


def test_url_defaults_fills_values_when_building(lang_app: App) -> None:
    assert lang_app.test_client().get("/fr/").text == "home in fr: /fr/about"


def test_url_value_preprocessor_changes_view_args(lang_app: App) -> None:
    assert lang_app.test_client().get("/plain").text == "view_args={}"


def test_url_defaults_leave_explicit_values_alone(lang_app: App) -> None:
    with lang_app.test_request_context("/fr/"):
        g.lang_code = "fr"
        assert url_for("about", lang_code="it") == "/it/about"
        assert url_for("about") == "/fr/about"


def test_url_value_preprocessor_receives_endpoint_and_values(app: App) -> None:
    seen: list[tuple[str | None, dict[str, object] | None]] = []

    @app.url_value_preprocessor
    def record(endpoint: str | None, values: dict[str, object] | None) -> None:
        seen.append((endpoint, dict(values) if values is not None else None))

    app.test_client().get("/user/9")
    assert seen == [("profile", {"user_id": 9})]
