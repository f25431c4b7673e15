"""Auth and billing shapes seen on real apps whose kind or event is easy to get wrong: the first step of a two-factor
login, a NextAuth "Sign in" button, a Supabase signup awaiting email confirmation, a password reset's request versus
its completion, and opening Stripe's billing portal. Each snippet is a small app written for this test."""

from __future__ import annotations

from lsp_server.analysis.model import FlowKind
from tests.flows_support import flows_in_source


def _by_symbol(path: str, source: str, kind: FlowKind) -> dict[str, object]:
    return {f.symbol: f for f in flows_in_source(path, source) if f.kind == kind}


# --- two-factor logins: the first step only starts the login ---------------------------------------------------------

NEST_TWO_STEPS = """
import { Controller, Post, Body, Req, Res } from '@nestjs/common';

const TWO_FACTOR_AUTH_COOKIE_KEY = 'two_factor_auth';

@Controller('auth')
export class AuthController {
  constructor(private readonly authService: AuthService) {}

  @Post('login/credentials')
  async login(@Body() dto: LoginDto, @Res({ passthrough: true }) response: Response): Promise<void> {
    const pendingId = await this.authService.validateUserCredentials(dto.email, dto.password);
    response.cookie(TWO_FACTOR_AUTH_COOKIE_KEY, pendingId, { httpOnly: true });
  }

  @Post('login/2fa')
  async login2fa(@Body() body: CodeDto, @Req() req: Request, @Res({ passthrough: true }) response: Response) {
    const user = await this.authService.validateTwoFactorAuth(req.cookies[TWO_FACTOR_AUTH_COOKIE_KEY], body.code);
    const accessToken = await this.authService.generateAccessToken(user);
    response.cookie('access_token', accessToken, { httpOnly: true });
  }
}
"""


def test_the_password_step_of_a_two_factor_login_is_a_start_and_the_code_step_identifies():
    flows = _by_symbol("src/auth/auth.controller.ts", NEST_TWO_STEPS, FlowKind.LOGIN)
    first, second = flows["AuthController.login"], flows["AuthController.login2fa"]
    assert (first.event, first.needs_identify) == ("login_started", False)
    assert (second.event, second.needs_identify, second.user_id_expr) == ("user_logged_in", True, "user.id")


EXPRESS_OTP = """
const express = require('express');
const bcrypt = require('bcrypt');
const jwt = require('jsonwebtoken');
const router = express.Router();

router.post('/login', async (req, res) => {
  const user = await User.findOne({ email: req.body.email });
  if (!user || !(await bcrypt.compare(req.body.password, user.password))) return res.status(401).end();
  await sendOtp(user.email);
  res.json({ otpSent: true });
});

router.post('/login/verify-otp', async (req, res) => {
  const user = await verifyOtp(req.body.email, req.body.code);
  const token = jwt.sign({ id: user.id }, process.env.JWT_SECRET);
  res.json({ token });
});
"""


def test_a_login_that_sends_a_one_time_code_starts_and_the_code_check_completes_it():
    found = [f for f in flows_in_source("routes/auth.js", EXPRESS_OTP) if f.kind == FlowKind.LOGIN]
    by_event = {f.event: f for f in found}
    assert set(by_event) == {"login_started", "user_logged_in"}, [(f.symbol, f.event) for f in found]
    assert not by_event["login_started"].needs_identify and by_event["user_logged_in"].needs_identify


TWO_FACTOR_OPTIONAL = """
const jwt = require('jsonwebtoken');
const bcrypt = require('bcrypt');

async function login(req, res) {
  const user = await User.findOne({ email: req.body.email });
  if (!(await bcrypt.compare(req.body.password, user.password))) return res.status(401).end();
  if (user.twoFactorEnabled) {
    return res.json({ requires2fa: true });
  }
  const token = jwt.sign({ id: user.id }, process.env.JWT_SECRET);
  res.json({ token });
}
module.exports = { login };
"""


def test_a_login_whose_second_factor_is_optional_still_completes_without_it():
    [flow] = _by_symbol("controllers/auth.js", TWO_FACTOR_OPTIONAL, FlowKind.LOGIN).values()
    assert (flow.event, flow.needs_identify) == ("user_logged_in", True)


