"""Payment and auth providers beyond Stripe and Supabase (vocabulary only), and view stubs that only build a form,
a serializer or a response: what the detector reports for them, with look-alikes that must stay silent."""

from __future__ import annotations

from tests.flows_support import flows_in_source

RAZORPAY_FLASK = """import razorpay
from flask import Flask, render_template, request

app = Flask(__name__)
client = razorpay.Client(auth=("key", "secret"))


@app.route("/pay", methods=["POST"])
def pay():
    order = client.order.create({"amount": 5000, "currency": "INR"})
    return render_template("pay.html", order=order)


@app.route("/charge", methods=["POST"])
def charge():
    client.utility.verify_payment_signature({"razorpay_order_id": request.form["razorpay_order_id"]})
    return render_template("thankyou.html")
"""
RAZORPAY_EXPRESS = """const Razorpay = require('razorpay');
const router = require('express').Router();
const instance = new Razorpay({ key_id: process.env.RZP_KEY, key_secret: process.env.RZP_SECRET });

router.post('/orders', async (req, res) => {
  const order = await instance.orders.create({ amount: req.body.amount, currency: 'INR' });
  res.json(order);
});

module.exports = router;
"""
PRISMA_ORDERS = """import { prisma } from '../db';

export async function saveDraft(req, res) {
  const order = await prisma.orders.create({ data: { items: req.body.items } });
  res.json(order);
}
"""
PAYSTACK = """const paystack = require('paystack-api')(process.env.PAYSTACK_SECRET);

exports.verify = async (req, res) => {
  const result = await paystack.transaction.verify({ reference: req.query.reference });
  res.json(result.data);
};
"""
POCKETBASE = """import PocketBase from 'pocketbase';

export const pb = new PocketBase('http://127.0.0.1:8090');

export async function logout() {
  pb.authStore.clear();
}

pb.authStore.clear();
"""
FLASK_METHOD_VIEW = """from flask import abort, render_template
from flask.views import MethodView
from flask_login import current_user, login_user

from .forms import LoginForm


class LoginView(MethodView):
    def get(self):
        if current_user.is_authenticated:
            abort(403)
        form = LoginForm()
        return render_template("login.html", form=form)

    def post(self):
        form = LoginForm()
        if form.validate_on_submit():
            login_user(form.user)
        return render_template("login.html", form=form)
"""
DRF_REGISTER_STUB = """from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response


class AccountViewSet(viewsets.ModelViewSet):
    @action(detail=False, methods=["post"])
    def register(self, request):
        serializer = self.get_serializer(request.data, many=True)
        return Response(serializer.data)
"""


def _kinds(path: str, source: str) -> set[tuple[str, str]]:
    return {(f.kind.value, f.symbol) for f in flows_in_source(path, source)}


def test_razorpay_order_starts_the_checkout_and_the_verified_signature_is_the_payment():
    flows = {f.kind.value: f for f in flows_in_source("app.py", RAZORPAY_FLASK)}
    assert flows["checkout_started"].symbol == "pay" and flows["checkout_started"].confidence >= 0.85
    assert flows["payment_succeeded"].symbol == "charge"
    assert flows["payment_succeeded"].insert_line == RAZORPAY_FLASK.splitlines().index(
        '    return render_template("thankyou.html")')


def test_razorpay_orders_create_in_express_is_a_checkout_but_a_prisma_orders_create_is_not():
    assert ("checkout_started", "POST /orders") in _kinds("routes/pay.js", RAZORPAY_EXPRESS)
    assert not any(kind == "checkout_started" for kind, _ in _kinds("routes/orders.js", PRISMA_ORDERS))


def test_paystack_transaction_verify_is_a_payment():
    assert any(kind == "payment_succeeded" for kind, _ in _kinds("controllers/pay.js", PAYSTACK))


def test_pocketbase_auth_store_clear_in_a_function_is_a_logout_and_at_module_level_is_not():
    flows = flows_in_source("src/lib/backend.js", POCKETBASE)
    assert [(f.kind.value, f.symbol) for f in flows] == [("logout", "logout")]
    assert flows[0].confidence >= 0.85


def test_a_view_method_that_only_builds_a_form_or_serializer_is_not_a_flow():
    assert _kinds("app/views/auth/login.py", FLASK_METHOD_VIEW) == {("login", "LoginView.post")}
    assert _kinds("apps/account/views.py", DRF_REGISTER_STUB) == set()


SIGNOUT_ACTION = """import { redirect } from '@sveltejs/kit';
import { auth } from '$lib/server/lucia';

export const actions = {
  default: async ({ locals }) => {
    const session = await locals.auth.validate();
    if (!session) throw redirect(302, '/login');
    await auth.invalidateSession(session.sessionId);
    locals.auth.setSession(null);
    throw redirect(302, '/login');
  }
};
"""
SIGNIN_ACTION = SIGNOUT_ACTION.replace("await auth.invalidateSession(session.sessionId);\\n    ", "").replace(
    "locals.auth.setSession(null)", "locals.auth.setSession(await auth.createSession(user.userId))")


def test_clearing_the_session_is_logout_evidence_and_never_a_login():
    kinds = {kind for kind, _ in _kinds("src/routes/(auth)/signout/+page.server.ts", SIGNOUT_ACTION)}
    assert kinds == {"logout"}
    assert "login" in {kind for kind, _ in _kinds("src/routes/(auth)/signin/+page.server.ts", SIGNIN_ACTION)}


SVELTEKIT_LOGOUT_LOAD = """import { redirect } from '@sveltejs/kit';

export const load = async ({ cookies }) => {
  cookies.delete('session', { path: '/' });
  throw redirect(303, '/');
};
"""
SVELTEKIT_LOGIN_PAGE_LOAD = """import { redirect } from '@sveltejs/kit';

export async function load({ locals }) {
  if (locals.user) throw redirect(302, '/');
  return {};
}
"""


def test_visiting_a_sveltekit_logout_route_whose_load_clears_the_session_is_a_logout():
    flows = flows_in_source("src/routes/logout/+page.server.ts", SVELTEKIT_LOGOUT_LOAD)
    assert [(f.kind.value, f.symbol, f.insert_line) for f in flows] == [("logout", "load", 4)]


def test_a_sveltekit_load_that_only_redirects_is_no_flow_on_login_or_logout_routes():
    assert _kinds("src/routes/login/+page.server.ts", SVELTEKIT_LOGIN_PAGE_LOAD) == set()
    assert _kinds("src/routes/logout/+page.server.ts", SVELTEKIT_LOGIN_PAGE_LOAD) == set()
