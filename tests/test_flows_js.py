"""Flows in JS/TS apps (Next.js app & pages router, Vite SPA, Express) are found where a developer would put
the capture, and look-alikes (tests, e2e, seeds, modals, post deletes, checkout-cancel pages) are not."""

from __future__ import annotations

import pytest

from tests.flows_support import flows_in_app, flows_in_source, line_of


@pytest.fixture(scope="module")
def app_router():
    return flows_in_app("nextjs-app-router")


@pytest.fixture(scope="module")
def pages_router():
    return flows_in_app("nextjs-pages-router")


@pytest.fixture(scope="module")
def spa():
    return flows_in_app("react-spa")


@pytest.fixture(scope="module")
def express():
    return flows_in_app("node-express")


def test_nextjs_app_router_finds_exactly_its_flows(app_router):
    assert set(app_router) == {
        ("app/login/actions.ts", "login", "login"),
        ("app/login/actions.ts", "signup", "signup"),
        ("app/auth/signout/route.ts", "logout", "POST"),
        ("app/forgot-password/actions.ts", "password_reset", "requestPasswordReset"),
        ("app/api/checkout/route.ts", "checkout_started", "POST"),
        ("app/api/billing/portal/route.ts", "subscription_changed", "POST"),
        ("app/api/webhooks/stripe/route.ts", "payment_succeeded", "POST"),
        ("app/api/webhooks/stripe/route.ts", "payment_failed", "POST"),
        ("app/api/webhooks/stripe/route.ts", "subscription_changed", "POST"),
        ("app/api/webhooks/stripe/route.ts", "subscription_cancelled", "POST"),
        ("app/account/actions.ts", "account_deleted", "deleteAccount"),
        ("components/UserMenu.tsx", "logout", "handleSignOut"),
        ("components/PricingTable.tsx", "checkout_started", "handleCheckout"),
    }


def test_server_action_login_inserts_after_the_error_guard_with_the_supabase_user_id(app_router):
    flow = app_router[("app/login/actions.ts", "login", "login")]
    # right after the `if (error) { redirect("/error") }` guard that follows the call
    guard = line_of("nextjs-app-router", "app/login/actions.ts", 'redirect("/error")')
    assert flow.insert_line == guard + 2
    assert flow.insert_indent == "  "
    assert flow.user_id_expr == "data.user.id"
    assert flow.side == "server"
    assert flow.event == "user_logged_in"
    assert flow.needs_identify and not flow.identify_present
    assert flow.anchor is not None and flow.anchor.start_line == line_of(
        "nextjs-app-router", "app/login/actions.ts", "signInWithPassword"
    )


def test_signup_destructuring_data_user_gives_user_id(app_router):
    flow = app_router[("app/login/actions.ts", "signup", "signup")]
    assert flow.user_id_expr == "user?.id"  # supabase-js types signUp's user as `User | null`
    assert flow.event == "user_signed_up"
    assert flow.confidence >= 0.9


def test_client_component_logout_is_client_side_and_needs_reset(app_router):
    flow = app_router[("components/UserMenu.tsx", "logout", "handleSignOut")]
    assert flow.side == "client"
    assert flow.needs_reset and not flow.reset_present
    assert flow.insert_line == line_of("nextjs-app-router", "components/UserMenu.tsx", 'router.push("/login")')


def test_route_handler_logout_is_server_side_without_reset(app_router):
    flow = app_router[("app/auth/signout/route.ts", "logout", "POST")]
    assert flow.side == "server" and not flow.needs_reset
    # inside the `if (user)` branch, right after signOut()
    sign_out = line_of("nextjs-app-router", "app/auth/signout/route.ts", "await supabase.auth.signOut")
    assert flow.insert_line == sign_out + 1
    assert flow.insert_indent == "    "


def test_checkout_capture_goes_before_the_return(app_router):
    flow = app_router[("app/api/checkout/route.ts", "checkout_started", "POST")]
    # after the create() statement, so before the `return NextResponse.json(...)` that follows it
    assert flow.insert_line == line_of("nextjs-app-router", "app/api/checkout/route.ts", "cancel_url") + 2
    assert flow.insert_line < line_of("nextjs-app-router", "app/api/checkout/route.ts", "{ url:", after="cancel_url")
    assert flow.user_id_expr == "user.id"


