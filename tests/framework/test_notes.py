"""Every Flask snippet of the study notes (/work/shared/notes/flask-notes.txt), run as tests.

Each snippet is adapted only by ``from flask`` -> ``from framework``, ``Flask(`` -> ``App(``
and by fixing the notes' typos (``reqeust``, ``werzeug``, fullwidth colons, missing commas,
undefined names); each test names the section of the notes it comes from. The werkzeug and
wsgiref hello-world snippets do not use Flask and are covered by tests/demo_apps.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.routing import (
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
)
from werkzeug.utils import secure_filename

from framework import (
    App,
    flash,
    get_flashed_messages,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
    views,
)
from framework.sessions import SecureCookieSessionInterface


@pytest.fixture
def root(tmp_path: Path) -> Path:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "login.html").write_text(
        "<form>{% if error %}<p>{{ error }}</p>{% endif %}</form>", encoding="utf-8"
    )
    (templates / "index.html").write_text("<h1>index</h1>", encoding="utf-8")
    return tmp_path


def make_app(root: Path | None = None) -> App:
    app = App(__name__, root_path=str(root) if root else None)
    app.testing = True
    return app


# -- section "---" after wsgiref: the login view --


def login_app(root: Path, methods: list[str]) -> App:
    app = make_app(root)

    @app.route("/login", methods=methods)
    def index() -> object:
        if request.method == "GET":
            return render_template("login.html")
        else:
            user = request.form.get("user")
            pwd = request.form.get("pwd")  # notes: reqeust (typo)
            if user == "admin" and pwd == "password":
                return redirect("http://www.xx.com")
            return render_template("login.html", error="用户名或密码错误")

    return app


def test_login_view_as_written_renders_the_form_and_refuses_post(root: Path) -> None:
    # notes: the login view with methods=['GET']
    client = login_app(root, ["GET"]).test_client()
    assert client.get("/login").text == "<form></form>"
    assert client.post("/login", data={"user": "admin"}).status_code == 405


def test_login_view_with_post_allowed_redirects_the_admin(root: Path) -> None:
    # notes: the login view, its else-branch reached by allowing POST
    client = login_app(root, ["GET", "POST"]).test_client()
    response = client.post("/login", data={"user": "admin", "pwd": "password"})
    assert (response.status_code, response.headers["Location"]) == (302, "http://www.xx.com")


def test_login_view_with_post_allowed_shows_the_error(root: Path) -> None:
    # notes: the login view, wrong password
    client = login_app(root, ["GET", "POST"]).test_client()
    response = client.post("/login", data={"user": "admin", "pwd": "nope"})
    assert response.text == "<form><p>用户名或密码错误</p></form>"


# -- section "flask配置文件" --


def test_config_method_1_item_assignment() -> None:
    # notes: 方式1, app.config['DEBUG'] = True
    app = make_app()
    app.config["DEBUG"] = True
    assert app.debug is True


def test_config_method_2_from_pyfile_in_root_path(root: Path) -> None:
    # notes: 方式2, app.config.from_pyfile("python文件名称"); settings.py in root_path
    (root / "settings.py").write_text("DEBUG = True\nSECRET_KEY = 'from settings'\n")
    app = App(__name__, root_path=str(root))
    app.config.from_pyfile("settings.py")
    assert (app.debug, app.secret_key) == (True, "from settings")


def test_config_from_pyfile_in_instance_path_when_instance_relative(root: Path) -> None:
    # notes: "如果instance_relative_config为True, 则就是instance_path目录"
    instance = root / "instance"
    instance.mkdir()
    (instance / "settings.py").write_text("WHERE = 'instance'\n")
    app = App(
        __name__, root_path=str(root), instance_path=str(instance), instance_relative_config=True
    )
    app.config.from_pyfile("settings.py")
    assert app.config["WHERE"] == "instance"


# -- section "app.route ... 返回值是 decorator函数" --


def test_route_returns_a_decorator_that_registers_the_view() -> None:
    # notes: 1, 先执行app.route('/', methods=['GET','POST'],endpoint='n1'); 2, decorator(index)
    app = make_app()

    def index() -> str:
        return "index"

    decorator = app.route("/", methods=["GET", "POST"], endpoint="n1")
    assert decorator(index) is index
    assert app.test_client().post("/").text == "index"
    with app.test_request_context():
        assert url_for("n1") == "/"


def test_add_url_rule_is_what_route_does() -> None:
    # notes: app.add_url_rule('/login','n2',login, methods=['GET','POST'])
    app = make_app()

    def login() -> str:
        return "登陆"

    app.add_url_rule("/login", "n2", login, methods=["GET", "POST"])
    assert app.test_client().post("/login").text == "登陆"
    with app.test_request_context():
        assert url_for("n2") == "/login"


def test_add_url_rule_endpoint_may_be_left_out() -> None:
    # notes: "如果endpoint可以是空的, 这里'n2'也可以是空的" / _endpoint_from_view_func
    app = make_app()

    def login() -> str:
        return "登陆"

    app.add_url_rule("/login", None, login, methods=["GET", "POST"])
    assert app.view_functions["login"] is login


def test_endpoint_from_view_func_needs_a_view_func() -> None:
    # notes: assert view_func is not None, 'expected view func if endpoint is not provided.'
    app = make_app()
    with pytest.raises((AssertionError, TypeError), match="view.?func"):
        app.add_url_rule("/login")


# -- section "class IndexView(views.MethodView)" and as_view / dispatch_request --


def auth(func):  # type: ignore[no-untyped-def]
    """The notes' decorator list holds ``auth``; this one asks for a token header."""

    def inner(*args, **kwargs):  # type: ignore[no-untyped-def]
        if request.headers.get("X-Token") != "ok":
            return "login first", 401
        return func(*args, **kwargs)

    return inner


