"""Planning the PostHog calls for a flow: the code a user sees inserted, in their file's own style."""

from __future__ import annotations

import json
from dataclasses import replace

from lsp_server.analysis.model import FlowKind, Package, PosthogSetup, Span
from lsp_server.edits import BundledSnippets, plan_flow_tracking
from lsp_server.edits.planner import plan_pieces
from tests.edits_support import BILLING_CJS, apply, billing_flow, created, error_nodes, flow, package, shifted

SNIPPETS = BundledSnippets()

CLIENT_LOGIN = """'use client'
import { useState } from "react"
import { supabase } from "@/lib/supabase"

export function LoginForm() {
  const [email, setEmail] = useState("")
  async function onSubmit(password: string) {
    const { data, error } = await supabase.auth.signInWithPassword({ email, password })
    if (error) return
    router.push("/dashboard")
  }
  return <form onSubmit={() => onSubmit("x")} />
}
"""


def _plan_twice(text, f, pkg, **kw):
    """Plan, apply, then plan again over the edited text as the detector would see it."""
    edits = plan_flow_tracking(text, f.path, f, pkg, SNIPPETS, **kw)
    edited = apply(text, edits, f.path)
    again = plan_flow_tracking(edited, f.path, shifted(f, edits), pkg, SNIPPETS, exists=lambda p: True)
    return edits, edited, again


def test_client_login_gets_identify_then_capture_in_the_files_quote_and_semicolon_style():
    f = flow(
        "app/login/form.tsx",
        FlowKind.LOGIN,
        9,
        "    ",
        event="user_logged_in",
        side="client",
        user_id="data.user.id",
        span=(6, 10),
    )
    edits, edited, again = _plan_twice(CLIENT_LOGIN, f, package("nextjs-app-router"))
    assert '\nimport posthog from "posthog-js"\n\nexport function' in edited  # after the last import, once
    assert (
        "    if (error) return\n"
        "    posthog.identify(String(data.user.id), { email })\n"
        '    posthog.capture("user_logged_in", { login_method: "password" })\n'
        '    router.push("/dashboard")\n'
    ) in edited
    assert not created(edits)  # browser code needs no server client
    assert error_nodes(edited, f.path) == []
    assert again == []


ROUTE = """import { NextResponse } from 'next/server';
import { db } from '@/lib/db';

export async function POST(req: Request) {
  const body = await req.json();
  const user = await db.user.create({ data: body });
  return NextResponse.json(user);
}
"""


def test_the_server_client_is_imported_through_the_at_alias_the_file_already_uses():
    f = flow("src/app/api/signup/route.ts", FlowKind.SIGNUP, 6, "  ", event="user_signed_up", user_id="user.id")
    pkg = package("nextjs-app-router")
    aliased = plan_flow_tracking(ROUTE, f.path, f, pkg, SNIPPETS, exists=lambda p: p == "src/lib/db.ts")
    assert "import { posthog } from '@/lib/posthog-server';\n" in apply(ROUTE, aliased, f.path)
    assert list(created(aliased)) == ["src/lib/posthog-server.ts"]
    unproven = plan_flow_tracking(ROUTE, f.path, f, pkg, SNIPPETS, exists=lambda p: False)  # `@/` may mean anything
    assert "import { posthog } from '../../../lib/posthog-server';\n" in apply(ROUTE, unproven, f.path)


def test_next_route_handler_signup_creates_the_server_client_and_awaits_flush():
    f = flow(
        "src/app/api/signup/route.ts", FlowKind.SIGNUP, 6, "  ", event="user_signed_up", user_id="user.id", span=(3, 7)
    )
    edits, edited, again = _plan_twice(ROUTE, f, package("nextjs-app-router"))
    files = created(edits)
    assert list(files) == ["src/lib/posthog-server.ts"]
    module = files["src/lib/posthog-server.ts"]
    assert "process.env.NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN" in module  # PostHog's current name for new code
    assert "flushAt: 1" in module and "flushInterval: 0" in module
    assert "phc_" not in module and "''" not in module.split("console.warn")[0]  # no hard-coded or empty key
    assert "import { posthog } from '../../../lib/posthog-server';\n" in edited
    assert (
        "  posthog.capture({\n    distinctId: String(user.id),\n    event: 'user_signed_up',\n  });\n"
        "  await posthog.flush();\n  return NextResponse.json(user);"
    ) in edited
    assert "posthog.identify({\n    distinctId: String(user.id),\n  });" in edited
    assert error_nodes(edited, f.path) == [] and error_nodes(module, "src/lib/posthog-server.ts") == []
    assert again == []


