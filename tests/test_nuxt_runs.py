"""The code posthog-lsp writes into Nuxt's Nitro handlers runs: signup and logout handlers tracked by the planner
send their events with the real posthog-node, through the created server/utils/posthog module, to a local sink,
before the handler answers and even when the function is frozen right after (serverless). Nitro's auto-imported
helpers (defineEventHandler, readBody, ...) are plain globals in the driver."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Package
from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking
from tests import sink
from tests.edits_support import error_nodes
from tests.integrate_smoke.apps import integrate
from tests.test_airplanes import DRIVERS, EXAMPLES, JOURNEY, _assert_journey, _drive

SNIPPETS = BundledSnippets()
NODE = Path(__file__).parent / "node"
NUXT_JS = Package(path=".", framework="nuxt", language="javascript", package_manager="npm")
NAMES = {"POSTHOG_PROJECT_TOKEN": "NUXT_PUBLIC_POSTHOG_PUBLIC_KEY", "POSTHOG_HOST": "NUXT_PUBLIC_POSTHOG_HOST"}
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (NODE / "node_modules" / "posthog-node").is_dir(),
    reason="needs node and `npm install` in tests/node (make test does it)",
)

HANDLERS = {
    "server/api/auth/signup.post.js": """import { createUser } from '../../db/users.js';

export default defineEventHandler(async (event) => {
  const body = await readBody(event);
  const user = await createUser(body.email, body.password);
  setCookie(event, 'session', String(user.id), { httpOnly: true });
  return { user };
});
""",
    "server/api/auth/logout.post.js": """export default defineEventHandler(async (event) => {
  const user = await getUserFromSession(event);
  await deleteSession(user.id);
  deleteCookie(event, 'session');
  return { user: null };
});
""",
}

USERS = "export async function createUser(email, password) { return { id: 42, email }; }\n"

DRIVER = """globalThis.defineEventHandler = (handler) => handler;
globalThis.readBody = async (event) => event.body;
globalThis.setCookie = () => {};
globalThis.deleteCookie = () => {};
globalThis.getUserFromSession = async () => ({ id: 42 });
globalThis.deleteSession = async () => {};

const signup = (await import('./server/api/auth/signup.post.js')).default;
const logout = (await import('./server/api/auth/logout.post.js')).default;
console.log(JSON.stringify(await signup({ body: { email: 'ada@example.com', password: 'pw' } })));
console.log(JSON.stringify(await logout({})));
process.exit(0); // frozen like a serverless function: no shutdown, no timers
"""


@pytest.fixture(scope="module")
def sink_url():
    server, url = sink.start()
    yield url
    server.shutdown()


def _tracked_app(tmp_path: Path) -> None:
    """The handlers with every flow tracked as a user would, one after the other, and the modules the plans create."""
    for path, text in HANDLERS.items():
        for _ in range(4):
            flows = [f for f in analyze_document(path, text, package=NUXT_JS).flows if not f.tracked]
            if not flows:
                break
            exists = lambda p: (tmp_path / p).exists()  # noqa: E731
            edits = plan_flow_tracking(text, path, flows[0], NUXT_JS, SNIPPETS, exists=exists)
            for edit in edits:
                if edit.create_file:
                    (tmp_path / edit.path).parent.mkdir(parents=True, exist_ok=True)
                    (tmp_path / edit.path).write_text(edit.new_text)
            text = apply_edits(text, [e for e in edits if not e.create_file])
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    (tmp_path / "server/db").mkdir(parents=True, exist_ok=True)
    (tmp_path / "server/db/users.js").write_text(USERS)
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    (tmp_path / "node_modules").symlink_to(NODE / "node_modules", target_is_directory=True)
    (tmp_path / "driver.mjs").write_text(DRIVER)


def _run(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", "driver.mjs"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


@needs_node
def test_tracked_nitro_handlers_send_signup_and_logout_as_the_user_before_answering(tmp_path, sink_url):
    _tracked_app(tmp_path)
    signup = (tmp_path / "server/api/auth/signup.post.js").read_text()
    assert "import { posthog } from '../../utils/posthog.js';" in signup and "await posthog.flush();" in signup
    module = (tmp_path / "server/utils/posthog.js").read_text()
    assert "process.env.NUXT_PUBLIC_POSTHOG_PUBLIC_KEY" in module
    token = "phc_test_" + uuid.uuid4().hex
    env = {**os.environ, "NUXT_PUBLIC_POSTHOG_PUBLIC_KEY": token, "NUXT_PUBLIC_POSTHOG_HOST": sink_url}
    result = _run(tmp_path, env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:2] == ['{"user":{"id":42,"email":"ada@example.com"}}', '{"user":null}']
    events = [(e["event"], e["distinct_id"]) for e in sink.all_events() if e["api_key"] == token]
    assert ("user_signed_up", "42") in events and ("user_logged_out", "42") in events
    assert {d for _, d in events} == {"42"}


@needs_node
def test_without_a_key_the_tracked_handlers_answer_and_send_nothing(tmp_path, sink_url):
    _tracked_app(tmp_path)
    before = len(sink.all_events())
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUXT_PUBLIC_POSTHOG")}
    result = _run(tmp_path, {**env, "NODE_ENV": "production"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:2] == ['{"user":{"id":42,"email":"ada@example.com"}}', '{"user":null}']
    assert len(sink.all_events()) == before


@needs_node
def test_nuxt_airplane_sends_the_journey_as_the_signed_in_user(sink_url, tmp_path):
    app_dir = tmp_path / "nuxt"
    shutil.copytree(EXAMPLES / "nuxt", app_dir)
    (app_dir / "node_modules").symlink_to(NODE / "node_modules", target_is_directory=True)
    result, events = _drive(["node", str(DRIVERS / "drive_nuxt.mjs"), "."], app_dir, sink_url, env_names=NAMES)
    _assert_journey(result, events, request_context=False)
    assert all(e["lib"] == "posthog-node" for e in events)


@needs_node
def test_integrate_on_the_posthog_free_nuxt_airplane_sends_the_journey_as_the_user(sink_url, tmp_path):
    app = integrate(EXAMPLES / "nuxt", tmp_path / "nuxt", strip=True)
    assert app.code == 0, app.err
    assert (app.root / "plugins/posthog.client.js").is_file()
    assert "posthogPublicKey: ''," in (app.root / "nuxt.config.js").read_text()
    for change in app.edited:
        if change.path.endswith(".js"):
            assert error_nodes(change.after, change.path) == [], change.path
    (app.root / "node_modules").symlink_to(NODE / "node_modules", target_is_directory=True)
    result, events = _drive(["node", str(DRIVERS / "drive_nuxt.mjs"), "."], app.root, sink_url, env_names=NAMES)
    assert all(200 <= s < 300 for s in result["statuses"]), result["statuses"]
    business = [e for e in events if not e["event"].startswith("$")]
    assert [e["event"] for e in business] == JOURNEY
    assert {e["distinct_id"] for e in events} == {result["user_id"]}, "every event belongs to the signed-in user"
    again = integrate(app.root, tmp_path / "again", strip=False)
    assert again.code == 0 and [c.path for c in again.edited if c.path != ".posthog-events.json"] == []
