"""Every runnable model airplane in skills/examples sends the events we promise, with the real SDK.

Each app runs in its own process (frameworks keep global state) against the local ingestion sink,
driven by tests/airplanes/drive_<framework>.* (the framework's test client, or real HTTP for Express).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest

from tests import sink

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "skills" / "examples"
DRIVERS = Path(__file__).resolve().parent / "airplanes"
NODE_MODULES = Path(__file__).resolve().parent / "node" / "node_modules"
TYPECHECK_MODULES = Path(__file__).resolve().parent / "typecheck" / "node_modules"
TSC = TYPECHECK_MODULES / ".bin" / "tsc"
needs_typecheck_deps = pytest.mark.skipif(
    shutil.which("node") is None or not TSC.exists(), reason="needs node and `make typecheck-deps`"
)

# Event names come from the taxonomy: renaming one in events.toml must be followed by the airplanes.
KINDS = tomllib.loads((ROOT / "skills" / "events" / "events.toml").read_text())["kinds"]
JOURNEY = [KINDS[k] for k in ("signup", "logout", "login", "checkout_started", "subscription_cancelled",
                              "account_deleted")]
PII = "ada@example.com"


@pytest.fixture(scope="module")
def sink_url():
    srv, url = sink.start()
    yield url
    srv.shutdown()


def _drive(
    command: list[str],
    app_dir: Path,
    sink_url: str,
    env_names: dict[str, str] | None = None,
) -> tuple[dict, list[dict]]:
    token = f"phc_airplane_{uuid.uuid4().hex[:12]}"
    names = env_names or {}
    env = {
        **os.environ,
        names.get("POSTHOG_PROJECT_TOKEN", "POSTHOG_PROJECT_TOKEN"): token,
        names.get("POSTHOG_HOST", "POSTHOG_HOST"): sink_url,
    }
    proc = subprocess.run(command, cwd=app_dir, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    events = [e for e in sink.all_events() if e["api_key"] == token]
    return result, events


def _assert_journey(result: dict, events: list[dict], *, request_context: bool = True) -> None:
    user_id = result["user_id"]
    assert all(200 <= s < 300 for s in result["statuses"]), result["statuses"]
    names = [e["event"] for e in events if not e["event"].startswith("$")]
    assert names == JOURNEY
    business = [e for e in events if e["event"] in JOURNEY]
    assert {e["distinct_id"] for e in business} == {user_id}, "every event belongs to the logged-in user"
    by_name = {e["event"]: e for e in business}
    assert by_name[KINDS["signup"]]["$set"]["email"] == PII
    assert by_name[KINDS["login"]]["$set"]["email"] == PII
    for e in business:
        props = {k: v for k, v in e["properties"].items() if k not in ("$set", "$set_once")}
        assert PII not in json.dumps(props), f"{e['event']} carries the email in event properties"
        assert "company" in (e["properties"].get("$groups") or {}), f"{e['event']} lacks the company group"
    groups = [e for e in events if e["event"] == "$groupidentify"]
    assert groups and groups[0]["properties"]["$group_type"] == "company"
    assert groups[0]["distinct_id"] == user_id
    assert by_name[KINDS["checkout_started"]]["properties"]["plan"] == "pro"
    # The browser's session id (X-POSTHOG-SESSION-ID) joins the server event to the session replay.
    assert by_name[KINDS["signup"]]["properties"].get("$session_id") == "session-1"
    if request_context:  # the framework integration added the request's context
        assert by_name[KINDS["signup"]]["properties"].get("$request_path") == "/signup"


@pytest.mark.parametrize("framework", ["flask", "fastapi", "django"])
def test_python_airplane_sends_the_journey_as_the_user(framework, sink_url):
    app_dir = EXAMPLES / framework
    result, events = _drive([sys.executable, str(DRIVERS / f"drive_{framework}.py"), str(app_dir)], app_dir, sink_url)
    _assert_journey(result, events)
    business = [e for e in events if e["event"] in JOURNEY]
    assert all(e["lib"] == "posthog-python" for e in business)


def test_python_airplane_without_token_still_serves_requests(sink_url):
    app_dir = EXAMPLES / "flask"
    env = {k: v for k, v in os.environ.items() if k != "POSTHOG_PROJECT_TOKEN"}
    proc = subprocess.run(
        [sys.executable, str(DRIVERS / "drive_flask.py"), str(app_dir)],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "POSTHOG_PROJECT_TOKEN variable required by PostHog is missing" in proc.stderr
    assert all(200 <= s < 300 for s in json.loads(proc.stdout.splitlines()[-1])["statuses"])


@pytest.mark.node
@pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_MODULES / "express").is_dir(), reason="needs node and `make node-deps`"
)
def test_express_airplane_sends_the_journey_as_the_user(sink_url, tmp_path):
    app_dir = _node_copy("node-express", tmp_path, NODE_MODULES)
    result, events = _drive(["node", str(DRIVERS / "drive_express.mjs"), str(app_dir)], app_dir, sink_url)
    _assert_journey(result, events)
    assert all(e["lib"] == "posthog-node" for e in events if e["event"] in JOURNEY)


def _node_copy(framework: str, tmp_path: Path, modules: Path) -> Path:
    """A copy of the example next to a node_modules link, since Node resolves packages from the file's folder."""
    app_dir = tmp_path / framework
    shutil.copytree(EXAMPLES / framework, app_dir)
    (app_dir / "node_modules").symlink_to(modules, target_is_directory=True)
    return app_dir


TS_AIRPLANES = ["nextjs-app-router", "nextjs-pages-router", "react-spa"]


