"""Server flows that span files: a controller function registered as a route in another file takes that route's words
(`router.post('/register', userController.create)` makes `exports.create` a signup), routers mounted under a prefix
(`app.use('/billing', router)`, `include_router(..., prefix=)`, Django `include()`) prefix their routes, a service
method called by a controller route that reports the flow is not reported again, and credential helpers
(`create_access_token`, `authenticate_user`) and guards (`login_required`) are never a login. Look-alikes (creating a
comment, deleting a post, creating a user from an admin route) stay silent. Fixtures: tests/fixtures/server_crossfile
(express/, nest/, fastapi/ are each an app root); small variants are written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Flow
from lsp_server.analysis.route_refs import FileFacts, RouteIndex, file_facts
from lsp_server.analysis.scan import scan
from tests.flows_support import flows_in_source

FIXTURES = Path(__file__).parent / "fixtures" / "server_crossfile"


def _scan(root: Path) -> dict[tuple[str, str, str], Flow]:
    """Every flow a workspace scan of `root` finds, keyed by (path, kind, symbol)."""
    result = scan(root)
    assert not [e for e in result.errors if e.reason.startswith("scan failed")]
    return {(f.path, f.kind.value, f.symbol): f for doc in result.documents for f in doc.flows}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n")) if needle in line)


# --- Express: handlers registered by reference, mounted routers ----------------------------------------------------


def test_express_controllers_registered_in_a_routes_file_take_the_routes_words_and_its_mount_prefix():
    flows = _scan(FIXTURES / "express")
    assert set(flows) == {
        ("controllers/session.controller.js", "login", "create"),
        ("controllers/session.controller.js", "logout", "destroy"),
        ("controllers/user.controller.js", "signup", "create"),
        ("controllers/billing.controller.js", "subscription_cancelled", "cancel"),
        ("routes/billing.js", "subscription_cancelled", "POST /subscription/cancel"),
    }  # not commentController.create (POST /comments) nor postController.remove (DELETE /posts/:id)
    signup = flows["controllers/user.controller.js", "signup", "create"]
    assert "route POST /api/auth/register" in signup.evidence  # app.use('/api/auth', authRoutes)
    assert signup.side == "server" and signup.needs_identify
    assert signup.insert_line == _line(FIXTURES / "express/controllers/user.controller.js", "createUser(") + 1
    assert signup.user_id_expr == "user.id"
    login = flows["controllers/session.controller.js", "login", "create"]  # `const create = catchAsync(…)`
    assert login.insert_line == _line(FIXTURES / "express/controllers/session.controller.js", "jwt.sign(") + 1
    cancel = flows["controllers/billing.controller.js", "subscription_cancelled", "cancel"]
    assert "route POST /billing/cancel" in cancel.evidence
    inline = flows["routes/billing.js", "subscription_cancelled", "POST /subscription/cancel"]
    assert "route POST /billing/subscription/cancel" in inline.evidence  # the inline handler of a mounted router


def test_a_neutral_controller_analysed_alone_is_no_flow_and_the_routes_file_is_what_makes_it_one():
    path = "controllers/user.controller.js"
    text = (FIXTURES / "express" / path).read_text()
    assert analyze_document(path, text).flows == ()
    index = RouteIndex(
        {"routes/auth.js": file_facts("routes/auth.js", (FIXTURES / "express/routes/auth.js").read_text())},
        {path, "routes/auth.js"}.__contains__,
    )
    [flow] = analyze_document(path, text, routes=index.for_path(path)).flows
    assert (flow.kind.value, flow.symbol) == ("signup", "create")
    assert "route POST /register" in flow.evidence  # no app.js in this index: no mount prefix


def test_handler_references_resolve_through_esm_commonjs_classes_wrappers_defaults_and_route_chains(tmp_path):
    root = _write(tmp_path, {
        "package.json": '{"name": "shop", "dependencies": {"express": "4.19.2"}}',
        "src/app.ts": "import express from 'express';\nimport routes from './routes/index.js';\n"
                      "const app = express();\napp.use('/api', routes);\nexport default app;\n",
        "src/routes/index.ts": "import { Router } from 'express';\nimport account from './account.routes.js';\n"
                               "const router = Router();\nrouter.use('/account', account);\nexport default router;\n",
        "src/routes/account.routes.ts": """import { Router } from 'express';