class IndexView(views.MethodView):
    methods = ["GET"]
    decorators = [auth]

    def get(self) -> str:
        return "Index.GET"

    def post(self) -> str:
        return "Index.POST"


@pytest.fixture
def index_view_app() -> App:
    app = make_app()
    app.add_url_rule("/index", view_func=IndexView.as_view(name="index"))
    return app


def test_method_view_get(index_view_app: App) -> None:
    # notes: IndexView.get -> 'Index.GET'
    response = index_view_app.test_client().get("/index", headers={"X-Token": "ok"})
    assert response.text == "Index.GET"


def test_method_view_class_methods_limit_the_rule(index_view_app: App) -> None:
    # notes: methods = ['GET'] although post() exists
    response = index_view_app.test_client().post("/index", headers={"X-Token": "ok"})
    assert response.status_code == 405


def test_method_view_decorators_wrap_the_view(index_view_app: App) -> None:
    # notes: decorators = [auth, ]
    response = index_view_app.test_client().get("/index")
    assert (response.status_code, response.text) == (401, "login first")


def test_as_view_name_is_the_endpoint(index_view_app: App) -> None:
    # notes: "name='index', 这里的name指的就是刚才endpoint"
    view = index_view_app.view_functions["index"]
    assert view.__name__ == "index"
    assert view.view_class is IndexView  # type: ignore[attr-defined]
    assert view.methods == ["GET"]  # type: ignore[attr-defined]
    assert view.__module__ == IndexView.__module__
    with index_view_app.test_request_context():
        assert url_for("index") == "/index"


def test_method_view_post_when_allowed() -> None:
    # notes: dispatch_request: getattr(self, request.method.lower(), None)
    class BothView(views.MethodView):
        def get(self) -> str:
            return "Index.GET"

        def post(self) -> str:
            return "Index.POST"

    app = make_app()
    app.add_url_rule("/index", view_func=BothView.as_view(name="index"))
    assert app.test_client().post("/index").text == "Index.POST"


