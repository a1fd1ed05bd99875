"""The twin blog on genuine Flask."""

import flask
from twin_blog import build

app = build(flask, flask.Flask, __name__)