def test_redirecting_route_handler_captures_before_the_redirect(app_router):
    flow = app_router[("app/api/billing/portal/route.ts", "subscription_changed", "POST")]
    assert flow.insert_line == line_of("nextjs-app-router", "app/api/billing/portal/route.ts", "NextResponse.redirect")


def test_webhook_switch_yields_one_flow_per_kind_inside_its_case(app_router):
    path = "app/api/webhooks/stripe/route.ts"
    paid = app_router[(path, "payment_succeeded", "POST")]
    failed = app_router[(path, "payment_failed", "POST")]
    cancelled = app_router[(path, "subscription_cancelled", "POST")]
    breaks = [i for i, line in enumerate(open_fixture("nextjs-app-router", path)) if "break;" in line]
    assert paid.insert_line == breaks[0] and paid.insert_indent == "      "
    assert failed.insert_line == breaks[1]
    assert cancelled.insert_line == breaks[2]
    # ids that may be empty are sent as undefined (anonymous), never as the user "null" / "undefined"
    assert paid.user_id_expr == "session.client_reference_id?.toString()"
    assert failed.user_id_expr == "invoice.customer?.toString()"  # its own invoice, not the session of another case
    assert cancelled.user_id_expr == "subscription.metadata.userId?.toString()"
    assert paid.side == "server" and paid.event == "payment_succeeded"
    assert paid.span.start_line == line_of("nextjs-app-router", path, 'case "checkout.session.completed"')


def open_fixture(app: str, path: str) -> list[str]:
    from tests.flows_support import APPS

    return (APPS / app / path).read_text().split("\n")


def test_account_deletion_server_action_suppresses_the_trailing_sign_out(app_router):
    flow = app_router[("app/account/actions.ts", "account_deleted", "deleteAccount")]
    assert flow.insert_line == line_of("nextjs-app-router", "app/account/actions.ts", "await supabase.auth.signOut()")
    assert ("app/account/actions.ts", "logout", "deleteAccount") not in app_router


@pytest.mark.parametrize(
    "path",
    [
        "app/checkout/cancel/page.tsx",
        "components/ConfirmModal.tsx",
        "components/NewsletterForm.tsx",
        "app/posts/actions.ts",
        "app/settings/password/actions.ts",
        "e2e/login.spec.ts",
        "cypress/support/commands.ts",
        "prisma/seed.ts",
        "app/login/page.tsx",
    ],
)
def test_app_router_look_alikes_are_not_flows(app_router, path):
    assert [key for key in app_router if key[0] == path] == []


def test_pages_router_finds_exactly_its_flows(pages_router):
    assert set(pages_router) == {
        ("pages/api/auth/[...nextauth].ts", "login", "authorize"),  # credentials checked with bcrypt.compare
        ("pages/login.tsx", "login", "handleSubmit"),
        ("pages/login.tsx", "login", "Login.onClick"),
        ("pages/api/register.ts", "signup", "handler"),
        ("components/Navbar.tsx", "logout", "Navbar.onClick"),
        ("pages/api/account/delete.ts", "account_deleted", "handler"),
        ("pages/api/subscription/cancel.ts", "subscription_cancelled", "handler"),
        ("pages/api/subscription/change.ts", "subscription_changed", "handler"),
    }


def test_next_auth_sign_in_skips_the_error_guard(pages_router):
    flow = pages_router[("pages/login.tsx", "login", "handleSubmit")]
    assert flow.insert_line == line_of("nextjs-pages-router", "pages/login.tsx", 'router.push("/dashboard")')
    assert flow.side == "client"


def test_expression_bodied_arrow_is_flagged_for_wrapping(pages_router):
    flow = pages_router[("components/Navbar.tsx", "logout", "Navbar.onClick")]
    assert flow.insert_line == line_of("nextjs-pages-router", "components/Navbar.tsx", "signOut({ callbackUrl")
    assert "expression-bodied arrow" in flow.evidence
    assert flow.needs_reset


def test_cancel_at_period_end_is_a_cancellation_not_a_change(pages_router):
    assert pages_router[("pages/api/subscription/cancel.ts", "subscription_cancelled", "handler")].confidence >= 0.9
    assert ("pages/api/subscription/cancel.ts", "subscription_changed", "handler") not in pages_router


