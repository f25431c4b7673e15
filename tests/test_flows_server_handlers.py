"""Server handlers that reach billing or account deletion through the app's own code (a service, a repository, a
dict of users) are flows by their route and name; webhooks dispatched through an event map give one flow per kind,
captured only for that kind's event types; NestJS controller prefixes are part of the route. Their look-alikes
(deleting a post or a comment, unfollowing, a checkout-cancelled page, a modal's Cancel button, seed scripts) are
not flows. Fixtures: tests/fixtures/server_flows (python/ and js/ are each an app root)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Flow, Package
from lsp_server.analysis.vocabulary import load
from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking
from tests.edits_support import error_nodes
from tests.flows_support import flows_in_source

FIXTURES = Path(__file__).parent / "fixtures" / "server_flows"
SNIPPETS = BundledSnippets()
FASTAPI = Package(path=".", framework="fastapi", language="python", package_manager="pip")
EXPRESS = Package(path=".", framework="node-express", language="javascript", package_manager="npm")


def _source(app: str, path: str) -> str:
    return (FIXTURES / app / path).read_text()


def _flows(app: str, path: str) -> dict[tuple[str, str], Flow]:
    """{(kind, symbol): flow} of one fixture file, which a scan must also select (by its text or its path)."""
    source = _source(app, path)
    found = flows_in_source(path, source)
    vocab = load()
    assert not found or vocab.might_contain_flow(source) or vocab.path_may_hold_flow(path), "a scan would skip it"
    return {(f.kind.value, f.symbol): f for f in found}


def _line(app: str, path: str, needle: str) -> int:
    return next(i for i, line in enumerate(_source(app, path).split("\n")) if needle in line)


# --- handlers calling a service, a repository or nothing but the app's own state ---------------------------------


def test_fastapi_billing_handlers_calling_services_are_checkout_cancel_and_account_deletion():
    flows = _flows("python", "billing_api.py")
    assert set(flows) == {
        ("checkout_started", "create_checkout"),
        ("subscription_cancelled", "cancel"),
        ("account_deleted", "remove_my_account"),
    }
    checkout = flows["checkout_started", "create_checkout"]
    assert checkout.insert_line == _line("python", "billing_api.py", 'return {"url": url}')
    assert {f.user_id_expr for f in flows.values()} == {"str(user.id)"}  # the Depends(current_user) parameter


def test_fastapi_checkout_that_only_updates_the_users_plan_is_a_checkout_but_a_comment_delete_is_not():
    flows = _flows("python", "shop.py")
    assert set(flows) == {("checkout_started", "checkout")}  # not delete_comment, nor the preview that only answers
    assert flows["checkout_started", "checkout"].user_id_expr == 'str(user["id"])'


def test_express_routes_behind_require_user_are_checkout_and_cancel_but_not_post_delete_or_unfollow():
    flows = _flows("js", "routes/billing.js")
    assert set(flows) == {
        ("checkout_started", "POST /billing/checkout"),
        ("subscription_cancelled", "POST /subscription/cancel"),
    }
    assert flows["checkout_started", "POST /billing/checkout"].user_id_expr == "req.user.id"


def test_route_handler_calling_a_service_named_for_the_flow_is_that_flow_after_the_call():
    flows = _flows("js", "routes/subscription.js")
    # not the GET, not postService.delete, notificationService.cancel or db.purchase.create
    assert set(flows) == {("subscription_cancelled", "POST /subscription")}
    flow = flows["subscription_cancelled", "POST /subscription"]
    assert flow.insert_line == _line("js", "routes/subscription.js", "subscriptionService.cancel(") + 1
    checkout = _flows("python", "plans_api.py")
    assert set(checkout) == {("checkout_started", "choose")}
    assert checkout["checkout_started", "choose"].insert_line == _line("python", "plans_api.py", "start_checkout") + 1


def test_webhook_branch_reacting_with_a_service_call_is_only_the_webhook_event():
    source = """