def test_method_view_head_falls_back_to_get(index_view_app: App) -> None:
    # notes: if meth is None and request.method == 'HEAD': meth = getattr(self, 'get', None)
    response = index_view_app.test_client().head("/index", headers={"X-Token": "ok"})
    assert (response.status_code, response.headers["Content-Length"]) == (200, "9")


def test_method_view_unimplemented_method_names_it() -> None:
    # notes: assert meth is not None, 'Unimplemented method %r' %request.method
    class GetOnlyView(views.MethodView):
        methods = ["GET", "POST"]

        def get(self) -> str:
            return "Index.GET"

    app = make_app()
    app.add_url_rule("/index", view_func=GetOnlyView.as_view(name="index"))
    # Flask asserts ("Unimplemented method 'POST'"); hookscope raises a typed error instead.
    with pytest.raises((AssertionError, NotImplementedError), match="'POST'"):
        app.test_client().post("/index")


# -- section "@app.route 和 app.add_url_rule参数" --


def test_defaults_give_the_view_its_argument(capsys: pytest.CaptureFixture[str]) -> None:
    # notes: @app.route('/',methods=['GET','POST'],endpoint='n1',defaults={'nid':888})
    app = make_app()

    @app.route("/", methods=["GET", "POST"], endpoint="n1", defaults={"nid": 888})
    def index(nid: int) -> str:
        print(nid)
        return "hello, world!"

    assert app.test_client().get("/").text == "hello, world!"
    assert capsys.readouterr().out == "888\n"


@pytest.mark.parametrize(
    ("strict", "path", "status"),
    [
        (False, "/index", 200),
        (False, "/index/", 200),
        (True, "/index", 200),
        (True, "/index/", 404),
    ],
)
def test_strict_slashes(strict: bool, path: str, status: int) -> None:
    # notes: @app.route('/index',strict_slashes=False) / strict_slashes=True
    app = make_app()

    @app.route("/index", strict_slashes=strict)
    def index() -> str:
        return "index"

    assert app.test_client().get(path).status_code == status


def test_redirect_to_a_string() -> None:
    # notes: @app.route('/index/<int:nid>', redirect_to='/home/<nid>')
    app = make_app()

    @app.route("/index/<int:nid>", redirect_to="/home/<nid>")
    def index(nid: int) -> str:
        return "index"

    response = app.test_client().get("/index/3")
    assert (response.status_code, response.headers["Location"]) == (308, "http://localhost/home/3")


def test_redirect_to_a_function() -> None:
    # notes: def func(adapter, nid): return "/home/888"
    #        @app.route('/index/<int:nid>' redirect_to=func)
    app = make_app()

    def func(adapter: object, nid: int) -> str:
        return "/home/888"

    @app.route("/index/<int:nid>", redirect_to=func)  # notes: missing comma
    def index(nid: int) -> str:
        return "index"

    assert app.test_client().get("/index/3").headers["Location"] == "http://localhost/home/888"


def subdomain_app(subdomain_matching: bool) -> App:
    app = App(__name__, subdomain_matching=subdomain_matching)
    app.testing = True
    app.config["SERVER_NAME"] = "xx.com:5000"

    @app.route("/", subdomain="admin")
    def static_index() -> str:  # notes: missing colon
        return "static.you-domain.tld"

    @app.route("/dynamic", subdomain="<username>")
    def username_index(username: str) -> str:
        return username + ".you-domain.tld"

    return app


def test_subdomains_with_subdomain_matching() -> None:
    # notes: subdomain=None 子域名访问 (Flask 3.1 matches subdomains with subdomain_matching=True)
    client = subdomain_app(subdomain_matching=True).test_client()
    assert client.get("/", base_url="http://admin.xx.com:5000").text == "static.you-domain.tld"
    response = client.get("/dynamic", base_url="http://ann.xx.com:5000")
    assert response.text == "ann.you-domain.tld"


def test_subdomains_as_written_do_not_match_in_flask_3_1() -> None:
    # notes: subdomain=None 子域名访问, without subdomain_matching as in the notes
    client = subdomain_app(subdomain_matching=False).test_client()
    assert client.get("/", base_url="http://admin.xx.com:5000").status_code == 404


