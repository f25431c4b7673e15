"""Webhook handler maps: `const handlers = { 'checkout.session.completed': onCheckout, … }`,
`handlers[event.type]?.(event)` and `HANDLERS = {"invoice.paid": handle_paid}`, `HANDLERS[event["type"]](event)` make
each handler function the flow of its type (one flow per kind, inserted in the handler), whether the handler is
declared in the same file, inline in the map, or imported from another file (then the workspace's route facts carry
the types to it). A map over other events (GitHub issues) is no payment."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Flow
from lsp_server.analysis.route_refs import RouteIndex, file_facts
from lsp_server.analysis.scan import scan
from tests.flows_support import flows_in_source


def _flows(path: str, source: str) -> dict[tuple[str, str], Flow]:
    return {(f.kind.value, f.symbol): f for f in flows_in_source(path, dedent(source))}


def _line(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(dedent(source).split("\n")) if needle in line)


SAME_FILE_TS = """\
    import Stripe from 'stripe';
    const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);

    async function onCheckout(event: Stripe.Event) {
      const session = event.data.object as Stripe.Checkout.Session;
      await db.order.update({ where: { id: session.metadata!.orderId }, data: { paid: true } });
    }

    async function onCancel(event: Stripe.Event) {
      const sub = event.data.object as Stripe.Subscription;
      await db.user.update({ where: { stripeCustomerId: String(sub.customer) }, data: { plan: 'free' } });
    }

    const handlers: Record<string, (event: Stripe.Event) => Promise<void>> = {
      'checkout.session.completed': onCheckout,
      'customer.subscription.deleted': onCancel,
    };

    export async function POST(req: Request) {
      const event = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, secret);
      await handlers[event.type]?.(event);
      return new Response('ok');
    }
"""


def test_each_handler_of_a_typescript_map_is_its_types_flow_and_not_a_checkout_started_by_its_name():
    flows = _flows("app/api/webhooks/stripe/route.ts", SAME_FILE_TS)
    assert set(flows) == {("payment_succeeded", "onCheckout"), ("subscription_cancelled", "onCancel")}
    paid = flows["payment_succeeded", "onCheckout"]
    assert paid.evidence == ("handles webhook 'checkout.session.completed'",)
    assert paid.insert_line == _line(SAME_FILE_TS, "db.order.update") + 1
    assert paid.only_when is None  # the handler runs for its type only: no guard
    assert flows["subscription_cancelled", "onCancel"].insert_line == _line(SAME_FILE_TS, "db.user.update") + 1


def test_python_dict_dispatch_makes_each_handler_the_flow_of_its_type():
    source = """\
        import stripe


        def handle_paid(event):
            invoice = event["data"]["object"]
            Account.objects.filter(customer=invoice["customer"]).update(paid=True)


        def handle_failed(event):
            notify_owner(event["data"]["object"]["customer"])


        HANDLERS = {"invoice.paid": handle_paid, "invoice.payment_failed": handle_failed}


        def webhook(request):
            event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], SECRET)
            HANDLERS[event["type"]](event)
            return HttpResponse(status=200)
    """
    flows = _flows("billing/webhooks.py", source)
    assert set(flows) == {("payment_succeeded", "handle_paid"), ("payment_failed", "handle_failed")}
    assert flows["payment_succeeded", "handle_paid"].insert_line == _line(source, ".update(paid=True)") + 1


def test_inline_handlers_of_a_map_are_the_flows_inserted_in_their_own_bodies():
    source = """\
        const handlers = {
          'checkout.session.completed': async (event) => {
            await markPaid(event.data.object.id);
          },
          'customer.subscription.deleted': async function (event) {
            await downgrade(event.data.object.customer);
          },
        };
        app.post('/webhook', async (req, res) => {
          const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret);
          await handlers[event.type]?.(event);
          res.json({ received: true });
        });
    """
    flows = {f.kind.value: f for f in flows_in_source("server/webhook.js", dedent(source))}
    assert set(flows) == {"payment_succeeded", "subscription_cancelled"}
    assert flows["payment_succeeded"].insert_line == _line(source, "markPaid(") + 1
    assert flows["subscription_cancelled"].insert_line == _line(source, "downgrade(") + 1
    assert all(f.only_when is None for f in flows.values())


def test_a_map_over_other_services_events_is_no_payment():
    source = """\
        async function onOpen(e) { await db.ticket.update({ where: { id: e.issue.id }, data: { open: true } }); }
        async function onClose(e) { await db.ticket.update({ where: { id: e.issue.id }, data: { open: false } }); }
        const handlers = { 'issues.opened': onOpen, 'issues.closed': onClose };
        export async function POST(req) {
          const e = await req.json();
          await handlers[`issues.${e.action}`]?.(e);
          return new Response('ok');
        }
    """
    assert _flows("app/api/github/route.ts", source) == {}


ROUTE = """\
    import { onCheckout, onCancel } from '@/lib/stripe/handlers';
    import * as invoices from '../../../lib/stripe/invoices';

    const handlers = {
      'checkout.session.completed': onCheckout,
      'customer.subscription.deleted': onCancel,
      'invoice.payment_failed': invoices.onFailed,
    };

    export async function POST(req: Request) {
      const event = stripe.webhooks.constructEvent(await req.text(), sig, secret);
      await handlers[event.type]?.(event);
      return new Response('ok');
    }
