"""The code posthog-lsp inserts runs: edited files are executed with the real SDKs against a local sink.

Python files run with posthog-python (the dev dependency); JavaScript files run with `node` and posthog-node
from tests/node/node_modules. Key and host reach the generated code only through environment variables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.model import Finding, FlowKind, Package, Span
from lsp_server.edits import BundledSnippets, plan_flow_tracking, plan_quick_fix
from tests import sink
from tests.edits_support import BILLING_CJS, apply, billing_flow, created, error_nodes, flow, package, shifted

SNIPPETS = BundledSnippets()
NODE_MODULES = Path(__file__).parent / "node" / "node_modules"
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_MODULES / "posthog-node").is_dir(),
    reason="needs node and `npm install` in tests/node (make test does it)",
)


@pytest.fixture(scope="module")
def sink_url():
    server, url = sink.start()
    yield url
    server.shutdown()


def _run(
    command: list[str],
    cwd: Path,
    sink_url: str,
    *,
    env_key: str = "POSTHOG_PROJECT_TOKEN",
    host_var: str = "POSTHOG_HOST",
) -> list[dict]:
    """Run `command` with a fresh project token; return the events the sink received with that token."""
    token = "phc_test_" + uuid.uuid4().hex
    env = {**os.environ, env_key: token, host_var: sink_url, "NODE_ENV": "test"}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return [e for e in sink.all_events() if e["api_key"] == token]


def _write_project(tmp_path: Path, text: str, path: str, edits) -> str:
    edited = apply(text, edits, path)
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(edited)
    for module_path, content in created(edits).items():
        (tmp_path / module_path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / module_path).write_text(content)
    return edited


def _tracked_project(tmp_path: Path, text: str, f, pkg) -> tuple[list, str]:
    """Plan the flow's tracking, write the edited file and any created module, make node_modules reachable."""
    edits = plan_flow_tracking(text, f.path, f, pkg, SNIPPETS)
    edited = _write_project(tmp_path, text, f.path, edits)
    if not f.path.endswith(".py"):
        (tmp_path / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)  # ESM ignores NODE_PATH
    return edits, edited


def _drive(tmp_path: Path, name: str, driver: str, sink_url: str, *node_args: str, **env: str) -> list[dict]:
    (tmp_path / name).write_text(driver)
    return _run(["node", *node_args, name], tmp_path, sink_url, **env)


ACCOUNTS = '''"""Accounts."""
from dataclasses import dataclass


@dataclass
class User:
    id: int
    email: str
    password: str


def login(user, password):
    if user.password != password:
        return False
    audit(f"login {user.email}")
    return True


def audit(message):
    return message
'''


def test_python_login_sends_the_capture_and_person_properties_as_the_user(tmp_path, sink_url):
    f = flow("accounts.py", FlowKind.LOGIN, 15, "    ", event="user_logged_in", user_id="user.id", span=(11, 15))
    _tracked_project(tmp_path, ACCOUNTS, f, None)
    script = (
        "import accounts, posthog_client\n"
        "user = accounts.User(42, 'ada@example.com', 'pw')\n"
        "assert accounts.login(user, 'wrong') is False\n"
        "assert accounts.login(user, 'pw') is True\n"  # no new_context(): the capture's distinct_id names the user
        "posthog_client.posthog.flush()\n"
    )
    events = _run([sys.executable, "-c", script], tmp_path, sink_url)
    by_name = {e["event"]: e for e in events}
    assert sorted(by_name) == ["$set", "user_logged_in"]  # nothing from the failed login
    login = by_name["user_logged_in"]
    assert login["distinct_id"] == "42" and login["properties"]["login_method"] == "password"
    assert login["lib"] == "posthog-python" and "ada@example.com" not in str(login["properties"])
    assert by_name["$set"]["distinct_id"] == "42" and by_name["$set"]["$set"]["email"] == "ada@example.com"
    assert "$process_person_profile" not in login["properties"]


def test_python_capture_without_a_known_user_id_runs_and_is_sent_anonymously_or_as_the_context_user(
    tmp_path, sink_url
):
    f = flow("accounts.py", FlowKind.LOGIN, 15, "    ", event="user_logged_in", span=(11, 15))  # no user id
    _, edited = _tracked_project(tmp_path, ACCOUNTS, f, None)
    assert "TODO(posthog)" in edited and "identify_context(" not in edited.replace("call posthog.identify_context", "")
    script = (
        "import accounts, posthog_client\n"
        "user = accounts.User(42, 'ada@example.com', 'pw')\n"
        "assert accounts.login(user, 'pw') is True\n"  # no request context: anonymous
        "with posthog_client.posthog.new_context():\n"
        "    posthog_client.posthog.identify_context('u_7')\n"  # e.g. the Django/Flask integration's middleware
        "    assert accounts.login(user, 'pw') is True\n"
        "posthog_client.posthog.flush()\n"
    )
    events = _run([sys.executable, "-c", script], tmp_path, sink_url)
    assert [e["event"] for e in events] == ["user_logged_in", "user_logged_in"]
    anonymous, in_context = events
    assert len(anonymous["distinct_id"]) == 36 and anonymous["properties"]["$process_person_profile"] is False
    assert in_context["distinct_id"] == "u_7" and "$process_person_profile" not in in_context["properties"]


