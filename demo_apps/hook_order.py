"""Hook order: before_request hooks run in registration order, after_request in reverse.

Two ``before_request`` and two ``after_request`` hooks each print their name and add it to
the request's record (``g.hook_order``). The after hooks also append a line to the page and
write the record into the ``X-Hook-Order`` header, so the page shows the whole sequence:
    before_req1 -> before_req2 -> view -> after_req2 -> after_req1
With ``?stop=1`` before_req1 returns a response itself. That short-circuits the request:
before_req2 and the view never run, yet both after_request hooks still do, in reverse:
    before_req1 -> after_req2 -> after_req1

Run it:
    python demo_apps/hook_order.py
    hookscope run demo_apps/hook_order.py
Then open http://127.0.0.1:5000/

Try:
    /            -> the full order
    /?stop=1     -> the short-circuited order
    /missing     -> a 404: before hooks still ran (routing errors surface at dispatch),
                    and the after hooks still decorate the error page
Watch the console: each hook prints its name as it runs. In ``hookscope console`` the
request's timeline marks before_req1 as the short-circuit and before_req2 and the view as
skipped.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from framework import App, g, request

app = App(__name__)


def record(step: str) -> list[str]:
    """Print the step and add it to this request's record of what ran."""
    print(f"hook_order: {step}")
    order: list[str] = g.setdefault("hook_order", [])
    order.append(step)
    return order


def mark_response(response: Response, step: str) -> Response:
    """Let an after_request hook leave its trace on the page and in a header."""
    order = record(step)
    response.headers["X-Hook-Order"] = ",".join(order)
    if response.mimetype == "text/html":
        response.set_data(response.get_data() + f"<li>{step}</li>".encode())
    return response


def page(order: list[str], title: str) -> str:
    items = "".join(f"<li>{step}</li>" for step in order)
    return f"<h1>{title}</h1><ol>{items}"


@app.before_request
def before_req1() -> str | None:
    order = record("before_req1")
    if request.args.get("stop") == "1":
        return page(order, "before_req1 short-circuited the request")
    return None


@app.before_request
def before_req2() -> None:
    record("before_req2")


@app.after_request
def after_req1(response: Response) -> Response:
    return mark_response(response, "after_req1")


@app.after_request
def after_req2(response: Response) -> Response:
    return mark_response(response, "after_req2")


@app.route("/")
def index() -> str:
    return page(record("view"), "hooks ran in this order")


if __name__ == "__main__":
    app.run()
