"""Blueprints: registration options, nesting, endpoints, scoped hooks, templates, static files."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from werkzeug.routing import Rule

from framework import (
    App,
    Blueprint,
    Response,
    abort,
    g,
    render_template,
    render_template_string,
    request,
    url_for,
)


@pytest.fixture
def app() -> App:
    return App(__name__)


@pytest.fixture
def calls() -> list[str]:
    return []


def blueprint_with_index(name: str = "shop", **options: t.Any) -> Blueprint:
    bp = Blueprint(name, __name__, **options)

    @bp.route("/")
    def index() -> str:
        return f"{request.blueprint}:{request.endpoint}"

    return bp


# --- registration options -------------------------------------------------------------


def test_blueprint_routes_get_the_url_prefix_and_endpoint_name(app: App) -> None:
    app.register_blueprint(blueprint_with_index(url_prefix="/shop"))

    assert app.test_client().get("/shop/").text == "shop:shop.index"
    assert app.blueprints["shop"].name == "shop"
    assert "shop.index" in app.view_functions


def test_url_prefix_at_registration_overrides_the_blueprint(app: App) -> None:
    app.register_blueprint(blueprint_with_index(url_prefix="/shop"), url_prefix="/store")
    client = app.test_client()

    assert client.get("/store/").status_code == 200
    assert client.get("/shop/").status_code == 404


@pytest.mark.parametrize(
    ("prefix", "rule", "url"),
    [
        ("/api", "/users", "/api/users"),
        ("/api/", "/users", "/api/users"),
        ("/api", "users", "/api/users"),
        ("/api/", "/", "/api/"),
        ("", "/users", "/users"),
    ],
)
def test_prefix_and_rule_are_joined_with_one_slash(
    app: App, prefix: str, rule: str, url: str
) -> None:
    bp = Blueprint("api", __name__, url_prefix=prefix)
    bp.add_url_rule(rule, "users", lambda: "users")
    app.register_blueprint(bp)

    assert [r.rule for r in app.url_map.iter_rules("api.users")] == [url]


def test_blueprint_url_defaults_reach_the_view(app: App) -> None:
    bp = Blueprint("lang", __name__, url_defaults={"lang": "en"})

    @bp.route("/hello")
    def hello(lang: str) -> str:
        return f"hello in {lang}"

    app.register_blueprint(bp, url_prefix="/en")
    app.register_blueprint(bp, url_prefix="/de", name="lang_de", url_defaults={"lang": "de"})
    client = app.test_client()

    assert client.get("/en/hello").text == "hello in en"
    assert client.get("/de/hello").text == "hello in de"


def test_one_blueprint_registered_twice_under_different_names(app: App) -> None:
    bp = blueprint_with_index()
    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/b", name="shop_b")
    client = app.test_client()

    assert client.get("/a/").text == "shop:shop.index"
    assert client.get("/b/").text == "shop_b:shop_b.index"
    with app.test_request_context():
        assert url_for("shop_b.index") == "/b/"


def test_registering_the_same_blueprint_twice_under_one_name_is_an_error(app: App) -> None:
    bp = blueprint_with_index()
    app.register_blueprint(bp, url_prefix="/a")

    with pytest.raises(ValueError, match="'shop' is already registered.*name="):
        app.register_blueprint(bp, url_prefix="/b")


def test_two_blueprints_with_one_name_is_an_error(app: App) -> None:
    app.register_blueprint(blueprint_with_index("shop"), url_prefix="/a")

    with pytest.raises(ValueError, match="'shop' is already registered for a different blueprint"):
        app.register_blueprint(blueprint_with_index("shop"), url_prefix="/b")


@pytest.mark.parametrize(
    ("name", "message"),
    [("a.b", "may not contain a dot"), ("", "may not be empty")],
)
def test_bad_blueprint_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Blueprint(name, __name__)


def test_blueprint_error_handler_validates_codes_like_the_app() -> None:
    bp = Blueprint("bp", __name__)

    with pytest.raises(ValueError, match="'999' is not a recognized HTTP error code"):
        bp.errorhandler(999)(lambda error: "x")


def test_endpoint_decorator_serves_an_app_rule_by_its_unprefixed_name(app: App) -> None:
    """As in Flask, ``bp.endpoint("bar")`` names the app's endpoint, not "bp.bar"."""
    app.url_map.add(Rule("/foo", endpoint="bar"))
    bp = Blueprint("bp", __name__)

    @bp.endpoint("bar")
    def foobar() -> str | None:
        return request.endpoint

    app.register_blueprint(bp, url_prefix="/bp_prefix")
    client = app.test_client()

    assert client.get("/foo").text == "bar"
    assert client.get("/bp_prefix/bar").status_code == 404


