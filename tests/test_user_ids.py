"""Where the signed-in user's id comes from at a flow's insertion point, on code shaped like real apps
(not the fixture apps): Django, Flask-Login, FastAPI, Express (passport, sessions), NextAuth, Supabase, Clerk
and Stripe webhooks. The id must never crash on an anonymous visitor; without one the flow has no id."""

from __future__ import annotations

import pytest

from tests.flows_support import flows_in_source

CASES = {
    "django_cbv.py": """from django.contrib.auth import login
from django.views.generic import CreateView

class SignUpView(CreateView):
    def form_valid(self, form):
        self.object = form.save()
        login(self.request, self.object)
        return redirect(self.get_success_url())
""",
    "billing_views.py": """import stripe
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse

@login_required
def cancel_subscription(request):
    stripe.Subscription.modify(request.POST["sub"], cancel_at_period_end=True)
    return JsonResponse({"ok": True})
""",
    "auth_views.py": """from django.contrib.auth import logout
from django.shortcuts import redirect

def sign_out(request):
    logout(request)
    return redirect("/")
""",
    "flask_auth.py": """from flask import Blueprint, redirect
from flask_login import login_required, login_user, logout_user

bp = Blueprint("auth", __name__)

@bp.route("/logout")
def logout():
    logout_user()
    return redirect("/")

@bp.route("/login", methods=["POST"])
def login():
    member = Member.query.filter_by(email=request.form["email"]).first()
    if member is None or not member.check_password(request.form["password"]):
        return redirect("/login")
    login_user(member)
    return redirect("/")
""",
    "api/billing.py": """import stripe
from fastapi import APIRouter, Depends
router = APIRouter()

@router.post("/subscription/cancel")
async def cancel_subscription(me: User = Depends(get_current_user)):
    stripe.Subscription.delete(me.subscription_id)
    return {"ok": True}
""",
    "src/routes/billing.js": """const express = require("express");
const router = express.Router();
router.post("/subscription/cancel", requireAuth, async (req, res) => {
  const sub = await stripe.subscriptions.cancel(req.body.subscriptionId);
  res.json({ status: sub.status });
});
module.exports = router;
""",
    "src/routes/session.js": """const router = require("express").Router();
router.post("/login", async (req, res) => {
  const account = await Account.findOne({ email: req.body.email });
  if (!account || !(await bcrypt.compare(req.body.password, account.hash))) return res.status(401).end();
  req.session.userId = account._id;
  res.redirect("/");
});
router.post("/logout", (req, res) => {
  req.session.destroy(() => res.redirect("/"));
});
module.exports = router;
""",
    "pages/api/billing/checkout.js": """import { getServerSession } from "next-auth/next";
import { authOptions } from "../auth/[...nextauth]";
import Stripe from "stripe";
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);
export default async function handler(req, res) {
  const session = await getServerSession(req, res, authOptions);
  const checkout = await stripe.checkout.sessions.create({
    mode: "subscription",
    line_items: [{ price: req.body.price, quantity: 1 }],
    success_url: "https://x/ok",
  });
  res.json({ url: checkout.url });
}
""",
    "app/account/actions.ts": """"use server";
import { createClient } from "@/utils/supabase/server";
export async function deleteAccount() {
  const supabase = await createClient();
  const { data } = await supabase.auth.getUser();
  await supabase.rpc("delete_user");
  await supabase.auth.signOut();
}
""",
    "app/api/webhooks/route.js": """import Stripe from "stripe";
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);
export async function POST(request) {
  const signature = request.headers.get("stripe-signature");
  const event = stripe.webhooks.constructEvent(await request.text(), signature, process.env.WH);
  if (event.type === "customer.subscription.deleted") {
    const subscription = event.data.object;
    await markCancelled(subscription.id);
  }
  return new Response("ok");
}
""",
    "drf_views.py": """from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView


class LogoutView(APIView):
    permission_classes = (IsAuthenticated,)

    def post(self, request):
        token = RefreshToken(request.data["refresh"])
        token.blacklist()
        return Response(status=205)
""",
    "app/api/subscription/route.ts": """import { auth } from "@clerk/nextjs/server";
export async function DELETE() {
  const { userId } = await auth();
  if (!userId) return new Response("unauthorized", { status: 401 });
  await stripe.subscriptions.cancel(await subscriptionFor(userId));
  return Response.json({ ok: true });
}
""",
}


