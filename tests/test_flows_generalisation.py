"""Shapes seen in real open-source apps outside the fixture apps: redirect sign-in starts that cannot identify,
DRF token views, Nest services, tRPC / FastAPI signups named `create`, remix-auth actions, and route stubs
that only answer with text. Each snippet is a small app written for this test."""

from __future__ import annotations

import pytest

from lsp_server.analysis.vocabulary import load
from tests.flows_support import flows_in_source


def _flows(path: str, source: str) -> list:
    """The flows of one snippet; a file holding a flow must pass the scan prefilter (by its text or its path)."""
    found = flows_in_source(path, source)
    vocab = load()
    assert not found or vocab.might_contain_flow(source) or vocab.path_may_hold_flow(path), "a scan would skip it"
    return found


def _kinds(path: str, source: str) -> dict[tuple[str, str], object]:
    return {(f.kind.value, f.symbol): f for f in _flows(path, source)}


# --- login starts: the user is only known after the redirect, so no identify is asked for -------------------------

REDIRECT_STARTS = {
    "lib/oauth.ts": """
import { createClient } from "@/lib/supabase/client";

export const continueWithGitlab = async () => {
  const supabase = createClient();
  await supabase.auth.signInWithOAuth({ provider: "gitlab", options: { redirectTo: `${origin}/auth/callback` } });
};
""",
    "src/components/HeaderLogin.jsx": """
import { useAuth0 } from "@auth0/auth0-react";

export default function HeaderLogin() {
  const { loginWithRedirect } = useAuth0();
  const handleLogin = () => loginWithRedirect({ appState: { returnTo: "/inbox" } });
  return <button onClick={handleLogin}>Log in</button>;
}
""",
    "src/app/signin/page.tsx": """
"use client";
import { signIn } from "next-auth/react";

export default function SignInPage() {
  const handleGithub = () => signIn("github", { callbackUrl: "/projects" });
  return <button onClick={handleGithub}>Continue with GitHub</button>;
}
""",
    "src/app/login/form.tsx": """
"use client";
import { signIn } from "next-auth/react";

export function LoginForm() {
  const handleSubmit = async (values) => {
    await signIn("credentials", { email: values.email, password: values.password, callbackUrl: "/home" });
  };
  return <form onSubmit={handleSubmit} />;
}
""",
}


@pytest.mark.parametrize("path", sorted(REDIRECT_STARTS))
def test_redirect_sign_in_start_is_a_login_that_asks_for_no_identify(path):
    flows = [f for f in _flows(path, REDIRECT_STARTS[path]) if f.kind.value == "login"]
    assert len(flows) == 1, flows
    assert not flows[0].needs_identify
    assert flows[0].event == "login_started"


def test_sign_in_that_returns_to_the_page_still_asks_for_identify():
    source = """
"use client";
import { signIn } from "next-auth/react";

export function LoginForm() {
  const handleSubmit = async (values) => {
    const res = await signIn("credentials", { ...values, redirect: false });
    if (res?.ok) router.push("/home");
  };
  return <form onSubmit={handleSubmit} />;
}
"""
    (flow,) = [f for f in _flows("src/app/login/form.tsx", source) if f.kind.value == "login"]
    assert flow.needs_identify and flow.event == "user_logged_in"


def test_password_sign_in_next_to_an_oauth_button_still_asks_for_identify():
    source = """
import { supabase } from "./client";

export async function handleLogin(email, password) {
  const { data, error } = await supabase.auth.signInWithPassword({ email, password });
  if (error) throw error;
  return data;
}

export async function handleGoogle() {
  await supabase.auth.signInWithOAuth({ provider: "google" });
}
"""
    flows = _kinds("src/auth.js", source)
    assert flows[("login", "handleLogin")].needs_identify
    assert not flows[("login", "handleGoogle")].needs_identify


# --- server-side login shapes -------------------------------------------------------------------------------------


def test_drf_obtain_auth_token_subclass_is_a_login():
    source = """
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class MemberToken(ObtainAuthToken):
    def post(self, request, *args, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        member = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=member)
        return Response({"token": token.key, "member": member.pk})
"""
    flows = _kinds("members/api.py", source)
    assert set(flows) == {("login", "MemberToken.post")}