@pytest.fixture(scope="module")
def tsc_results(tmp_path_factory):
    """`tsc --noEmit` over every TypeScript airplane, run in parallel: {framework: (exit code, output)}."""
    procs = {}
    for framework in TS_AIRPLANES:
        app_dir = _node_copy(framework, tmp_path_factory.mktemp("tsc"), TYPECHECK_MODULES)
        procs[framework] = subprocess.Popen(
            [str(TSC), "--noEmit", "-p", "tsconfig.json"],
            cwd=app_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    return {framework: (proc.wait(timeout=180), proc.stdout.read()) for framework, proc in procs.items()}


@pytest.mark.node
@needs_typecheck_deps
@pytest.mark.parametrize("framework", TS_AIRPLANES)
def test_typescript_airplane_type_checks_against_the_real_packages(framework, tsc_results):
    code, output = tsc_results[framework]
    assert code == 0, output[-4000:]


def _compile_for_node(app_dir: Path, sources: list[str]) -> Path:
    """Compile server files to CommonJS in app_dir/.out, so Node can run them without Next.js."""
    cmd = [str(TSC), "--outDir", ".out", "--module", "commonjs", "--moduleResolution", "node10", "--target",
           "es2022", "--esModuleInterop", "--skipLibCheck", "--strict", *sources]
    proc = subprocess.run(cmd, cwd=app_dir, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return app_dir / ".out"


NEXT_ENV = {"POSTHOG_PROJECT_TOKEN": "NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN", "POSTHOG_HOST": "NEXT_PUBLIC_POSTHOG_HOST"}


@pytest.mark.node
@needs_typecheck_deps
@pytest.mark.parametrize("framework,api_glob,driver", [
    ("nextjs-app-router", "app/api/**/route.ts", "drive_next_app.cjs"),
    ("nextjs-pages-router", "pages/api/**/*.ts", "drive_next_pages.cjs"),
])
def test_nextjs_server_routes_send_the_journey_before_they_return(framework, api_glob, driver, sink_url, tmp_path):
    app_dir = _node_copy(framework, tmp_path, TYPECHECK_MODULES)
    sources = ["lib/auth.ts", "lib/posthog-server.ts"]
    sources += [str(p.relative_to(app_dir)) for p in sorted(app_dir.glob(api_glob))]
    out = _compile_for_node(app_dir, sources)
    result, events = _drive(["node", str(DRIVERS / driver), str(out)], app_dir, sink_url, env_names=NEXT_ENV)
    _assert_journey(result, events, request_context=False)
    assert all(e["lib"] == "posthog-node" for e in events if e["event"] in JOURNEY)


WEBHOOKS = [
    {"type": "customer.subscription.created", "data": {"customer": "cus_123", "plan": "pro"}},
    {"type": "invoice.paid", "data": {"customer": "cus_123", "amount": 2900, "currency": "usd"}},
    {"type": "invoice.payment_failed", "data": {"customer": "cus_123", "amount": 2900, "currency": "usd"}},
    {"type": "customer.subscription.deleted", "data": {"customer": "cus_123", "plan": "pro"}},
    {"type": "charge.refunded", "data": {"customer": "cus_123"}},  # not tracked
    {"type": "invoice.paid", "data": {"customer": "cus_unknown", "amount": 100}},  # no user: not tracked
]
WEBHOOK_EVENTS = [KINDS[k] for k in ("subscription_created", "payment_succeeded", "payment_failed",
                                     "subscription_cancelled")]


def _run_webhooks(command: list[str], app_dir: Path, sink_url: str) -> list[dict]:
    token = f"phc_airplane_{uuid.uuid4().hex[:12]}"
    stdin = "".join(json.dumps({**w, "uuid": str(uuid.uuid4())}) + "\n" for w in WEBHOOKS)
    env = {**os.environ, "POSTHOG_PROJECT_TOKEN": token, "POSTHOG_HOST": sink_url}
    proc = subprocess.run(command, cwd=app_dir, env=env, input=stdin, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [e for e in sink.all_events() if e["api_key"] == token]


def _assert_webhook_events(events: list[dict]) -> None:
    assert [e["event"] for e in events] == WEBHOOK_EVENTS
    assert {e["distinct_id"] for e in events} == {"42"}, "events belong to our user, not the billing customer"
    assert all(e["properties"]["$groups"] == {"company": "7"} for e in events)
    assert events[1]["properties"]["amount_cents"] == 2900


@pytest.mark.parametrize("entry", ["worker", "lambda"])
def test_python_script_airplane_tracks_billing_webhooks(entry, sink_url):
    app_dir = EXAMPLES / "python"
    script = app_dir / "billing_webhook.py" if entry == "worker" else DRIVERS / "drive_lambda.py"
    events = _run_webhooks([sys.executable, str(script), str(app_dir)], app_dir, sink_url)
    _assert_webhook_events(events)


@pytest.mark.node
@pytest.mark.skipif(shutil.which("node") is None or not (NODE_MODULES / "posthog-node").is_dir(),
                    reason="needs node and `make node-deps`")
@pytest.mark.parametrize("entry", ["worker", "lambda"])
def test_node_script_airplane_tracks_billing_webhooks(entry, sink_url, tmp_path):
    app_dir = _node_copy("node", tmp_path, NODE_MODULES)
    script = app_dir / "billing-webhook.js" if entry == "worker" else DRIVERS / "drive_lambda.mjs"
    events = _run_webhooks(["node", str(script), str(app_dir)], app_dir, sink_url)
    _assert_webhook_events(events)