import { AccountController } from '../controllers/account.controller.js';
import { start } from '../controllers/checkout.controller.js';
import closeHandler from '../controllers/close.js';
const { signIn: doLogin } = require('../controllers/misc');
const router = Router();
const accountController = new AccountController();
router.route('/signup').post(accountController.make);
router.post('/checkout', catchAsync(start));
router.delete('/me', closeHandler);
router.post('/sign-in', doLogin);
export default router;
""",
        "src/controllers/account.controller.ts": """import { Request, Response } from 'express';
export class AccountController {
  async make(req: Request, res: Response) {
    const account = await db.account.insert(req.body);
    res.status(201).json(account);
  }
}
""",
        "src/controllers/checkout.controller.ts": """export const start = async (req, res) => {
  const order = await orders.begin(req.user.id, req.body.items);
  res.json({ url: order.url });
};
""",
        "src/controllers/close.ts": """export default async function (req, res) {
  await db.users.remove(req.user.id);
  res.status(204).end();
}
""",
        "src/controllers/misc.js": """exports.signIn = async (req, res) => {
  const user = await users.check(req.body);
  req.session.userId = user.id;
  res.json(user);
};
""",
    })
    flows = _scan(root)
    assert {(path, kind) for path, kind, _ in flows} == {
        ("src/controllers/account.controller.ts", "signup"),  # router.route('/signup').post(controller.make)
        ("src/controllers/checkout.controller.ts", "checkout_started"),  # catchAsync(start), named ESM import
        ("src/controllers/close.ts", "account_deleted"),  # DELETE /me to a default export
        ("src/controllers/misc.js", "login"),  # destructured require with a rename
    }  # and the body-less `catchAsync(start)` route is not reported a second time in the routes file
    checkout = flows["src/controllers/checkout.controller.ts", "checkout_started", "start"]
    assert "route POST /api/account/checkout" in checkout.evidence


# --- services called by a route that reports the flow ------------------------------------------------------------


def test_nest_signup_is_one_flow_in_the_controller_not_a_second_one_in_the_service_it_calls():
    flows = _scan(FIXTURES / "nest")
    assert set(flows) == {
        ("src/auth/auth.controller.ts", "signup", "AuthController.signup"),
        ("src/auth/auth.controller.ts", "login", "AuthController.signin"),
        # POST /users names no flow: the service creating a user with a hashed password still reports it
        ("src/users/users.service.ts", "signup", "UsersService.create"),
    }
    service = FIXTURES / "nest/src/auth/auth.service.ts"
    alone = analyze_document("src/auth/auth.service.ts", service.read_text()).flows
    assert [(f.kind.value, f.symbol) for f in alone] == [("signup", "AuthService.signup")]  # without its controller


def test_express_route_calling_a_service_through_its_index_reports_the_signup_once_but_an_admin_route_does_not(
    tmp_path,
):
    root = _write(tmp_path, {
        "package.json": '{"name": "api", "dependencies": {"express": "4.19.2", "bcrypt": "5.1.1"}}',
        "routes/auth.js": """const router = require('express').Router();
const { authService } = require('../services');

router.post('/register', async (req, res) => {
  const user = await authService.register(req.body);
  res.status(201).json(user);
});

router.post('/users', async (req, res) => {
  const user = await authService.createMember(req.body);
  res.status(201).json(user);
});

module.exports = router;
""",
        "services/index.js": "module.exports.authService = require('./auth.service');\n",
        "services/auth.service.js": """const bcrypt = require('bcrypt');
