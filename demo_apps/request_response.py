"""Request and response: everything the notes list on ``request``, uploads, cookies, JSON.

Run it:
    python demo_apps/request_response.py
    hookscope run demo_apps/request_response.py
Then open http://127.0.0.1:5000/?a=1&b=2

Try:
    /?a=1&b=2        -> method, args, form, values, cookies, headers, path, full_path,
                        script_root, url, base_url, host_url, host and files of this request
                        (POST the form on that page to fill form and values)
    /upload          -> a file form; the file is saved as secure_filename(name) in the upload
                        folder (<instance_path>/uploads, outside the repo). A name such as
                        ../../etc/passwd is saved as etc_passwd inside that folder.
    /cookie          -> make_response: sets cookie 'key', deletes cookie 'old', adds the
                        header X-Something; reload / to see the cookie arrive
    /json            -> jsonify({'k': 'v'}): a JSON body with Content-Type application/json
Watch the console: each upload prints where it was saved.
"""

from __future__ import annotations

import os
import tempfile
from html import escape

from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from framework import App, abort, jsonify, make_response, request

REQUEST_ATTRIBUTES = (
    "method",
    "args",
    "form",
    "values",
    "cookies",
    "headers",
    "path",
    "full_path",
    "script_root",
    "url",
    "base_url",
    "host_url",
    "host",
    "files",
)

# The instance folder holds files the app writes at run time; it is put under the system's
# temporary directory so running the demo never writes into the repository.
app = App(__name__, instance_path=os.path.join(tempfile.gettempdir(), "hookscope-request-response"))
app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024

UPLOAD_FORM = """
<form method="post" action="/upload" enctype="multipart/form-data">
  <input type="file" name="the_file"> <button type="submit">upload</button>
</form>
"""


@app.route("/", methods=["GET", "POST"])
def show_request() -> str:
    rows = "".join(
        f"<tr><td>request.{name}</td><td><code>{escape(repr(getattr(request, name)))}</code></td>"
        "</tr>"
        for name in REQUEST_ATTRIBUTES
    )
    return (
        "<h1>request</h1><table border=1>"
        f"{rows}</table>"
        "<form method='post'><input name='user' value='alisi'><button>POST a form</button></form>"
    )


@app.route("/upload", methods=["GET", "POST"])
def upload() -> str:
    """Save the posted file under a sanitised name, never where the client's name points."""
    if request.method != "POST":  # GET, and HEAD (which Werkzeug answers without a body)
        return f"<h1>upload</h1>{UPLOAD_FORM}"
    uploaded = request.files.get("the_file")
    if uploaded is None or not uploaded.filename:
        abort(400, description="no file sent: post a file in the form field 'the_file'")
    filename = secure_filename(uploaded.filename)
    if not filename:
        abort(400, description=f"file name {uploaded.filename!r} has no safe characters left")
    folder = app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    destination = os.path.join(folder, filename)
    uploaded.save(destination)
    print(f"request_response: saved {uploaded.filename!r} as {destination}")
    return f"saved {escape(uploaded.filename)} as {escape(filename)} in the upload folder"


@app.route("/cookie")
def cookie() -> Response:
    response = make_response("cookie 'key' set, cookie 'old' deleted, header X-Something added")
    response.set_cookie("key", "value")
    response.delete_cookie("old")
    response.headers["X-Something"] = "A value"
    return response


@app.route("/json")
def as_json() -> Response:
    return jsonify({"k": "v"})


if __name__ == "__main__":
    app.run()