def test_endpoint_with_a_dot_is_refused() -> None:
    bp = Blueprint("bp", __name__)

    with pytest.raises(ValueError, match="may not contain a dot"):
        bp.add_url_rule("/", "a.b", lambda: "x")


def test_blueprint_cannot_be_registered_on_itself() -> None:
    bp = Blueprint("bp", __name__)

    with pytest.raises(ValueError, match="on itself"):
        bp.register_blueprint(bp)


def test_blueprint_subdomain() -> None:
    app = App(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    app.register_blueprint(blueprint_with_index("admin", subdomain="admin"))
    client = app.test_client()

    assert client.get("/", "http://admin.example.com/").text == "admin:admin.index"
    assert client.get("/", "http://example.com/").status_code == 404
    with app.app_context():
        assert url_for("admin.index") == "http://admin.example.com/"


def test_subdomain_at_registration() -> None:
    app = App(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    app.register_blueprint(blueprint_with_index(), subdomain="shop")

    assert app.test_client().get("/", "http://shop.example.com/").status_code == 200


def test_empty_url_prefix_at_registration_removes_the_prefix(app: App) -> None:
    app.register_blueprint(blueprint_with_index(url_prefix="/shop"), url_prefix="")

    assert [rule.rule for rule in app.url_map.iter_rules("shop.index")] == ["/"]


def test_record_runs_on_every_registration_and_record_once_on_the_first(app: App) -> None:
    bp = blueprint_with_index()
    every: list[tuple[str, str | None, bool]] = []
    once: list[str | None] = []
    bp.record(lambda state: every.append((state.name, state.url_prefix, state.first_registration)))
    bp.record_once(lambda state: once.append(state.url_prefix))
    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/b", name="second")

    assert every == [("shop", "/a", True), ("second", "/b", False)]
    assert once == ["/a"]


def test_blueprint_setup_after_registration_is_refused(app: App) -> None:
    bp = blueprint_with_index()
    app.register_blueprint(bp)

    with pytest.raises(AssertionError, match="already been registered"):
        bp.route("/late")(lambda: "late")


def test_register_blueprint_after_the_first_request_is_refused(app: App) -> None:
    app.route("/")(lambda: "ok")
    app.test_client().get("/")

    with pytest.raises(AssertionError, match="already handled its first request"):
        app.register_blueprint(blueprint_with_index())


# --- url_for -------------------------------------------------------------------------


def test_relative_url_for_inside_a_blueprint(app: App) -> None:
    bp = Blueprint("shop", __name__, url_prefix="/shop")

    @bp.route("/")
    def index() -> str:
        return url_for(".cart")

    @bp.route("/cart")
    def cart() -> str:
        return "cart"

    app.register_blueprint(bp)

    assert app.test_client().get("/shop/").text == "/shop/cart"


def test_relative_url_for_outside_a_blueprint_targets_the_app(app: App) -> None:
    @app.route("/")
    def index() -> str:
        return url_for(".about")

    @app.route("/about")
    def about() -> str:
        return "about"

    assert app.test_client().get("/").text == "/about"


def test_external_urls_for_blueprint_endpoints(app: App) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/b")

    @bp.route("/x")
    def x() -> str:
        return url_for(".x", _external=True)

    app.register_blueprint(bp)

    assert app.test_client().get("/b/x", "https://shop.example").text == (
        "https://shop.example/b/x"
    )


def test_full_endpoint_name_works_from_anywhere(app: App) -> None:
    app.register_blueprint(blueprint_with_index(url_prefix="/shop"))

    with app.test_request_context("/"):
        assert url_for("shop.index") == "/shop/"
        assert url_for("shop.index", page=2) == "/shop/?page=2"


def test_relative_url_for_resolves_against_the_registered_name(app: App) -> None:
    bp = Blueprint("shop", __name__)

    @bp.route("/")
    def index() -> str:
        return url_for(".index")

    app.register_blueprint(bp, url_prefix="/one", name="one")

    assert app.test_client().get("/one/").text == "/one/"


# --- nested blueprints ------------------------------------------------------------------


@pytest.fixture
def nested_app(app: App, calls: list[str]) -> App:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")

    @child.route("/")
    def index() -> dict[str, t.Any]:
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": request.blueprints,
            "sibling": url_for(".other"),
        }

    @child.route("/other")
    def other() -> str:
        return "other"

    @parent.route("/")
    def parent_index() -> str:
        return "parent"

    for scope, name in ((app, "app"), (parent, "parent"), (child, "child")):
        scope.before_request(lambda name=name: calls.append(f"before {name}"))
        scope.after_request(lambda response, name=name: calls.append(f"after {name}") or response)
        scope.teardown_request(lambda exc, name=name: calls.append(f"teardown {name}"))

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    return app


def test_nested_blueprint_endpoint_prefix_and_relative_url_for(nested_app: App) -> None:
    body = nested_app.test_client().get("/parent/child/").json

    assert body == {
        "endpoint": "parent.child.index",
        "blueprint": "parent.child",
        "blueprints": ["parent.child", "parent"],
        "sibling": "/parent/child/other",
    }


def test_nested_blueprint_is_listed_by_dotted_name(nested_app: App) -> None:
    assert set(nested_app.blueprints) == {"parent", "parent.child"}


def test_hook_order_app_then_outer_then_inner(nested_app: App, calls: list[str]) -> None:
    nested_app.test_client().get("/parent/child/")

    assert calls == [
        "before app",
        "before parent",
        "before child",
        "after child",
        "after parent",
        "after app",
        "teardown child",
        "teardown parent",
        "teardown app",
    ]


def test_outer_blueprint_hooks_skip_the_inner_ones(nested_app: App, calls: list[str]) -> None:
    nested_app.test_client().get("/parent/")

    assert calls == [
        "before app",
        "before parent",
        "after parent",
        "after app",
        "teardown parent",
        "teardown app",
    ]


def test_app_requests_run_only_app_hooks(nested_app: App, calls: list[str]) -> None:
    nested_app.route("/")(lambda: "home")
    nested_app.test_client().get("/")

    assert calls == ["before app", "after app", "teardown app"]


def test_nested_prefix_override_at_registration(app: App) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = blueprint_with_index("child", url_prefix="/c")
    parent.register_blueprint(child, url_prefix="/kid")
    app.register_blueprint(parent)

    assert app.test_client().get("/p/kid/").text == "parent.child:parent.child.index"


def test_nested_blueprint_with_subdomains_combines_them() -> None:
    app = App(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    parent = Blueprint("parent", __name__, subdomain="api")
    child = blueprint_with_index("child", subdomain="v1")
    parent.register_blueprint(child, url_prefix="/c")
    app.register_blueprint(parent)

    assert app.test_client().get("/c/", "http://v1.api.example.com/").status_code == 200


# --- scoped hooks ------------------------------------------------------------------------


@pytest.fixture
def shop_and_home(app: App) -> tuple[App, Blueprint]:
    shop = blueprint_with_index(url_prefix="/shop")

    @app.route("/")
    def home() -> str:
        return "home"

    return app, shop


def test_blueprint_before_request_runs_only_for_its_requests(
    shop_and_home: tuple[App, Blueprint], calls: list[str]
) -> None:
    app, shop = shop_and_home
    shop.before_request(lambda: calls.append(request.path))
    app.register_blueprint(shop)
    client = app.test_client()
    client.get("/")
    client.get("/shop/")

    assert calls == ["/shop/"]


def test_blueprint_before_request_can_short_circuit(shop_and_home: tuple[App, Blueprint]) -> None:
    app, shop = shop_and_home
    shop.before_request(lambda: ("closed", 503))
    app.register_blueprint(shop)
    client = app.test_client()

    assert client.get("/shop/").status_code == 503
    assert client.get("/").text == "home"


def test_blueprint_after_request_runs_only_for_its_requests(
    shop_and_home: tuple[App, Blueprint],
) -> None:
    app, shop = shop_and_home

    @shop.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-Shop"] = "1"
        return response

    app.register_blueprint(shop)
    client = app.test_client()

    assert client.get("/shop/").headers["X-Shop"] == "1"
    assert "X-Shop" not in client.get("/").headers


def test_blueprint_teardown_runs_only_for_its_requests(
    shop_and_home: tuple[App, Blueprint], calls: list[str]
) -> None:
    app, shop = shop_and_home
    shop.teardown_request(lambda exc: calls.append(request.path))
    app.register_blueprint(shop)
    client = app.test_client()
    client.get("/")
    client.get("/shop/")

    assert calls == ["/shop/"]


@pytest.mark.parametrize(
    ("registrar", "hook_kind"),
    [
        ("before_app_request", "before"),
        ("after_app_request", "after"),
        ("teardown_app_request", "teardown"),
    ],
)
def test_app_variants_run_for_every_request(
    shop_and_home: tuple[App, Blueprint], calls: list[str], registrar: str, hook_kind: str
) -> None:
    app, shop = shop_and_home

    def hook(*args: t.Any) -> t.Any:
        calls.append(request.path)
        return args[0] if hook_kind == "after" else None

    getattr(shop, registrar)(hook)
    app.register_blueprint(shop)
    client = app.test_client()
    client.get("/")
    client.get("/shop/")

    assert calls == ["/", "/shop/"]


def test_blueprint_url_value_preprocessor_and_defaults(app: App) -> None:
    bp = Blueprint("lang", __name__, url_prefix="/<lang>")

    @bp.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        g.lang = values.pop("lang") if values else None

    @bp.url_defaults
    def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", g.lang)

    @bp.route("/page")
    def page() -> str:
        return f"{g.lang} {url_for('.page')}"

    app.register_blueprint(bp)

    assert app.test_client().get("/fr/page").text == "fr /fr/page"


# --- scoped error handlers ------------------------------------------------------------------


@pytest.fixture
def erroring_app(app: App) -> App:
    shop = Blueprint("shop", __name__, url_prefix="/shop")

    @shop.route("/fail")
    def shop_fail() -> str:
        raise ValueError("shop")

    @shop.route("/gone")
    def shop_gone() -> str:
        abort(404)

    @app.route("/fail")
    def app_fail() -> str:
        raise ValueError("app")

    @app.route("/gone")
    def app_gone() -> str:
        abort(404)

    shop.register_error_handler(ValueError, lambda error: (f"shop handled {error}", 400))
    shop.register_error_handler(404, lambda error: ("shop 404", 404))
    app.register_blueprint(shop)
    return app


def test_blueprint_error_handler_handles_its_own_errors(erroring_app: App) -> None:
    assert erroring_app.test_client().get("/shop/fail").text == "shop handled shop"


def test_blueprint_error_handler_ignores_other_requests(erroring_app: App) -> None:
    assert erroring_app.test_client().get("/fail").status_code == 500


def test_blueprint_404_handler_handles_abort_in_its_views(erroring_app: App) -> None:
    client = erroring_app.test_client()

    assert client.get("/shop/gone").text == "shop 404"
    assert client.get("/gone").text != "shop 404"


def test_blueprint_405_handler_does_not_see_routing_errors(app: App) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/only-get", "only_get", lambda: "get")
    bp.register_error_handler(405, lambda error: ("bp 405", 405))
    app.register_blueprint(bp)
    response = app.test_client().post("/bp/only-get")

    assert response.status_code == 405
    assert response.text != "bp 405"


def test_blueprint_404_handler_does_not_see_unmatched_urls(erroring_app: App) -> None:
    response = erroring_app.test_client().get("/shop/no-such-page")

    assert response.status_code == 404
    assert response.text != "shop 404"


def test_blueprint_handler_wins_over_the_app_handler(erroring_app: App) -> None:
    erroring_app.register_error_handler(ValueError, lambda error: ("app handled", 400))
    client = erroring_app.test_client()

    assert client.get("/shop/fail").text == "shop handled shop"
    assert client.get("/fail").text == "app handled"


def test_app_handler_is_the_fallback_for_blueprint_requests(app: App) -> None:
    bp = Blueprint("bp", __name__)

    @bp.route("/")
    def index() -> str:
        raise KeyError("k")

    app.register_blueprint(bp)
    app.register_error_handler(KeyError, lambda error: ("app handled", 400))

    assert app.test_client().get("/").text == "app handled"


def test_app_errorhandler_from_a_blueprint_applies_everywhere(app: App) -> None:
    bp = Blueprint("errors", __name__)
    bp.app_errorhandler(404)(lambda error: ("site-wide 404", 404))
    app.register_blueprint(bp)

    assert app.test_client().get("/nowhere").text == "site-wide 404"


def test_inner_blueprint_handler_wins_over_the_outer(app: App) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)

    @child.route("/child")
    def fail() -> str:
        raise ValueError("x")

    @parent.route("/parent")
    def parent_fail() -> str:
        raise ValueError("x")

    parent.register_error_handler(ValueError, lambda error: "outer")
    child.register_error_handler(ValueError, lambda error: "inner")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    client = app.test_client()

    assert client.get("/child").text == "inner"
    assert client.get("/parent").text == "outer"


def test_outer_blueprint_handler_catches_inner_errors(app: App) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)

    @child.route("/child")
    def fail() -> str:
        raise ValueError("x")

    parent.register_error_handler(ValueError, lambda error: "outer")
    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert app.test_client().get("/child").text == "outer"


