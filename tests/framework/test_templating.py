"""Templates: the Jinja2 environment over template_folder and what every template can see."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound
from markupsafe import Markup

from framework import (
    App,
    Blueprint,
    flash,
    g,
    get_template_attribute,
    make_response,
    render_template,
    render_template_string,
    session,
    stream_template,
)


def write_templates(folder: Path, **templates: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in templates.items():
        (folder / name.replace("__", ".")).write_text(source, encoding="utf-8")


@pytest.fixture
def app(tmp_path: Path) -> App:
    application = App("templating_tests", root_path=str(tmp_path))
    application.config.update(TESTING=True, SECRET_KEY="template secret")
    return application


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    return tmp_path / "templates"


# -- rendering --------------------------------------------------------------------------


def test_render_template_from_the_template_folder(app: App, templates: Path) -> None:
    write_templates(templates, login__html="<p>{{ error or 'please log in' }}</p>")

    @app.route("/login")
    def login() -> str:
        return render_template("login.html", error="用户名或密码错误")

    assert app.test_client().get("/login").text == "<p>用户名或密码错误</p>"


def test_context_can_be_passed_as_a_dict(app: App, templates: Path) -> None:
    write_templates(templates, hi__html="{{ name }}")
    with app.test_request_context():
        assert render_template("hi.html", **{"name": "dict value"}) == "dict value"


def test_custom_template_folder(tmp_path: Path) -> None:
    write_templates(tmp_path / "pages", home__html="custom folder")
    app = App("templating_tests", root_path=str(tmp_path), template_folder="pages")
    with app.app_context():
        assert render_template("home.html") == "custom folder"


def test_subfolders_and_inheritance(app: App, templates: Path) -> None:
    write_templates(
        templates,
        base__html="<title>{% block title %}{% endblock %}</title>",
    )
    write_templates(
        templates / "shop",
        cart__html="{% extends 'base.html' %}{% block title %}Cart{% endblock %}",
    )
    with app.app_context():
        assert render_template("shop/cart.html") == "<title>Cart</title>"


def test_first_existing_template_of_a_list_is_used(app: App, templates: Path) -> None:
    write_templates(templates, fallback__html="fallback")
    with app.app_context():
        assert render_template(["missing.html", "fallback.html"]) == "fallback"


def test_missing_template_names_it(app: App, templates: Path) -> None:
    write_templates(templates, other__html="")
    with app.app_context(), pytest.raises(TemplateNotFound, match="nowhere.html"):
        render_template("nowhere.html")


def test_missing_template_in_a_view_is_500(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    app.testing = False
    monkeypatch.setattr(app.logger, "disabled", True)  # the logger outlives the app

    @app.route("/")
    def index() -> str:
        return render_template("nowhere.html")

    assert app.test_client().get("/").status_code == 500


def test_no_template_folder_cannot_find_templates(tmp_path: Path) -> None:
    app = App("templating_tests", root_path=str(tmp_path), template_folder=None)
    with app.app_context(), pytest.raises(TemplateNotFound):
        render_template("any.html")


def explained_loading(app: App, caplog: pytest.LogCaptureFixture) -> str:
    """What EXPLAIN_TEMPLATE_LOADING logged, as one text."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name == app.logger.name)