def test_existing_server_module_is_not_created_again():
    f = flow("app/api/signup/route.ts", FlowKind.SIGNUP, 6, "  ", event="user_signed_up", user_id="user.id")
    edits = plan_flow_tracking(
        ROUTE, f.path, f, package("nextjs-app-router"), SNIPPETS, exists=lambda p: p == "lib/posthog-server.ts"
    )
    assert not created(edits)
    assert any("from '../../../lib/posthog-server'" in e.new_text for e in edits)


def test_sync_handler_is_not_given_an_await_it_cannot_run():
    text = (
        "import { db } from './db';\n\nexport default function handler(req, res) {\n  db.save(req.body);\n"
        "  res.status(200).end();\n}\n"
    )
    f = flow(
        "pages/api/checkout.js", FlowKind.CHECKOUT_STARTED, 4, "  ", event="checkout_started", user_id="req.userId"
    )
    edits = plan_flow_tracking(text, f.path, f, package("nextjs-pages-router", "javascript"), SNIPPETS)
    edited = apply(text, edits, f.path)
    assert "posthog.capture({" in edited and "await" not in edited
    assert "import { posthog } from '../../lib/posthog-server.js';" in edited  # plain JS keeps the extension
    assert error_nodes(edited, f.path) == []


def test_express_commonjs_file_with_tabs_gets_require_and_a_reindented_multiline_capture():
    f = billing_flow()
    edits, edited, again = _plan_twice(BILLING_CJS, f, package("node-express", "javascript"))
    assert "const express = require('express')\nconst { posthog } = require('../lib/posthog-server.js')\n\n" in edited
    assert (
        "\t\tposthog.capture({\n"
        "\t\t\tdistinctId: String(paymentIntent.metadata.userId),\n"
        "\t\t\tevent: 'payment_succeeded',\n"
        "\t\t\tproperties: { amount: paymentIntent.amount, currency: paymentIntent.currency },\n"
        "\t\t})\n"
        "\t}\n"
    ) in edited
    module = created(edits)["src/lib/posthog-server.js"]
    assert "require('posthog-node')" in module and "module.exports = { posthog }" in module
    assert "flushAt" not in module  # a long-running server batches
    assert error_nodes(edited, f.path) == [] and again == []


def test_browser_logout_captures_then_resets():
    text = (
        "import posthog from 'posthog-js';\n\nexport function LogoutButton() {\n"
        "  const onClick = async () => {\n    await signOut();\n  };\n  return <button onClick={onClick} />;\n}\n"
    )
    f = flow("src/LogoutButton.jsx", FlowKind.LOGOUT, 5, "    ", event="user_logged_out", side="client", span=(3, 5))
    edits, edited, again = _plan_twice(text, f, package("react-spa", "javascript"))
    assert "    await signOut();\n    posthog.capture('user_logged_out');\n    posthog.reset();\n  };" in edited
    assert len(edits) == 1  # the import is already there
    assert error_nodes(edited, f.path) == [] and again == []


def test_an_existing_client_name_is_reused():
    text = "import ph from 'posthog-js'\n\nfunction done(user) {\n  go()\n}\n"
    f = flow("a.js", FlowKind.SIGNUP, 3, "  ", event="user_signed_up", side="client", user_id="user.id")
    edited = apply(text, plan_flow_tracking(text, f.path, f, package("react-spa", "javascript"), SNIPPETS), f.path)
    assert "  ph.identify(String(user.id))\n  ph.capture('user_signed_up')\n  go()" in edited
    assert edited.count("import") == 1


def test_unknown_user_id_sends_the_capture_anonymously_skips_identify_and_says_so():
    text = "import { posthog } from './posthog'\n\nexport async function login() {\n  await auth()\n  return true\n}\n"
    f = flow("src/login.ts", FlowKind.LOGIN, 4, "  ", event="user_logged_in")
    edited = apply(text, plan_flow_tracking(text, f.path, f, package("node", "typescript"), SNIPPETS), f.path)
    assert "  // TODO(posthog): no user id found here, so this event is sent anonymously: add distinctId:" in edited
    assert "  // TODO(posthog): the user is not identified here" in edited
    assert "  posthog.capture({\n    event: 'user_logged_in',\n  })\n  return true" in edited
    code = [line for line in edited.splitlines() if not line.strip().startswith("//")]
    assert not any("distinctId" in line or "identify" in line for line in code)
    assert "DISTINCT_ID" not in edited
    assert error_nodes(edited, f.path) == []


