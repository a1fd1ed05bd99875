"""The ``blog`` blueprint: the list of posts, one post, and writing a new one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from demo_apps.flask_blog.auth import login_required
from demo_apps.flask_blog.db import get_db

bp = Blueprint("blog", __name__)


@bp.route("/")
def index() -> str:
    posts = get_db().execute(
        "SELECT p.id, title, body, created, username FROM post p"
        " JOIN user u ON p.author_id = u.id ORDER BY created DESC, p.id DESC"
    )
    return render_template("blog/index.html", posts=posts.fetchall())


@bp.route("/<int:post_id>")
def post(post_id: int) -> str:
    found = (
        get_db()
        .execute(
            "SELECT p.id, title, body, created, username FROM post p"
            " JOIN user u ON p.author_id = u.id WHERE p.id = ?",
            (post_id,),
        )
        .fetchone()
    )
    if found is None:
        abort(404)
    return render_template("blog/post.html", post=found)


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create() -> Any:
    if request.method == "POST":
        title = request.form.get("title", "").strip()
        if not title:
            flash("Title is required.")
        else:
            db = get_db()
            db.execute(
                "INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)",
                (title, request.form.get("body", ""), g.user["id"]),
            )
            db.commit()
            flash("Post created.")
            return redirect(url_for("blog.index"))
    return render_template("blog/create.html")