WEBHOOK = """import json


def handle(payload):
    event = json.loads(payload)
    if event["type"] == "payment_intent.succeeded":
        payment_intent = event["data"]["object"]
        mark_paid(payment_intent.id, payment_intent.amount, payment_intent.currency)
    return 200


def mark_paid(*args):
    return args
"""


def test_python_payment_webhook_sends_amount_and_currency(tmp_path, sink_url):
    f = flow(
        "billing/webhooks.py",
        FlowKind.PAYMENT_SUCCEEDED,
        8,
        "        ",
        event="payment_succeeded",
        user_id="payment_intent.customer",
        span=(3, 9),
    )
    pkg = Package(path="billing", framework="django", language="python", package_manager="pip")
    edits, _ = _tracked_project(tmp_path, WEBHOOK, f, pkg)
    assert list(created(edits)) == ["billing/posthog_client.py"]
    script = (
        "import json, types, webhooks, posthog_client\n"
        "pi = types.SimpleNamespace(id='pi_1', amount=4900, currency='eur', customer='cus_9')\n"
        "webhooks.json = types.SimpleNamespace(loads=lambda p: {'type': p, 'data': {'object': pi}})\n"
        "assert webhooks.handle('payment_intent.succeeded') == 200\n"
        "posthog_client.posthog.flush()\n"
    )
    events = _run([sys.executable, "-c", script], tmp_path / "billing", sink_url)
    assert [(e["event"], e["distinct_id"]) for e in events] == [("payment_succeeded", "cus_9")]
    assert events[0]["properties"]["amount"] == 4900 and events[0]["properties"]["currency"] == "eur"


def test_python_hardcoded_key_fix_reads_the_key_from_the_environment(tmp_path, sink_url):
    text = (
        'from posthog import Posthog\n\nclient = Posthog("phc_4fG7hK2mQ9xZ", host=HOST, sync_mode=True)\n'
        'client.capture("server_started", distinct_id="svc_1")\n'
    )
    text = text.replace("HOST", '__import__("os").environ["POSTHOG_HOST"]')
    start = text.index('"phc_')
    line_start = text.rfind("\n", 0, start) + 1
    span = Span(2, start - line_start, 2, start - line_start + len('"phc_4fG7hK2mQ9xZ"'))
    finding = Finding("posthog/hardcoded-key", "key", span, "warning", {"env_var": "POSTHOG_PROJECT_TOKEN"})
    edits = plan_quick_fix(text, "app.py", finding, None, SNIPPETS)
    edited = _write_project(tmp_path, text, "app.py", edits)
    assert "phc_" not in edited and edited.startswith("from posthog import Posthog\nimport os\n")
    events = _run([sys.executable, "app.py"], tmp_path, sink_url)
    assert [(e["event"], e["distinct_id"]) for e in events] == [("server_started", "svc_1")]


SIGNUP_MJS = """import { randomUUID } from 'node:crypto';

export async function signup(email, password) {
  const user = { id: randomUUID(), email };
  await saveUser(user, password);
  return user;
}

async function saveUser() {}
"""


@needs_node
def test_node_signup_sends_identify_and_capture_as_the_user(tmp_path, sink_url):
    f = flow("src/signup.mjs", FlowKind.SIGNUP, 5, "  ", event="user_signed_up", user_id="user.id", span=(2, 6))
    edits, _ = _tracked_project(tmp_path, SIGNUP_MJS, f, package("node", "javascript"))
    assert list(created(edits)) == ["src/lib/posthog-server.mjs"]
    driver = (
        "import { signup } from './src/signup.mjs';\n"
        "import { posthog } from './src/lib/posthog-server.mjs';\n"
        "const user = await signup('ada@example.com', 'pw');\n"
        "console.log(user.id);\n"
        "await posthog.shutdown();\n"
    )
    events = _drive(tmp_path, "driver.mjs", driver, sink_url)
    by_name = {e["event"]: e for e in events}
    assert sorted(by_name) == ["$identify", "user_signed_up"]
    user_id = by_name["user_signed_up"]["distinct_id"]
    assert len(user_id) == 36 and by_name["$identify"]["distinct_id"] == user_id
    assert by_name["$identify"]["$set"] == {"email": "ada@example.com"}
    assert by_name["user_signed_up"]["properties"]["signup_method"] == "password"
    assert by_name["user_signed_up"]["lib"] == "posthog-node"


