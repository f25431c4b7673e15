"""The code posthog-lsp writes into a SvelteKit app runs: form actions tracked by the planner send their events with
the real posthog-node, through the created `$lib/server/posthog` module, to a local sink, before the action's redirect
and even when the function is frozen right after it (serverless); tracked components still compile with the Svelte
compiler; the SvelteKit model airplane sends its whole journey. SvelteKit's virtual modules ($env, $app, $lib) come
from tests/node/sveltekit-resolve.mjs."""

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
from tests.test_airplanes import DRIVERS, EXAMPLES, _assert_journey, _drive

SNIPPETS = BundledSnippets()
NODE = Path(__file__).parent / "node"
SVELTEKIT_JS = Package(path=".", framework="sveltekit", language="javascript", package_manager="npm")
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (NODE / "node_modules" / "posthog-node").is_dir(),
    reason="needs node and `npm install` in tests/node (make test does it)",
)

ACCOUNT_ACTIONS = """import { fail, redirect } from '@sveltejs/kit';

export const actions = {
  login: async ({ request, locals: { supabase } }) => {
    const form = await request.formData();
    const { data, error } = await supabase.auth.signInWithPassword({
      email: String(form.get('email')),
      password: String(form.get('password')),
    });
    if (error) {
      return fail(400, { errorMessage: 'Invalid email or password' });
    }
    redirect(303, '/account');
  },
  signout: async ({ locals: { supabase, safeGetSession } }) => {
    const { session } = await safeGetSession();
    if (session) {
      await supabase.auth.signOut();
    }
    redirect(303, '/');
  },
};
"""

DRIVER = """import { actions } from './src/routes/account/+page.server.js';

const user = { id: 'user_42', email: 'ada@example.com' };
const supabase = { auth: {
  signInWithPassword: async () => ({ data: { user, session: {} }, error: null }),
  signOut: async () => ({ error: null }),
} };
const locals = { supabase, safeGetSession: async () => ({ session: { user }, user }) };
const form = new FormData();
form.set('email', user.email);
form.set('password', 'pw');
for (const name of ['login', 'signout']) {
  try {
    await actions[name]({ request: new Request('http://x/account', { method: 'POST', body: form }), locals });
  } catch (thrown) {
    console.log(name, thrown.status, thrown.location); // SvelteKit's redirect() throws
  }
}
process.exit(0); // frozen like a serverless function: no shutdown, no timers
"""


@pytest.fixture(scope="module")
def sink_url():
    server, url = sink.start()
    yield url
    server.shutdown()


def _track_all(text: str, path: str, tmp_path: Path) -> str:
    """Track every flow of the file, one after the other as a user would, writing any module a plan creates."""
    for _ in range(4):
        flows = [f for f in analyze_document(path, text, package=SVELTEKIT_JS).flows if not f.tracked]
        if not flows:
            break
        edits = plan_flow_tracking(text, path, flows[0], SVELTEKIT_JS, SNIPPETS,
                                   exists=lambda p: (tmp_path / p).exists())
        for edit in edits:
            if edit.create_file:
                (tmp_path / edit.path).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / edit.path).write_text(edit.new_text)
        text = apply_edits(text, [e for e in edits if not e.create_file])
    return text