def test_view_subclassing_a_plain_template_view_is_no_flow():
    source = """
from django.views.generic import TemplateView


class MemberDashboard(TemplateView):
    template_name = "dashboard.html"

    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
"""
    assert _flows("members/views.py", source) == []


def test_nest_service_login_signing_a_jwt_is_a_login():
    source = """
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

@Injectable()
export class SessionService {
  constructor(private readonly jwt: JwtService) {}

  async login(account: { id: string; email: string }) {
    return { token: await this.jwt.signAsync({ sub: account.id, email: account.email }) };
  }
}
"""
    assert set(_kinds("src/session/session.service.ts", source)) == {("login", "SessionService.login")}


def test_remix_auth_form_action_is_a_login():
    source = """
import type { ActionFunctionArgs } from "@remix-run/node";
import { auth } from "~/auth.server";

export async function action({ request }: ActionFunctionArgs) {
  return auth.authenticator.authenticate("user-pass", request, { successRedirect: "/notes" });
}
"""
    assert [f.kind.value for f in _flows("app/routes/sign-in.tsx", source)] == ["login"]


# --- signups whose name says nothing: a password hash plus a user insert -------------------------------------------


def test_trpc_create_procedure_hashing_a_password_is_a_signup():
    source = """
import bcrypt from "bcryptjs";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "~/server/api/trpc";

export const memberRouter = createTRPCRouter({
  create: publicProcedure
    .input(z.object({ email: z.string(), password: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const hashed = await bcrypt.hash(input.password, 12);
      return ctx.db.user.create({ data: { email: input.email, password: hashed } });
    }),
});
"""
    (flow,) = _flows("src/server/api/routers/member.ts", source)
    assert (flow.kind.value, flow.symbol) == ("signup", "create")
    assert flow.needs_identify


def test_fastapi_user_creation_with_a_hashed_password_is_a_signup():
    source = """
from fastapi import APIRouter, Depends

router = APIRouter()


@router.post("/members")
def add_member(payload: MemberIn, db=Depends(get_db)):
    member = Member(email=payload.email, password=hasher.hash(payload.password))
    db.add(member)
    db.commit()
    return member
"""
    assert [(f.kind.value, f.symbol) for f in _flows("app/routers/members.py", source)] == [("signup", "add_member")]


def test_password_change_that_hashes_and_saves_is_no_signup():
    source = """
from fastapi import APIRouter, Depends

router = APIRouter()


@router.post("/me/password")
def change_password(payload: PasswordIn, user=Depends(current_user), db=Depends(get_db)):
    user.password = hasher.hash(payload.new_password)
    db.add(user)
    db.commit()
    return {"ok": True}
"""
    assert _flows("app/routers/me.py", source) == []


# --- route stubs ---------------------------------------------------------------------------------------------------


def test_hono_signup_route_that_only_answers_text_is_no_flow():
    source = """
import { Hono } from "hono";

const app = new Hono();

app.post("/api/signup", (c) => {
  // TODO: create the user and set a cookie
  return c.text("signed up");
});
app.post("/api/signin", (c) => c.json({ ok: true }));

export default app;
"""
    assert _flows("src/index.ts", source) == []


# --- token views and JWT routes without a login name ---------------------------------------------------------------


def test_drf_token_view_on_a_generic_api_view_is_a_login():
    source = """
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response


class GetApiKey(GenericAPIView):
    serializer_class = AuthTokenSerializer

    def post(self, request):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"key": token.key})
"""
    assert set(_kinds("api/keys.py", source)) == {("login", "GetApiKey.post")}


def test_drf_register_view_creating_a_token_is_a_signup_not_a_login():
    source = """
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView
from rest_framework.response import Response


class RegisterView(APIView):
    def post(self, request):
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = serializer.save()
        token, _ = Token.objects.get_or_create(user=member)
        return Response({"token": token.key}, status=201)
"""
    assert set(_kinds("api/views.py", source)) == {("signup", "RegisterView.post")}


def test_fastify_auth_route_issuing_a_jwt_is_a_login():
    source = """
export default async function routes(app) {
  app.post("/auth", async (request, reply) => {
    const account = await app.accounts.check(request.body.email, request.body.password);
    if (!account) return reply.code(401).send();
    return { token: app.jwt.sign({ sub: account.id }) };
  });
}
"""
    assert [(f.kind.value, f.symbol) for f in _flows("routes/auth.js", source)] == [("login", "POST /auth")]