@needs_node
def test_node_capture_without_a_known_user_id_runs_and_is_sent_anonymously(tmp_path, sink_url):
    f = flow("src/signup.mjs", FlowKind.SIGNUP, 5, "  ", event="user_signed_up", span=(2, 6))  # no user id
    _, edited = _tracked_project(tmp_path, SIGNUP_MJS, f, package("node", "javascript"))
    code = [line for line in edited.splitlines() if not line.strip().startswith("//")]
    assert not any("distinctId" in line or "identify" in line for line in code) and "TODO(posthog)" in edited
    driver = (
        "import { signup } from './src/signup.mjs';\n"
        "import { posthog } from './src/lib/posthog-server.mjs';\n"
        "await signup('ada@example.com', 'pw');\n"
        "await posthog.shutdown();\n"
    )
    events = _drive(tmp_path, "driver.mjs", driver, sink_url)
    assert [e["event"] for e in events] == ["user_signed_up"]
    assert len(events[0]["distinct_id"]) == 36 and events[0]["properties"]["$process_person_profile"] is False


ROUTE_MJS = """export async function POST(request) {
  const body = await request.json();
  const subscription = await cancelSubscription(body.subscriptionId);
  return Response.json({ status: subscription.status });
}

async function cancelSubscription(id) {
  return { id, status: 'canceled', userId: 'user_77' };
}
"""


@needs_node
def test_next_route_handler_delivers_events_before_it_returns(tmp_path, sink_url):
    f = flow(
        "app/api/cancel/route.mjs",
        FlowKind.SUBSCRIPTION_CANCELLED,
        3,
        "  ",
        event="subscription_cancelled",
        user_id="subscription.userId",
        span=(0, 4),
    )
    _, edited = _tracked_project(tmp_path, ROUTE_MJS, f, package("nextjs-app-router", "javascript"))
    assert "await posthog.flush();\n  return Response.json" in edited
    # Like a serverless platform, freeze the process as soon as the handler returns: no shutdown, no timers.
    driver = (
        "import { POST } from './app/api/cancel/route.mjs';\n"
        "const body = JSON.stringify({ subscriptionId: 's1' });\n"
        "const res = await POST(new Request('http://x/api', { method: 'POST', body }));\n"
        "console.log(await res.text());\n"
        "process.exit(0);\n"
    )
    events = _drive(
        tmp_path,
        "driver.mjs",
        driver,
        sink_url,
        env_key="NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN",
        host_var="NEXT_PUBLIC_POSTHOG_HOST",
    )
    assert [(e["event"], e["distinct_id"]) for e in events] == [("subscription_cancelled", "user_77")]


@needs_node
def test_express_commonjs_webhook_sends_the_payment(tmp_path, sink_url):
    f = billing_flow()
    _tracked_project(tmp_path, BILLING_CJS, f, package("node-express", "javascript"))
    driver = """
const { router } = require('./src/routes/billing.js')
const { posthog } = require('./src/lib/posthog-server.js')
const layer = router.stack.find((l) => l.route && l.route.path === '/webhook')
const handler = layer.route.stack[0].handle
const body = { data: { object: { status: 'succeeded', amount: 1999, currency: 'usd', metadata: { userId: 'u_5' } } } }
handler({ body }, { sendStatus: (s) => console.log('status', s) }).then(() => posthog.shutdown())
"""
    events = _drive(tmp_path, "driver.cjs", driver, sink_url)
    assert [(e["event"], e["distinct_id"]) for e in events] == [("payment_succeeded", "u_5")]
    assert events[0]["properties"]["amount"] == 1999 and events[0]["properties"]["currency"] == "usd"


LOGOUT_CJS = """const express = require('express');

const router = express.Router();

router.post('/logout', (req, res, next) => {
  req.logout((err) => {
    if (err) {
      return next(err);
    }
    res.redirect('/');
  });
});

module.exports = { router };
"""


@needs_node
def test_express_logout_is_sent_before_req_logout_as_the_user_and_anonymously_without_one(tmp_path, sink_url):
    doc = analyze_document("src/routes/auth.js", LOGOUT_CJS, package=package("node-express", "javascript"))
    [f] = [f for f in doc.flows if f.kind == FlowKind.LOGOUT]
    _, edited = _tracked_project(tmp_path, LOGOUT_CJS, f, package("node-express", "javascript"))
    assert edited.index("user_logged_out") < edited.index("req.logout(")  # while req.user is still set
    driver = """
const { router } = require('./src/routes/auth.js')
const { posthog } = require('./src/lib/posthog-server.js')
const handler = router.stack.find((l) => l.route && l.route.path === '/logout').route.stack[0].handle
const res = { redirect: () => {} }
const signedIn = { user: { id: 42 }, logout(cb) { this.user = undefined; cb() } }
const visitor = { logout(cb) { cb() } }  // no session: req.user is undefined
handler(signedIn, res, console.error)
handler(visitor, res, console.error)
posthog.shutdown()
"""
    events = _drive(tmp_path, "driver.cjs", driver, sink_url)
    assert [e["event"] for e in events] == ["user_logged_out", "user_logged_out"]
    assert events[0]["distinct_id"] == "42"
    assert len(events[1]["distinct_id"]) == 36 and events[1]["properties"]["$process_person_profile"] is False