def test_unknown_user_id_in_python_omits_distinct_id_and_identify_context():
    text = "from posthog_client import posthog\n\n\ndef login(request):\n    authenticate_somehow()\n    return ok()\n"
    f = flow("views.py", FlowKind.LOGIN, 5, "    ", event="user_logged_in")
    edited = apply(text, plan_flow_tracking(text, f.path, f, package("django", "python"), SNIPPETS), f.path)
    assert '    posthog.capture(\n        "user_logged_in",\n' in edited
    code = [line for line in edited.splitlines() if not line.strip().startswith("#")]
    assert not any("distinct_id" in line or "identify" in line for line in code)
    assert "DISTINCT_ID" not in edited
    assert edited.count("# TODO(posthog):") == 2


def test_identify_alone_is_not_planned_without_a_user_id():
    text = "import { posthog } from './posthog'\n\nexport async function login() {\n  await auth()\n  return true\n}\n"
    f = flow("src/login.ts", FlowKind.LOGIN, 4, "  ", event="user_logged_in")
    assert plan_pieces(text, f.path, f, package("node", "typescript"), SNIPPETS, {"identify"}) == []


FLASK = '''"""Auth views."""
from flask import Blueprint, request

bp = Blueprint("auth", __name__)


@bp.post("/login")
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not user.check_password(request.form["password"]):
        return "no", 401
    notify(user.email)
    return redirect("/")
'''


def test_flask_login_uses_keyword_capture_person_properties_and_the_new_client_module():
    f = flow("app/auth.py", FlowKind.LOGIN, 12, "    ", event="user_logged_in", user_id="user.id", span=(7, 12))
    pkg = Package(path=".", framework="flask", language="python", package_manager="pip")
    edits, edited, again = _plan_twice(FLASK, f, pkg)
    assert "from flask import Blueprint, request\nfrom posthog_client import posthog\n" in edited
    assert (
        "    notify(user.email)\n"
        '    posthog.set(distinct_id=user.id, properties={"email": user.email})\n'
        "    posthog.capture(\n"
        '        "user_logged_in",\n'
        "        distinct_id=user.id,\n"
        '        properties={"login_method": "password"},\n'
        "    )\n"
        '    return redirect("/")\n'
    ) in edited
    module = created(edits)["posthog_client.py"]
    assert 'os.environ.get("POSTHOG_PROJECT_TOKEN")' in module and 'os.environ.get("POSTHOG_HOST")' in module
    assert error_nodes(edited, f.path) == [] and error_nodes(module, "posthog_client.py") == []
    assert again == []


def test_python_single_quotes_and_a_global_posthog_import_are_kept():
    text = "import posthog\n\n\ndef cancel(sub):\n    sub.cancel()\n    return 'ok'\n"
    f = flow(
        "billing.py", FlowKind.SUBSCRIPTION_CANCELLED, 5, "    ", event="subscription_cancelled", user_id="sub.user_id"
    )
    edits = plan_flow_tracking(text, f.path, f, None, SNIPPETS)
    edited = apply(text, edits, f.path)
    assert len(edits) == 1 and "    posthog.capture(\n        'subscription_cancelled',\n" in edited


def test_package_env_var_names_are_reused_in_the_new_client():
    pkg = Package(
        path="apps/web",
        framework="nextjs-app-router",
        language="typescript",
        package_manager="pnpm",
        env_key_var="NEXT_PUBLIC_PH_TOKEN",
        env_host_var="NEXT_PUBLIC_PH_HOST",
        posthog=PosthogSetup(installed=True),
    )
    f = flow("apps/web/app/api/signup/route.ts", FlowKind.SIGNUP, 6, "  ", event="user_signed_up", user_id="user.id")
    edits = plan_flow_tracking(ROUTE, f.path, f, pkg, SNIPPETS)
    module = created(edits)["apps/web/lib/posthog-server.ts"]
    assert "process.env.NEXT_PUBLIC_PH_TOKEN" in module and "process.env.NEXT_PUBLIC_PH_HOST" in module