# --- templates and static files -----------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An app folder with its own templates and a blueprint folder with templates and static."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "shared.html").write_text("app version")
    blueprint_root = tmp_path / "shop"
    (blueprint_root / "templates" / "shop").mkdir(parents=True)
    (blueprint_root / "templates" / "shop" / "item.html").write_text("item {{ name }}")
    (blueprint_root / "templates" / "shared.html").write_text("blueprint version")
    (blueprint_root / "static").mkdir()
    (blueprint_root / "static" / "shop.css").write_text("body { color: red }")
    (tmp_path / "secret.txt").write_text("secret")
    return tmp_path


def shop_blueprint(project: Path, **options: t.Any) -> Blueprint:
    bp = Blueprint(
        "shop",
        __name__,
        root_path=str(project / "shop"),
        template_folder="templates",
        static_folder="static",
        **options,
    )

    @bp.route("/item/<name>")
    def item(name: str) -> str:
        return render_template("shop/item.html", name=name)

    @bp.route("/shared")
    def shared() -> str:
        return render_template("shared.html")

    return bp


def test_blueprint_templates_are_found(project: Path) -> None:
    app = App(__name__, root_path=str(project))
    app.register_blueprint(shop_blueprint(project, url_prefix="/shop"))

    assert app.test_client().get("/shop/item/hat").text == "item hat"