const User = require('../models/user');

exports.register = async (data) => {
  const password = await bcrypt.hash(data.password, 10);
  const user = await User.create({ ...data, password });
  return user;
};

exports.createMember = async (data) => {
  const password = await bcrypt.hash(data.password, 10);
  return User.create({ ...data, password });
};
""",
    })
    assert set(_scan(root)) == {
        ("routes/auth.js", "signup", "POST /register"),
        ("services/auth.service.js", "signup", "createMember"),
    }


# --- Python: credential helpers, guards, mounted routers ----------------------------------------------------------


def test_fastapi_template_login_is_the_route_not_the_token_password_and_credential_helpers_it_calls():
    flows = _scan(FIXTURES / "fastapi")
    assert set(flows) == {
        ("app/api/routes/login.py", "login", "login_access_token"),
        ("app/api/routes/users.py", "signup", "register_user"),
        ("app/api/routes/users.py", "account_deleted", "delete_user_me"),
    }
    assert "route POST /login/access-token" in flows["app/api/routes/login.py", "login", "login_access_token"].evidence


@pytest.mark.parametrize("path", ["app/core/security.py", "app/crud.py", "app/api/deps.py"])
def test_credential_helpers_and_guards_are_no_login_even_analysed_alone(path):
    assert flows_in_source(path, (FIXTURES / "fastapi" / path).read_text()) == []


def test_python_guard_decorators_are_no_login():
    source = '''from functools import wraps

from flask import redirect, session, url_for


def login_required(f):
    @wraps(f)
    def decorated(*args, **kwargs):
        if "user_id" not in session:
            return redirect(url_for("login"))
        return f(*args, **kwargs)
    return decorated


def requires_login(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("/login")
        return view(request, *args, **kwargs)
    return wrapper


def ensure_logged_in(request):
    if not session.get("user_id"):
        return redirect("/login")
'''
    assert flows_in_source("app/auth/decorators.py", source) == []


def test_a_login_service_that_issues_the_token_is_still_a_login_and_so_is_a_view_that_authenticates():
    service = '''import jwt
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["bcrypt"])


def login(db, email: str, password: str) -> str:
    user = db.query(User).filter(User.email == email).first()
    if not user or not pwd_context.verify(password, user.hashed_password):
        raise ValueError("invalid credentials")
    return jwt.encode({"sub": str(user.id)}, SECRET, algorithm="HS256")
'''
    assert [(f.kind.value, f.symbol) for f in flows_in_source("app/services/auth.py", service)] == [("login", "login")]
    view = '''from django.contrib.auth import authenticate, login


def authenticate_user(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is not None:
        login(request, user)
        return redirect("home")
    return render(request, "login.html")
'''
    assert {f.kind.value for f in flows_in_source("accounts/views.py", view)} == {"login"}


def test_fastapi_include_router_prefix_and_django_include_give_neutral_handlers_their_words(tmp_path):
    root = _write(tmp_path, {
        "requirements.txt": "fastapi\ndjango\n",
        "api/__init__.py": "",
        "api/main.py": '''from fastapi import FastAPI

from api.routers import billing

app = FastAPI()
app.include_router(billing.router, prefix="/billing")
''',
        "api/routers/__init__.py": "",
        "api/routers/billing.py": '''from fastapi import APIRouter, Depends

router = APIRouter()


@router.post("/cancel")
def cancel(user=Depends(current_user)):
    user.plan = None
    db.commit()
    return {"ok": True}
''',
        "proj/urls.py": '''from django.urls import include, path

urlpatterns = [path("accounts/", include("accounts.urls"))]
''',
        "accounts/urls.py": '''from django.urls import path

from . import views

urlpatterns = [
    path("signup/", views.create, name="signup"),
    path("comments/", views.comment, name="comment"),
]
''',
        "accounts/views.py": '''from django.shortcuts import redirect, render

from .forms import AccountForm, CommentForm


def create(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = form.save()
        return redirect("home")
    return render(request, "accounts/create.html", {"form": form})


def comment(request):
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
    return render(request, "comment.html", {"form": form})
''',
    })
    flows = _scan(root)
    assert set(flows) == {
        ("api/routers/billing.py", "subscription_cancelled", "cancel"),
        ("accounts/views.py", "signup", "create"),
    }
    assert "route POST /billing/cancel" in flows["api/routers/billing.py", "subscription_cancelled", "cancel"].evidence
    assert "route ANY /accounts/signup" in flows["accounts/views.py", "signup", "create"].evidence


# --- robustness -----------------------------------------------------------------------------------------------------


def test_route_facts_never_fail_on_broken_files_and_mount_cycles_end():
    assert isinstance(file_facts("routes/x.js", "router.post('/login', ((( ctrl."), FileFacts)  # never raises
    assert file_facts("x.py", "\x00\xff def (") is not None
    mounts = {
        "a.js": FileFacts(mounts=(("/a", "./b", "*", ""),)),
        "b.js": FileFacts(mounts=(("/b", "./a", "*", ""),), registrations=(("POST", "/login", "./c", "login", ""),)),
    }
    index = RouteIndex(mounts, {"a.js", "b.js", "c.js"}.__contains__)
    routes = index.for_path("c.js")
    assert routes is not None and routes.handlers["login"][0][0] == "POST"
    assert index.for_path("nowhere.js") is None


# --- session 4 held-out findings, in general form ------------------------------------------------------------------


def test_a_logout_route_that_empties_or_expires_the_session_cookie_is_a_logout_but_setting_one_is_not():
    fastapi = '''from fastapi import APIRouter, Response

router = APIRouter(prefix="/auth")


@router.post("/signout")
async def signout(response: Response):
    response.set_cookie(key="session", value="", max_age=0, httponly=True)
    return {"ok": True}
'''
    [flow] = flows_in_source("backend/auth/routes.py", fastapi)
    assert (flow.kind.value, flow.symbol) == ("logout", "signout")
    assert "calls response.set_cookie" in flow.evidence  # a cookie write is no mere response building
    express = """const router = require('express').Router();