FLASK_TWO_STEPS = """
from flask import Blueprint, request, session, redirect, url_for
from flask_login import login_user

bp = Blueprint("auth", __name__)

@bp.route("/login", methods=["POST"])
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not user.check_password(request.form["password"]):
        return redirect(url_for("auth.login"))
    session["2fa_user_id"] = user.id
    return redirect(url_for("auth.verify_2fa"))

@bp.route("/verify-2fa", methods=["POST"])
def verify_2fa():
    user = User.query.get(session.pop("2fa_user_id"))
    if not user.verify_totp(request.form["code"]):
        return redirect(url_for("auth.verify_2fa"))
    login_user(user)
    return redirect(url_for("main.index"))
"""


def test_python_two_factor_login_identifies_only_after_the_code():
    flows = _by_symbol("app/auth/routes.py", FLASK_TWO_STEPS, FlowKind.LOGIN)
    assert (flows["login"].event, flows["login"].needs_identify) == ("login_started", False)
    assert (flows["verify_2fa"].event, flows["verify_2fa"].needs_identify) == ("user_logged_in", True)


# --- NextAuth sign-in buttons ---------------------------------------------------------------------------------------

NEXTAUTH_BUTTONS = """
"use client"
import { signIn } from "next-auth/react"

export function Header() {
  return (
    <a href="/api/auth/signin" onClick={(e) => { e.preventDefault(); signIn() }}>Sign in</a>
  )
}
export function SignInButton() {
  return <button onClick={signIn}>Sign in</button>
}
"""


def test_a_nextauth_sign_in_button_starts_a_login_without_identify():
    flows = _by_symbol("components/header.tsx", NEXTAUTH_BUTTONS, FlowKind.LOGIN)
    assert {f.event for f in flows.values()} == {"login_started"} and len(flows) == 2
    assert not any(f.needs_identify for f in flows.values())


def test_a_bare_sign_in_of_another_library_still_completes_a_login():
    source = """
import { signIn } from "@/lib/auth-client"
export function Form() {
  const handleSignIn = async () => { await signIn() }
  return <button onClick={handleSignIn}>Sign in</button>
}
"""
    [flow] = _by_symbol("components/form.tsx", source, FlowKind.LOGIN).values()
    assert (flow.event, flow.needs_identify) == ("user_logged_in", True)


# --- Supabase signup awaiting email confirmation --------------------------------------------------------------------

SUPABASE_CONFIRM = """
'use client'
import { createClient } from '@/utils/supabase/client'

export function SignUpForm() {
  const handleSignUp = async (email: string, password: string) => {
    const supabase = createClient()
    const { data, error } = await supabase.auth.signUp({ email, password })
    if (error) return setError(error.message)
    if (!data.session) setMessage('Check your email to confirm your account')
  }
  return <form onSubmit={() => handleSignUp('', '')} />
}
"""


def test_a_supabase_signup_awaiting_email_confirmation_is_a_signup_identified_by_its_user():
    [flow] = _by_symbol("components/SignUpForm.tsx", SUPABASE_CONFIRM, FlowKind.SIGNUP).values()
    assert (flow.event, flow.needs_identify) == ("user_signed_up", True)
    assert flow.user_id_expr is not None and flow.user_id_expr.startswith("data.user")
    assert not _by_symbol("components/SignUpForm.tsx", SUPABASE_CONFIRM, FlowKind.LOGIN)


# --- password reset: request versus completion ----------------------------------------------------------------------

FASTAPI_RESET = """
from fastapi import APIRouter

router = APIRouter()

@router.post("/password-recovery/{email}")
def recover_password(email: str, session: SessionDep) -> Message:
    user = crud.get_user_by_email(session=session, email=email)
    token = generate_password_reset_token(email=email)
    send_email(email_to=user.email, subject="Reset", html_content=render_reset(token))
    return Message(message="Password recovery email sent")

@router.post("/reset-password/")
def reset_password(session: SessionDep, body: NewPassword) -> Message:
    email = verify_password_reset_token(token=body.token)
    user = crud.get_user_by_email(session=session, email=email)
    user.hashed_password = get_password_hash(password=body.new_password)
    session.add(user)
    session.commit()
    return Message(message="Password updated successfully")
"""