def test_app_templates_take_precedence_over_blueprint_templates(project: Path) -> None:
    app = App(__name__, root_path=str(project))
    app.register_blueprint(shop_blueprint(project, url_prefix="/shop"))

    assert app.test_client().get("/shop/shared").text == "app version"


def test_blueprint_static_files_are_served_under_its_prefix(project: Path) -> None:
    app = App(__name__, root_path=str(project))
    app.register_blueprint(shop_blueprint(project, url_prefix="/shop"))
    client = app.test_client()
    response = client.get("/shop/static/shop.css")

    assert response.status_code == 200
    assert response.data == b"body { color: red }"
    assert response.mimetype == "text/css"
    response.close()
    with app.test_request_context():
        assert url_for("shop.static", filename="shop.css") == "/shop/static/shop.css"


def test_blueprint_static_url_path(project: Path) -> None:
    app = App(__name__, root_path=str(project))
    app.register_blueprint(shop_blueprint(project, url_prefix="/shop", static_url_path="/assets"))
    response = app.test_client().get("/shop/assets/shop.css")

    assert response.status_code == 200
    response.close()


@pytest.mark.parametrize(
    "path",
    [
        "/shop/static/../../secret.txt",
        "/shop/static/%2e%2e/%2e%2e/secret.txt",
        "/shop/static/missing.css",
    ],
)
def test_blueprint_static_refuses_escapes_and_missing_files(project: Path, path: str) -> None:
    app = App(__name__, root_path=str(project))
    app.register_blueprint(shop_blueprint(project, url_prefix="/shop"))

    assert app.test_client().get(path).status_code == 404