router.post('/auth/logout', (req, res) => {
  res.cookie('jwt', '', { httpOnly: true, expires: new Date(0) });
  res.status(200).json({ message: 'bye' });
});

router.post('/preferences', (req, res) => {
  res.cookie('theme', req.body.theme, { maxAge: 86400000 });
  res.json({ ok: true });
});

module.exports = router;
"""
    found = {(f.kind.value, f.symbol) for f in flows_in_source("server/routes/session.js", express)}
    assert found == {("logout", "POST /auth/logout")}


def test_noun_first_billing_route_calling_an_imported_helper_is_one_plan_change(tmp_path):
    route = '''import { NextResponse } from "next/server";
import { upgradeSubscription } from "@/lib/billing";

export async function POST(request: Request) {
  const { subscriptionId, priceId } = await request.json();
  const updated = await upgradeSubscription(subscriptionId, priceId);
  return NextResponse.json(updated);
}
'''
    neutral = flows_in_source("src/app/api/billing/route.ts", route)  # the route says nothing, the import does
    assert [(f.kind.value, f.confidence) for f in neutral] == [("subscription_changed", 0.7)]
    assert neutral[0].insert_line == route.split("\n").index("  return NextResponse.json(updated);")
    root = _write(tmp_path, {
        "package.json": '{"name": "saas", "dependencies": {"next": "15.0.3", "stripe": "17.0.0"}}',
        "src/app/api/subscription/upgrade/route.ts": route,
        "src/lib/billing.ts": '''import Stripe from "stripe";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);

export async function upgradeSubscription(subscriptionId: string, price: string) {
  const current = await stripe.subscriptions.retrieve(subscriptionId);
  return stripe.subscriptions.update(subscriptionId, { items: [{ id: current.items.data[0].id, price }] });
}
''',
    })
    # POST /subscription/upgrade reports it; the helper it imports does not report it a second time
    assert set(_scan(root)) == {("src/app/api/subscription/upgrade/route.ts", "subscription_changed", "POST")}


def test_webhook_switch_over_an_sdk_event_enum_is_one_flow_per_event():
    source = '''import { EventName, Paddle } from "@paddle/paddle-node-sdk";

const paddle = new Paddle(process.env.PADDLE_KEY!);

export async function POST(req: Request) {
  const event = await paddle.webhooks.unmarshal(await req.text(), process.env.PADDLE_SECRET!, "sig");
  switch (event.eventType) {
    case EventName.SubscriptionUpdated:
      await saveSubscription(event.data);
      break;
    case EventName.TransactionPaymentFailed:
      await notifyOwner(event.data.customerId);
      break;
    case EventName.AddressCreated:
      break;
  }
  return new Response("ok");
}
'''
    flows = {f.kind.value: f for f in flows_in_source("app/api/paddle/route.ts", source)}
    assert set(flows) == {"subscription_changed", "payment_failed"}
    assert flows["payment_failed"].insert_indent == " " * 6  # in its case
    assert "handles webhook 'subscription.updated'" in flows["subscription_changed"].evidence


def test_a_route_chained_on_a_new_router_gets_its_method_and_path():
    source = '''import { Hono } from "hono";

export const accounts = new Hono().post("/register", async (c) => {
  const body = await c.req.json();
  const account = await accountsRepo.insert(body);
  return c.json(account, 201);
});
'''
    [flow] = flows_in_source("src/api/accounts.ts", source)
    assert flow.kind.value == "signup" and "route POST /register" in flow.evidence


def test_drf_create_view_over_the_user_model_is_a_signup_but_not_for_staff_only_or_other_models():
    source = '''from django.contrib.auth import get_user_model
from rest_framework import status
from rest_framework.generics import CreateAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response

from .serializers import MemberSerializer, NoteSerializer, StaffSerializer


class JoinView(CreateAPIView):
    queryset = get_user_model().objects.all()
    serializer_class = MemberSerializer
    permission_classes = [AllowAny]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response({"detail": "welcome"}, status=status.HTTP_201_CREATED)


class StaffCreateView(CreateAPIView):
    queryset = get_user_model().objects.all()
    serializer_class = StaffSerializer
    permission_classes = [IsAdminUser]

    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class NoteCreateView(CreateAPIView):
    serializer_class = NoteSerializer

    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
'''
    [flow] = flows_in_source("members/views.py", source)
    assert (flow.kind.value, flow.symbol) == ("signup", "JoinView.create")
    assert flow.insert_line == source.split("\n").index("        self.perform_create(serializer)") + 1
    assert flow.user_id_expr == "str(serializer.instance.pk)"


def test_a_helper_called_from_a_webhook_case_carries_the_cases_evidence():
    source = """export default async function handler(req, res) {
  switch (req.body.meta.event_name) {
    case 'subscription_created':
      await onSubscriptionCreated(req.body);
      break;
  }
  res.status(200).end();
}