def _flow(path: str, kind: str):
    found = [f for f in flows_in_source(path, CASES[path]) if f.kind.value == kind]
    assert len(found) == 1, [(f.kind.value, f.symbol) for f in flows_in_source(path, CASES[path])]
    return found[0]


def _line(path: str, needle: str) -> int:
    return next(i for i, line in enumerate(CASES[path].split("\n")) if needle in line)


@pytest.mark.parametrize(
    ("path", "kind", "expected"),
    [
        ("billing_views.py", "subscription_cancelled", "request.user.pk"),  # @login_required view
        ("auth_views.py", "logout", "request.user.pk"),
        ("flask_auth.py", "logout", "current_user.get_id()"),
        ("flask_auth.py", "login", "member.get_id()"),  # login_user(member): the argument is the user, by the id
        # Flask-Login keeps (the one current_user.get_id() gives at logout)
        ("api/billing.py", "subscription_cancelled", "str(me.id)"),  # me: User = Depends(get_current_user)
        ("src/routes/billing.js", "subscription_cancelled", "req.user?.id"),  # requireAuth middleware
        ("src/routes/session.js", "logout", "req.session?.userId"),  # the file keeps the id in the session
        ("pages/api/billing/checkout.js", "checkout_started", "session?.user?.id"),  # getServerSession()
        ("app/account/actions.ts", "account_deleted", "data.user?.id"),  # supabase.auth.getUser()
        ("app/api/webhooks/route.js", "subscription_cancelled", "subscription.customer?.toString()"),
        ("app/api/subscription/route.ts", "subscription_cancelled", "userId"),  # Clerk auth()
        ("drf_views.py", "logout", "request.user.pk"),  # DRF permission_classes = (IsAuthenticated,)
    ],
)
def test_the_user_id_is_found_where_real_apps_keep_it(path, kind, expected):
    assert _flow(path, kind).user_id_expr == expected


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("auth_views.py", "logout(request)"),
        ("flask_auth.py", "logout_user()"),
        ("src/routes/session.js", "req.session.destroy("),
    ],
)
def test_a_server_logout_is_captured_before_the_session_ends(path, needle):
    assert _flow(path, "logout").insert_line == _line(path, needle)


def test_a_request_user_is_not_used_before_login_has_run_the_saved_form_is_the_user():
    # `login(self.request, self.object)` comes after the insertion: request.user is still anonymous there
    assert _flow("django_cbv.py", "signup").user_id_expr == "str(self.object.pk)"


def test_an_express_route_without_a_login_requirement_reads_req_user_optionally():
    source = CASES["src/routes/billing.js"].replace("requireAuth, ", "")
    flows = [f for f in flows_in_source("src/routes/billing.js", source) if f.kind.value == "subscription_cancelled"]
    assert flows and flows[0].user_id_expr != "req.user.id"  # req.user may be undefined: never dereferenced bare


def test_a_django_request_user_after_logout_is_not_used():
    source = (
        "from django.contrib.auth import logout\n\n\ndef delete_account(request):\n    logout(request)\n"
        "    Account.objects.filter(owner=request.user).delete()\n    return redirect('/')\n"
    )
    for flow in flows_in_source("views.py", source):
        assert flow.user_id_expr != "request.user.pk" or flow.insert_line <= 4


MICROBLOG = '''from flask import redirect
from app import db

@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegistrationForm()
    if form.validate_on_submit():
        user = User(username=form.username.data, email=form.email.data)
        db.session.add(user)
        db.session.commit()
        flash("Congratulations, you are now a registered user!")
        return redirect(url_for("auth.login"))
    return render_template("register.html", form=form)
'''


def test_a_sqlalchemy_signup_is_captured_after_the_commit_that_gives_the_user_an_id():
    [signup] = [f for f in flows_in_source("app/auth/routes.py", MICROBLOG) if f.kind.value == "signup"]
    assert MICROBLOG.split("\n")[signup.insert_line - 1].strip() == "db.session.commit()"
    assert signup.user_id_expr == "str(user.id)"