def test_blueprint_context_processor_is_scoped(app: App) -> None:
    bp = Blueprint("bp", __name__)
    bp.context_processor(lambda: {"where": "blueprint"})
    bp.app_context_processor(lambda: {"everywhere": "yes"})
    template = "{{ where | default('nowhere') }} {{ everywhere }}"
    bp.route("/bp")(lambda: render_template_string(template))
    app.route("/app")(lambda: render_template_string(template))
    app.register_blueprint(bp)
    client = app.test_client()

    assert client.get("/bp").text == "blueprint yes"
    assert client.get("/app").text == "nowhere yes"


def test_blueprint_app_template_global_and_test(app: App) -> None:
    bp = Blueprint("bp", __name__)
    bp.add_app_template_global(lambda: "site", "site_name")
    bp.add_app_template_test(lambda value: value == 3, "three")
    app.register_blueprint(bp)

    with app.app_context():
        assert render_template_string("{{ site_name() }} {{ 3 is three }}") == "site True"


def test_blueprint_app_template_filter_applies_everywhere(app: App) -> None:
    bp = Blueprint("bp", __name__)

    @bp.app_template_filter("shout")
    def shout(value: str) -> str:
        return value.upper() + "!"

    app.register_blueprint(bp)

    with app.test_request_context():
        assert render_template_string("{{ 'hi' | shout }}") == "HI!"