def test_crlf_file_stays_crlf():
    text = FLASK.replace("\n", "\r\n")
    f = flow("app/auth.py", FlowKind.LOGIN, 12, "    ", event="user_logged_in", user_id="user.id", span=(7, 12))
    pkg = Package(path=".", framework="flask", language="python", package_manager="pip")
    edits, edited, again = _plan_twice(text, f, pkg)
    assert all("\r\n" in e.new_text for e in edits if not e.create_file)
    assert "posthog.capture(" in edited and edited.count("\n") == edited.count("\r\n")
    assert error_nodes(edited, f.path) == [] and again == []


def test_event_properties_never_carry_the_email():
    text = (
        "export async function signup(email, password) {\n  const user = await createUser(email, password);\n"
        "  return user;\n}\n"
    )
    f = flow("signup.mjs", FlowKind.SIGNUP, 2, "  ", event="user_signed_up", user_id="user.id")
    edited = apply(text, plan_flow_tracking(text, f.path, f, package("node", "javascript"), SNIPPETS), f.path)
    capture = edited[edited.index("posthog.capture") :]
    capture = capture[: capture.index("});")]
    identify = edited[edited.index("posthog.identify") : edited.index("posthog.capture")]
    assert "email" not in capture and "properties: { signup_method: 'password' }" in capture
    assert "properties: { email }" in identify  # person properties may hold it


def test_insert_after_a_last_line_without_newline():
    text = "def logout(user):\n    user.logout()"
    f = flow("x.py", FlowKind.LOGOUT, 2, "    ", event="user_logged_out", user_id="user.pk")
    edited = apply(text, plan_flow_tracking(text, f.path, f, None, SNIPPETS), f.path)
    assert edited.endswith(
        '    user.logout()\n    posthog.capture(\n        "user_logged_out",\n        distinct_id=user.pk,\n    )'
    )
    assert error_nodes(edited, f.path) == []


def test_tracked_flow_and_unparsable_input_plan_nothing():
    f = flow("a.ts", FlowKind.LOGIN, 0, "", event="user_logged_in", user_id="u.id")
    text = (
        "function a(u) {\n  posthog.identify({ distinctId: u.id })\n  posthog.capture({ event: 'user_logged_in' })\n}\n"
    )
    assert (
        plan_flow_tracking(
            text, "a.ts", flow("a.ts", FlowKind.LOGIN, 3, "  ", event="user_logged_in", user_id="u.id"), None, SNIPPETS
        )
        == []
    )
    assert plan_flow_tracking("\x00\x01((", "a.ts", f, None, SNIPPETS) is not None
    assert plan_flow_tracking("x", "notes.txt", f, None, SNIPPETS) == []
    f_far = flow("a.py", FlowKind.LOGIN, 999, "", event="user_logged_in", user_id="u")
    assert isinstance(plan_flow_tracking("", "a.py", f_far, None, SNIPPETS), list)


def test_import_goes_after_directives_and_docstrings_when_the_file_has_no_imports():
    client = "'use client'\n\nexport function Checkout({ plan }) {\n  start(plan)\n}\n"
    f = flow("app/checkout.tsx", FlowKind.CHECKOUT_STARTED, 4, "  ", event="checkout_started", side="client")
    edited = apply(client, plan_flow_tracking(client, f.path, f, package("nextjs-app-router"), SNIPPETS), f.path)
    assert edited.startswith("'use client'\nimport posthog from 'posthog-js'\n\nexport function Checkout")
    assert "  start(plan)\n  posthog.capture('checkout_started', { plan })\n}" in edited
    python = '"""Billing views."""\n\n\ndef checkout(request, plan):\n    start(plan)\n'
    f = flow("shop/views.py", FlowKind.CHECKOUT_STARTED, 5, "    ", event="checkout_started", user_id="request.user.pk")
    edited = apply(python, plan_flow_tracking(python, f.path, f, None, SNIPPETS), f.path)
    assert edited.startswith('"""Billing views."""\nfrom posthog_client import posthog\n\n\ndef checkout(')
    assert 'properties={"plan": plan},' in edited and error_nodes(edited, f.path) == []