def test_api_route_signup_uses_created_user_and_session_user_for_deletion(pages_router):
    signup = pages_router[("pages/api/register.ts", "signup", "handler")]
    assert signup.user_id_expr == "user.id"
    assert signup.side == "server"
    assert signup.insert_line == line_of("nextjs-pages-router", "pages/api/register.ts", "return res.status(201)")
    deleted = pages_router[("pages/api/account/delete.ts", "account_deleted", "handler")]
    assert deleted.user_id_expr == "session.user.id"


def test_spa_finds_exactly_its_flows(spa):
    assert set(spa) == {
        ("src/pages/Login.tsx", "login", "handleLogin"),
        ("src/pages/Signup.tsx", "signup", "handleSignup"),
        ("src/pages/ForgotPassword.tsx", "password_reset", "onSubmit"),
        ("src/components/Navbar.tsx", "logout", "handleLogout"),
        ("src/pages/Settings.tsx", "account_deleted", "handleDeleteAccount"),
        ("src/pages/Pricing.tsx", "checkout_started", "handleSubscribe"),
    }


def test_firebase_login_inside_try_inserts_after_the_call_with_uid(spa):
    flow = spa[("src/pages/Login.tsx", "login", "handleLogin")]
    assert flow.insert_line == line_of("react-spa", "src/pages/Login.tsx", 'console.log("signed in"')
    assert flow.insert_indent == "      "  # still inside the try block
    assert flow.user_id_expr == "userCredential.user.uid"
    assert flow.side == "client"


def test_firebase_signup_then_callback_gets_the_capture(spa):
    flow = spa[("src/pages/Signup.tsx", "signup", "handleSignup")]
    assert flow.insert_line == line_of("react-spa", "src/pages/Signup.tsx", "await updateProfile")
    assert flow.user_id_expr == "cred.user.uid"


def test_spa_logout_and_deletion_are_client_side(spa):
    logout = spa[("src/components/Navbar.tsx", "logout", "handleLogout")]
    assert logout.side == "client" and logout.needs_reset
    deleted = spa[("src/pages/Settings.tsx", "account_deleted", "handleDeleteAccount")]
    assert deleted.user_id_expr == "user.uid"
    assert deleted.insert_line == line_of("react-spa", "src/pages/Settings.tsx", 'navigate("/goodbye")')


@pytest.mark.parametrize(
    ("path", "symbol"),
    [
        ("src/pages/Settings.tsx", "handleChangePassword"),
        ("src/pages/Settings.tsx", "handleCancel"),
        ("src/pages/CheckoutCancel.tsx", "handleCancel"),
        ("src/components/FollowButton.tsx", "handleUnfollow"),
        ("src/components/FollowButton.tsx", "deletePost"),
        ("src/mocks/auth.ts", "login"),
        ("cypress/e2e/login.cy.ts", "<anonymous>"),
    ],
)
def test_spa_look_alikes_are_not_flows(spa, path, symbol):
    assert [key for key in spa if key[0] == path and key[2] == symbol] == []


def test_express_finds_exactly_its_flows(express):
    assert set(express) == {
        ("src/routes/auth.js", "login", "POST /login"),
        ("src/routes/auth.js", "signup", "POST /register"),
        ("src/routes/auth.js", "login", "POST /token"),
        ("src/routes/auth.js", "logout", "POST /logout"),
        ("src/controllers/userController.js", "account_deleted", "deleteAccount"),
        ("src/controllers/userController.js", "password_reset", "forgotPassword"),
        ("src/routes/billing.js", "checkout_started", "POST /checkout"),
        ("src/routes/billing.js", "subscription_cancelled", "POST /subscription/cancel"),
        ("src/routes/webhooks.js", "payment_succeeded", "POST /stripe"),
        ("src/routes/webhooks.js", "payment_failed", "POST /stripe"),
        ("src/routes/webhooks.js", "subscription_created", "POST /stripe"),
    }


def test_passport_route_captures_at_the_handler_start_with_req_user(express):
    flow = express[("src/routes/auth.js", "login", "POST /login")]
    assert flow.insert_line == line_of("node-express", "src/routes/auth.js", 'res.redirect("/dashboard")')
    assert flow.user_id_expr == "req.user.id"
    assert flow.side == "server"


def test_jwt_login_inserts_before_the_response_after_bcrypt_guards(express):
    flow = express[("src/routes/auth.js", "login", "POST /token")]
    assert flow.insert_line == line_of("node-express", "src/routes/auth.js", "return res.json({ token })")
    assert flow.user_id_expr == "user.id"


