"""Shapes the session-5 held-out evaluation missed, each with a look-alike that must stay silent: tRPC procedures keyed
`create` in a router named for the flow, remix-auth on any instance name and flat route files, Hono cookies cleared
through the context, `export const POST` under any `routes/` folder, allauth's `save_user` adapter hook, Flask form
stubs, abbreviated reset routes (`forgotpass`), and browser subscription cancels. Each snippet is a small app written
for this test."""

from __future__ import annotations

import pytest

from lsp_server.analysis.vocabulary import load
from tests.flows_support import flows_in_source


def _flows(path: str, source: str) -> dict[str, object]:
    """The flows of one snippet by kind; a file holding a flow must pass the scan prefilter (by its text or path)."""
    found = flows_in_source(path, source)
    vocab = load()
    assert not found or vocab.might_contain_flow(source) or vocab.path_may_hold_flow(path), "a scan would skip it"
    return {f.kind.value: f for f in found}


# --- tRPC: a procedure keyed `create` takes the words of its router or file ---------------------------------------

TRPC = """
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const {router} = createTRPCRouter({
  create: publicProcedure
    .input(z.object({ email: z.string(), password: z.string() }))
    .mutation(async ({ ctx, input }) => {
      return ctx.db.{model}.create({ data: { email: input.email, password: input.password } });
    }),
});
"""


@pytest.mark.parametrize(
    ("path", "router"),
    [("src/server/routers/accounts.ts", "registerRouter"), ("src/server/routers/sign-up.ts", "authRouter")],
)
def test_trpc_create_procedure_in_a_signup_router_or_file_is_a_signup(path, router):
    flows = _flows(path, TRPC.replace("{router}", router).replace("{model}", "user"))
    assert "signup" in flows
    assert flows["signup"].symbol == "create"
    assert flows["signup"].needs_identify


def test_trpc_create_procedure_saving_a_post_in_a_post_router_is_no_flow():
    assert _flows("src/server/routers/post.ts", TRPC.replace("{router}", "postRouter").replace("{model}", "post")) == {}


# --- remix-auth on any instance, flat route files ------------------------------------------------------------------

REMIX_SESSION = """
import type { ActionFunctionArgs } from "@remix-run/node";
import { auth } from "~/lib/auth.server";
import { sessions } from "~/lib/session.server";

export async function action({ request }: ActionFunctionArgs) {
  const user = await auth.authenticate("password", request);
  const session = await sessions.getSession(request.headers.get("Cookie"));
  session.set("userId", user.id);
  return redirect("/home", { headers: { "Set-Cookie": await sessions.commitSession(session) } });
}
"""

REMIX_REDIRECT = """
import type { ActionFunctionArgs } from "@remix-run/node";
import { auth } from "~/lib/auth.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  await auth.authenticate("form", request, { successRedirect: "/home", failureRedirect: "/signin" });
};
"""


def test_remix_auth_on_an_instance_named_auth_is_a_login_that_identifies():
    flows = _flows("app/routes/auth.form.login.tsx", REMIX_SESSION)
    assert "login" in flows
    assert flows["login"].needs_identify
    assert any("route /auth.form.login" in e for e in flows["login"].evidence)  # `form` in a route vetoes nothing


def test_remix_auth_with_success_redirect_captures_before_the_call_and_asks_for_no_identify():
    flows = _flows("app/routes/signin.tsx", REMIX_REDIRECT)
    login = flows["login"]
    assert not login.needs_identify
    assert login.insert_line == REMIX_REDIRECT.splitlines().index(
        '  await auth.authenticate("form", request, { successRedirect: "/home", failureRedirect: "/signin" });'
    )


def test_passport_authenticate_middleware_factory_is_not_read_as_remix_auth():
    source = """
import passport from "passport";
export function authenticateJwt(options) {
  return passport.authenticate("jwt", { session: false });
}
"""
    assert _flows("src/lib/guards.ts", source) == {}


# --- Hono: cookies cleared through the context, inside a Promise executor ---------------------------------------------

HONO_LOGOUT = """
import type { Context } from "hono";

export default (c: Context) =>
  new Promise((resolve) => {
    c.cookie("account", "", { path: "/", httpOnly: true, maxAge: -1 });
    resolve(c.redirect("/"));
  });
"""


def test_hono_default_export_expiring_the_cookie_in_a_promise_is_a_logout():
    flows = _flows("src/routes/user/logout.tsx", HONO_LOGOUT)
    assert "logout" in flows
    assert flows["logout"].confidence >= 0.8


def test_hono_set_cookie_emptying_the_session_is_a_logout():
    source = """
import { setCookie } from "hono/cookie";
export const signOut = async (c) => {
  setCookie(c, "session", "", { path: "/" });
  return c.redirect("/");
};
"""
    assert "logout" in _flows("src/server/session.ts", source)