FALLTHROUGH_MJS = """export async function POST(request) {
  const event = JSON.parse(await request.text());
  switch (event.type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = event.data.object;
      await sync(subscription.id, subscription.status);
      break;
    }
    default:
      break;
  }
  return new Response('ok');
}

async function sync() {}
"""


@needs_node
def test_webhook_cases_sharing_one_body_send_one_event_per_webhook(tmp_path, sink_url):
    path, pkg = "app/api/webhooks/route.mjs", package("nextjs-app-router", "javascript")
    text = FALLTHROUGH_MJS
    flows = [f for f in analyze_document(path, text, package=pkg).flows if f.kind.value.startswith("subscription")]
    assert len(flows) == 3
    edits, seen = [], set()  # like Integrate: every flow planned on the same text, shared edits (import) once
    for f in flows:
        for e in plan_flow_tracking(text, path, f, pkg, SNIPPETS):
            if (e.path, e.span, e.new_text) not in seen:
                seen.add((e.path, e.span, e.new_text))
                edits.append(e)
    edited = _write_project(tmp_path, text, path, edits)
    assert edited.count("posthog.capture(") == 3 and error_nodes(edited, path) == []
    (tmp_path / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    driver = (
        "import { POST } from './app/api/webhooks/route.mjs';\n"
        "for (const type of ['customer.subscription.created', 'customer.subscription.updated',"
        " 'customer.subscription.deleted']) {\n"
        "  const body = JSON.stringify({ type, data: { object: { id: 'sub_1', status: 'x', customer: 'cus_7' } } });\n"
        "  await POST(new Request('http://x/api', { method: 'POST', body }));\n"
        "}\n"
        "process.exit(0);\n"
    )
    events = _drive(
        tmp_path,
        "driver.mjs",
        driver,
        sink_url,
        env_key="NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN",
        host_var="NEXT_PUBLIC_POSTHOG_HOST",
    )
    assert sorted((e["event"], e["distinct_id"]) for e in events) == [
        ("subscription_cancelled", "cus_7"),
        ("subscription_changed", "cus_7"),
        ("subscription_created", "cus_7"),
    ]


AUTH_MJS = """import { api } from './api.mjs';

export async function login(email, password) {
  const user = await api.login(email, password);
  if (!user) return null;
  return user;
}

export async function logout() {
  await api.logout();
}
"""
BROWSER_ENV = Path(__file__).parent / "node" / "browser-env.mjs"
needs_browser = pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_MODULES / "posthog-js").is_dir() or not (NODE_MODULES / "jsdom").is_dir(),
    reason="needs node and `npm install` in tests/node (make test does it)",
)


@needs_browser
def test_browser_login_and_logout_identify_capture_and_reset_with_posthog_js(tmp_path, sink_url):
    pkg = package("react-spa", "javascript")
    login = flow(
        "src/auth.mjs", FlowKind.LOGIN, 5, "  ", event="user_logged_in", side="client", user_id="user.id", span=(2, 6)
    )
    edits = plan_flow_tracking(AUTH_MJS, login.path, login, pkg, SNIPPETS)
    text = apply(AUTH_MJS, edits, login.path)
    logout = shifted(
        flow("src/auth.mjs", FlowKind.LOGOUT, 10, "  ", event="user_logged_out", side="client", span=(8, 10)), edits
    )
    edits, edited = _tracked_project(tmp_path, text, logout, pkg)
    assert edited.count("import posthog from 'posthog-js';") == 1 and not created(edits)
    (tmp_path / "src" / "api.mjs").write_text(
        "export const api = {\n  login: async (email, password) => (password === 'pw' ? { id: 42, email } : null),\n"
        "  logout: async () => {},\n};\n"
    )
    # The app's entry point initialises posthog-js (set-up code, not what this test checks).
    driver = (
        "const { default: posthog } = await import('posthog-js');\n"
        "posthog.init(process.env.VITE_PUBLIC_POSTHOG_KEY, { api_host: process.env.VITE_PUBLIC_POSTHOG_HOST,\n"
        "  defaults: '2026-01-30', request_batching: false, disable_compression: true, autocapture: false,\n"
        "  capture_pageview: false, disable_session_recording: true, opt_out_useragent_filter: true });\n"
        "const auth = await import('./src/auth.mjs');\n"
        "if ((await auth.login('ada@example.com', 'wrong')) !== null) throw new Error('login should fail');\n"
        "await auth.login('ada@example.com', 'pw');\n"
        "await auth.logout();\n"
        "posthog.capture('page_after_logout');\n"
        "await new Promise((resolve) => setTimeout(resolve, 1000));\n"
        "process.exit(0);\n"
    )
    events = _drive(
        tmp_path,
        "driver.mjs",
        driver,
        sink_url,
        "--import",
        BROWSER_ENV.as_uri(),
        env_key="VITE_PUBLIC_POSTHOG_KEY",
        host_var="VITE_PUBLIC_POSTHOG_HOST",
    )
    # one request per event, so arrival order is not send order; posthog-js also marks localhost users with a $set
    by_name = {e["event"]: e for e in events if e["event"] != "$set"}
    assert sorted(by_name) == ["$identify", "page_after_logout", "user_logged_in", "user_logged_out"]
    identify, logged_in, logged_out, after = (
        by_name[n] for n in ("$identify", "user_logged_in", "user_logged_out", "page_after_logout")
    )
    assert identify["distinct_id"] == "42" and identify["$set"] == {"email": "ada@example.com"}
    assert logged_in["distinct_id"] == "42" and logged_in["properties"]["login_method"] == "password"
    assert "ada@example.com" not in str(logged_in["properties"]) and logged_in["lib"] == "web"
    assert logged_out["distinct_id"] == "42"
    assert after["distinct_id"] not in ("42", identify["properties"].get("$anon_distinct_id"))  # reset: a new visitor