def test_sveltekit_default_action_checking_a_password_and_setting_a_cookie_is_a_login():
    source = """
import { fail, redirect } from "@sveltejs/kit";

export const actions = {
  default: async ({ request, cookies }) => {
    const form = await request.formData();
    const member = await members.verify(form.get("email"), form.get("password"));
    if (!member) return fail(400, { wrong: true });
    cookies.set("sid", member.session, { path: "/" });
    throw redirect(303, "/");
  },
};
"""
    (flow,) = _flows("src/routes/+page.server.ts", source)
    assert flow.kind.value == "login" and flow.needs_identify


def test_sveltekit_join_action_with_the_same_shape_is_no_login():
    source = """
export const actions = {
  join: async ({ request, cookies }) => {
    const form = await request.formData();
    const member = await members.add(form.get("email"), form.get("password"));
    cookies.set("sid", member.session, { path: "/" });
  },
};
"""
    assert [f.kind.value for f in _flows("src/routes/welcome/+page.server.ts", source)] != ["login"]


# --- webhooks dispatching to helpers, user ids, redirecting payments ----------------------------------------------


def test_webhook_branch_calling_a_reported_helper_is_reported_once():
    source = """
export async function POST(req: Request) {
  const { type, data } = await req.json();
  if (type === "user.deleted") {
    return removeMember(data);
  }
  return new Response("ignored");
}

const removeMember = async (data: { id: string }) => {
  await db.user.delete({ where: { externalId: data.id } });
  return new Response("ok");
};
"""
    flows = [(f.kind.value, f.symbol) for f in _flows("src/app/api/auth-webhook/route.ts", source)]
    assert flows == [("account_deleted", "removeMember")]


def test_user_id_of_a_dict_user_uses_the_key_the_function_reads():
    source = """
from fastapi import APIRouter, Depends

router = APIRouter()


@router.post("/billing/checkout")
def checkout(user: dict = Depends(current_user)):
    meta = {"u": user["uid"]}
    session = stripe.checkout.Session.create(mode="subscription", customer_email=user["email"], metadata=meta)
    return {"url": session.url}
"""
    (flow,) = _flows("app/billing.py", source)
    assert flow.user_id_expr == 'str(user["uid"])'


def test_user_variable_holding_an_email_is_not_used_as_the_user_id():
    source = """
export default async function closeAccount(req, res) {
  const user = req.session.user.email;
  await req.db.users.deleteOne({ email: user });
  req.session.destroy();
  res.json({ ok: true });
}
"""
    (flow,) = _flows("src/handlers/closeAccount.js", source)
    assert flow.kind.value == "account_deleted" and flow.user_id_expr != "user.id"


def test_redirecting_confirm_payment_is_no_payment_success_but_one_that_stays_on_the_page_is():
    redirecting = """
export default function PayForm() {
  const handlePay = async () => {
    const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: `${origin}/paid` } });
    if (error) setMessage(error.message);
  };
  return <button onClick={handlePay}>Pay</button>;
}
"""
    staying = redirecting.replace("confirmParams: { return_url: `${origin}/paid` }", 'redirect: "if_required"')
    assert [f.kind.value for f in _flows("src/PayForm.jsx", redirecting)] == []
    assert [f.kind.value for f in _flows("src/PayForm.jsx", staying)] == ["payment_succeeded"]


def test_newsletter_signup_route_is_no_account_signup():
    source = """
router.post("/signup", async (req, res) => {
  await axios.post(`https://${dc}.api.mailchimp.com/3.0/lists/${listId}/members`, { email_address: req.body.email });
  res.redirect("/?subscribed=1");
});
"""
    assert _flows("routes/signup.js", source) == []


def test_account_signup_that_also_joins_the_newsletter_is_still_a_signup():
    source = """
router.post("/signup", async (req, res) => {
  const hashed = await bcrypt.hash(req.body.password, 10);
  const user = await User.create({ email: req.body.email, password: hashed });
  await mailchimp.lists.addListMember(listId, { email_address: user.email });
  res.json({ id: user.id });
});
"""
    assert [f.kind.value for f in _flows("routes/signup.js", source)] == ["signup"]