# --- more registration shapes ---------------------------------------------------------------


def test_nested_blueprint_registered_under_names(app: App) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    child.add_url_rule("/x", "x", lambda: request.blueprint)
    parent.register_blueprint(child, name="kid", url_prefix="/k")
    app.register_blueprint(parent, url_prefix="/p")
    app.register_blueprint(parent, name="other", url_prefix="/q")
    client = app.test_client()

    assert sorted(app.blueprints) == ["other", "other.kid", "parent", "parent.kid"]
    assert client.get("/p/k/x").text == "parent.kid"
    assert client.get("/q/k/x").text == "other.kid"


def test_registration_url_defaults_override_the_blueprints(app: App) -> None:
    bp = Blueprint("bp", __name__, url_defaults={"a": 1, "b": 2})
    bp.add_url_rule("/", "index", lambda a, b: f"a={a} b={b}")
    app.register_blueprint(bp, url_defaults={"b": 3})

    assert app.test_client().get("/").text == "a=1 b=3"


def test_route_endpoint_argument_is_prefixed(app: App) -> None:
    bp = Blueprint("bp", __name__)
    bp.route("/", endpoint="home")(lambda: "home")
    app.register_blueprint(bp)

    assert "bp.home" in app.view_functions


def test_view_function_name_with_a_dot_is_refused() -> None:
    bp = Blueprint("bp", __name__)

    def view() -> str:
        return "x"

    view.__name__ = "a.b"

    with pytest.raises(ValueError, match="may not contain a dot"):
        bp.add_url_rule("/", view_func=view)


def test_one_blueprint_on_two_apps() -> None:
    bp = blueprint_with_index()
    first, second = App("first"), App("second")
    first.register_blueprint(bp)
    second.register_blueprint(bp)

    assert first.test_client().get("/").text == "shop:shop.index"
    assert second.test_client().get("/").text == "shop:shop.index"


def test_outer_blueprint_short_circuit_skips_inner_hooks(app: App, calls: list[str]) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    parent.before_request(lambda: calls.append("parent") or "stopped")
    child.before_request(lambda: calls.append("child"))
    child.add_url_rule("/c", "index", lambda: "view")
    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert app.test_client().get("/c").text == "stopped"
    assert calls == ["parent"]


def test_app_wide_after_request_from_a_blueprint_is_an_app_hook(app: App, calls: list[str]) -> None:
    app.after_request(lambda response: calls.append("app") or response)
    bp = Blueprint("bp", __name__)
    bp.after_app_request(lambda response: calls.append("from blueprint") or response)
    app.register_blueprint(bp)
    app.route("/")(lambda: "view")

    app.test_client().get("/")

    assert calls == ["from blueprint", "app"]


def test_app_errorhandler_of_one_blueprint_serves_another(app: App) -> None:
    errors = Blueprint("errors", __name__)
    errors.app_errorhandler(KeyError)(lambda error: ("handled globally", 400))
    shop = Blueprint("shop", __name__)
    shop.add_url_rule("/", "index", lambda: {}["missing"])
    app.register_blueprint(errors)
    app.register_blueprint(shop)

    assert app.test_client().get("/").text == "handled globally"