def test_req_logout_gets_the_capture_before_it_while_req_user_is_set(express):
    flow = express[("src/routes/auth.js", "logout", "POST /logout")]
    lines = open_fixture("node-express", "src/routes/auth.js")
    start = line_of("node-express", "src/routes/auth.js", 'router.post("/logout"')
    assert flow.insert_line == next(i for i in range(start, len(lines)) if "req.logout(" in lines[i])
    assert flow.user_id_expr == "req.user?.id"  # a visitor without a session logs out anonymously, without a crash


def test_register_that_signs_a_token_is_a_signup_not_a_login(express):
    assert ("src/routes/auth.js", "login", "POST /register") not in express
    assert express[("src/routes/auth.js", "signup", "POST /register")].user_id_expr == "user.id"


def test_if_else_webhook_chain_inserts_at_each_branch_end(express):
    path = "src/routes/webhooks.js"
    paid = express[(path, "payment_succeeded", "POST /stripe")]
    created = express[(path, "subscription_created", "POST /stripe")]
    assert paid.insert_line == line_of("node-express", path, "paidUntil") + 1
    assert created.insert_line == line_of("node-express", path, "await user.save()") + 1
    assert created.user_id_expr == "user.id"


@pytest.mark.parametrize("path", ["src/routes/posts.js", "scripts/seed.js", "test/auth.test.js", "src/app.js"])
def test_express_look_alikes_are_not_flows(express, path):
    assert [key for key in express if key[0] == path] == []


def test_get_login_page_and_checkout_cancel_routes_are_not_flows(express):
    assert ("src/routes/auth.js", "login", "GET /login") not in express
    assert not [k for k in express if "cancel" in k[2] and k[1] == "checkout_started"]


def test_existing_identify_reset_and_capture_are_seen():
    flows = flows_in_source(
        "src/auth.ts",
        """import posthog from "posthog-js";
import { signInWithEmailAndPassword, signOut } from "firebase/auth";

export async function handleLogin(email: string, password: string) {
  const cred = await signInWithEmailAndPassword(auth, email, password);
  posthog.identify(cred.user.uid);
  posthog.capture("user_logged_in");
}

export async function handleLogout() {
  await signOut(auth);
  posthog.reset();
}
""",
    )
    by_kind = {f.kind.value: f for f in flows}
    assert by_kind["login"].identify_present and by_kind["login"].tracked
    assert by_kind["logout"].reset_present and not by_kind["logout"].tracked


def test_a_library_function_passed_as_click_handler_is_a_flow_to_wrap():
    flows = flows_in_source(
        "src/components/Nav.tsx",
        """import { useAuth } from "@clerk/clerk-react";

export const Nav = () => {
  const { signOut } = useAuth();
  return <button onClick={signOut}>Log out</button>;
};
""",
    )
    assert [(f.kind.value, f.symbol, f.insert_line, f.side) for f in flows] == [("logout", "Nav.onClick", 4, "client")]
    assert "handler reference: wrap it to add a capture" in flows[0].evidence


def test_handlers_that_only_open_a_login_modal_are_not_logins():
    flows = flows_in_source(
        "src/components/Header.tsx",
        """import { useState } from "react";

export function Header() {
  const [open, setOpen] = useState(false);
  const handleLoginClick = () => setOpen(true);
  function onSignUp(e: React.MouseEvent) {
    e.preventDefault();
    setOpen(true);
  }
  return <button onClick={handleLoginClick}>Log in</button>;
}
""",
    )
    assert flows == []


def test_passport_callback_login_is_reported_once_where_the_session_starts():
    source = """const router = require("express").Router();
router.post("/login", (req, res, next) => {
  passport.authenticate("local", (err, user) => {
    if (err || !user) {
      return res.status(401).end();
    }
    req.logIn(user, (loginErr) => {
      if (loginErr) {
        return next(loginErr);
      }
      res.json({ ok: true });
    });
  })(req, res, next);
});
"""
    flows = flows_in_source("src/routes/auth.js", source)
    assert [(f.kind.value, f.symbol, f.insert_line, f.user_id_expr) for f in flows] == [
        ("login", "POST /login", 10, "user.id")
    ]