# -- section "路由系统" --


def test_route_system_rules() -> None:
    # notes: @app.route('/user/<username>'), '/post/<int:post_id>', '/post/<float:post_id>',
    # '/post/<path:path>'
    app = make_app()

    @app.route("/user/<username>")
    def user(username: str) -> str:
        return f"user {username}"

    @app.route("/post/<int:post_id>")
    def post_int(post_id: int) -> str:
        return f"int {post_id}"

    @app.route("/post/<float:post_id>")
    def post_float(post_id: float) -> str:
        return f"float {post_id}"

    @app.route("/post/<path:path>")
    def post_path(path: str) -> str:
        return f"path {path}"

    client = app.test_client()
    assert client.get("/user/ann").text == "user ann"
    assert client.get("/post/7").text == "int 7"
    assert client.get("/post/7.5").text == "float 7.5"
    assert client.get("/post/a/b").text == "path a/b"


def test_default_converters_table() -> None:
    # notes: DEFAULT_CONVERTERS = {'default': UnicodeConverter, ...}
    converters = make_app().url_map.converters
    assert {
        name: converters[name]
        for name in ("default", "string", "any", "path", "int", "float", "uuid")
    } == {
        "default": UnicodeConverter,
        "string": UnicodeConverter,
        "any": AnyConverter,
        "path": PathConverter,
        "int": IntegerConverter,
        "float": FloatConverter,
        "uuid": UUIDConverter,
    }


class RegexConverter(BaseConverter):
    # notes: 转换器类, verbatim
    def __init__(self, map, regex):  # type: ignore[no-untyped-def]
        super(RegexConverter, self).__init__(map)  # noqa: UP008
        self.regex = regex

    def to_python(self, value):  # type: ignore[no-untyped-def]
        return value

    def to_url(self, value):  # type: ignore[no-untyped-def]
        val = super(RegexConverter, self).to_url(value)  # noqa: UP008
        return val


def test_regex_converter() -> None:
    # notes: app.url_map.converters['regex'] = RegexConverter; '/index/<regex("\d+"):nid>'
    app = make_app()
    app.url_map.converters["regex"] = RegexConverter
    built: list[str] = []

    @app.route(r'/index/<regex("\d+"):nid>')
    def index(nid: str) -> str:
        built.append(url_for("index", nid=89))
        return "Index"

    client = app.test_client()
    assert client.get("/index/12").text == "Index"
    assert built == ["/index/89"]
    assert client.get("/index/x1").status_code == 404


# -- section "和请求相关的东西都被封装到 request 中了" --


def test_request_attributes() -> None:
    # notes: request.method, args, form, values, cookies, headers, path, full_path,
    # script_root, url, base_url, host_url, host, files
    app = make_app()
    seen: dict[str, object] = {}

    @app.route("/submit", methods=["POST"])
    def submit() -> str:
        seen.update(
            method=request.method,
            args=request.args.to_dict(),
            form=request.form.to_dict(),
            values=request.values.to_dict(),
            cookies=dict(request.cookies),
            header=request.headers["X-Demo"],
            path=request.path,
            full_path=request.full_path,
            script_root=request.script_root,
            url=request.url,
            base_url=request.base_url,
            host_url=request.host_url,
            host=request.host,
            files=sorted(request.files),
        )
        return "ok"

    client = app.test_client()
    client.set_cookie("k", "v", domain="example.com")
    client.post(
        "/submit?a=1",
        data={"b": "2", "the_file_name": (io.BytesIO(b"x"), "x.txt")},
        headers={"X-Demo": "yes"},
        base_url="http://example.com/app",
    )
    assert seen == {
        "method": "POST",
        "args": {"a": "1"},
        "form": {"b": "2"},
        "values": {"a": "1", "b": "2"},
        "cookies": {"k": "v"},
        "header": "yes",
        "path": "/submit",
        "full_path": "/submit?a=1",
        "script_root": "/app",
        "url": "http://example.com/app/submit?a=1",
        "base_url": "http://example.com/app/submit",
        "host_url": "http://example.com/",
        "host": "example.com",
        "files": ["the_file_name"],
    }