async function onSubscriptionCreated(event) {
  await db.subscriptions.insert({ id: event.data.id, user: event.meta.custom_data.user_id });
}
"""
    [flow] = flows_in_source("api/webhook/lemon.js", source)
    assert (flow.kind.value, flow.symbol, flow.confidence) == ("subscription_created", "onSubscriptionCreated", 0.9)
    assert "called when it handles webhook 'subscription_created'" in flow.evidence


def test_fastapi_route_calling_a_login_service_reports_it_once(tmp_path):
    root = _write(tmp_path, {
        "requirements.txt": "fastapi\npyjwt\npasslib\n",
        "app/__init__.py": "",
        "app/routes/__init__.py": "",
        "app/services/__init__.py": "",
        "app/routes/auth.py": '''from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from app.services import auth_service

router = APIRouter(prefix="/auth")


@router.post("/token")
def issue(form: OAuth2PasswordRequestForm = Depends()):
    return auth_service.login(form.username, form.password)
''',
        "app/services/auth_service.py": '''import jwt
from passlib.context import CryptContext

pwd = CryptContext(schemes=["bcrypt"])


def login(email: str, password: str) -> dict:
    user = USERS.get(email)
    if not user or not pwd.verify(password, user["hash"]):
        raise ValueError("invalid")
    return {"access_token": jwt.encode({"sub": user["id"]}, "k", algorithm="HS256")}
''',
    })
    assert set(_scan(root)) == {("app/routes/auth.py", "login", "issue")}
    service = (root / "app/services/auth_service.py").read_text()
    assert {f.kind.value for f in flows_in_source("app/services/auth_service.py", service)} == {"login"}  # alone


def test_fastify_prefix_option_and_koa_router_routes_mount_their_files_routes(tmp_path):
    root = _write(tmp_path, {
        "package.json": '{"name": "api", "dependencies": {"fastify": "4.28.1", "koa": "2.15.3"}}',
        "server.js": "const app = require('fastify')();\n"
                     "app.register(require('./routes/account'), { prefix: '/account' });\nmodule.exports = app;\n",
        "routes/account.js": """module.exports = async function (app) {
  app.post('/close', async (request, reply) => {
    await app.db.profiles.archive(request.user.id);
    return { ok: true };
  });
};
""",
        "koa.js": "const Router = require('@koa/router');\nconst billing = require('./koa/billing');\n"
                  "const api = new Router();\napi.use('/billing', billing.routes());\n",
        "koa/billing.js": """const Router = require('@koa/router');