def test_python_reset_request_and_completion_send_different_events():
    flows = _by_symbol("app/api/routes/login.py", FASTAPI_RESET, FlowKind.PASSWORD_RESET)
    assert flows["recover_password"].event == "password_reset_requested"
    assert flows["reset_password"].event == "password_reset_completed"


EXPRESS_RESET = """
const bcrypt = require('bcrypt');

async function forgotPassword(req, res) {
  const user = await User.findOne({ email: req.body.email });
  const token = await createResetToken(user);
  await sendMail(user.email, token);
  res.status(204).end();
}

async function resetPassword(req, res) {
  const user = await User.findOne({ resetToken: req.params.token });
  user.password = await bcrypt.hash(req.body.password, 10);
  await user.save();
  res.status(204).end();
}
module.exports = { forgotPassword, resetPassword };
"""


def test_javascript_reset_request_and_completion_send_different_events():
    flows = _by_symbol("controllers/password.js", EXPRESS_RESET, FlowKind.PASSWORD_RESET)
    assert flows["forgotPassword"].event == "password_reset_requested"
    assert flows["resetPassword"].event == "password_reset_completed"


# --- Stripe billing portal: opened is not changed -------------------------------------------------------------------

PORTAL_TS = """
import Stripe from 'stripe'
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!)

export async function POST(req: Request) {
  const { customerId } = await req.json()
  const portal = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: 'https://x.y' })
  return Response.json({ url: portal.url })
}
"""

PORTAL_PY = """
import stripe
from flask import Blueprint, redirect

bp = Blueprint("billing", __name__)

@bp.post("/billing/portal")
def manage_billing():
    session = stripe.billing_portal.Session.create(customer=current_user.stripe_id, return_url="https://x.y")
    return redirect(session.url)
"""

CHANGE_PLAN = """
import Stripe from 'stripe'
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!)

export async function PATCH(req: Request) {
  const { subscriptionId, itemId, price } = await req.json()
  await stripe.subscriptions.update(subscriptionId, { items: [{ id: itemId, price }] })
  return Response.json({ ok: true })
}
"""


def test_opening_the_billing_portal_is_named_for_what_happened_not_a_subscription_change():
    [ts] = _by_symbol("app/api/stripe/portal/route.ts", PORTAL_TS, FlowKind.SUBSCRIPTION_CHANGED).values()
    [py] = _by_symbol("app/billing.py", PORTAL_PY, FlowKind.SUBSCRIPTION_CHANGED).values()
    assert ts.event == py.event == "billing_portal_opened"
    [change] = _by_symbol("app/api/subscription/route.ts", CHANGE_PLAN, FlowKind.SUBSCRIPTION_CHANGED).values()
    assert change.event == "subscription_changed"


# --- token helpers: called by the login and by every refresh ------------------------------------------------------

TOKEN_HELPERS = {
    "src/auth/auth.service.ts": """
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

@Injectable()
export class AuthService {
  constructor(private readonly jwtService: JwtService) {}

  async generateAccessToken(user: User): Promise<string> {
    return this.jwtService.signAsync({ sub: user.id });
  }
}
""",
    "app/core/tokens.py": """
import jwt

def generate_access_token(user):
    return jwt.encode({"sub": str(user.id)}, SECRET_KEY, algorithm="HS256")
""",
}


def test_a_token_generator_is_no_login():
    for path, source in TOKEN_HELPERS.items():
        assert not _by_symbol(path, source, FlowKind.LOGIN), path


def test_a_login_testing_a_second_factor_flag_read_earlier_still_completes():
    source = """
const jwt = require('jsonwebtoken');

async function login(req, res) {
  const user = await authenticate(req.body.email, req.body.password);
  const mfaRequired = user.mfaEnabled;
  if (mfaRequired) return res.json({ mfaRequired: true });
  const token = jwt.sign({ id: user.id }, process.env.JWT_SECRET);
  res.json({ token });
}
module.exports = { login };
"""
    [flow] = _by_symbol("controllers/session.js", source, FlowKind.LOGIN).values()
    assert (flow.event, flow.needs_identify) == ("user_logged_in", True)
