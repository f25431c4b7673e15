"""Every model airplane, stripped of PostHog and integrated by `posthog-lsp integrate --yes --agent off`.

The edited files parse, a second run changes nothing, TypeScript apps type-check, and each app's own smoke path
(the journey of tests/airplanes: signup, logout, login, checkout, cancel, delete) sends the planned events with the
real SDK to the local sink, as the user, with identify where the user becomes known. Known integrate gaps are
strict xfails naming the bug, so fixing one turns its test red until the mark is removed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from lsp_server.agent.pipeline import plan_integration
from lsp_server.agent.run import syntax_problems

from .apps import (
    NODE_MODULES,
    ROOT,
    TESTS,
    TSC,
    TYPECHECK_MODULES,
    link_node_modules,
    require_node,
    run_at_sink,
    start_at_sink,
)

HERE = Path(__file__).resolve().parent
DRIVERS = TESTS / "airplanes"
KINDS = tomllib.loads((ROOT / "skills" / "events" / "events.toml").read_text())["kinds"]
JOURNEY = [KINDS[k] for k in ("signup", "logout", "login", "checkout_started", "subscription_cancelled",
                              "account_deleted")]
AIRPLANES = ["django", "fastapi", "flask", "nextjs-app-router", "nextjs-pages-router", "node", "node-express",
             "python", "react-spa"]
SERVERS = ["django", "fastapi", "flask", "node-express", "nextjs-app-router", "nextjs-pages-router"]
TYPESCRIPT = ["nextjs-app-router", "nextjs-pages-router", "react-spa"]
# The browser part of each TypeScript airplane, compiled to .web: (the page module, its init module).
BROWSER = {"react-spa": ("src/main.js", ""),
           "nextjs-app-router": ("app/page.js", "instrumentation-client.js"),
           "nextjs-pages-router": ("pages/index.js", "instrumentation-client.js")}
NEXT_ROUTES = {"nextjs-app-router": ("app/api/**/route.ts", "drive_next_app.cjs"),
               "nextjs-pages-router": ("pages/api/**/*.ts", "drive_next_pages.cjs")}


def _gap(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


# (airplane, event) -> the integrate bug that keeps the event from arriving as the user.
GAPS: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="session")
def typescript(airplane):
    """tsc over the TypeScript airplanes, all at once: each project type-checked with its own tsconfig while its
    files are emitted as browser ES modules to .web, and the Next.js server files compiled to CommonJS in .out
    for Node. {name: (exit code, output)} (the .out compile is under name + '/server')."""
    require_node(TSC)
    procs = {}
    for name in TYPESCRIPT:
        app = airplane(name)
        link_node_modules(app.root, TYPECHECK_MODULES)
        procs[name] = _tsc(["-p", "tsconfig.json", "--noEmit", "false", "--outDir", ".web", "--rootDir", ".",
                            "--jsx", "react-jsx", "--incremental", "false"], app.root)
        if name in NEXT_ROUTES:
            sources = sorted(str(p.relative_to(app.root)) for p in app.root.glob("lib/*.ts"))
            sources += sorted(str(p.relative_to(app.root)) for p in app.root.glob(NEXT_ROUTES[name][0]))
            procs[name + "/server"] = _tsc(
                ["--outDir", ".out", "--module", "commonjs", "--moduleResolution", "node10", "--target", "es2022",
                 "--esModuleInterop", "--skipLibCheck", "--noCheck", *sources], app.root)
    return {name: (proc.wait(timeout=180), proc.stdout.read()) for name, proc in procs.items()}


def _tsc(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([str(TSC), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="session")
def journeys(airplane, smoke_sink, request):
    """journey(name): (the app's result, the sink's events) for the server airplanes, run once each."""
    cache: dict[str, tuple[dict, list[dict]]] = {}

    def run(name: str) -> tuple[dict, list[dict]]:
        if name not in cache:
            app = airplane(name)
            if name == "django":
                command = [sys.executable, str(HERE / "drive_django.py"), str(app.root)]
            elif name in ("fastapi", "flask"):
                command = [sys.executable, str(DRIVERS / f"drive_{name}.py"), str(app.root)]
            elif name == "node-express":
                require_node(NODE_MODULES / "express", NODE_MODULES / "posthog-node")
                link_node_modules(app.root, NODE_MODULES)
                command = ["node", str(DRIVERS / "drive_express.mjs"), str(app.root)]
            else:
                request.getfixturevalue("typescript")  # compiles the routes
                command = ["node", str(DRIVERS / NEXT_ROUTES[name][1]), str(app.root / ".out")]
            result, events = run_at_sink(command, app, smoke_sink)
            assert result is not None and len(result["statuses"]) == len(JOURNEY), result
            cache[name] = (result, events)
        return cache[name]

    return run


@pytest.fixture(scope="session")
def browser_journeys(airplane, smoke_sink, typescript):
    """{name: (ids, events)}: each browser journey under jsdom with posthog-js, all three run at once."""
    require_node(NODE_MODULES / "jsdom")
    runs = {}
    for name, (page, init) in BROWSER.items():
        app = airplane(name)
        command = ["node", "--import", (HERE / "web-env.mjs").as_uri(), str(HERE / "drive_browser.mjs"),
                   str(app.root / ".web"), page, init]
        runs[name] = start_at_sink(command, app, smoke_sink)
    return {name: finish() for name, finish in runs.items()}


@pytest.mark.parametrize("name", AIRPLANES)
def test_integrate_edits_parse_and_a_second_run_changes_nothing(name, airplane):
    app = airplane(name)
    assert app.code == 0, app.err
    on_disk = [replace(c, after=(app.root / c.path).read_text()) for c in app.edited]
    assert [c.after for c in on_disk] == [c.after for c in app.edited], "what was planned is what was written"
    assert syntax_problems(on_disk) == []
    assert plan_integration(app.root).edited == []


@pytest.mark.parametrize("name,event", [
    pytest.param(name, event, marks=[_gap(GAPS[name, event])] if (name, event) in GAPS else [])
    for name in SERVERS for event in JOURNEY
])
def test_journey_event_is_planned_and_reaches_the_sink_once_as_the_user(name, event, journeys, airplane):
    assert event in airplane(name).planned(), f"{event} is not in the events plan"
    result, events = journeys(name)
    assert 200 <= result["statuses"][JOURNEY.index(event)] < 300, f"the request sending {event} failed: {result}"
    sent = [e for e in events if e["event"] == event]
    assert [e["distinct_id"] for e in sent] == [str(result["user_id"])], f"{event}: {sent}"


@pytest.mark.parametrize("name", ["django", "fastapi", "flask"])
def test_python_signup_and_login_name_the_user_on_their_events(name, airplane):
    app = airplane(name)
    edited = "".join(c.after for c in app.edited if c.path.endswith(".py"))
    assert "identify_context(" not in edited  # outside a new_context() (no PostHog middleware) it does nothing
    for event in ("user_signed_up", "user_logged_in"):
        assert re.search(r"capture\(\s*['\"]" + event + r"['\"],\s*distinct_id=\S", edited), event


@pytest.mark.parametrize("name", ["node-express", "nextjs-app-router", "nextjs-pages-router"])
def test_node_signup_and_login_send_identify_as_the_user(name, journeys):
    result, events = journeys(name)
    identified = [e["distinct_id"] for e in events if e["event"] == "$identify"]
    assert identified == [str(result["user_id"])] * 2


@pytest.mark.parametrize("name", ["nextjs-app-router", "nextjs-pages-router", "react-spa"])
def test_integrated_typescript_app_type_checks(name, typescript):
    code, output = typescript[name]
    assert code == 0, output[-4000:]


WEBHOOKS = [  # tests/test_airplanes.py's deliveries: the customer cus_123 is our user 42
    {"type": "customer.subscription.created", "data": {"customer": "cus_123", "plan": "pro"}},
    {"type": "invoice.paid", "data": {"customer": "cus_123", "amount": 2900, "currency": "usd"}},
    {"type": "invoice.payment_failed", "data": {"customer": "cus_123", "amount": 2900, "currency": "usd"}},
]
WEBHOOK_EVENTS = [KINDS[k] for k in ("subscription_created", "payment_succeeded", "payment_failed")]


@pytest.mark.parametrize("name", ["python", "node"])
def test_billing_webhook_worker_sends_the_planned_events_as_our_user(name, airplane, smoke_sink):
    app = airplane(name)
    assert set(WEBHOOK_EVENTS) <= app.planned()
    if name == "python":
        command = [sys.executable, "billing_webhook.py"]
    else:
        require_node(NODE_MODULES / "posthog-node")
        link_node_modules(app.root, NODE_MODULES)
        command = ["node", "billing-webhook.js"]
    stdin = "".join(json.dumps({**w, "uuid": str(uuid.uuid4())}) + "\n" for w in WEBHOOKS)
    _, events = run_at_sink(command, app, smoke_sink, input=stdin)
    assert [(e["event"], e["distinct_id"]) for e in events] == [(name, "42") for name in WEBHOOK_EVENTS]


BROWSER_EVENTS = {"react-spa": [KINDS[k] for k in ("checkout_started", "subscription_cancelled", "logout",
                                                   "account_deleted")]}


@pytest.mark.parametrize("name,event", [(name, event) for name, events in BROWSER_EVENTS.items() for event in events])
def test_browser_event_planned_in_a_client_only_app_is_sent_by_posthog_js(name, event, airplane, browser_journeys):
    assert event in airplane(name).planned()
    _, events = browser_journeys[name]
    assert [e["lib"] for e in events if e["event"] == event] == ["web"]


@pytest.mark.parametrize("name", BROWSER)
def test_browser_logout_resets_so_the_next_visitor_is_anonymous(name, browser_journeys):
    result, _ = browser_journeys[name]
    assert result["ids"]["loggedOut"] != result["ids"]["signedUp"]


@pytest.mark.parametrize("name", BROWSER)
def test_browser_identifies_the_user_after_signup_and_login(name, browser_journeys):
    result, events = browser_journeys[name]
    assert result["ids"]["signedUp"] == result["user_id"]
    assert [e["distinct_id"] for e in events if e["event"] == "$identify"] == [result["user_id"]] * 2


@pytest.mark.parametrize("name", ["nextjs-app-router", "nextjs-pages-router"])
def test_next_browser_sends_no_business_event_the_server_already_sends(name, browser_journeys):
    _, events = browser_journeys[name]
    assert not [e["event"] for e in events if e["event"] in JOURNEY]