TYPECHECK_MODULES = Path(__file__).parent / "typecheck" / "node_modules"
TS_PROJECT = {
    "app/api/signup/route.ts": (
        "import { NextResponse } from 'next/server';\n\n"
        "async function createUser(email: string): Promise<{ id: number; email: string }> {\n"
        "  return { id: 1, email };\n}\n\n"
        "export async function POST(req: Request) {\n"
        "  const { email } = (await req.json()) as { email: string };\n"
        "  const user = await createUser(email);\n"
        "  return NextResponse.json(user);\n}\n",
        flow(
            "app/api/signup/route.ts", FlowKind.SIGNUP, 9, "  ", event="user_signed_up", user_id="user.id", span=(6, 10)
        ),
    ),
    "app/login/form.tsx": (
        "'use client'\nimport { useState } from \"react\"\n\n"
        "declare const auth: {\n"
        "  signInWithPassword(c: { email: string; password: string }): Promise<{ data: { user: { id: string } };"
        " error: Error | null }>\n}\n\n"
        'export function LoginForm() {\n  const [email] = useState("")\n'
        "  async function onSubmit(password: string) {\n"
        "    const { data, error } = await auth.signInWithPassword({ email, password })\n"
        '    if (error) return\n    window.location.assign("/dashboard")\n  }\n'
        '  return <form onSubmit={() => onSubmit("x")} />\n}\n',
        flow(
            "app/login/form.tsx",
            FlowKind.LOGIN,
            13,
            "    ",
            event="user_logged_in",
            side="client",
            user_id="data.user.id",
            span=(10, 14),
        ),
    ),
    "app/actions.ts": (
        "'use server'\n\nexport async function logout() {\n  await endSession();\n}\n\n"
        "async function endSession() {}\n",
        flow("app/actions.ts", FlowKind.LOGOUT, 4, "  ", event="user_logged_out", span=(2, 4)),
    ),
}
TS_CONFIG = """{"compilerOptions": {"target": "ES2022", "lib": ["dom", "es2022"], "module": "esnext",
 "moduleResolution": "bundler", "jsx": "react-jsx", "strict": true, "noEmit": true, "skipLibCheck": true,
 "isolatedModules": true, "types": ["node"]}, "include": ["**/*.ts", "**/*.tsx"]}"""