def test_a_one_line_arrow_handler_in_jsx_gets_a_block_body_not_text_on_the_page():
    text = (
        "import posthog from 'posthog-js'\n\nexport function Plans() {\n  return (\n"
        "    <button onClick={() => post('/api/checkout', { plan: 'pro' })}>Upgrade</button>\n  )\n}\n"
    )
    f = flow("app/plans.tsx", FlowKind.CHECKOUT_STARTED, 4, "    ", event="checkout_started", side="client")
    f = replace(f, span=Span(4, 21, 4, 65))
    _, edited, again = _plan_twice(text, f, package("react-spa"))
    assert (
        "onClick={() => { posthog.capture('checkout_started'); return post('/api/checkout', { plan: 'pro' }); }}"
        in edited
    )
    assert error_nodes(edited, f.path) == [] and again == []


def test_logout_capture_goes_before_an_existing_reset():
    text = (
        "import posthog from 'posthog-js'\n\nasync function logout() {\n  await api.logout()\n  posthog.reset()\n"
        "  setUser(null)\n}\n"
    )
    f = flow("src/logout.js", FlowKind.LOGOUT, 6, "  ", event="user_logged_out", side="client", span=(2, 6))
    _, edited, again = _plan_twice(text, f, package("react-spa", "javascript"))
    assert "  await api.logout()\n  posthog.capture('user_logged_out')\n  posthog.reset()\n" in edited
    assert again == []


def test_an_insertion_point_inside_an_expression_plans_nothing():
    text = "function f() {\n  return render(\n    a,\n    b,\n  )\n}\n"
    f = flow("a.js", FlowKind.SIGNUP, 3, "    ", event="user_signed_up", side="client", user_id="u.id", span=(0, 5))
    assert plan_flow_tracking(text, f.path, f, package("react-spa", "javascript"), SNIPPETS) == []


def test_other_libraries_reset_and_flush_do_not_count_as_posthog_calls():
    text = (
        "import posthog from 'posthog-js'\n\nasync function logout(form) {\n  form.reset()\n  await api.logout()\n}\n"
    )
    f = flow("src/logout.js", FlowKind.LOGOUT, 5, "  ", event="user_logged_out", side="client", span=(2, 5))
    edited = apply(text, plan_flow_tracking(text, f.path, f, package("react-spa", "javascript"), SNIPPETS), f.path)
    assert "  form.reset()\n  await api.logout()\n  posthog.capture('user_logged_out')\n  posthog.reset()\n}" in edited
    route = (
        "import { posthog } from '@/lib/posthog-server'\n\nexport async function POST() {\n"
        "  const user = await signUp()\n  await logger.flush()\n  return Response.json(user)\n}\n"
    )
    f = flow("app/api/signup/route.ts", FlowKind.SIGNUP, 5, "  ", event="user_signed_up", user_id="user.id")
    edited = apply(route, plan_flow_tracking(route, f.path, f, package("nextjs-app-router"), SNIPPETS), f.path)
    assert "  await posthog.flush()\n  return Response.json(user)" in edited


def test_a_python_script_inside_a_javascript_package_gets_python_code():
    text = "def refund(order):\n    order.refund()\n"
    f = flow("scripts/refund.py", FlowKind.PAYMENT_FAILED, 2, "    ", event="payment_refunded", user_id="order.user_id")
    edits = plan_flow_tracking(text, f.path, f, package("nextjs-app-router"), SNIPPETS)
    assert 'posthog.capture(\n        "payment_refunded",\n        distinct_id=order.user_id,\n    )' in apply(
        text, edits, f.path
    )
    assert "posthog_client.py" in created(edits)


def test_a_byte_order_mark_stays_at_the_start_of_the_file():
    text = "\ufeffdef signup(form):\n    user = save(form)\n    return user\n"
    f = flow("views.py", FlowKind.SIGNUP, 2, "    ", event="user_signed_up", user_id="user.id")
    edited = apply(text, plan_flow_tracking(text, f.path, f, None, SNIPPETS), f.path)
    assert edited.startswith("\ufefffrom posthog_client import posthog\n\ndef signup(form):\n")
    assert "    user = save(form)\n    posthog.capture(\n" in edited


WEBHOOK_PY = """import stripe
from posthog_client import posthog


def stripe_webhook(event):
    etype = event["type"]
    if etype == "checkout.session.completed":
        fulfil(event)

    elif etype == "customer.subscription.deleted":
        downgrade(event)
    elif etype == "invoice.paid":
        extend(event)
    return {"received": True}
"""