def test_named_webhook_handlers_in_a_billing_lib_are_flows():
    flows = flows_in_source(
        "src/lib/stripe-handlers.ts",
        """import type Stripe from "stripe";
import { db } from "./db";

export async function handleInvoicePaymentFailed(invoice: Stripe.Invoice) {
  await db.subscription.update({ where: { customerId: invoice.customer as string }, data: { status: "past_due" } });
}

export async function handleSubscriptionDeleted(subscription: Stripe.Subscription) {
  await db.subscription.delete({ where: { stripeId: subscription.id } });
}

export async function handleCheckoutSessionCompleted(session: Stripe.Checkout.Session) {
  await db.order.update({ where: { id: session.metadata!.orderId }, data: { paid: true } });
}
""",
    )
    assert {(f.kind.value, f.symbol) for f in flows} == {
        ("payment_failed", "handleInvoicePaymentFailed"),
        ("subscription_cancelled", "handleSubscriptionDeleted"),
        ("payment_succeeded", "handleCheckoutSessionCompleted"),
    }


def test_a_discord_bot_logging_in_is_not_a_user_login():
    source = "const client = new Client({ intents: [] });\nasync function start() {\n  await client.login(token);\n}\n"
    assert flows_in_source("src/bot.js", source) == []


def test_identify_elsewhere_in_the_package_counts_as_present():
    from lsp_server.analysis.flows import detect_flows
    from lsp_server.analysis.model import Package, PosthogSetup
    from lsp_server.analysis.parsing import parse

    source = "export async function handleLogin(e, p) {\n  await signInWithEmailAndPassword(auth, e, p);\n}\n"
    doc = parse(source, "typescript")
    assert doc is not None
    (alone,) = detect_flows(doc, "src/auth.ts")
    assert alone.needs_identify and not alone.identify_present
    package = Package(
        path=".",
        framework="react-spa",
        language="typescript",
        package_manager="npm",
        posthog=PosthogSetup(installed=True, sdks=("posthog-js",), has_identify=True),
    )
    (with_package,) = detect_flows(doc, "src/auth.ts", package=package)
    assert with_package.identify_present
    assert with_package.side == "client"  # a plain .ts module of a browser SPA


def test_sveltekit_form_action_gets_its_route_from_the_file_path():
    source = """import { fail, redirect } from "@sveltejs/kit";

export const actions = {
  default: async ({ request, cookies }) => {
    const form = await request.formData();
    const session = await createSession(form.get("email"), form.get("password"));
    if (!session) {
      return fail(400, { invalid: true });
    }
    cookies.set("session", session.id, { path: "/" });
    throw redirect(303, "/");
  },
};
"""
    flows = flows_in_source("src/routes/login/+page.server.ts", source)
    assert [(f.kind.value, f.symbol, f.side, f.insert_line) for f in flows] == [("login", "default", "server", 10)]


def test_route_whose_handler_is_passport_middleware_only_is_a_login():
    source = 'const router = require("express").Router();\n'
    source += (
        'router.post("/login", passport.authenticate("local", { successRedirect: "/", failureRedirect: "/login" }));\n'
    )
    (flow,) = flows_in_source("lib/login/index.js", source)
    assert (flow.kind.value, flow.symbol, flow.side) == ("login", "POST /login", "server")
    assert "no handler body: add one to capture" in flow.evidence


def test_router_mounted_at_root_takes_its_flow_from_the_file_name():
    source = """const router = require("express").Router();
router.post("/", (req, res) => {
  req.session.destroy(() => res.json({ ok: true }));
});
module.exports = router;
"""
    flows = flows_in_source("routes/logoutRoutes.js", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("logout", "POST /logout")]


def test_deleting_the_new_user_in_a_catch_is_a_rollback_not_an_account_deletion():
    source = """export async function handleSignup(email: string, password: string) {
  const cred = await createUserWithEmailAndPassword(auth, email, password);
  try {
    await setDoc(doc(db, "profiles", cred.user.uid), { email });
  } catch (err) {
    await cred.user.delete();
    throw err;
  }
}
"""
    flows = flows_in_source("src/signup.ts", source)
    assert [f.kind.value for f in flows] == ["signup"]