@pytest.mark.skipif(
    shutil.which("node") is None or not (TYPECHECK_MODULES / ".bin" / "tsc").exists(),
    reason="needs node and the packages in tests/typecheck (make typecheck-deps)",
)
def test_generated_typescript_type_checks_even_where_the_user_id_is_unknown(tmp_path):
    """Next.js route handler, client component, server action without a known user id and the server client
    module pass `tsc --strict` (the capture without an id is anonymous and carries a TODO, never an undefined name)."""
    pkg = package("nextjs-app-router")
    for path, (text, f) in TS_PROJECT.items():
        edits = plan_flow_tracking(text, path, f, pkg, SNIPPETS, exists=lambda p: (tmp_path / p).exists())
        _write_project(tmp_path, text, path, edits)
    assert (tmp_path / "lib" / "posthog-server.ts").exists()
    (tmp_path / "tsconfig.json").write_text(TS_CONFIG)
    (tmp_path / "node_modules").symlink_to(TYPECHECK_MODULES, target_is_directory=True)
    tsc = TYPECHECK_MODULES / ".bin" / "tsc"
    result = subprocess.run(
        [str(tsc), "-p", "tsconfig.json"], cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert "TODO(posthog)" in (tmp_path / "app" / "actions.ts").read_text()
    assert result.returncode == 0 and "error TS" not in result.stdout, result.stdout[-4000:]


LOGIN_RESPONSE_CJS = """const express = require('express');

const router = express.Router();

router.post('/login', async (req, res) => {
  const user = await authService.loginUserWithEmailAndPassword(req.body.email, req.body.password);
  const tokens = await tokenService.generateAuthTokens(user);
  res.send({ user, tokens });
});

const authService = { loginUserWithEmailAndPassword: async (email) => ({ id: 7, email }) };
const tokenService = { generateAuthTokens: async (user) => ({ access: `token-${user.id}` }) };

module.exports = { router };
"""


@needs_node
def test_express_login_is_captured_before_the_handler_sends_its_response(tmp_path, sink_url):
    """`res.send(…)` ends an Express handler like a `return`: identify and capture go before it (a serverless host
    may freeze the function once the response is out), after the statements that make the login certain."""
    pkg = package("node-express", "javascript")
    doc = analyze_document("src/routes/auth.js", LOGIN_RESPONSE_CJS, package=pkg)
    [f] = [f for f in doc.flows if f.kind == FlowKind.LOGIN]
    _, edited = _tracked_project(tmp_path, LOGIN_RESPONSE_CJS, f, pkg)
    assert edited.index("generateAuthTokens(user)") < edited.index("user_logged_in") < edited.index("res.send(")
    driver = """
const { router } = require('./src/routes/auth.js')
const { posthog } = require('./src/lib/posthog-server.js')
const order = []
for (const method of ['identify', 'capture']) {
  const original = posthog[method].bind(posthog)
  posthog[method] = (message) => { order.push(method); return original(message) }
}
const handler = router.stack.find((l) => l.route && l.route.path === '/login').route.stack[0].handle
const res = { send: (body) => order.push(`response ${body.tokens.access}`) }
handler({ body: { email: 'ada@example.com', password: 'pw' } }, res, console.error)
  .then(() => { if (order.join() !== 'identify,capture,response token-7') { console.error(order); process.exit(3) } })
  .then(() => posthog.shutdown())
"""
    events = _drive(tmp_path, "driver.cjs", driver, sink_url)
    assert sorted((e["event"], e["distinct_id"]) for e in events) == [("$identify", "7"), ("user_logged_in", "7")]


FASTIFY_LOGOUT_CJS = """module.exports = (fastify) => {
  fastify.post('/logout', async (request, reply) => {
    await audit.record(request.user.id, 'logout');
    reply.clearCookie('token').send({ ok: true });
  });
};

const audit = { record: async () => {} };
"""
KOA_FORGOT_CJS = """module.exports = (router) => {
  router.post('/password/forgot', async (ctx) => {
    await mailer.sendReset(ctx.request.body.email);
    ctx.body = { sent: true };
  });
};

const mailer = { sendReset: async () => {} };
"""
RECORDING_APP = """
const { posthog } = require('./src/lib/posthog-server.js')
const order = []
const original = posthog.capture.bind(posthog)
posthog.capture = (message) => { order.push(message.event); return original(message) }
const handlers = {}
require('./src/routes/%s')({ post: (path, handler) => { handlers[path] = handler } })
"""


@needs_node
@pytest.mark.parametrize(
    ("name", "text", "run"),
    [
        ("logout.js", FASTIFY_LOGOUT_CJS, """
const reply = { clearCookie() { order.push('clearCookie'); return this }, send() { order.push('response') } }
handlers['/logout']({ user: { id: 9 } }, reply).then(() => {
  if (order.join(',') !== 'user_logged_out,clearCookie,response') { console.error(order); process.exit(3) }
}).then(() => posthog.shutdown())
"""),
        ("forgot.js", KOA_FORGOT_CJS, """
const ctx = { request: { body: { email: 'ada@example.com' } } }
Object.defineProperty(ctx, 'body', { set() { order.push('response') } })
handlers['/password/forgot'](ctx).then(() => {
  if (order.join(',') !== 'password_reset_requested,response') { console.error(order); process.exit(3) }
}).then(() => posthog.shutdown())
"""),
    ],
)
def test_fastify_and_koa_handlers_capture_before_the_response_in_their_commonjs_plugin(
    tmp_path, sink_url, name, text, run
):
    """`reply.clearCookie(…).send(…)` and `ctx.body = …` send the response like a `return`: the capture goes first.
    A plugin file exporting with `module.exports` (no `require`) gets a `require` of the client, not an `import`."""
    pkg = package("node-express", "javascript")
    path = f"src/routes/{name}"
    [f] = analyze_document(path, text, package=pkg).flows
    _, edited = _tracked_project(tmp_path, text, f, pkg)
    assert "require('../lib/posthog-server.js')" in edited and "import " not in edited
    events = _drive(tmp_path, "driver.cjs", RECORDING_APP % name + run, sink_url)
    assert [e["event"] for e in events] == [f.event]


SUPABASE_SIGNUP_MJS = """'use server';
import { createClient } from './supabase.mjs';

export async function signUp(email, password) {
  let redirectPath;
  const supabase = createClient();
  const { error, data } = await supabase.auth.signUp({ email, password });
  if (error) {
    redirectPath = getErrorRedirect('/signup', 'Sign up failed.', error.message);
  } else if (data.session) {
    redirectPath = getStatusRedirect('/', 'Success!', 'You are now signed in.');
  } else if (data.user && data.user.identities && data.user.identities.length == 0) {
    redirectPath = getErrorRedirect('/signup', 'Sign up failed.', 'There is already an account with this email.');
  } else if (data.user) {
    redirectPath = getStatusRedirect('/', 'Success!', 'Please check your email for a confirmation link.');
  } else {
    redirectPath = getErrorRedirect('/signup', 'Hmm... Something went wrong.', 'You could not be signed up.');
  }
  return redirectPath;
}

function getStatusRedirect(path, title, message) {
  return `${path}?status=${encodeURIComponent(title)}&message=${encodeURIComponent(message)}`;
}

function getErrorRedirect(path, title, message) {
  return `${path}?error=${encodeURIComponent(title)}&message=${encodeURIComponent(message)}`;
}
"""


@needs_node
def test_supabase_signup_is_sent_whether_the_account_is_confirmed_at_once_or_by_email(tmp_path, sink_url):
    """F25: `else if (data.session)` (auto-confirm) and `else if (data.user)` (the default: confirm by email) both
    created the account: both branches send user_signed_up; the duplicate-email and error branches send nothing."""
    path, pkg = "app/auth/actions.mjs", package("nextjs-app-router", "javascript")
    [f] = analyze_document(path, SUPABASE_SIGNUP_MJS, package=pkg).flows
    _, edited = _tracked_project(tmp_path, SUPABASE_SIGNUP_MJS, f, pkg)
    assert edited.count("event: 'user_signed_up'") == 2
    (tmp_path / "app/auth/supabase.mjs").write_text("export const createClient = () => globalThis.supabase;\n")
    driver = """
import { signUp } from './app/auth/actions.mjs';
import { posthog } from './lib/posthog-server.mjs';
const outcomes = {
  'auto@example.com': { data: { session: {}, user: { id: 'u_auto', identities: [{}] } }, error: null },
  'confirm@example.com': { data: { session: null, user: { id: 'u_confirm', identities: [{}] } }, error: null },
  'taken@example.com': { data: { session: null, user: { id: 'u_taken', identities: [] } }, error: null },
  'broken@example.com': { data: { session: null, user: null }, error: { message: 'rate limited' } },
};
for (const [email, outcome] of Object.entries(outcomes)) {
  globalThis.supabase = { auth: { signUp: async () => outcome } };
  console.log(await signUp(email, 'pw'));
}
await posthog.shutdown();
"""
    events = _drive(tmp_path, "driver.mjs", driver, sink_url, env_key="NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN",
                    host_var="NEXT_PUBLIC_POSTHOG_HOST")
    assert sorted((e["event"], e["distinct_id"]) for e in events if e["event"] == "user_signed_up") == [
        ("user_signed_up", "u_auto"), ("user_signed_up", "u_confirm")]
    assert sorted(e["distinct_id"] for e in events if e["event"] == "$identify") == ["u_auto", "u_confirm"]


CREATE_USER_MJS = """import { bcrypt, prisma } from './db.mjs';

export async function createUser(email, password) {
  const hashedPassword = await bcrypt.hash(password, 10);

  return prisma.user.create({
    data: { email, password: hashedPassword },
  });
}
"""


@needs_node
def test_a_returned_promise_in_an_async_function_is_awaited_and_captured_only_once_it_resolved(tmp_path, sink_url):
    """`return prisma.user.create(…)` in an async function becomes `const result = await …;`, the capture, then
    `return result;`: the caller still gets the created user, and a failed create sends nothing."""
    path, pkg = "src/models/user.mjs", package("node", "javascript")
    [f] = analyze_document(path, CREATE_USER_MJS, package=pkg).flows
    _, edited = _tracked_project(tmp_path, CREATE_USER_MJS, f, pkg)
    assert "const result = await prisma.user.create({" in edited and "  return result;\n}" in edited
    assert ".then(" not in edited
    (tmp_path / "src/models/db.mjs").write_text(
        "export const bcrypt = { hash: async (password) => `hashed:${password}` };\n"
        "export const prisma = { user: { create: async ({ data }) => {\n"
        "  if (data.email.startsWith('taken')) throw new Error('unique constraint');\n"
        "  return { id: 'u_1', ...data };\n} } };\n"
    )
    driver = """
import { createUser } from './src/models/user.mjs';
import { posthog } from './src/lib/posthog-server.mjs';
const user = await createUser('ada@example.com', 'pw');
if (user.id !== 'u_1' || user.password !== 'hashed:pw') process.exit(3);
await createUser('taken@example.com', 'pw').then(() => process.exit(4), () => {});
await posthog.shutdown();
"""
    events = _drive(tmp_path, "driver.mjs", driver, sink_url)
    # the created record's id is the user's (S4-7): identified and captured as u_1, not anonymously
    assert [(e["event"], e["distinct_id"]) for e in events] == [("$identify", "u_1"), (f.event, "u_1")]


def test_alike_branches_for_different_cases_of_a_value_do_not_share_the_capture():
    """Only else-if branches that test the result (`data.session`, `data.user`) share a signup's capture: branches
    comparing a value to different literals are different cases, whatever calls they make."""
    text = SUPABASE_SIGNUP_MJS.replace("} else if (data.session) {", "} else if (data.plan === 'free') {").replace(
        "} else if (data.user) {", "} else if (data.plan === 'pro') {")
    path, pkg = "app/auth/actions.mjs", package("nextjs-app-router", "javascript")
    [f] = analyze_document(path, text, package=pkg).flows
    assert f.also_insert == ()
    assert [g.also_insert for g in analyze_document(path, SUPABASE_SIGNUP_MJS, package=pkg).flows] == [((14, "    "),)]


SIGNOUT_MJS = """import { clearUser } from './store.mjs';

export const signout = () => {
  clearUser();
  return localStorage.clear();
};

export const signoutLater = async () => {
  clearUser();
  return localStorage.clear();
};
"""


@needs_node
def test_a_logout_returning_a_plain_value_is_captured_without_chaining_on_it(tmp_path, sink_url):
    """S4-1: `return localStorage.clear()` returns undefined, not a promise (`synchronous_re` in flows.toml): the
    capture and reset go before the return, in a plain or an async function (a `.then` on it threw at each sign-out)."""
    pkg, path = package("react-spa", "javascript"), "src/session.mjs"
    text = SIGNOUT_MJS
    for _ in range(2):  # one flow per pass, as Integrate re-plans on the edited text
        pending = [f for f in analyze_document(path, text, package=pkg).flows if not f.tracked]
        text = apply(text, plan_flow_tracking(text, path, pending[0], pkg, SNIPPETS), path)
    assert ".then(" not in text and "await localStorage" not in text
    assert text.count("posthog.capture('user_logged_out');\n  posthog.reset();\n  return localStorage.clear();") == 2
    (tmp_path / "src").mkdir()
    (tmp_path / path).write_text(text)
    (tmp_path / "src" / "store.mjs").write_text("export const clearUser = () => {};\n")
    (tmp_path / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    driver = (
        "const { default: posthog } = await import('posthog-js');\n"
        "posthog.init(process.env.VITE_PUBLIC_POSTHOG_KEY, { api_host: process.env.VITE_PUBLIC_POSTHOG_HOST,\n"
        "  defaults: '2026-01-30', request_batching: false, disable_compression: true, autocapture: false,\n"
        "  capture_pageview: false, disable_session_recording: true, opt_out_useragent_filter: true });\n"
        "const session = await import('./src/session.mjs');\n"
        "if (session.signout() !== undefined) throw new Error('signout returns what it returned');\n"
        "if ((await session.signoutLater()) !== undefined) throw new Error('signoutLater resolves as before');\n"
        "await new Promise((resolve) => setTimeout(resolve, 1000));\n"
        "process.exit(0);\n"
    )
    events = _drive(tmp_path, "driver.mjs", driver, sink_url, "--import", BROWSER_ENV.as_uri(),
                    env_key="VITE_PUBLIC_POSTHOG_KEY", host_var="VITE_PUBLIC_POSTHOG_HOST")
    assert [e["event"] for e in events if e["event"] == "user_logged_out"] == ["user_logged_out"] * 2


CANCEL_THEN_THROW_CJS = """const billing = { stop: async () => {} };
const User = { findById: async (id) => (id === 'missing' ? null : { id, plan: 'pro' }) };

exports.cancelSubscription = async (req, res) => {
  try {
    const user = await User.findById(req.user.id);
    if (user) {
      await billing.stop(user.plan);
      return res.status(200).json({ cancelled: true });
    }
    throw new Error('User not found');
  } catch (err) {
    return res.status(400).json({ error: 'Something went wrong' });
  }
};
"""


@needs_node
def test_a_handler_ending_in_a_throw_is_captured_on_its_returning_success_branch(tmp_path, sink_url):
    """S4-2: `if (user) { …; return res.json(…) } throw new Error(…)`: the success is the return inside the `if`, so
    the capture goes there, with the user; the user-not-found path (the throw) sends nothing."""
    pkg, path = package("node-express", "javascript"), "src/controllers/sub.js"
    [f] = analyze_document(path, CANCEL_THEN_THROW_CJS, package=pkg).flows
    _, edited = _tracked_project(tmp_path, CANCEL_THEN_THROW_CJS, f, pkg)
    assert edited.index("subscription_cancelled") < edited.index("return res.status(200)")
    driver = """
const { cancelSubscription } = require('./src/controllers/sub.js')
const { posthog } = require('./src/lib/posthog-server.js')
const res = { status() { return this }, json: () => {} }
Promise.all([cancelSubscription({ user: { id: 'u_7' } }, res), cancelSubscription({ user: { id: 'missing' } }, res)])
  .then(() => posthog.shutdown())
"""
    events = _drive(tmp_path, "driver.cjs", driver, sink_url)
    assert [(e["event"], e["distinct_id"]) for e in events] == [("subscription_cancelled", "u_7")]