"""
HANDLERS = """\
    export async function onCheckout(event) {
      const session = event.data.object;
      await db.order.update({ where: { id: session.metadata.orderId }, data: { paid: true } });
    }

    export const onCancel = async (event) => {
      await db.user.update({ where: { stripeId: event.data.object.customer }, data: { plan: 'free' } });
    };

    export async function formatAmount(cents) {
      return (cents / 100).toFixed(2);
    }
"""
INVOICES = """\
    export async function onFailed(event) {
      await mailer.send(event.data.object.customer_email, 'payment failed');
    }
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(dedent(text))


def test_imported_handlers_of_a_map_are_the_flows_in_their_own_files_and_the_dispatcher_reports_none(tmp_path: Path):
    _write(
        tmp_path,
        {
            "package.json": '{"dependencies": {"next": "14.0.0", "stripe": "^14"}}',
            "app/api/webhooks/route.ts": ROUTE,
            "lib/stripe/handlers.ts": HANDLERS,
            "lib/stripe/invoices.ts": INVOICES,
        },
    )
    result = scan(tmp_path)
    flows = {(f.path, f.kind.value, f.symbol): f for d in result.documents for f in d.flows}
    assert set(flows) == {
        ("lib/stripe/handlers.ts", "payment_succeeded", "onCheckout"),
        ("lib/stripe/handlers.ts", "subscription_cancelled", "onCancel"),
        ("lib/stripe/invoices.ts", "payment_failed", "onFailed"),
    }  # the handlers have no webhook word of their own; formatAmount is no flow; the route reports nothing
    paid = flows["lib/stripe/handlers.ts", "payment_succeeded", "onCheckout"]
    assert paid.insert_line == _line(HANDLERS, "db.order.update") + 1
    assert paid.evidence == ("handles webhook 'checkout.session.completed'",)


def test_without_the_workspace_the_dispatcher_reports_guarded_flows_and_the_handler_file_none():
    route = dedent(ROUTE)
    [*guarded] = analyze_document("app/api/webhooks/route.ts", route).flows
    assert {(f.kind.value, f.only_when) for f in guarded} == {
        ("payment_succeeded", ("event.type", ("checkout.session.completed",))),
        ("subscription_cancelled", ("event.type", ("customer.subscription.deleted",))),
        ("payment_failed", ("event.type", ("invoice.payment_failed",))),
    }
    alone = analyze_document("lib/stripe/handlers.ts", dedent(HANDLERS)).flows
    assert not [f for f in alone if f.kind.value.startswith(("payment", "subscription"))]  # no type reaches them


def test_python_handlers_imported_from_another_module_are_the_flows_there():
    files = {
        "billing/views.py": """\
            from billing import handlers
            from billing.handlers import on_cancel

            HANDLERS = {"invoice.paid": handlers.on_paid, "customer.subscription.deleted": on_cancel}


            def webhook(request):
                event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], SECRET)
                HANDLERS[event["type"]](event)
                return HttpResponse(status=200)
        """,
        "billing/handlers.py": """\
            def on_paid(event):
                Account.objects.filter(customer=event["data"]["object"]["customer"]).update(paid=True)


            def on_cancel(event):
                Account.objects.filter(customer=event["data"]["object"]["customer"]).update(plan="free")
        """,
        "billing/__init__.py": "",
    }
    texts = {p: dedent(t) for p, t in files.items()}
    index = RouteIndex({p: file_facts(p, t) for p, t in texts.items()}, texts.__contains__)
    views = analyze_document("billing/views.py", texts["billing/views.py"], routes=index.for_path("billing/views.py"))
    assert views.flows == ()
    handlers = analyze_document(
        "billing/handlers.py", texts["billing/handlers.py"], routes=index.for_path("billing/handlers.py")
    )
    assert {(f.kind.value, f.symbol) for f in handlers.flows} == {
        ("payment_succeeded", "on_paid"),
        ("subscription_cancelled", "on_cancel"),
    }


def test_the_capture_planned_for_a_map_handler_goes_inside_it_without_a_type_guard():
    from lsp_server.edits import BundledSnippets, plan_flow_tracking
    from tests.edits_support import apply, package

    text = dedent(SAME_FILE_TS)
    path = "app/api/webhooks/stripe/route.ts"
    paid = next(f for f in flows_in_source(path, text) if f.symbol == "onCheckout")
    edits = plan_flow_tracking(text, path, paid, package("nextjs"), BundledSnippets())
    edited = apply(text, edits, path).split("\n")
    at = next(i for i, line in enumerate(edited) if "capture(" in line)
    handler = "".join(edited[_line(SAME_FILE_TS, "async function onCheckout") : at + 1])
    assert "event: 'payment_succeeded'" in "\n".join(edited[at : at + 4])
    assert "async function onCancel" not in handler  # inside onCheckout, before onCancel starts
    assert "event.type ===" not in "\n".join(edited)  # the handler runs for its type only