router.post('/stripe', async (req, res) => {
  const event = req.body
  if (event.type === 'invoice.payment_failed') {
    await subscriptionService.cancel(event.data.object.customer)
  }
  res.sendStatus(200)
})
"""
    assert {f.kind.value for f in flows_in_source("routes/webhooks.js", source)} == {"payment_failed"}


def test_next_route_with_a_parameter_before_cancel_is_a_cancellation_but_a_stub_that_only_answers_is_not():
    flows = _flows("js", "app/api/subscriptions/[id]/cancel/route.ts")
    assert set(flows) == {("subscription_cancelled", "POST")}
    assert flows["subscription_cancelled", "POST"].insert_line == _line(
        "js", "app/api/subscriptions/[id]/cancel/route.ts", "return NextResponse.json({ ok: true })"
    )
    assert _flows("js", "app/api/subscription/[userId]/cancel/route.ts") == {}


@pytest.mark.parametrize(
    "app,path",
    [
        ("python", "scripts/seed.py"),
        ("js", "scripts/seed-billing.js"),
        ("js", "components/ConfirmDialog.jsx"),
        ("js", "src/posts/posts.controller.ts"),
    ],
)
def test_seed_scripts_cancel_buttons_and_post_deletion_are_no_flows(app, path):
    assert _flows(app, path) == {}


def test_fastapi_router_prefix_is_part_of_the_route_but_resuming_is_no_cancellation():
    flows = _flows("python", "subscription_router.py")
    assert set(flows) == {("subscription_cancelled", "cancel"), ("account_deleted", "remove")}
    assert "route POST /subscription/cancel" in flows["subscription_cancelled", "cancel"].evidence
    assert "route DELETE /account/ deletes the caller's own account" in flows["account_deleted", "remove"].evidence


def test_nest_controller_prefix_is_part_of_the_login_route():
    flows = _flows("js", "src/auth/auth.controller.ts")
    assert set(flows) == {("login", "AuthController.signIn")}
    assert "route POST /auth/login" in flows["login", "AuthController.signIn"].evidence


# --- success pages checking a fetched billing object ---------------------------------------------------------------


def test_django_success_view_checking_the_retrieved_session_is_paid_is_a_payment_in_that_branch():
    flows = _flows("python", "shop_views.py")
    assert set(flows) == {("payment_succeeded", "success_view")}  # not the unpaid check, not the orders list
    flow = flows["payment_succeeded", "success_view"]
    assert flow.insert_line == _line("python", "shop_views.py", "        order.save()") + 1
    assert flow.insert_indent == " " * 8  # inside the paid branch
    assert flow.user_id_expr == "session.customer"


def test_express_success_page_checking_payment_status_is_a_payment_in_that_branch():
    flows = _flows("js", "routes/success.js")
    assert set(flows) == {("payment_succeeded", "GET /checkout/success")}
    flow = flows["payment_succeeded", "GET /checkout/success"]
    assert flow.insert_line == _line("js", "routes/success.js", "await orders.markPaid") + 1
    assert flow.insert_indent == " " * 4


def test_webhook_event_verified_in_a_try_that_returns_on_failure_gives_the_customer_id():
    flows = _flows("python", "stripe_webhook.py")
    assert flows["payment_succeeded", "webhook"].user_id_expr == 'event["data"]["object"]["customer"]'
    # the except only logs: `event` may be unbound there, so it is not used
    assert flows["payment_succeeded", "lenient_webhook"].user_id_expr is None


# --- webhooks dispatched through an event map ---------------------------------------------------------------------


def test_python_webhook_dispatched_through_an_event_map_gives_one_guarded_flow_per_kind():
    flows = _flows("python", "billing_worker.py")
    assert {kind: f.only_when for (kind, _), f in flows.items()} == {
        "subscription_created": ('payload["type"]', ("customer.subscription.created",)),
        "subscription_cancelled": ('payload["type"]', ("customer.subscription.deleted",)),
        "payment_succeeded": ('payload["type"]', ("invoice.paid", "invoice.payment_succeeded")),
    }
    end = _line("python", "billing_worker.py", "    return name")
    assert {(f.symbol, f.insert_line) for f in flows.values()} == {("process", end)}  # after the early return
    assert {f.user_id_expr for f in flows.values()} == {'str(account["id"])'}  # the account found by customer


def test_node_webhook_dispatched_through_an_event_map_falls_back_to_the_customer_id():
    flows = _flows("js", "webhooks/billing.js")
    assert {kind: f.only_when for (kind, _), f in flows.items()} == {
        "subscription_created": ("event.type", ("customer.subscription.created",)),
        "payment_succeeded": ("event.type", ("invoice.paid",)),
        "payment_failed": ("event.type", ("invoice.payment_failed", "charge.failed")),
    }
    assert {f.user_id_expr for f in flows.values()} == {"event.data.object.customer?.toString()"}


def test_module_level_map_of_local_handlers_reports_each_handler_unguarded():
    flows = _flows("python", "billing_handlers.py")
    assert set(flows) == {("payment_succeeded", "on_paid"), ("subscription_cancelled", "on_cancelled")}
    assert all(f.only_when is None for f in flows.values())


def test_map_read_with_a_literal_key_is_no_dispatch():
    source = 'LABELS = {"invoice.paid": "Paid"}\n\n\ndef label():\n    return LABELS["invoice.paid"]\n'
    assert flows_in_source("billing/labels.py", source) == []


@pytest.mark.parametrize(
    "app,path,package,guard",
    [
        (
            "python",
            "billing_worker.py",
            FASTAPI,
            'if payload["type"] in ("invoice.paid", "invoice.payment_succeeded"):',
        ),
        (
            "js",
            "webhooks/billing.js",
            EXPRESS,
            "if (event.type === 'invoice.payment_failed' || event.type === 'charge.failed') {",
        ),
    ],
)
def test_tracking_a_map_dispatch_guards_each_capture_by_its_event_types(app, path, package, guard):
    text = _source(app, path)
    flows = analyze_document(path, text, package=package).flows
    edits = list(
        {
            (e.path, e.span, e.new_text): e for f in flows for e in plan_flow_tracking(text, path, f, package, SNIPPETS)
        }.values()
    )
    edited = apply_edits(text, [e for e in edits if e.path == path])
    assert guard in edited
    assert edited.count("posthog.capture(") == 3
    assert error_nodes(edited, path) == []
    after = analyze_document(path, edited, package=package).flows
    assert after and all(f.tracked for f in after)
    assert [e for f in after for e in plan_flow_tracking(edited, path, f, package, SNIPPETS)] == []