const router = new Router();
router.post('/cancel', async (ctx) => {
  await ctx.state.user.update({ plan: null });
  ctx.body = { ok: true };
});
module.exports = router;
""",
    })
    flows = _scan(root)
    assert set(flows) == {
        ("routes/account.js", "account_deleted", "POST /close"),
        ("koa/billing.js", "subscription_cancelled", "POST /cancel"),
    }
    assert "route POST /billing/cancel" in flows["koa/billing.js", "subscription_cancelled", "POST /cancel"].evidence
    billing = (root / "koa/billing.js").read_text()
    assert flows_in_source("koa/billing.js", billing) == []  # `POST /cancel` alone cancels nothing in particular


def test_a_server_action_calling_a_signup_helper_from_lib_is_the_one_signup(tmp_path):
    helper = """import bcrypt from 'bcryptjs'
import { db } from './db'

export async function registerUser(email: string, password: string) {
  const hash = await bcrypt.hash(password, 10)
  return db.user.create({ data: { email, hash } })
}
"""
    root = _write(tmp_path, {
        "package.json": '{"name": "web", "dependencies": {"next": "15.0.3", "bcryptjs": "2.4.3"}}',
        "app/signup/actions.ts": """'use server'

import { redirect } from 'next/navigation'
import { registerUser } from '@/lib/users'

