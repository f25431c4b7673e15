"""The Supabase quick-start server actions read only `{ error }` from signInWithPassword / signUp: integrate binds
the result's `data` (as `authData` when the action already has a `data`), identifies the user with it, still
type-checks under strict TypeScript with the real supabase-js and posthog-node types, and the events reach the
sink as the Supabase user when the action runs against a local auth endpoint (Supabase itself is not reachable
here: the endpoint answers like GoTrue, the client is the real @supabase/supabase-js).
"""

from __future__ import annotations

import http.server
import io
import json
import subprocess
import threading
import uuid
from pathlib import Path

import pytest

from lsp_server.agent.run import IntegrateOptions, run_integrate
from tests import sink
from tests.integrate_smoke.apps import TSC, TYPECHECK_MODULES, require_node

ACTIONS = """'use server'

import { redirect } from 'next/navigation'
import { createClient } from '../../utils/supabase/server'

export async function login(formData: FormData) {
  const supabase = await createClient()
  const data = {
    email: formData.get('email') as string,
    password: formData.get('password') as string,
  }
  const { error } = await supabase.auth.signInWithPassword(data)
  if (error) {
    redirect('/error')
  }
  redirect('/account')
}

export async function signup(formData: FormData) {
  const supabase = await createClient()
  const { error } = await supabase.auth.signUp({
    email: formData.get('email') as string,
    password: formData.get('password') as string,
  })
  if (error) {
    redirect('/error')
  }
  redirect('/account')
}
"""
# supabase-js's own auth client (the realtime client it also builds needs Node 22's WebSocket; auth does not)
SERVER_CLIENT = """import { AuthClient } from '@supabase/auth-js'

export async function createClient() {
  const auth = new AuthClient({ url: process.env.SUPABASE_URL + '/auth/v1', persistSession: false })
  return { auth }
}
"""
TSCONFIG = {"compilerOptions": {"strict": True, "target": "es2022", "module": "commonjs", "moduleResolution": "node",
                                "esModuleInterop": True, "skipLibCheck": True, "outDir": ".out", "rootDir": "."},
            "include": ["app", "lib", "utils"]}
DRIVE = """const actions = require('./.out/app/login/actions.js');
(async () => {
  for (const [name, email] of [['signup', 'new@x.io'], ['login', 'ada@x.io']]) {
    const form = new FormData();
    form.set('email', email);
    form.set('password', 'pw-123456');
    try {
      await actions[name](form);
      throw new Error(name + ' did not redirect');
    } catch (e) {
      if (!String(e.digest || '').includes('/account')) throw e;  // redirect('/account') = success
    }
  }
  const { posthog } = require('./.out/lib/posthog-server.js');
  await posthog.shutdown();
})().catch((e) => { console.error(e); process.exit(1); });
"""
USER_IDS = {"signup": "9b2f6c1e-0000-4000-8000-00000000000a", "token": "9b2f6c1e-0000-4000-8000-00000000000b"}


class _GoTrue(http.server.BaseHTTPRequestHandler):
    """Answers sign-up and password sign-in the way Supabase Auth does (the fields supabase-js reads)."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        which = "signup" if self.path.startswith("/auth/v1/signup") else "token"
        user = {"id": USER_IDS[which], "aud": "authenticated", "role": "authenticated", "email": "x@x.io",
                "app_metadata": {}, "user_metadata": {}, "created_at": "2026-01-01T00:00:00Z"}
        session = {"access_token": "a.b.c", "token_type": "bearer", "expires_in": 3600,
                   "expires_at": 4102444800, "refresh_token": "r", "user": user}
        body = json.dumps(session if which == "token" else user).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def endpoints():
    server, url = sink.start()
    auth = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GoTrue)
    threading.Thread(target=auth.serve_forever, daemon=True).start()
    yield url, f"http://127.0.0.1:{auth.server_address[1]}"
    auth.shutdown()
    server.shutdown()


def _app(root: Path) -> Path:
    (root / "app" / "login").mkdir(parents=True)
    (root / "utils" / "supabase").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"name": "sb", "dependencies": {
        "next": "15.5.4", "react": "19.1.1", "@supabase/supabase-js": "2.119.1"}}) + "\n")
    (root / "tsconfig.json").write_text(json.dumps(TSCONFIG) + "\n")
    (root / "utils" / "supabase" / "server.ts").write_text(SERVER_CLIENT)
    actions = root / "app" / "login" / "actions.ts"
    actions.write_text(ACTIONS)
    return actions


def _integrate(root: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert run_integrate(IntegrateOptions(root=root, yes=True, agent="off", out=out, err=err)) == 0, err.getvalue()
    return out.getvalue()


def test_error_only_supabase_actions_get_the_user_bound_and_identified(tmp_path):
    root = tmp_path / "sb"
    actions = _app(root)
    _integrate(root)
    text = actions.read_text()
    assert "const { data: authData, error } = await supabase.auth.signInWithPassword(data)" in text
    assert "distinctId: String(authData.user.id)" in text  # a signed-in session always has its user
    assert "const { data, error } = await supabase.auth.signUp({" in text
    assert "if (data.user?.id) {" in text and "distinctId: String(data.user.id)" in text  # signUp's user may be null
    assert text.count(".identify(") == 2 and text.count("event: 'user_") == 2


def test_integrated_actions_type_check_strictly_and_send_the_supabase_users_events_to_the_sink(tmp_path, endpoints):
    require_node(TSC)
    sink_url, auth_url = endpoints
    root = tmp_path / "sb"
    actions = _app(root)
    _integrate(root)
    first = actions.read_text()
    _integrate(root)
    assert actions.read_text() == first  # a second run changes nothing
    (root / "node_modules").symlink_to(TYPECHECK_MODULES, target_is_directory=True)
    build = subprocess.run([str(TSC), "-p", "tsconfig.json"], cwd=root, capture_output=True, text=True, timeout=180)
    assert build.returncode == 0, build.stdout[-3000:]  # strict type check with the real supabase/posthog types
    (root / "drive.cjs").write_text(DRIVE)
    token = "phc_test_" + uuid.uuid4().hex
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "SUPABASE_URL": auth_url,
           "NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN": token, "NEXT_PUBLIC_POSTHOG_HOST": sink_url,
           "POSTHOG_PROJECT_TOKEN": token, "POSTHOG_HOST": sink_url}
    run = subprocess.run(["node", "drive.cjs"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    events = {(e["event"], e["distinct_id"]) for e in sink.all_events() if e["api_key"] == token}
    assert ("user_signed_up", USER_IDS["signup"]) in events
    assert ("user_logged_in", USER_IDS["token"]) in events
    assert ("$identify", USER_IDS["signup"]) in events and ("$identify", USER_IDS["token"]) in events
