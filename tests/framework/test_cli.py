"""``app.cli`` commands run in the app context; ``format_routes`` prints Flask's route table."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner

from framework import App, Blueprint, current_app, g, has_app_context
from framework.cli import AppGroup, AppSource, format_routes, with_appcontext


@pytest.fixture
def app() -> App:
    return App("cli_app")


def test_app_commands_run_inside_the_app_context(app: App) -> None:
    @app.cli.command()
    @click.argument("who")
    @click.option("--shout", is_flag=True)
    def greet(who: str, shout: bool) -> None:
        message = f"hello {who} from {current_app.name}"
        click.echo(message.upper() if shout else message)

    result = app.test_cli_runner().invoke(args=["greet", "ada", "--shout"])

    assert result.exit_code == 0, result.output
    assert result.output == "HELLO ADA FROM CLI_APP\n"


def test_the_bare_decorator_form_also_wraps_the_command(app: App) -> None:
    @app.cli.command
    def show_name() -> None:
        click.echo(current_app.name)

    result = app.test_cli_runner().invoke(args=["show-name"])

    assert result.output == "cli_app\n"


def test_with_appcontext_false_runs_without_an_app_context(app: App) -> None:
    @app.cli.command(with_appcontext=False)
    def version() -> None:
        click.echo(f"app context: {has_app_context()}")

    assert app.test_cli_runner().invoke(args=["version"]).output == "app context: False\n"


def test_subgroups_are_app_groups_so_their_commands_get_the_context_too(app: App) -> None:
    @app.cli.group()
    def db() -> None:
        """Database commands."""

    @db.command()
    def init() -> None:
        click.echo(f"initialising {current_app.name}")

    assert isinstance(db, AppGroup)
    assert app.test_cli_runner().invoke(args=["db", "init"]).output == "initialising cli_app\n"


def test_a_blueprint_cli_group_is_reachable_through_the_app(app: App) -> None:
    admin = Blueprint("admin", __name__)

    @admin.cli.command("create-user")
    def create_user() -> None:
        click.echo(f"user created in {current_app.name}")

    app.register_blueprint(admin)

    result = app.test_cli_runner().invoke(args=["admin", "create-user"])
    assert result.output == "user created in cli_app\n"


def test_an_active_app_context_is_reused_rather_than_a_new_one_pushed(app: App) -> None:
    @app.cli.command()
    def marker() -> None:
        click.echo(g.marker)

    with app.app_context():
        g.marker = "set by the caller"
        result = app.test_cli_runner().invoke(args=["marker"])

    assert result.output == "set by the caller\n"


def test_the_app_is_loaded_once_and_only_when_a_command_needs_it(app: App) -> None:
    loads: list[str] = []

    def load() -> App:
        loads.append("loaded")
        return app

    cli = AppGroup()

    @cli.command(with_appcontext=False)
    def plain() -> None:
        click.echo("no app needed")

    @cli.command()
    @click.pass_context
    def twice(ctx: click.Context) -> None:
        source = ctx.ensure_object(AppSource)
        click.echo(source.load_app() is source.load_app())

    runner = CliRunner()
    assert runner.invoke(cli, ["plain"], obj=AppSource(load)).output == "no app needed\n"
    assert loads == []
    assert runner.invoke(cli, ["twice"], obj=AppSource(load)).output == "True\n"
    assert loads == ["loaded"]


def test_with_appcontext_decorates_plain_click_commands() -> None:
    app = App("decorated")

    @click.command()
    @with_appcontext
    def which() -> None:
        click.echo(current_app.name)

    result = CliRunner().invoke(which, obj=AppSource(lambda: app))

    assert result.output == "decorated\n"


def test_a_command_that_needs_an_app_without_one_given_fails_with_a_usage_error() -> None:
    cli = AppGroup(name="orphan")

    @cli.command()
    def needs_app() -> None:
        click.echo("unreachable")

    result = CliRunner().invoke(cli, ["needs-app"])

    assert result.exit_code == 2
    assert "this command needs an app, and none was given; pass --app TARGET" in result.output
    assert "unreachable" not in result.output


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