export async function signup(formData: FormData) {
  const user = await registerUser(String(formData.get('email')), String(formData.get('password')))
  redirect(`/welcome?u=${user.id}`)
}
""",
        "lib/users.ts": helper,
    })
    assert set(_scan(root)) == {("app/signup/actions.ts", "signup", "signup")}
    assert [f.symbol for f in flows_in_source("lib/users.ts", helper)] == ["registerUser"]  # alone, it is one


def test_flask_blueprint_registered_under_a_prefix_prefixes_its_routes(tmp_path):
    root = _write(tmp_path, {
        "requirements.txt": "flask\nflask-login\n",
        "app.py": '''from flask import Flask

from billing.views import bp as billing_bp

app = Flask(__name__)
app.register_blueprint(billing_bp, url_prefix="/billing")
''',
        "billing/__init__.py": "",
        "billing/views.py": '''from flask import Blueprint, jsonify
from flask_login import current_user, login_required

bp = Blueprint("billing", __name__)


@bp.route("/cancel", methods=["POST"])
@login_required
def cancel():
    current_user.plan = None
    db.session.commit()
    return jsonify(ok=True)
''',
    })
    flows = _scan(root)
    assert set(flows) == {("billing/views.py", "subscription_cancelled", "cancel")}
    assert flows["billing/views.py", "subscription_cancelled", "cancel"].user_id_expr == "current_user.get_id()"


def test_django_class_view_registered_with_as_view_takes_the_url_words_but_its_get_does_not(tmp_path):
    root = _write(tmp_path, {
        "requirements.txt": "django\n",
        "accounts/__init__.py": "",
        "accounts/urls.py": '''from django.urls import path

from . import views

urlpatterns = [path("register/", views.AccountCreate.as_view(), name="register")]
''',
        "accounts/views.py": '''from django.contrib.auth.forms import UserCreationForm
from django.urls import reverse_lazy
from django.views.generic import CreateView


class AccountCreate(CreateView):
    form_class = UserCreationForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        self.object.profile.create_defaults()
        return response

    def get(self, request, *args, **kwargs):
        self.extra = load_tips()
        return super().get(request, *args, **kwargs)
''',
    })
    assert set(_scan(root)) == {("accounts/views.py", "signup", "AccountCreate.form_valid")}


@pytest.mark.parametrize(
    "files,expected",
    [
        (  # Hapi route configs, the handler under `options` too
            {
                "package.json": '{"name": "api", "dependencies": {"@hapi/hapi": "21.3.10"}}',
                "routes.js": """const UserController = require('./controllers/user');