@needs_node
def test_tracked_sveltekit_form_actions_send_login_and_logout_as_the_user_before_redirecting(tmp_path, sink_url):
    path = "src/routes/account/+page.server.js"
    edited = _track_all(ACCOUNT_ACTIONS, path, tmp_path)
    assert "import { posthog } from '$lib/server/posthog';" in edited
    assert [f.tracked for f in analyze_document(path, edited, package=SVELTEKIT_JS).flows] == [True, True]
    module = (tmp_path / "src/lib/server/posthog.js").read_text()
    assert "from '$env/dynamic/public'" in module
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(edited)
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    (tmp_path / "node_modules").symlink_to(NODE / "node_modules", target_is_directory=True)
    (tmp_path / "driver.mjs").write_text(DRIVER)
    token = "phc_test_" + uuid.uuid4().hex
    env = {**os.environ, "PUBLIC_POSTHOG_KEY": token, "PUBLIC_POSTHOG_HOST": sink_url}
    result = subprocess.run(["node", "--import", (NODE / "sveltekit-env.mjs").as_uri(), "driver.mjs"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:2] == ["login 303 /account", "signout 303 /"]
    events = [(e["event"], e["distinct_id"]) for e in sink.all_events() if e["api_key"] == token]
    assert events == [("$identify", "user_42"), ("user_logged_in", "user_42"), ("user_logged_out", "user_42")]


@needs_node
def test_without_a_key_the_tracked_actions_run_and_send_nothing(tmp_path, sink_url):
    path = "src/routes/account/+page.server.js"
    edited = _track_all(ACCOUNT_ACTIONS, path, tmp_path)
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(edited)
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    (tmp_path / "node_modules").symlink_to(NODE / "node_modules", target_is_directory=True)
    (tmp_path / "driver.mjs").write_text(DRIVER)
    before = len(sink.all_events())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLIC_POSTHOG")}
    result = subprocess.run(["node", "--import", (NODE / "sveltekit-env.mjs").as_uri(), "driver.mjs"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:2] == ["login 303 /account", "signout 303 /"]
    assert len(sink.all_events()) == before


@needs_node
def test_sveltekit_airplane_sends_the_journey_as_the_signed_in_user(sink_url, tmp_path):
    app_dir = tmp_path / "sveltekit"
    shutil.copytree(EXAMPLES / "sveltekit", app_dir)
    (app_dir / "node_modules").symlink_to(NODE / "node_modules", target_is_directory=True)
    command = ["node", "--import", (NODE / "sveltekit-env.mjs").as_uri(), str(DRIVERS / "drive_sveltekit.mjs"), "."]
    names = {"POSTHOG_PROJECT_TOKEN": "PUBLIC_POSTHOG_KEY", "POSTHOG_HOST": "PUBLIC_POSTHOG_HOST"}
    result, events = _drive(command, app_dir, sink_url, env_names=names)
    _assert_journey(result, events, request_context=False)
    assert all(e["lib"] == "posthog-node" for e in events)


COMPILE = """import { compile } from 'svelte/compiler';
import { readFileSync } from 'node:fs';
for (const file of process.argv.slice(2)) {
  const { js } = compile(readFileSync(file, 'utf8'), { filename: file, generate: 'client' });
  console.log(file, js.code.includes("from 'posthog-js'") || js.code.includes('from "posthog-js"'));
}
"""


@pytest.mark.skipif(
    shutil.which("node") is None or not (NODE / "node_modules" / "svelte").is_dir(),
    reason="needs node and `npm install` in tests/node (make test does it)",
)
def test_tracked_svelte_components_still_compile_with_the_svelte_compiler(tmp_path):
    fixture, sign_out = Path(__file__).parent / "fixtures" / "sveltekit", "src/routes/sign_out/+page.svelte"
    components = {
        "sign_out.svelte": (sign_out, (fixture / sign_out).read_text()),
        "bare.svelte": ("src/routes/bye/+page.svelte", "<p>hi</p>\n<script>\n\tasync function logout() {\n"
                        "\t\tawait supabase.auth.signOut()\n\t\tgoto('/')\n\t}\n</script>\n"),
    }
    for name, (path, text) in components.items():
        [flow] = analyze_document(path, text, package=SVELTEKIT_JS).flows
        edits = plan_flow_tracking(text, path, flow, SVELTEKIT_JS, SNIPPETS)
        (tmp_path / name).write_text(apply_edits(text, edits).replace("\n", "\r\n"))
    (tmp_path / "compile.mjs").write_text(COMPILE)
    (tmp_path / "node_modules").symlink_to(NODE / "node_modules", target_is_directory=True)
    result = subprocess.run(["node", "compile.mjs", *components], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["sign_out.svelte", "true", "bare.svelte", "true"]
