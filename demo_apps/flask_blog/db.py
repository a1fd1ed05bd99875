"""The blog's SQLite database: one connection per request, closed when the request ends."""

from __future__ import annotations

import sqlite3

import click
from flask import Flask, current_app, g
from werkzeug.security import generate_password_hash

SCHEMA = """
CREATE TABLE IF NOT EXISTS user (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT UNIQUE NOT NULL,
    password TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS post (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id INTEGER NOT NULL REFERENCES user (id),
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);
"""
DEMO_USER = "admin"
DEMO_PASSWORD = "password"


def get_db() -> sqlite3.Connection:
    """This request's connection, opened on first use; a new database gets the schema and
    the demo user, so the blog works without running init-db first."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
        if g.db.execute("SELECT name FROM sqlite_master WHERE name = 'user'").fetchone() is None:
            create_schema(g.db)
    connection: sqlite3.Connection = g.db
    return connection


def create_schema(connection: sqlite3.Connection) -> None:
    connection.executescript(SCHEMA)
    connection.execute(
        "INSERT OR IGNORE INTO user (username, password) VALUES (?, ?)",
        (DEMO_USER, generate_password_hash(DEMO_PASSWORD)),
    )
    connection.commit()


def close_db(error: BaseException | None = None) -> None:
    """The teardown: close the connection the request opened, if it opened one."""
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


@click.command("init-db")
def init_db_command() -> None:
    """Drop the posts and users and start afresh."""
    connection = get_db()
    connection.executescript("DROP TABLE IF EXISTS post; DROP TABLE IF EXISTS user;")
    create_schema(connection)
    click.echo("Initialized the database.")


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