def test_nest_controller_stubs_with_empty_or_constant_bodies_are_no_flows():
    source = """
import { Body, Controller, HttpCode, Post } from '@nestjs/common';

@Controller('auth')
export class AuthController {
  @Post('register')
  async register(@Body() dto: CredentialsDto) {}

  @HttpCode(200)
  @Post('login')
  login(@Body() dto: CredentialsDto) {
    return 'todo';
  }
}
"""
    assert _flows("src/auth/auth.controller.ts", source) == []


def test_nest_controller_delegating_to_its_service_is_a_login():
    source = """
import { Body, Controller, Post } from '@nestjs/common';

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  login(@Body() dto: CredentialsDto) {
    return this.auth.login(dto);
  }
}
"""
    assert [(f.kind.value, f.symbol) for f in _flows("src/auth/auth.controller.ts", source)] == [
        ("login", "AuthController.login")
    ]


def test_trpc_login_procedure_saving_the_session_is_a_login():
    source = """
import { publicProcedure } from "@/server/trpc";

export const signInProcedure = publicProcedure
  .input(credentials)
  .mutation(async ({ ctx, input }) => {
    const member = await ctx.db.member.findFirst({ where: { email: input.email } });
    if (!member) throw new TRPCError({ code: "UNAUTHORIZED" });
    ctx.session.memberId = member.id;
    await ctx.session.save();
    return member;
  });
"""
    assert [(f.kind.value, f.symbol) for f in _flows("src/server/routers/auth/sign-in.ts", source)] == [
        ("login", "signInProcedure")
    ]


def test_koa_register_route_that_echoes_the_body_is_no_flow():
    source = """
router.post("/register", async (ctx) => {
  console.log(ctx.request.body);
  ctx.status = 200;
  ctx.body = ctx.request.body;
});
"""
    assert _flows("server/controllers/member.js", source) == []


def test_webhook_helpers_named_by_the_event_behind_a_namespace_are_flows():
    source = """
export const billing_handleSubscriptionDeleted = async (subscription, customer) => {
  await Accounts.findOneAndUpdate({ customer }, { plan: "free" });
};

export const billing_handleSubscriptionCreated = async (subscription, customer) => {
  await Accounts.findOneAndUpdate({ customer }, { plan: subscription.plan.id });
};
"""
    assert {(f.kind.value, f.symbol) for f in _flows("services/billing/events.js", source)} == {
        ("subscription_cancelled", "billing_handleSubscriptionDeleted"),
        ("subscription_created", "billing_handleSubscriptionCreated"),
    }


def test_module_in_a_file_named_after_a_webhook_event_is_that_flow():
    source = """
const markFree = require("../billing/markFree");

module.exports = async (event) => {
  await markFree(event.data.object.customer);
};
"""
    flows = _flows("hooks/customer.subscription.deleted.js", source)
    assert [f.kind.value for f in flows] == ["subscription_cancelled"]


def test_paths_that_name_a_flow_are_kept_for_scanning_and_others_are_not():
    vocab = load()
    assert vocab.path_may_hold_flow("src/routes/login/+page.server.ts")
    assert vocab.path_may_hold_flow("hooks/invoice.payment_failed.js")
    assert not vocab.path_may_hold_flow("src/components/Avatar.tsx")


# --- React Query mutation hooks ------------------------------------------------------------------------------------


def test_mutation_hook_named_with_mutation_suffix_is_a_login_captured_in_on_success():
    source = """
import { useMutation } from "@tanstack/react-query";

const postCredentials = (body) => api.post("/members/login", body);

export const useSignInMutation = (navigate) =>
  useMutation(postCredentials, {
    onSuccess: ({ data }) => {
      localStorage.setItem("token", data.token);
      navigate("/");
    },
  });
"""
    flows = _flows("src/hooks/useSignInMutation.ts", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("login", "useSignInMutation")]
    assert flows[0].insert_line == 8  # first line of the onSuccess body, not the fetcher's request


def test_capitalised_function_returning_a_mutation_is_a_login():
    source = """
import { useMutation } from "@tanstack/react-query";

export default function LoginMember() {
  return useMutation({
    mutationFn: (data) => http.post("/login", data).then((r) => r.data),
    onSuccess: (data) => {
      localStorage.setItem("token", data.token);
    },
  });
}
"""
    assert [(f.kind.value, f.symbol) for f in _flows("src/lib/mutations/LoginMember.js", source)] == [
        ("login", "LoginMember")
    ]
