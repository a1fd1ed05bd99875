"""A genuine Flask app guarded by Flask-Login and Flask-WTF, as such apps usually are."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager, UserMixin, login_required, login_user
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
app.secret_key = "extensions"
login_manager = LoginManager(app)
login_manager.login_view = "login"
CSRFProtect(app)


class User(UserMixin):
    def __init__(self, user_id: str) -> None:
        self.id = user_id


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return User(user_id) if user_id == "ada" else None


@app.route("/login")
def login() -> str:
    login_user(User("ada"), remember=True)
    return "logged in"


@app.route("/private")
@login_required
def private() -> str:
    return "private page"


@app.route("/comment", methods=["POST"])
def comment() -> str:
    return "saved"