def test_hono_cookie_set_to_a_value_in_a_promise_is_no_logout():
    source = HONO_LOGOUT.replace('"account", ""', '"theme", "dark"').replace("maxAge: -1", "maxAge: 3600")
    assert _flows("src/routes/user/logout.tsx", source) == {}


# --- `export const POST` under any routes/ folder ---------------------------------------------------------------

HONOX_POST = """
import { deleteCookie } from "hono/cookie";
import { factory } from "../factory";

export const POST = factory.createHandlers(async (c) => {
  deleteCookie(c, c.env.SESSION_COOKIE);
  return c.json({});
});
"""


@pytest.mark.parametrize("path", ["api/interface/routes/auth.sign.out.ts", "server/routes/logout.ts"])
def test_http_method_export_under_a_routes_folder_is_a_route(path):
    flows = _flows(path, HONOX_POST)
    assert "logout" in flows
    assert any(e.startswith("route POST /") for e in flows["logout"].evidence)


def test_http_method_export_under_a_routes_folder_not_naming_a_flow_is_silent():
    assert _flows("api/interface/routes/preferences.ts", HONOX_POST) == {}


# --- allauth adapter hook --------------------------------------------------------------------------------------------

ADAPTER = """
from allauth.account.adapter import {base}


class ProjectAccountAdapter({base}):
    def {method}(self, request, user, form, commit=True):
        data = form.cleaned_data
        user.email = data["email"]
        if commit:
            user.save()
        return user
"""


def test_allauth_save_user_override_is_a_signup_identified_with_the_saved_user():
    source = ADAPTER.replace("{base}", "DefaultAccountAdapter").replace("{method}", "save_user")
    signup = _flows("accounts/adapters.py", source)["signup"]
    assert signup.needs_identify
    assert "user.pk" in (signup.user_id_expr or "")
    assert source.splitlines()[signup.insert_line].strip() == "return user"


@pytest.mark.parametrize(("base", "method"), [("DefaultAccountAdapter", "new_user"), ("BaseAdapter", "save_user")])
def test_adapter_new_user_or_an_unrelated_save_user_is_no_signup(base, method):
    source = ADAPTER.replace("{base}", base).replace("{method}", method).replace("allauth.account.adapter", "app.base")
    assert "signup" not in _flows("accounts/adapters.py", source)


SIGNUP_FORM = """
from allauth.account.forms import SignupForm
from django import forms


class TeamSignupForm(SignupForm):
    team = forms.CharField(max_length=80)

    def save(self, request):
        user = super().save(request)
        user.profile.team = self.cleaned_data["team"]
        user.profile.save()
        return user
"""


def test_allauth_signup_form_save_override_is_a_signup():
    signup = _flows("accounts/forms.py", SIGNUP_FORM)["signup"]
    assert signup.needs_identify
    assert SIGNUP_FORM.splitlines()[signup.insert_line].strip() == "return user"


def test_a_django_form_named_signup_form_without_allauth_is_no_declared_signup():
    source = SIGNUP_FORM.replace("allauth.account.forms", "app.forms")
    assert "signup" not in _flows("accounts/forms.py", source)


# --- Flask form stubs -------------------------------------------------------------------------------------------------

FLASK_LOGIN = """
from flask import flash, redirect, render_template
from app.auth import bp
from app.auth.forms import SignInForm
{imports}

@bp.route("/login", methods=["GET", "POST"])
def login():
    form = SignInForm()
    if form.validate_on_submit():
{body}
        return redirect("/")
    return render_template("login.html", form=form)
"""


def test_flask_login_stub_that_only_validates_the_form_and_flashes_is_no_login():
    body = '        flash("Login requested for {}".format(form.username.data))'
    assert _flows("app/auth/routes.py", FLASK_LOGIN.replace("{imports}", "").replace("{body}", body)) == {}


def test_flask_login_that_logs_the_user_in_after_validating_the_form_is_a_login():
    body = (
        "        user = User.query.filter_by(username=form.username.data).first()\n"
        "        login_user(user, remember=form.remember_me.data)"
    )
    imports = "from flask_login import login_user\nfrom app.models import User"
    flows = _flows("app/auth/routes.py", FLASK_LOGIN.replace("{imports}", imports).replace("{body}", body))
    assert flows["login"].needs_identify


# --- abbreviated reset routes -----------------------------------------------------------------------------------------

