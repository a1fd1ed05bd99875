"""``format_routes`` prints the table ``flask routes`` prints; ``routes`` is the command."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from framework import App
from framework.cli import format_routes

# format_routes


def shop() -> App:
    app = App("shop")

    @app.route("/")
    def index() -> str:
        return ""

    @app.route("/items/<int:item_id>", methods=["PUT", "DELETE", "GET"])
    def item(item_id: int) -> str:
        return ""

    @app.post("/cart")
    def add_to_cart() -> str:
        return ""

    return app


def test_routes_are_listed_by_endpoint_without_head_and_options() -> None:
    assert format_routes(shop()) == "\n".join(
        [
            "Endpoint     Methods           Rule                   ",
            "-----------  ----------------  -----------------------",
            "add_to_cart  POST              /cart                  ",
            "index        GET               /                      ",
            "item         DELETE, GET, PUT  /items/<int:item_id>   ",
            "static       GET               /static/<path:filename>",
        ]
    )


@pytest.mark.parametrize(
    ("sort", "endpoints"),
    [
        ("endpoint", ["add_to_cart", "index", "item", "static"]),
        ("methods", ["item", "static", "index", "add_to_cart"]),
        ("rule", ["index", "add_to_cart", "item", "static"]),
        ("match", ["static", "index", "item", "add_to_cart"]),
    ],
)
def test_routes_sort_by_any_column_or_keep_the_matching_order(
    sort: str, endpoints: list[str]
) -> None:
    lines = format_routes(shop(), sort=sort).splitlines()  # type: ignore[arg-type]

    assert [line.split()[0] for line in lines[2:]] == endpoints


def test_all_methods_shows_head_and_options() -> None:
    table = format_routes(shop(), all_methods=True)

    assert "item         DELETE, GET, HEAD, OPTIONS, PUT  /items/<int:item_id>" in table
    assert "add_to_cart  OPTIONS, POST" in table


def test_a_subdomain_column_appears_when_a_rule_has_a_subdomain() -> None:
    app = App("hosted", subdomain_matching=True, static_folder=None)
    app.add_url_rule("/", "home", lambda: "")
    app.add_url_rule("/", "api_home", lambda: "", subdomain="api")

    assert format_routes(app, sort="domain") == "\n".join(
        [
            "Endpoint  Methods  Subdomain  Rule",
            "--------  -------  ---------  ----",
            "home      GET                 /   ",
            "api_home  GET      api        /   ",
        ]
    )


def test_a_host_column_appears_with_host_matching() -> None:
    app = App("multi_host", host_matching=True, static_host="static.test")
    app.add_url_rule("/", "b_home", lambda: "", host="b.test")
    app.add_url_rule("/", "a_home", lambda: "", host="a.test")

    assert format_routes(app, sort="domain").splitlines() == [
        "Endpoint  Methods  Host         Rule                   ",
        "--------  -------  -----------  -----------------------",
        "a_home    GET      a.test       /                      ",
        "b_home    GET      b.test       /                      ",
        "static    GET      static.test  /static/<path:filename>",
    ]


def test_an_app_without_routes_says_so() -> None:
    assert format_routes(App("bare", static_folder=None)) == "No routes were registered."


def test_an_unknown_sort_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sort 'size'; use one of endpoint, methods"):
        format_routes(shop(), sort="size")  # type: ignore[arg-type]


@pytest.mark.parametrize("sort", ["endpoint", "methods", "domain", "rule", "match"])
@pytest.mark.parametrize("all_methods", [False, True])
def test_the_table_is_the_one_flask_routes_prints(sort: str, all_methods: bool) -> None:
    flask = pytest.importorskip("flask")
    flask_cli = pytest.importorskip("flask.cli")

    def build(app_class: Any) -> Any:
        app = app_class("same", subdomain_matching=True)
        app.add_url_rule("/z", "zeta", lambda: "", methods=["POST", "GET"])
        app.add_url_rule("/a/<name>", "alpha", lambda name: "", subdomain="api")
        app.add_url_rule("/m", "mid", lambda: "", methods=["DELETE"])
        return app

    flask_app = build(flask.Flask)
    args = ["routes", "--sort", sort, *(["--all-methods"] if all_methods else [])]
    flask_result = CliRunner().invoke(flask_cli.FlaskGroup(create_app=lambda: flask_app), args)

    assert flask_result.exit_code == 0, flask_result.output
    ours = format_routes(build(App), sort=sort, all_methods=all_methods)
    assert ours + "\n" == flask_result.output