module.exports = [
  { method: 'POST', path: '/signup', handler: UserController.create },
  { method: ['POST'], path: '/comments', options: { handler: UserController.comment } },
];
""",
                "controllers/user.js": """exports.create = async (request, h) => {
  const account = await request.server.app.db.accounts.insert(request.payload);
  return h.response(account).code(201);
};
exports.comment = async (request, h) => {
  const c = await request.server.app.db.comments.insert(request.payload);
  return h.response(c).code(201);
};
""",
            },
            {("controllers/user.js", "signup", "create")},
        ),
        (  # Starlette `Route(..., endpoint=)`
            {
                "requirements.txt": "starlette\n",
                "app/__init__.py": "",
                "app/main.py": '''from starlette.applications import Starlette
from starlette.routing import Route

from app import handlers

app = Starlette(routes=[Route("/signup", endpoint=handlers.create, methods=["POST"])])
''',
                "app/handlers.py": '''from starlette.responses import JSONResponse


async def create(request):
    data = await request.json()
    account = await accounts.insert(data)
    return JSONResponse({"id": account.id}, status_code=201)
''',
            },
            {("app/handlers.py", "signup", "create")},
        ),
    ],
    ids=["hapi", "starlette"],
)
def test_route_configs_and_endpoint_lists_register_handlers_by_reference(tmp_path, files, expected):
    assert set(_scan(_write(tmp_path, files))) == expected


def test_nest_route_behind_a_local_passport_guard_is_the_login_but_a_jwt_guarded_one_is_not():
    source = """import { Controller, Post, Request, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { JwtAuthGuard } from './jwt-auth.guard';

@Controller('session')
export class SessionController {
  @UseGuards(AuthGuard('local'))
  @Post()
  open(@Request() req) {
    return req.user;
  }

  @UseGuards(JwtAuthGuard)
  @Post('login-check')
  check(@Request() req) {
    return req.user;
  }
}
"""
    [flow] = flows_in_source("src/session/session.controller.ts", source)
    assert (flow.kind.value, flow.symbol) == ("login", "SessionController.open")
    assert flow.user_id_expr == "req.user.id"  # the guard put the user there
    assert flow.insert_line == source.split("\n").index("    return req.user;")


def test_razorpay_subscription_webhook_events_are_flows():
    source = """module.exports = async function handleRazorpayEvent(event, payload) {
  switch (event) {
    case 'subscription.activated':
      await Subscriptions.markActive(payload.subscription.entity.id);
      break;
    case 'subscription.cancelled':
      await Subscriptions.markCancelled(payload.subscription.entity.id);
      break;
    case 'payment.failed':
      await Payments.flag(payload.payment.entity.id);
      break;
  }
};
"""
    found = {f.kind.value for f in flows_in_source("server/services/razorpay/events.js", source)}
    assert found == {"subscription_created", "subscription_cancelled", "payment_failed"}


def test_a_flow_named_function_that_mentions_a_password_is_no_credential_helper():
    source = """export async function createAccountWithPassword(email, password) {
  const res = await fetch('/api/signup', { method: 'POST', body: JSON.stringify({ email, password }) });
  return res.json();
}

export async function createAccessToken(user) {
  return jwt.sign({ id: user.id }, process.env.SECRET);
}
"""
    assert [(f.kind.value, f.symbol) for f in flows_in_source("src/lib/auth.js", source)] == [
        ("signup", "createAccountWithPassword")
    ]


def test_tsconfig_path_aliases_resolve_controllers(tmp_path):
    root = _write(tmp_path, {
        "package.json": '{"name": "api", "dependencies": {"express": "4.19.2", "typescript": "5.4.5"}}',
        "tsconfig.json": """{
  // NestJS / Express starters keep their aliases here
  "compilerOptions": {
    "baseUrl": "src",
    "paths": { "@controllers/*": ["controllers/*"], },
  },
}
""",
        "src/routes.ts": """import { Router } from 'express';
import { create } from '@controllers/user.controller';
import * as billing from '@controllers/billing';

export const router = Router();
router.post('/signup', create);
router.post('/billing/cancel', billing.stop);
""",
        "src/controllers/user.controller.ts": """export async function create(req, res) {
  const account = await accounts.insert(req.body);
  res.status(201).json(account);
}
""",
        "src/controllers/billing.ts": """export async function stop(req, res) {
  await plans.detach(req.user.id);
  res.json({ ok: true });
}
""",
    })
    assert set(_scan(root)) == {
        ("src/controllers/user.controller.ts", "signup", "create"),
        ("src/controllers/billing.ts", "subscription_cancelled", "stop"),
    }


def test_passport_middleware_in_the_routes_file_makes_the_controller_the_one_login(tmp_path):
    root = _write(tmp_path, {
        "package.json": '{"name": "api", "dependencies": {"express": "4.19.2", "passport": "0.7.0"}}',
        "routes/auth.js": """const router = require('express').Router();
const passport = require('passport');
const auth = require('../controllers/auth');

router.post('/session', passport.authenticate('local', { session: false }), auth.open);
router.post('/token/refresh', passport.authenticate('jwt', { session: false }), auth.refresh);
module.exports = router;
""",
        "controllers/auth.js": """const jwt = require('jsonwebtoken');
exports.open = (req, res) => {
  const token = jwt.sign({ id: req.user.id }, process.env.SECRET);
  res.json({ token });
};
exports.refresh = (req, res) => {
  const token = jwt.sign({ id: req.user.id }, process.env.SECRET);
  res.json({ token });
};
""",
    })
    flows = _scan(root)
    assert set(flows) == {("controllers/auth.js", "login", "open")}  # not also the routes file's body-less route
    login = flows["controllers/auth.js", "login", "open"]
    assert "calls passport.authenticate" in login.evidence and login.user_id_expr == "req.user.id"