def test_pk_is_only_used_in_django_code():
    fastapi = (
        "from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.post('/signup')\n"
        "def register_user(session: SessionDep, user_in: UserRegister):\n"
        "    user = crud.create_user(session=session, user_create=user_in)\n    return user\n"
    )
    django = "from django.contrib.auth.models import User\n\n" + fastapi.split("\n\n", 1)[1]
    assert [f.user_id_expr for f in flows_in_source("users.py", fastapi)] == ["str(user.id)"]
    assert [f.user_id_expr for f in flows_in_source("users.py", django)] == ["str(user.pk)"]


RESET = '''from flask import redirect, render_template

@bp.route("/reset_password/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = User.verify_reset_password_token(token)
    if not user:
        return redirect(url_for("main.index"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        db.session.commit()
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
'''


def test_a_form_view_is_captured_in_its_submitted_branch_not_on_the_get_path():
    [reset] = flows_in_source("app/auth/routes.py", RESET)
    assert RESET.split("\n")[reset.insert_line].strip() == 'return redirect(url_for("auth.login"))'


def test_an_id_the_code_reads_with_optional_chaining_keeps_it_and_is_sent_as_undefined_when_empty():
    source = (
        'import Stripe from "stripe";\nexport async function POST(req: Request) {\n'
        "  const event = stripe.webhooks.constructEvent(body, signature, secret);\n"
        "  const session = event.data.object as Stripe.Checkout.Session;\n"
        '  if (event.type === "checkout.session.completed") {\n'
        "    await db.user.update({ where: { id: session?.metadata?.userId }, data: { paid: true } });\n"
        "  }\n  return new Response(null, { status: 200 });\n}\n"
    )
    [paid] = flows_in_source("app/api/webhooks/stripe/route.ts", source)
    assert paid.user_id_expr == "session?.metadata?.userId?.toString()"  # TS: metadata may be null


AUTHORIZE = """import NextAuth from 'next-auth';
import bcrypt from 'bcrypt';
import { posthog } from './lib/posthog-server';

export const { auth } = NextAuth({
  providers: [
    Credentials({
      async authorize(credentials) {
        const user = await getUser(credentials.email);
        if (!user) return null;
        const passwordsMatch = await bcrypt.compare(credentials.password, user.password);
        if (passwordsMatch) return user;
        console.log('Invalid credentials');
        return null;
      },
    }),
  ],
});
"""


def test_a_login_that_returns_the_user_from_a_positive_test_is_captured_on_that_path_only():
    from lsp_server.analysis.model import Package
    from lsp_server.edits import BundledSnippets, plan_flow_tracking
    from lsp_server.edits.apply import apply_edits
    from tests.edits_support import error_nodes

    [login] = [f for f in flows_in_source("auth.ts", AUTHORIZE) if f.kind.value == "login"]
    pkg = Package(path=".", framework="nextjs-app-router", language="typescript", package_manager="npm")
    edited = apply_edits(AUTHORIZE, plan_flow_tracking(AUTHORIZE, "auth.ts", login, pkg, BundledSnippets()))
    line = next(x for x in edited.split("\n") if "passwordsMatch)" in x)
    assert line.startswith("        if (passwordsMatch) { posthog.identify(") and line.endswith("return user; }")
    assert "user_logged_in" in line and error_nodes(edited, "auth.ts") == []
    assert "posthog.capture" not in edited.split("console.log")[1]  # nothing on the wrong-password path


CLERK_WEBHOOK = """import { Webhook } from 'svix';
import { createUser, deleteUser } from '@/lib/actions/user.actions';

export async function POST(req: Request) {
  const evt = wh.verify(body, headers) as WebhookEvent;
  const eventType = evt.type;
  if (eventType === 'user.created') {
    const { id, email_addresses, username } = evt.data;
    const user = { clerkId: id, email: email_addresses[0].email_address, username: username! };
    const newUser = await createUser(user);
    return NextResponse.json({ message: 'OK', user: newUser });
  }
  if (eventType === 'user.deleted') {
    const { id } = evt.data;
    const deletedUser = await deleteUser(id!);
    return NextResponse.json({ message: 'OK', user: deletedUser });
  }
  return new Response('', { status: 200 });
}
"""


