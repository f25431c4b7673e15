"""A route registered in the same file as its handler gives the handler its route's words, as a routes file elsewhere
would: `router.post('/login', handle)` under `async function handle(req, res)`, `app.post('/signup', validate,
create)`, Fastify `fastify.post('/register', { schema }, doIt)` and `fastify.route({ method, url, handler })`, Hono
`app.post('/signup', h)`, Flask `add_url_rule('/login', view_func=enter)`, Django `path('register/', create)`.
Look-alikes stay silent: a page rendered at GET /logout-page, a comment created at POST /comments, an unregistered
neutral function."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from lsp_server.analysis.model import Flow
from lsp_server.analysis.scan import scan
from tests.flows_support import flows_in_source


def _flows(path: str, source: str) -> dict[tuple[str, str], Flow]:
    return {(f.kind.value, f.symbol): f for f in flows_in_source(path, dedent(source))}


def _line(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(dedent(source).split("\n")) if needle in line)


EXPRESS = """\
    const express = require('express');
    const passport = require('passport');
    const User = require('../models/user');
    const router = express.Router();

    async function handle(req, res) {
      const user = await User.findOne({ email: req.body.email });
      req.session.userId = user.id;
      res.json({ ok: true });
    }

    const create = async (req, res) => {
      const user = await User.create(req.body);
      res.status(201).json(user);
    };

    function done(req, res) {
      res.json({ user: req.user });
    }

    function out(req, res) {
      req.logout(() => res.redirect('/'));
    }

    function renderPage(req, res) {
      res.render('logout');
    }

    async function unused(req, res) {
      const user = await User.findOne({ email: req.body.email });
      res.json(user);
    }

    router.post('/login', handle);
    router.post('/signup', validate, create);
    router.post('/session', passport.authenticate('local'), done);
    router.get('/logout', out);
    router.get('/logout-page', renderPage);
    module.exports = router;
"""


def test_express_handlers_declared_next_to_their_routes_are_the_flows_their_paths_name():
    flows = _flows("routes/auth.js", EXPRESS)
    assert set(flows) == {("login", "handle"), ("signup", "create"), ("login", "done"), ("logout", "out")}
    login = flows["login", "handle"]
    assert "route POST /login" in login.evidence
    assert login.side == "server" and login.needs_identify
    assert login.insert_line == _line(EXPRESS, "req.session.userId") + 1
    signup = flows["signup", "create"]
    assert "route POST /signup" in signup.evidence
    assert signup.insert_line == _line(EXPRESS, "User.create(") + 1
    assert "route GET /logout" in flows["logout", "out"].evidence


def test_a_passport_route_is_reported_in_its_local_handler_not_a_second_time_on_the_registration():
    flows = _flows("routes/auth.js", EXPRESS)
    assert [s for k, s in flows if k == "login" and s.startswith("POST ")] == []
    done = flows["login", "done"]  # POST /session names nothing: the middleware is the evidence, as the handler's own
    assert "calls passport.authenticate" in done.evidence
    assert done.insert_line == _line(EXPRESS, "res.json({ user: req.user })")  # before the response


def test_a_page_rendered_at_a_logout_like_path_and_an_unregistered_function_are_no_flows():
    flows = _flows("routes/auth.js", EXPRESS)
    assert not [k for k in flows if k[1] in ("renderPage", "unused")]


def test_a_handler_registered_for_an_unrelated_path_is_no_flow():
    source = """\
        const router = require('express').Router();
        const Comment = require('../models/comment');
        const create = async (req, res) => {
          const comment = await Comment.create(req.body);
          res.json(comment);
        };
        async function remove(req, res) {
          await Comment.deleteOne({ _id: req.params.id });
          res.sendStatus(204);
        }
        router.post('/comments', create);
        router.delete('/comments/:id', remove);
        module.exports = router;
    """
    assert _flows("routes/comments.js", source) == {}


FASTIFY = """\
    import Fastify from 'fastify';
    const fastify = Fastify();

    async function doIt(request, reply) {
      const user = await prisma.user.create({ data: request.body });
      return reply.send(user);
    }

    async function bye(request, reply) {
      request.session.destroy();
      return reply.send({});
    }

    fastify.post('/register', { schema: RegisterSchema }, doIt);
    fastify.route({ method: 'POST', url: '/logout', handler: bye });