def test_uploaded_file_save(tmp_path: Path) -> None:
    # notes: obj = request.files('the_file_name') (typo: []);
    # obj.save('/var/www/upload' + seecure_filename(f.filename)) (typos; saved under tmp_path)
    app = make_app()
    upload = tmp_path / "upload"
    upload.mkdir()

    @app.route("/upload", methods=["POST"])
    def save_upload() -> str:
        obj = request.files["the_file_name"]
        obj.save(upload / secure_filename(obj.filename or ""))
        return "saved"

    client = app.test_client()
    data = {"the_file_name": (io.BytesIO(b"content"), "../my report.txt")}
    assert client.post("/upload", data=data).text == "saved"
    assert (upload / "my_report.txt").read_bytes() == b"content"


# -- section "响应相关的" --


def test_return_a_string() -> None:
    # notes: return "字符串"
    app = make_app()
    app.add_url_rule("/", "index", lambda: "字符串")
    assert app.test_client().get("/").text == "字符串"


def test_return_render_template_with_a_context_dict(root: Path) -> None:
    # notes: return render_template('html模板路径', **{})
    app = make_app(root)
    app.add_url_rule("/", "index", lambda: render_template("login.html", **{"error": "x"}))
    assert app.test_client().get("/").text == "<form><p>x</p></form>"


def test_return_redirect() -> None:
    # notes: return redirect('/index.html')
    app = make_app()
    app.add_url_rule("/", "index", lambda: redirect("/index.html"))
    response = app.test_client().get("/")
    assert (response.status_code, response.headers["Location"]) == (302, "/index.html")