def test_python_webhook_branch_followed_by_elif_gets_its_capture_inside_the_branch():
    for kind, event, at in ((FlowKind.PAYMENT_SUCCEEDED, "payment_succeeded", 8),
                            (FlowKind.SUBSCRIPTION_CANCELLED, "subscription_cancelled", 11)):
        f = flow("billing.py", kind, at, "        ", event=event, side="server", user_id="event['id']", span=(5, 13))
        edits = plan_flow_tracking(WEBHOOK_PY, f.path, f, package("flask", "python"), SNIPPETS, exists=lambda p: True)
        edited = apply(WEBHOOK_PY, edits, f.path)
        assert f'"{event}"' in edited and not error_nodes(edited, f.path)
        lines = edited.split("\n")
        assert lines[at].startswith("        posthog.capture(")  # inside the branch, before the elif


def test_a_route_registered_with_only_a_middleware_gets_no_code_at_module_level():
    text = "const app = require('express')()\napp.post('/login', passport.authenticate('local', {\n  a: 1,\n}))\n"
    f = flow("app.js", FlowKind.LOGIN, 1, "", event="user_logged_in", side="server", user_id="req.user.id",
             span=(1, 3))
    assert plan_flow_tracking(text, f.path, f, package("node-express", "javascript"), SNIPPETS) == []


def test_sdk_dependencies_go_where_npm_sorts_them_and_an_unsorted_list_gets_them_first():
    from lsp_server.edits.apply import apply_edits
    from lsp_server.edits.setup import plan_setup

    def added(manifest: str) -> str:
        plan = plan_setup(package("nextjs-app-router"), {"server", "client"}, {"package.json": manifest}.get)
        return apply_edits(manifest, [e for e in plan.edits if e.path == "package.json"])

    sorted_deps = (
        '{\n  "dependencies": {\n    "@next-auth/prisma-adapter": "1.0.0",\n    "next": "15.0.0",\n'
        '    "react": "19.0.0"\n  }\n}\n'
    )
    names = list(json.loads(added(sorted_deps))["dependencies"])
    assert names == ["@next-auth/prisma-adapter", "next", "posthog-js", "posthog-node", "react"]
    unsorted = '{\n  "dependencies": {\n    "react": "19.0.0",\n    "next": "15.0.0"\n  }\n}\n'
    assert list(json.loads(added(unsorted))["dependencies"])[-2:] == ["react", "next"]


def test_a_crlf_requirements_file_gets_the_sdk_on_a_crlf_line():
    from lsp_server.edits.apply import apply_edits
    from lsp_server.edits.setup import plan_setup

    manifest = "Django==5.1\r\nstripe==11.3\r\n"
    plan = plan_setup(package("django", "python"), {"server"}, {"requirements.txt": manifest}.get)
    edited = apply_edits(manifest, [e for e in plan.edits if e.path == "requirements.txt"])
    assert edited.startswith(manifest) and edited.endswith("\r\n") and "\n" not in edited.replace("\r\n", "")
    assert "posthog" in edited


def test_jsx_attribute_quotes_do_not_decide_the_quotes_of_inserted_code():
    from lsp_server.analysis.parsing import parse
    from lsp_server.edits.text_style import detect_style

    text = (
        "import Link from 'next/link';\nimport { signOut } from '@/auth';\n\nexport default function Nav() {\n"
        '  return <div className="a"><Link className="b" href="/">x</Link><form className="c" /></div>;\n}\n'
    )
    assert detect_style(text, "tsx", parse(text, "tsx")).quote == "'"


def test_a_long_file_keeps_its_own_style_though_only_its_start_is_read():
    from lsp_server.analysis.parsing import parse
    from lsp_server.edits.text_style import detect_style

    unit = 'export function handler{i}(req) {{\n\tconst name = "item{i}"\n\treturn name\n}}\n'
    body = "".join(unit.format(i=i) for i in range(3000))
    style = detect_style(body, "javascript", parse(body, "javascript"))
    assert (style.quote, style.semicolons, style.indent_unit) == ('"', False, "\t")
    semis = body.replace('"\n', '";\n').replace("name\n", "name;\n").replace('"', "'")
    style = detect_style(semis, "javascript", parse(semis, "javascript"))
    assert (style.quote, style.semicolons) == ("'", True)