"""


def test_fastify_routes_with_options_and_route_configs_name_their_local_handlers():
    flows = _flows("src/server.ts", FASTIFY)
    assert set(flows) == {("signup", "doIt"), ("logout", "bye")}
    assert "route POST /register" in flows["signup", "doIt"].evidence
    assert "route POST /logout" in flows["logout", "bye"].evidence
    assert flows["signup", "doIt"].insert_line == _line(FASTIFY, "prisma.user.create") + 1


def test_hono_route_names_a_const_handler():
    source = """\
        import { Hono } from 'hono';
        const app = new Hono();
        const h = async (c) => {
          const body = await c.req.json();
          const [user] = await db.insert(users).values(body).returning();
          return c.json(user);
        };
        app.post('/signup', h);
        export default app;
    """
    [(key, flow)] = _flows("src/index.ts", source).items()
    assert key == ("signup", "h") and "route POST /signup" in flow.evidence


FLASK = """\
    from flask import Blueprint, Flask, redirect, render_template, request, session

    app = Flask(__name__)
    bp = Blueprint("auth", __name__)


    def enter():
        user = User.query.filter_by(email=request.form["email"]).first()
        session["user_id"] = user.id
        return redirect("/")


    def leave():
        session.clear()
        return redirect("/")


    def page():
        return render_template("signup.html")


    app.add_url_rule("/login", "login", enter, methods=["GET", "POST"])
    bp.add_url_rule("/logout", view_func=leave, methods=["POST"])
    app.add_url_rule("/signup", view_func=page)
"""


def test_flask_add_url_rule_gives_a_view_declared_in_the_same_module_its_route():
    flows = _flows("app/views.py", FLASK)
    assert set(flows) == {("login", "enter"), ("logout", "leave")}  # not the rendered signup page
    login = flows["login", "enter"]
    assert "route POST /login" in login.evidence
    assert login.insert_line == _line(FLASK, 'session["user_id"]') + 1
    assert "route POST /logout" in flows["logout", "leave"].evidence


def test_django_path_to_a_view_in_the_same_module_is_its_route():
    source = """\
        from django.shortcuts import redirect
        from django.urls import path


        def create(request):
            user = Account.objects.create(email=request.POST["email"])
            user.set_password(request.POST["password"])
            user.save()
            return redirect("/")


        def listing(request):
            return render(request, "list.html", {"items": Account.objects.all()})


        urlpatterns = [path("register/", create), path("accounts/", listing)]
    """
    flows = _flows("accounts/urls.py", source)
    assert set(flows) == {("signup", "create")}
    assert "route ANY /register/" in flows["signup", "create"].evidence


def test_a_routes_file_mounted_under_a_prefix_prefixes_its_local_handlers_route(tmp_path: Path):
    (tmp_path / "routes").mkdir()
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^4"}}')
    (tmp_path / "app.js").write_text(
        "const express = require('express');\nconst auth = require('./routes/auth');\nconst app = express();\n"
        "app.use('/api/auth', auth);\napp.listen(3000);\n"
    )
    (tmp_path / "routes/auth.js").write_text(dedent(EXPRESS))
    result = scan(tmp_path)
    flows = {(f.kind.value, f.symbol): f for d in result.documents for f in d.flows if f.path == "routes/auth.js"}
    assert "route POST /api/auth/login" in flows["login", "handle"].evidence


def test_chained_and_wrapped_registrations_reach_the_local_handler():
    source = """\
        const router = require('express').Router();
        async function enter(req, res) {
          const user = await User.findOne({ email: req.body.email });
          req.session.userId = user.id;
          res.json(user);
        }
        function show(req, res) {
          res.render('login');
        }
        async function join(req, res) {
          const user = await User.create(req.body);
          res.status(201).json(user);
        }
        router.route('/login').get(show).post(enter);
        router.post('/signup', catchAsync(join));
        module.exports = router;
    """
    flows = _flows("routes/auth.js", source)
    assert set(flows) == {("login", "enter"), ("signup", "join")}
    assert "route POST /login" in flows["login", "enter"].evidence
    assert "route POST /signup" in flows["signup", "join"].evidence


def test_starlette_route_with_an_endpoint_keyword_names_the_local_endpoint():
    source = """\
        from starlette.responses import RedirectResponse
        from starlette.routing import Route


        async def enter(request):
            form = await request.form()
            user = await users.get(form["email"])
            request.session["user_id"] = user.id
            return RedirectResponse("/")


        async def homepage(request):
            return templates.TemplateResponse("index.html", {"request": request})


        routes = [Route("/login", endpoint=enter, methods=["POST"]), Route("/", homepage)]
    """
    flows = _flows("app/main.py", source)
    assert set(flows) == {("login", "enter")}
    assert "route POST /login" in flows["login", "enter"].evidence


def test_of_two_same_named_handlers_in_two_plugins_the_one_next_to_the_signup_route_is_the_signup():
    source = """\
        async function itemRoutes(fastify) {
          async function handler(request, reply) {
            const item = await prisma.item.create({ data: request.body });
            return reply.send(item);
          }
          fastify.post('/items', handler);
        }
        async function authRoutes(fastify) {
          async function handler(request, reply) {
            const user = await prisma.user.create({ data: request.body });
            return reply.send(user);
          }
          fastify.post('/signup', handler);
        }
        module.exports = { itemRoutes, authRoutes };
    """
    [flow] = flows_in_source("src/routes.js", dedent(source))
    assert (flow.kind.value, flow.symbol) == ("signup", "handler")
    assert flow.insert_line == _line(source, "prisma.user.create") + 1