def test_react_query_login_hook_captures_in_on_success():
    source = """import { useMutation } from "@tanstack/react-query";

export function useLogin() {
  return useMutation({
    mutationFn: loginApi,
    onSuccess: (user) => {
      queryClient.setQueryData(["user"], user);
      navigate("/dashboard");
    },
  });
}
"""
    (flow,) = flows_in_source("src/features/auth/useLogin.js", source)
    assert (flow.kind.value, flow.symbol, flow.insert_line, flow.user_id_expr) == ("login", "useLogin", 6, "user.id")


def test_capture_goes_into_the_else_branch_of_a_non_exiting_error_check():
    source = """export async function signInWithEmail(formData) {
  let redirectPath;
  const { error, data } = await supabase.auth.signInWithPassword({ email, password });
  if (error) {
    redirectPath = "/signin?error=1";
  } else if (data.user) {
    redirectPath = "/";
  }
  return redirectPath;
}
"""
    (flow,) = flows_in_source("utils/auth-helpers/server.ts", source)
    assert flow.insert_line == 6 and flow.insert_indent == "    "
    assert flow.user_id_expr == "data.user.id"


def test_one_handler_that_signs_up_or_in_reports_both():
    source = """export function AuthForm() {
  const handleSubmit = async () => {
    const res = isSignUp
      ? await authClient.signUp.email({ email, password, name })
      : await authClient.signIn.email({ email, password });
    router.push("/");
  };
  return <form onSubmit={handleSubmit} />;
}
"""
    flows = flows_in_source("app/authenticate/page.tsx", source)
    assert sorted(f.kind.value for f in flows) == ["login", "signup"]


def test_express_controller_exports_are_route_handlers():
    source = """module.exports.login = async (req, res) => {
  const user = await User.findOne({ email: req.body.email });
  res.status(200).json(user);
};
"""
    (flow,) = flows_in_source("server/controllers/userController.js", source)
    assert (flow.kind.value, flow.symbol, flow.side) == ("login", "login", "server")


def test_redux_thunk_named_for_the_flow_is_found():
    source = """import { createAsyncThunk } from "@reduxjs/toolkit";
export const login = createAsyncThunk("user/login", async function ({ email, password }) {
  const res = await axios({ url: "http://localhost:3000/user/login", method: "post", data: { email, password } });
  return res.data;
});
"""
    flows = flows_in_source("src/slices/loginSlice.js", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("login", "login")]


def test_remix_stub_action_and_page_component_are_not_logins():
    source = """import { redirect } from "@remix-run/node";
export async function action({ request }) {
  const data = await request.formData();
  console.log("login attempt", data);
  return redirect("/login");
}

export default function () {
  return <LoginPage />;
}
"""
    assert flows_in_source("app/routes/_auth.login.tsx", source) == []


def test_controllers_that_only_render_pages_are_not_flows():
    source = """function authController() {
  return {
    login(req, res) {
      res.render("auth/login");
    },
    register(req, res) {
      res.render("auth/register");
    },
    logout(req, res) {
      res.status(200).clearCookie("session").json({ ok: true });
    },
  };
}
module.exports = authController;
"""
    flows = flows_in_source("app/http/controllers/authController.js", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("logout", "logout")]


def test_click_listener_starting_a_checkout_is_found():
    source = """document.querySelector("#checkout").addEventListener("click", async () => {
  const res = await fetch("/create-checkout-session", { method: "POST" });
  const { url } = await res.json();
  window.location.href = url;
});
"""
    flows = flows_in_source("client/script.js", source)
    assert [(f.kind.value, f.insert_line) for f in flows] == [("checkout_started", 2)]


def test_nuxt_event_handler_takes_name_and_method_from_the_file():
    source = """export default defineEventHandler(async (event) => {
  const { user } = await requireUserSession(event);
  await db.delete(users).where(eq(users.id, user.id));
  await clearUserSession(event);
  return { ok: true };
});
"""
    flows = flows_in_source("server/api/account.delete.ts", source)
    # the user sees the route file, not "default"
    assert [(f.kind.value, f.symbol, f.side) for f in flows] == [
        ("account_deleted", "server/api/account.delete.ts", "server")
    ]


def test_module_exports_wrapped_handler_is_named_by_its_file():
    source = """const asyncHandler = require("express-async-handler");
module.exports = asyncHandler(async (req, res) => {
  const me = await User.findById(req.user._id);
  await me.remove();
  res.status(204).end();
});
"""
    flows = flows_in_source("src/routes/User/deleteMe.js", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("account_deleted", "deleteMe")]