def test_nested_blueprint_templates_and_static(tmp_path: Path) -> None:
    child_root = tmp_path / "child"
    (child_root / "views").mkdir(parents=True)
    (child_root / "views" / "child.html").write_text("child template")
    (child_root / "assets").mkdir()
    (child_root / "assets" / "child.txt").write_text("child asset")
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint(
        "child",
        __name__,
        root_path=str(child_root),
        template_folder="views",
        static_folder="assets",
        url_prefix="/c",
    )
    child.add_url_rule("/page", "page", lambda: render_template("child.html"))
    parent.register_blueprint(child)
    app = App(__name__, root_path=str(tmp_path))
    app.register_blueprint(parent)
    client = app.test_client()
    asset = client.get("/p/c/assets/child.txt")

    assert client.get("/p/c/page").text == "child template"
    assert (asset.status_code, asset.data) == (200, b"child asset")
    asset.close()
    with app.test_request_context():
        assert url_for("parent.child.static", filename="child.txt") == "/p/c/assets/child.txt"


# --- blueprint commands -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "command_line"),
    [
        ({}, ["tools", "hello"]),
        ({"cli_group": "admin"}, ["admin", "hello"]),
        ({"cli_group": None}, ["hello"]),
    ],
    ids=["named-after-blueprint", "own-group", "merged-into-app"],
)
def test_blueprint_cli_group(app: App, options: dict[str, t.Any], command_line: list[str]) -> None:
    bp = Blueprint("tools", __name__, **options)

    @bp.cli.command("hello")
    def hello() -> None:
        print("hello from the blueprint")

    app.register_blueprint(bp)
    result = app.test_cli_runner().invoke(args=command_line)

    assert (result.exit_code, result.output) == (0, "hello from the blueprint\n")


def test_cli_group_at_registration(app: App) -> None:
    bp = Blueprint("tools", __name__)

    @bp.cli.command("hello")
    def hello() -> None:
        print("hello")

    app.register_blueprint(bp, cli_group="ops")

    assert app.test_cli_runner().invoke(args=["ops", "hello"]).output == "hello\n"


def test_unknown_blueprint_command_is_a_usage_error(app: App) -> None:
    bp = Blueprint("tools", __name__)
    bp.cli.command("hello")(lambda: None)
    app.register_blueprint(bp)
    result = app.test_cli_runner().invoke(args=["tools", "missing"])

    assert result.exit_code == 2
    assert "No such command 'missing'" in result.output


def test_blueprint_static_answers_conditional_requests(project: Path) -> None:
    app = App(__name__, root_path=str(project))
    app.register_blueprint(shop_blueprint(project, url_prefix="/shop"))
    client = app.test_client()
    first = client.get("/shop/static/shop.css")
    first.close()
    again = client.get("/shop/static/shop.css", headers={"If-None-Match": first.headers["ETag"]})
    again.close()

    assert first.headers["Cache-Control"] == "no-cache"
    assert again.status_code == 304


def test_blueprint_static_honours_send_file_max_age(project: Path) -> None:
    app = App(__name__, root_path=str(project))
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 60
    app.register_blueprint(shop_blueprint(project, url_prefix="/shop"))
    response = app.test_client().get("/shop/static/shop.css")
    response.close()

    assert response.headers["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize(("method", "status"), [("HEAD", 200), ("POST", 405)])
def test_blueprint_static_methods(project: Path, method: str, status: int) -> None:
    app = App(__name__, root_path=str(project))
    app.register_blueprint(shop_blueprint(project, url_prefix="/shop"))
    response = app.test_client().open("/shop/static/shop.css", method=method)
    response.close()

    assert response.status_code == status


def test_every_per_request_hook_runs_app_then_outer_then_inner(app: App, calls: list[str]) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    for scope, name in ((app, "app"), (parent, "parent"), (child, "child")):
        scope.url_value_preprocessor(
            lambda endpoint, values, name=name: calls.append(f"uvp {name}")
        )
        scope.before_request(lambda name=name: calls.append(f"before {name}"))
        scope.context_processor(lambda name=name: calls.append(f"context {name}") or {})
        scope.url_defaults(lambda _e, _v, name=name: calls.append(f"defaults {name}"))

    @child.route("/page")
    def page() -> str:
        calls.append("view")
        render_template_string("{{ 1 }}")
        return url_for(".page")

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    app.test_client().get("/page")

    assert calls == [
        *(f"uvp {name}" for name in ("app", "parent", "child")),
        *(f"before {name}" for name in ("app", "parent", "child")),
        "view",
        *(f"context {name}" for name in ("app", "parent", "child")),
        *(f"defaults {name}" for name in ("app", "parent", "child")),
    ]