def test_explain_template_loading_logs_every_loader_asked_and_why_it_failed(
    app: App, templates: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_templates(templates, other__html="")
    write_templates(tmp_path / "shop_templates", cart__html="")
    shop = Blueprint("shop", __name__, template_folder=str(tmp_path / "shop_templates"))
    shop.add_url_rule("/missing", "missing", lambda: render_template("nowhere.html"))
    app.register_blueprint(shop)
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    caplog.set_level(logging.INFO, logger=app.logger.name)

    with pytest.raises(TemplateNotFound, match="nowhere.html"):
        app.test_client().get("/missing")

    explained = explained_loading(app, caplog)
    assert explained.startswith("Locating template 'nowhere.html':")
    assert "1: trying loader of application 'templating_tests'" in explained
    assert f"  - {templates}" in explained
    assert f"2: trying loader of blueprint 'shop' ({__name__})" in explained
    assert explained.count("-> no match") == 2
    assert "Error: the template could not be found." in explained
    assert "belongs to the blueprint 'shop'" in explained


def test_explain_template_loading_names_the_file_found_and_warns_of_two_matches(
    app: App, templates: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_templates(templates, page__html="from the app")
    write_templates(tmp_path / "shop_templates", page__html="from the shop")
    app.register_blueprint(
        Blueprint("shop", __name__, template_folder=str(tmp_path / "shop_templates"))
    )
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    caplog.set_level(logging.INFO, logger=app.logger.name)

    with app.app_context():
        assert render_template("page.html") == "from the app"

    explained = explained_loading(app, caplog)
    assert f"-> found ('{templates / 'page.html'}')" in explained
    assert "Warning: multiple loaders returned a match for the template." in explained


def test_template_loading_is_not_explained_unless_asked(
    app: App, templates: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_templates(templates, page__html="quiet")
    caplog.set_level(logging.INFO, logger=app.logger.name)
    with app.app_context():
        assert render_template("page.html") == "quiet"
    assert explained_loading(app, caplog) == ""


def test_get_template_attribute_calls_a_macro_without_rendering(app: App, templates: Path) -> None:
    write_templates(
        templates,
        macros__html="{% macro hello(name) %}Hello {{ name }}!{% endmacro %}not rendered",
    )
    with app.app_context():
        assert get_template_attribute("macros.html", "hello")("World") == "Hello World!"


def test_render_template_string(app: App) -> None:
    with app.app_context():
        assert render_template_string("{{ a }} + {{ b }}", a=1, b=2) == "1 + 2"


def test_template_syntax_error_names_the_line(app: App) -> None:
    from jinja2 import TemplateSyntaxError

    with app.app_context(), pytest.raises(TemplateSyntaxError) as excinfo:
        render_template_string("line one\n{% if %}")
    assert excinfo.value.lineno == 2


def test_rendering_needs_an_app_context(app: App) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        render_template_string("x")


def test_make_response_of_a_rendered_template(app: App, templates: Path) -> None:
    write_templates(templates, index__html="page")

    @app.route("/")
    def index() -> object:
        response = make_response(render_template("index.html"))
        response.headers["X-Something"] = "A value"
        return response

    response = app.test_client().get("/")
    assert (response.text, response.headers["X-Something"]) == ("page", "A value")


def test_stream_template(app: App, templates: Path) -> None:
    write_templates(templates, rows__html="{% for i in items %}[{{ i }}]{% endfor %}")

    @app.route("/")
    def index() -> object:
        return stream_template("rows.html", items=[1, 2, 3])

    assert app.test_client().get("/").text == "[1][2][3]"


# -- autoescape ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("page.html", "&lt;b&gt;"),
        ("page.htm", "&lt;b&gt;"),
        ("page.xml", "&lt;b&gt;"),
        ("page.xhtml", "&lt;b&gt;"),
        ("page.txt", "<b>"),
        ("page.j2", "<b>"),
    ],
)
def test_autoescape_by_extension(app: App, templates: Path, name: str, expected: str) -> None:
    templates.mkdir()
    (templates / name).write_text("{{ value }}")
    with app.app_context():
        assert render_template(name, value="<b>") == expected


def test_template_strings_are_autoescaped(app: App) -> None:
    with app.app_context():
        assert render_template_string("{{ v }}", v="<script>") == "&lt;script&gt;"


def test_markup_is_not_escaped(app: App) -> None:
    with app.app_context():
        assert render_template_string("{{ v }}", v=Markup("<b>ok</b>")) == "<b>ok</b>"


def test_safe_filter_and_autoescape_block(app: App) -> None:
    source = "{{ v|safe }}{% autoescape false %}{{ v }}{% endautoescape %}"
    with app.app_context():
        assert render_template_string(source, v="<i>") == "<i><i>"


def test_tojson_filter_is_safe_inside_script_tags(app: App) -> None:
    with app.app_context():
        rendered = render_template_string("{{ data|tojson }}", data={"x": "</script>"})
    assert rendered == '{"x": "\\u003c/script\\u003e"}'


# -- what templates can see ------------------------------------------------------------------


def test_request_session_g_and_config_are_available(app: App) -> None:
    app.config["SITE_NAME"] = "hookscope"

    @app.route("/<name>")
    def page(name: str) -> str:
        session["user"] = "ann"
        g.theme = "dark"
        return render_template_string(
            "{{ config.SITE_NAME }}|{{ request.path }}|{{ request.args.q }}"
            "|{{ session.user }}|{{ g.theme }}"
        )

    assert app.test_client().get("/about?q=1").text == "hookscope|/about|1|ann|dark"


def test_url_for_is_available(app: App) -> None:
    @app.route("/user/<int:uid>")
    def profile(uid: int) -> str:
        return render_template_string("{{ url_for('profile', uid=2) }}")

    assert app.test_client().get("/user/1").text == "/user/2"


def test_get_flashed_messages_is_available(app: App) -> None:
    @app.route("/")
    def index() -> str:
        flash("saved")
        flash("careful", "warning")
        return render_template_string(
            "{% for c, m in get_flashed_messages(with_categories=true) %}{{ c }}:{{ m }};"
            "{% endfor %}"
        )

    assert app.test_client().get("/").text == "message:saved;warning:careful;"


def test_config_is_available_without_a_request(app: App) -> None:
    app.config["SITE_NAME"] = "offline"
    with app.app_context():
        assert render_template_string("{{ config.SITE_NAME }}") == "offline"


def test_context_processor_adds_values(app: App) -> None:
    @app.context_processor
    def inject_user() -> dict[str, object]:
        return {"user": "ann", "greet": lambda name: f"hi {name}"}

    with app.test_request_context():
        assert render_template_string("{{ user }} {{ greet('bob') }}") == "ann hi bob"


def test_explicit_context_wins_over_context_processors(app: App) -> None:
    @app.context_processor
    def inject_user() -> dict[str, object]:
        return {"user": "from processor"}

    with app.test_request_context():
        assert render_template_string("{{ user }}", user="explicit") == "explicit"


def test_context_processors_run_for_every_render(app: App) -> None:
    calls: list[int] = []

    @app.context_processor
    def count() -> dict[str, object]:
        calls.append(1)
        return {"n": len(calls)}

    with app.test_request_context():
        assert render_template_string("{{ n }}") == "1"
        assert render_template_string("{{ n }}") == "2"


# -- filters, tests, globals ------------------------------------------------------------------


def test_template_filter_named_after_the_function(app: App) -> None:
    @app.template_filter()
    def reverse(s: str) -> str:
        return s[::-1]

    with app.app_context():
        assert render_template_string("{{ 'abc'|reverse }}") == "cba"


def test_template_filter_with_a_name(app: App) -> None:
    @app.template_filter("shout")
    def make_loud(s: str) -> str:
        return s.upper() + "!"

    with app.app_context():
        assert render_template_string("{{ 'hey'|shout }}") == "HEY!"
    assert "make_loud" not in app.jinja_env.filters


def test_add_template_filter(app: App) -> None:
    app.add_template_filter(lambda s: s * 2, "double")
    with app.app_context():
        assert render_template_string("{{ 'ab'|double }}") == "abab"


def test_template_test(app: App) -> None:
    @app.template_test()
    def prime(n: int) -> bool:
        return n > 1 and all(n % d for d in range(2, n))

    with app.app_context():
        assert render_template_string("{{ 7 is prime }} {{ 8 is prime }}") == "True False"


def test_template_test_with_a_name(app: App) -> None:
    @app.template_test("even_number")
    def is_even(n: int) -> bool:
        return n % 2 == 0

    with app.app_context():
        assert render_template_string("{{ 4 is even_number }}") == "True"


def test_template_global(app: App) -> None:
    @app.template_global()
    def site_name() -> str:
        return "hookscope"

    @app.template_global("answer")
    def the_answer() -> int:
        return 42

    with app.app_context():
        assert render_template_string("{{ site_name() }} {{ answer() }}") == "hookscope 42"


def test_unknown_filter_is_a_template_error(app: App) -> None:
    from jinja2 import TemplateAssertionError

    with app.app_context(), pytest.raises(TemplateAssertionError, match="nofilter"):
        render_template_string("{{ 1|nofilter }}")


# -- reloading -------------------------------------------------------------------------------


def _rewrite(path: Path, text: str) -> None:
    path.write_text(text)
    later = path.stat().st_mtime + 10
    os.utime(path, (later, later))


@pytest.mark.parametrize(
    ("settings", "reloads"),
    [
        ({}, False),
        ({"TEMPLATES_AUTO_RELOAD": True}, True),
        ({"TEMPLATES_AUTO_RELOAD": False, "DEBUG": True}, False),
        ({"DEBUG": True}, True),
    ],
    ids=["default", "auto-reload", "auto-reload-off-in-debug", "debug"],
)
def test_templates_reload_when_configured(
    app: App, templates: Path, settings: dict[str, bool], reloads: bool
) -> None:
    app.config.update(settings)
    write_templates(templates, page__html="old")
    with app.app_context():
        assert render_template("page.html") == "old"
        _rewrite(templates / "page.html", "new")
        assert render_template("page.html") == ("new" if reloads else "old")


def test_debug_set_after_environment_creation_turns_reload_on(app: App, templates: Path) -> None:
    write_templates(templates, page__html="old")
    with app.app_context():
        assert render_template("page.html") == "old"
        app.debug = True
        _rewrite(templates / "page.html", "new")
        assert render_template("page.html") == "new"


# -- request, session and g as environment globals -------------------------------------------


def test_request_session_and_g_are_environment_globals(app: App) -> None:
    assert {"request", "session", "g"} <= set(app.jinja_env.globals)


def test_imported_macros_see_request_session_and_g(app: App, templates: Path) -> None:
    write_templates(
        templates,
        macros__html=(
            "{% macro here() %}[{{ request.path }}|{{ session.get('user') }}|{{ g.get('theme') }}]"
            "{% endmacro %}"
        ),
        page__html="{% import 'macros.html' as m %}{{ m.here() }}",
    )

    @app.route("/page")
    def page() -> str:
        session["user"] = "ann"
        g.theme = "dark"
        return render_template("page.html")

    assert app.test_client().get("/page").text == "[/page|ann|dark]"