def test_make_response_with_cookies_and_headers(root: Path) -> None:
    # notes: response = make_response(render_template('index.html')); delete_cookie,
    # set_cookie, headers['X-Something']
    app = make_app(root)

    @app.route("/")
    def index() -> object:
        response = make_response(render_template("index.html"))
        response.delete_cookie("key")
        response.set_cookie("key", "value")
        response.headers["X-Something"] = "A value"
        return response

    response = app.test_client().get("/")
    assert response.text == "<h1>index</h1>"
    assert response.headers["X-Something"] == "A value"
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies[0].startswith("key=; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    assert cookies[1] == "key=value; Path=/"


def test_jsonify() -> None:
    # notes: return jsonify({'k', 'v'}) (a set: typo for {'k': 'v'})
    app = make_app()
    app.add_url_rule("/", "index", lambda: jsonify({"k": "v"}))
    response = app.test_client().get("/")
    assert (response.mimetype, response.json) == ("application/json", {"k": "v"})


def test_jsonify_of_the_notes_set_literal_fails_loudly() -> None:
    # notes: jsonify({'k', 'v'}) as written: a set is not JSON
    app = make_app()
    app.add_url_rule("/", "index", lambda: jsonify({"k", "v"}))
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        app.test_client().get("/")


def test_make_response_string_with_a_cookie() -> None:
    # notes: response = make_response('asdfasdf'); response.set_cookie; return response
    app = make_app()

    @app.route("/")
    def index() -> object:
        response = make_response("asdfasdf")
        response.set_cookie("k", "v")
        return response

    response = app.test_client().get("/")
    assert (response.text, response.headers["Set-Cookie"]) == ("asdfasdf", "k=v; Path=/")


# -- section "设置session" --


def test_session_needs_a_secret_key_and_round_trips() -> None:
    # notes: app.secret_key = 'sdfsdf'; session['k1'] = v1; session['k2'] = v2
    app = make_app()
    app.secret_key = "sdfsdf"
    assert isinstance(app.session_interface, SecureCookieSessionInterface)

    @app.route("/")
    def index() -> str:
        session["k1"] = "v1"  # notes: v1 undefined
        session["k2"] = "v2"
        return "set"

    @app.route("/read")
    def read() -> str:
        return f"{session['k1']} {session['k2']}"

    client = app.test_client()
    response = client.get("/")
    assert response.headers["Set-Cookie"].startswith("session=")
    assert client.get("/read").text == "v1 v2"


def test_session_without_secret_key_cannot_be_written() -> None:
    # notes: "session在使用之前必须有个secret_key"
    app = make_app()
    app.add_url_rule("/", "index", lambda: session.__setitem__("k1", "v1") or "set")
    with pytest.raises(RuntimeError, match="secret key"):
        app.test_client().get("/")


def test_get_signing_serializer() -> None:
    # notes: SecureCookieSessionInterface.get_signing_serializer
    app = make_app()
    interface = app.session_interface
    assert interface.get_signing_serializer(app) is None  # type: ignore[attr-defined]
    app.secret_key = "sdfsdf"
    serializer = interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert isinstance(serializer, URLSafeTimedSerializer)
    assert serializer.salt == b"cookie-session"
    assert serializer.loads(serializer.dumps({"k1": "v1"})) == {"k1": "v1"}


def test_save_session_writes_the_signed_dict_into_the_cookie() -> None:
    # notes: val = self.get_signing_serializer(app).dumps(dict(session)); response.set_cookie(...)
    app = make_app()
    app.secret_key = "sdfsdf"

    @app.route("/")
    def index() -> str:
        session["k1"] = "v1"
        return "set"

    response = app.test_client().get("/")
    cookie = response.headers["Set-Cookie"]
    value = cookie.split(";")[0].removeprefix("session=")
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer.loads(value) == {"k1": "v1"}
    assert "HttpOnly" in cookie
    assert "Path=/" in cookie


def test_save_session_deletes_the_cookie_of_an_emptied_session() -> None:
    # notes: if not session: if session.modified: response.delete_cookie(...)
    app = make_app()
    app.secret_key = "sdfsdf"
    app.add_url_rule("/set", "set", lambda: session.update(k1="v1") or "set")
    app.add_url_rule("/clear", "clear", lambda: session.clear() or "cleared")
    client = app.test_client()
    client.get("/set")
    response = client.get("/clear")
    assert response.headers["Set-Cookie"].startswith("session=; Expires=Thu, 01 Jan 1970")
    assert client.get_cookie("session") is None


def test_save_session_skips_an_untouched_empty_session() -> None:
    # notes: if not session: ... return (nothing to write)
    app = make_app()
    app.secret_key = "sdfsdf"
    app.add_url_rule("/", "index", lambda: "nothing")
    assert "Set-Cookie" not in app.test_client().get("/").headers


# -- section "flask 闪现" --


@pytest.fixture
def flash_app() -> App:
    app = App(__name__)
    app.secret_key = "asdfasdf"
    seen: list[object] = []
    app.extensions["seen"] = seen

    @app.route("/get")
    def get() -> str:  # notes: fullwidth colon
        data = get_flashed_messages()  # notes: get_flashed_message (typo)
        seen.append(data)
        return "hello world!"

    @app.route("/set")
    def set() -> str:  # noqa: A001
        flash("alisi")
        return "hello world!"

    return app


def test_flash_set_then_get_consumes_once(flash_app: App) -> None:
    # notes: 写入后的列表 ['a','b','c'] 拿走一次就没有了 []
    client = flash_app.test_client()
    client.get("/set")
    client.get("/set")
    client.get("/get")
    client.get("/get")
    assert flash_app.extensions["seen"] == [["alisi", "alisi"], []]


@pytest.fixture
def error_flash_app() -> App:
    app = App(__name__)
    app.secret_key = "asdfasdf"

    @app.route("/index")
    def index() -> object:
        val = request.args.get("v")
        if val == "xx":
            return "hello,world!"
        flash("超时错误")
        return redirect("/error")

    @app.route("/error")
    def error() -> str:  # notes: fullwidth colon
        data = get_flashed_messages()
        return "错误信息%s" % (data)  # noqa: UP031

    return app


def test_flash_then_redirect_shows_the_message_once(error_flash_app: App) -> None:
    # notes: /index flashes '超时错误' and redirects to /error
    client = error_flash_app.test_client()
    response = client.get("/index", follow_redirects=True)
    assert response.text == "错误信息['超时错误']"
    assert client.get("/error").text == "错误信息[]"


def test_flash_not_needed_when_the_value_is_right(error_flash_app: App) -> None:
    # notes: if val == 'xx': return 'hello,world!'
    assert error_flash_app.test_client().get("/index?v=xx").text == "hello,world!"


# -- section "基于请求的扩展" (before_request / after_request) --


@pytest.fixture
def auth_app() -> App:
    app = App(__name__)
    app.secret_key = "asdfasdf"
    printed: list[str] = []
    app.extensions["printed"] = printed

    @app.before_request  # notes: before_reqeust (typo)
    def before_req(*args: object, **kwargs: object) -> object:
        if request.path == "/login":
            return None
        printed.append("请求之前")
        user = session.get("user_info")
        if user:
            return None
        return redirect("/login")

    @app.after_request
    def process_request(*args: object, **kwargs: object) -> object:
        return args[0]  # notes: `pass` would lose the response; an after_request returns it

    @app.route("/login")
    def login() -> str:
        session["user_info"] = "ann"
        return "logged in"

    @app.route("/")
    def index() -> str:
        return "welcome"

    return app


def test_before_request_redirects_anonymous_users_to_login(auth_app: App) -> None:
    # notes: return redirect('/login') when session has no user_info
    response = auth_app.test_client().get("/")
    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    assert auth_app.extensions["printed"] == ["请求之前"]


def test_before_request_lets_logged_in_users_through(auth_app: App) -> None:
    # notes: if user: return None
    client = auth_app.test_client()
    assert client.get("/login").text == "logged in"
    assert client.get("/").text == "welcome"


def test_after_request_as_written_returns_none_and_breaks_the_response() -> None:
    # notes: @app.after_request def process_request(*args,**kwargs): pass
    # An after_request function must return the response; returning None fails as in Flask.
    app = make_app()

    @app.after_request
    def process_request(*args: object, **kwargs: object) -> None:
        pass

    app.add_url_rule("/", "index", lambda: "index")
    with pytest.raises(TypeError, match="after_request function .*process_request returned None"):
        app.test_client().get("/")


def hook_order_app(short_circuit: bool) -> tuple[App, list[str]]:
    app = make_app()
    order: list[str] = []

    @app.before_request
    def before_req1(*args: object, **kwargs: object) -> object:
        order.append("before_req1")
        return "stopped by before_req1" if short_circuit else None

    @app.before_request
    def before_req2(*args: object, **kwargs: object) -> None:
        order.append("before_req2")

    @app.after_request
    def after_req1(response: object) -> object:
        order.append("after_req1")
        return response

    @app.after_request
    def after_req2(response: object) -> object:
        order.append("after_req2")
        return response

    @app.route("/")
    def index() -> str:
        order.append("view")
        return "view"

    return app, order


def test_hook_order() -> None:
    # notes: 执行顺序是 before_req1 -> before_req2 -> after_req2 -> after_req1
    app, order = hook_order_app(short_circuit=False)
    assert app.test_client().get("/").text == "view"
    assert order == ["before_req1", "before_req2", "view", "after_req2", "after_req1"]


def test_after_request_still_runs_after_a_short_circuit() -> None:
    # notes: 一旦before_request 拦截成功后, afer_request 还是需要执行的
    app, order = hook_order_app(short_circuit=True)
    assert app.test_client().get("/").text == "stopped by before_req1"
    assert order == ["before_req1", "after_req2", "after_req1"]