RESET_REQUEST = """
import crypto from "crypto";
import { prisma } from "../../../lib/db";
import { mailer } from "../../../lib/mail";

export default async function handler(req, res) {
  const user = await prisma.user.findUnique({ where: { email: req.body.email } });
  const token = crypto.randomBytes(32).toString("hex");
  await prisma.resetToken.create({ data: { token, userId: user.id } });
  await mailer.sendMail({ to: user.email, subject: "Your link" });
  res.status(200).json({ ok: true });
}
"""


@pytest.mark.parametrize("stem", ["forgotpass", "resetpwd", "reset_pw", "lost-passwd", "forgotPass"])
def test_abbreviated_reset_route_is_a_password_reset(stem):
    source = RESET_REQUEST.replace("resetToken", "loginLink")  # only the route says "reset"
    flow = _flows(f"pages/api/auth/{stem}.ts", source)["password_reset"]
    assert any(e.startswith("route ") for e in flow.evidence)


@pytest.mark.parametrize("stem", ["pwdhash", "passport", "reset-passenger", "pw-strength"])
def test_password_look_alike_route_is_no_password_reset(stem):
    source = RESET_REQUEST.replace("resetToken", "loginLink")  # the route alone must not say "reset"
    assert "password_reset" in _flows("pages/api/auth/forgotpass.ts", source)
    assert "password_reset" not in _flows(f"pages/api/auth/{stem}.ts", source)


def test_handler_saving_a_reset_token_and_sending_mail_is_a_password_reset_whatever_its_route():
    flows = _flows("pages/api/auth/sendlink.ts", RESET_REQUEST)
    assert not flows["password_reset"].needs_identify


def test_handler_saving_a_session_row_and_sending_mail_is_no_password_reset():
    source = RESET_REQUEST.replace("resetToken", "loginLink")
    assert "password_reset" not in _flows("pages/api/auth/sendlink.ts", source)


# --- browser subscription cancels -----------------------------------------------------------------------------------

CANCEL_NAMED = """
<script setup>
import axios from "axios";
import { ref } from "vue";
const password = ref("");
function cancelSubscription() {
  axios.delete("billing", { data: { password: password.value } }).then(() => {
    notice.value = "Cancelled";
  });
}
</script>
"""

CANCEL_URL = """
import axios from "axios";
export function cancel() {
  if (confirm("Cancel your plan?")) {
    axios.post("subscription/cancel").then(() => reload());
  }
}
"""


def test_vue_cancel_subscription_sending_a_delete_is_a_cancellation():
    flows = _flows("src/views/CancelSubscription.vue", CANCEL_NAMED)
    assert flows["subscription_cancelled"].confidence >= 0.7


def test_cancel_function_posting_to_a_subscription_cancel_url_is_a_cancellation():
    assert "subscription_cancelled" in _flows("src/billing/actions.js", CANCEL_URL)


@pytest.mark.parametrize(
    "source",
    [
        CANCEL_NAMED.replace('axios.delete("billing", { data: { password: password.value } })', "Promise.resolve()"),
        CANCEL_URL.replace("axios.post", "axios.get"),
        "export function cancel() { showDialog.value = false; router.push('/subscription/cancel'); }\n",
    ],
    ids=["no-request", "read-only-request", "navigation"],
)
def test_cancel_that_sends_no_write_request_is_no_cancellation(source):
    path = "src/views/CancelSubscription.vue" if "<script" in source else "src/billing/actions.js"
    assert "subscription_cancelled" not in _flows(path, source)


# --- while typing: units re-created from memory give the same flows ---------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("src/routes/user/logout.tsx", HONO_LOGOUT),
        ("src/server/routers/sign-up.ts", TRPC.replace("{router}", "authRouter").replace("{model}", "user")),
        ("accounts/adapters.py", ADAPTER.replace("{base}", "DefaultAccountAdapter").replace("{method}", "save_user")),
    ],
)
def test_typing_below_these_shapes_keeps_their_flows(monkeypatch, path, source):
    from lsp_server.analysis import functions, parsing
    from lsp_server.analysis.document import analyze_document
    from lsp_server.analysis.memo import BoundedMemo

    monkeypatch.setattr(functions, "_MEMO_MIN_BYTES", 0)  # small snippets: remember them too
    monkeypatch.setattr(parsing, "_REUSE_MIN_BYTES", 0)
    monkeypatch.setattr(functions, "_memo", BoundedMemo(max_entries=1000, max_bytes=1_000_000))
    cold = [(f.kind, f.symbol, f.insert_line) for f in analyze_document(path, source).flows]
    assert cold
    comment = "# typed\n" if path.endswith(".py") else "// typed\n"
    for tail in (comment, comment * 2, comment * 3):  # the memory serves the unchanged statements from the 2nd edit
        typed = analyze_document(path, source + tail)
        assert [(f.kind, f.symbol, f.insert_line) for f in typed.flows] == cold