def test_an_id_is_never_read_from_a_variable_of_another_branch_or_an_object_without_one():
    flows = {f.kind.value: f for f in flows_in_source("app/api/webhooks/clerk/route.ts", CLERK_WEBHOOK)}
    assert flows["signup"].user_id_expr == "id"  # `user = { clerkId: id, … }` has no .id: the Clerk id is `id`
    assert flows["account_deleted"].user_id_expr == "id"  # `user` of the created branch is not in scope here


SERVER_SIGNOUT = """import { signOut } from '@/auth';
import Link from 'next/link';

export default function SideNav() {
  return (
    <div>
      <form
        action={async () => {
          'use server';
          await signOut();
        }}
      >
        <button>Sign Out</button>
      </form>
    </div>
  );
}
"""
CLIENT_SIGNOUT = """'use client';
import { signOut } from 'next-auth/react';
export function LogoutButton() {
  async function handleLogout() {
    await signOut({ redirect: false });
    router.push('/');
  }
  return <button onClick={handleLogout}>Log out</button>;
}
"""


def test_an_auth_js_server_action_logout_is_captured_before_sign_out_throws_its_redirect():
    [server] = flows_in_source("app/ui/dashboard/sidenav.tsx", SERVER_SIGNOUT)
    assert SERVER_SIGNOUT.split("\n")[server.insert_line].strip() == "await signOut();"
    [client] = flows_in_source("components/logout.tsx", CLIENT_SIGNOUT)  # the browser: after signOut, then reset
    assert CLIENT_SIGNOUT.split("\n")[client.insert_line].strip() == "router.push('/');"


FIREBASE_CONTEXT = """import React, { useContext } from "react"
import { auth } from "../firebase"

export function AuthProvider({ children }) {
  function signup(email, password) {
    return auth.createUserWithEmailAndPassword(email, password)
  }

  function login(email, password) {
    return auth.signInWithEmailAndPassword(email, password)
  }

  function resetPassword(email) {
    return auth.sendPasswordResetEmail(email)
  }
  return children
}
"""


def test_a_returned_auth_promise_is_captured_when_it_resolves_not_before_the_attempt():
    from lsp_server.analysis.model import Package
    from lsp_server.edits import BundledSnippets, plan_flow_tracking
    from lsp_server.edits.apply import apply_edits
    from tests.edits_support import error_nodes

    pkg = Package(path=".", framework="react-spa", language="javascript", package_manager="npm")
    path = "src/contexts/AuthContext.js"
    [login] = [f for f in flows_in_source(path, FIREBASE_CONTEXT) if f.kind.value == "login"]
    edited = apply_edits(FIREBASE_CONTEXT, plan_flow_tracking(FIREBASE_CONTEXT, path, login, pkg, BundledSnippets()))
    assert (
        "    return auth.signInWithEmailAndPassword(email, password).then((result) => { "
        'posthog.capture("user_logged_in", { login_method: "password" }); return result; })'
    ) in edited
    assert error_nodes(edited, path) == []


def test_a_python_name_assigned_at_the_top_of_the_function_body_is_in_scope_wherever_the_capture_lands():
    """Tree-sitter hands out a new node object on every access: the "top of the body" check compares nodes with
    `==` (an identity check never matched, so only the body's line span decided)."""
    from lsp_server.analysis import user_ids
    from lsp_server.analysis.functions import extract_units
    from lsp_server.analysis.parsing import parse
    from lsp_server.analysis.vocabulary import load

    source = "def signup(request):\n    user = create_user(request)\n    if user:\n        send_welcome(user)\n"
    doc = parse(source, "python")
    [unit] = [u for u in extract_units(doc, load(), "accounts/views.py") if u.symbol == "signup"]
    below_the_body = (unit.node.end_point[0] + 2, 0)  # past the block's last line (+1 is what the span allows)
    assert user_ids._in_scope(doc, unit, "str(user.id)", below_the_body)
    nested = "def signup(request):\n    if request.POST:\n        user = create_user(request)\n    send_welcome()\n"
    doc = parse(nested, "python")
    [unit] = [u for u in extract_units(doc, load(), "accounts/views.py") if u.symbol == "signup"]
    assert not user_ids._in_scope(doc, unit, "str(user.id)", (unit.node.end_point[0] + 2, 0))  # bound in the `if`
