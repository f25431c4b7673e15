"""Code that looks like a flow and is not one (or is one flow, not two): password re-checks in account actions (S4-3),
logout calls on a failed session and session-clearing helpers (S4-9), a `createSubscription` that only starts a Stripe
Checkout (S4-2), the app's own subscription table (item 5), a password check nobody acts on (15-ID-FP-1), and a
component calling the same file's service (item 8). Each with the look-alike that must stay a flow."""

from __future__ import annotations

from flows_support import flows_in_source

from lsp_server.analysis.model import Flow


def _kinds(flows: list[Flow]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in flows:
        out.setdefault(f.symbol, set()).add(f.kind.value)
    return out


# --- S4-3: password re-checks ----------------------------------------------------------------------------------------

SVELTEKIT_ACCOUNT = """import { fail, redirect } from '@sveltejs/kit'

export const actions = {
  updatePassword: async ({ request, locals: { supabase, safeGetSession } }) => {
    const { session } = await safeGetSession()
    if (!session) redirect(303, '/login')
    const formData = await request.formData()
    const { error } = await supabase.auth.signInWithPassword({
      email: session?.user.email || '',
      password: formData.get('currentPassword') as string,
    })
    if (error) return fail(400, { errorMessage: 'Incorrect current password' })
    await supabase.auth.updateUser({ password: formData.get('newPassword') as string })
    return { success: true }
  },
  signin: async ({ request, locals: { supabase } }) => {
    const formData = await request.formData()
    const { data, error } = await supabase.auth.signInWithPassword({
      email: formData.get('email') as string,
      password: formData.get('password') as string,
    })
    if (error) return fail(400, { errorMessage: error.message })
    redirect(303, '/account')
  },
}
"""


def test_password_recheck_in_an_update_password_action_is_no_login_but_the_sign_in_action_is():
    kinds = _kinds(flows_in_source("src/routes/account/api/+page.server.ts", SVELTEKIT_ACCOUNT))
    assert "login" not in kinds.get("updatePassword", set())
    assert "login" in kinds["signin"]


def test_supabase_reauthenticate_helper_is_no_login_and_verify_login_or_otp_stay_logins():
    source = """import { supabase } from './supabase'
export async function reauthenticate(email: string, password: string) {
  const { error } = await supabase.auth.signInWithPassword({ email, password })
  if (error) throw error
}
export async function verifyOtp(email: string, token: string) {
  const { data, error } = await supabase.auth.verifyOtp({ email, token, type: 'email' })
  if (error) throw error
  return data.user
}
export async function verifyLogin(email: string, password: string) {
  const user = await prisma.user.findUnique({ where: { email }, include: { password: true } })
  const isValid = await bcrypt.compare(password, user.password.hash)
  if (!isValid) return null
  return user
}
"""
    kinds = _kinds(flows_in_source("src/lib/auth.ts", source))
    assert "reauthenticate" not in kinds
    assert kinds["verifyOtp"] == {"login"} and kinds["verifyLogin"] == {"login"}


DJANGO_ACCOUNT = '''from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def delete_account(request):
    user = authenticate(request, username=request.user.username, password=request.POST["password"])
    if user is None:
        return render(request, "delete.html", {"error": "wrong password"})
    user.delete()
    return redirect("home")


def login_view(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is not None:
        login(request, user)
        return redirect("home")
    return render(request, "login.html")
'''


def test_django_delete_account_confirming_the_password_is_a_deletion_not_a_login():
    kinds = _kinds(flows_in_source("accounts/views.py", DJANGO_ACCOUNT))
    assert kinds["delete_account"] == {"account_deleted"}
    assert kinds["login_view"] == {"login"}


# --- S4-9: one logout per user action --------------------------------------------------------------------------------

PROVIDE_SERVICE = """import { useState, useEffect } from "react";

export const useProvideService = () => {
  const [user, setUser] = useState(null);

  useEffect(() => {
    const token = localStorage.getItem("userToken");
    token
      ? fetch("/api/getUser").catch(async (err) => {
          await signout();
          console.error(err);
        })
      : setUser(null);
  }, []);

  const signout = async () => {
    setUser(null);
    return localStorage.clear();
  };

  return { user, signout };
};
"""


def test_stale_token_cleanup_calling_signout_is_not_a_second_logout():
    flows = flows_in_source("src/Context/useProvideService.js", PROVIDE_SERVICE)
    assert [(f.symbol, f.kind.value) for f in flows] == [("signout", "logout")]


def test_logout_in_a_401_interceptor_or_an_expiry_effect_is_no_logout_but_a_logout_page_effect_is():
    interceptor = """import axios from 'axios'
import { logout } from './auth'
const api = axios.create({ baseURL: '/api' })
api.interceptors.response.use((r) => r, async (error) => {
  if (error.response?.status === 401) {
    await logout()
    window.location.href = '/login'
  }
  return Promise.reject(error)
})
export default api
"""
    assert flows_in_source("src/api.js", interceptor) == []
    expiry = """import { useEffect } from 'react'
import { useAuth } from './AuthContext'
export default function App() {
  const { token, logout } = useAuth()
  useEffect(() => {
    if (token && isExpired(token)) {
      logout()
    }
  }, [token])
  return <Routes />
}
"""
    assert flows_in_source("src/App.jsx", expiry) == []
    page = """'use client'
import { useEffect } from 'react'
import { signOut } from 'next-auth/react'
export default function LogoutPage() {
  useEffect(() => {
    signOut({ callbackUrl: '/' })
  }, [])
  return <p>Signing you out…</p>
}
"""
    assert [f.kind.value for f in flows_in_source("app/logout/page.tsx", page)] == ["logout"]


def test_session_clearing_helper_called_by_the_logout_is_part_of_it():
    source = """import api from './api'
export function clearSession() {
  localStorage.removeItem('accessToken')
  localStorage.removeItem('user')
}
export async function logout() {
  await api.post('/auth/logout')
  clearSession()
  window.location.href = '/login'
}
"""
    assert [(f.symbol, f.kind.value) for f in flows_in_source("src/auth.js", source)] == [("logout", "logout")]
    alone = source.replace("  clearSession()\n", "")  # not called by the logout: a logout of its own
    assert {f.symbol for f in flows_in_source("src/auth.js", alone)} == {"clearSession", "logout"}


# --- S4-2 and item 5: billing look-alikes ----------------------------------------------------------------------------

CREATE_SUBSCRIPTION = """import User from "./user.js";
import { stripeApi } from "./stripe.js";

export const createSubscription = async (req, res) => {
  const user = await User.findById(req.user._id);
  if (user) {
    const session = await stripeApi.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ price: req.body.priceId, quantity: 1 }],
      customer: user.stripe_customer_id,
      success_url: "http://localhost:3000/success",
    });
    return res.status(200).json({ sessionId: session.id });
  }
  throw new Error("User Not found 401..");
};
"""


def test_create_subscription_handler_that_opens_a_checkout_is_a_checkout_start():
    kinds = _kinds(flows_in_source("Controllers/sub.js", CREATE_SUBSCRIPTION))
    assert kinds == {"createSubscription": {"checkout_started"}}
    direct = CREATE_SUBSCRIPTION.replace("stripeApi.checkout.sessions.create", "stripeApi.subscriptions.create")
    assert _kinds(flows_in_source("Controllers/sub.js", direct)) == {"createSubscription": {"subscription_created"}}


def _handler(call: str) -> str:
    return f"export async function handler(req, res) {{\n  const r = await {call};\n  res.json(r)\n}}\n"


def test_own_subscription_table_writes_are_no_billing_flows():
    for call in (
        "db.subscriptions.update(req.params.id, { plan: req.body.plan })",
        "db.subscriptions.create({ userId: req.user.id })",
        "Subscription.create({ user: req.user.id, plan: req.body.plan })",
    ):
        assert flows_in_source("src/billing.js", _handler(call)) == [], call


def test_billing_client_subscription_calls_still_count():
    for call, kind in (
        ("stripe.subscriptions.update(req.params.id, { items })", "subscription_changed"),
        ("stripeApi.subscriptions.create({ customer })", "subscription_created"),
        ("getStripe().subscriptions.update(id, { items })", "subscription_changed"),
        ("this.stripe.subscriptions.cancel(id)", "subscription_cancelled"),
        ("paddle.subscriptions.update(id, { items })", "subscription_changed"),
        ("subscriptionService.cancelSubscription(id)", "subscription_cancelled"),
    ):
        assert [f.kind.value for f in flows_in_source("src/billing.js", _handler(call))] == [kind], call
    python = "import stripe\n\ndef handler(request):\n    sub = CALL\n    return sub\n"
    assert [f.kind.value for f in flows_in_source("billing/views.py", python.replace(
        "CALL", "stripe.Subscription.create(customer=request.user.customer_id)"))] == ["subscription_created"]
    assert flows_in_source("billing/views.py", python.replace("CALL", "Subscription.create(user=request.user)")) == []


# --- 15-ID-FP-1: a password check nobody acts on ---------------------------------------------------------------------

KOA_LOGIN = """const Router = require('koa-router')
const bcrypt = require('bcryptjs')
const api = new Router()
module.exports = api.post('/login', async ctx => {
  const { username, password } = ctx.request.body
  const foundUser = await User.findOne({ username })
  if (foundUser != null) {
    const result = await bcrypt.compare(password, foundUser.password)
    BODY
  }
})
"""


def test_login_route_that_only_logs_the_password_check_is_no_login():
    assert flows_in_source("server/router/api/index.js", KOA_LOGIN.replace("BODY", "console.log(result)")) == []
    python = '''from flask import request


@app.post("/login")
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    ok = check_password_hash(user.password_hash, request.form["password"])
    print(ok)
    return "done"
'''
    assert flows_in_source("app/views.py", python) == []


def test_login_route_acting_on_the_password_check_stays_a_login():
    for body in (
        "if (result) { ctx.session.userId = foundUser.id }",
        "ctx.body = { ok: result }",
        "console.log(result)\n    ctx.session.user = foundUser",
    ):
        flows = flows_in_source("server/router/api/index.js", KOA_LOGIN.replace("BODY", body))
        assert [f.kind.value for f in flows] == ["login"], body


# --- item 8: one flow for a component and the same file's service ----------------------------------------------------

ANGULAR = """import { Component, Injectable } from '@angular/core';
import { HttpClient } from '@angular/common/http';

@Injectable({ providedIn: 'root' })
export class AuthService {
  constructor(private http: HttpClient) {}
  login(credentials) {
    return this.http.post('/api/auth/login', credentials);
  }
}

@Component({ selector: 'app-login', template: '' })
export class LoginComponent {
  constructor(private authService: AuthService, private router: Router) {}
  onSubmit() {
    this.authService.login(this.form.value).subscribe((user) => {
      localStorage.setItem('token', user.token);
      this.router.navigate(['/']);
    });
  }
}
"""


def test_component_calling_the_same_files_login_service_is_one_login_where_the_user_is():
    flows = flows_in_source("src/app/auth.ts", ANGULAR)
    assert [(f.symbol, f.kind.value) for f in flows] == [("LoginComponent.onSubmit", "login")]
    (flow,) = flows
    assert flow.user_id_expr == "user.id"  # the success callback has the user: the identify goes there


def test_component_calling_a_library_login_next_to_a_same_named_local_function_keeps_both():
    source = """import { supabase } from './supabase'
export async function signUp(email, password) {
  const { data, error } = await supabase.auth.signUp({ email, password })
  if (error) throw error
  return data.user
}
export async function handleInvite(email, password) {
  const { data } = await supabase.auth.signUp({ email, password, options: { data: { invited: true } } })
  return data.user
}
"""
    assert {f.symbol for f in flows_in_source("src/auth.js", source)} == {"signUp", "handleInvite"}
