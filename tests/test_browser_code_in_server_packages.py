"""Browser code in a server package (a jQuery script in an Express app's `public/js`, a Nuxt composable in a package
taken for plain Node) is tracked with posthog-js, never with posthog-node or the server's client module; server
routes next to it keep posthog-node; a repository instance named `user` is not taken for the user."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from lsp_server.analysis import analyze_document
from lsp_server.analysis.workspace import frameworks_with
from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking
from tests.edits_support import error_nodes, package

SNIPPETS = BundledSnippets()
EXPRESS = package("node-express", "javascript")
NODE_TS = package("node", "typescript")

JQUERY_LOGIN = """$(document).ready(function () {
  $('#login-form').on('submit', function (e) {
    e.preventDefault();
    $.ajax({
      url: '/api/login',
      method: 'POST',
      data: { email: $('#email').val(), password: $('#password').val() },
      success: function (data) {
        localStorage.setItem('token', data.token);
        window.location.href = '/dashboard';
      },
    });
  });
});
"""


def _track(path: str, text: str, pkg) -> tuple[str, list]:
    flows = analyze_document(path, text, package=pkg).flows
    assert flows, "the detector should find the flow"
    edits = [e for f in flows for e in plan_flow_tracking(text, path, f, pkg, SNIPPETS)]
    return apply_edits(text, [e for e in edits if e.path == path]), edits


def test_a_jquery_script_in_an_express_public_folder_uses_the_page_global_not_posthog_node():
    path = "public/js/login.js"
    flow = analyze_document(path, JQUERY_LOGIN, package=EXPRESS).flows[0]
    assert flow.side == "client"
    edited, edits = _track(path, JQUERY_LOGIN, EXPRESS)
    assert "window.posthog?.capture('user_logged_in');" in edited
    assert "posthog-node" not in edited and "posthog-server" not in edited and "import " not in edited
    assert [e for e in edits if e.create_file] == [] and error_nodes(edited, path) == []
    again = analyze_document(path, edited, package=EXPRESS).flows
    assert [e for f in again for e in plan_flow_tracking(edited, path, f, EXPRESS, SNIPPETS)] == []


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_tracked_jquery_script_runs_with_and_without_the_posthog_snippet_on_the_page(tmp_path):
    edited, _ = _track("public/js/login.js", JQUERY_LOGIN, EXPRESS)
    # a tiny jQuery: ready() runs at once, submit handlers run on trigger, $.ajax succeeds with a token
    harness = """
const handlers = {};
const $ = (sel) => typeof sel === 'function' ? sel() : ({
  ready: (fn) => fn(), on: (ev, fn) => { handlers[sel] = fn; }, val: () => 'x',
});
$.ajax = (opts) => opts.success({ token: 't1' });
global.$ = $;
global.localStorage = { setItem() {} };
global.window = { location: {} };
global.document = {};
const calls = [];
function submit() { handlers['#login-form']({ preventDefault() {} }); }
""" + edited + """
submit();  // no snippet on the page: nothing is sent and nothing throws
window.posthog = { capture: (...args) => calls.push(['capture', ...args]), identify: (...a) => calls.push(a) };
submit();
console.log(JSON.stringify({ calls, href: window.location.href }));
"""
    script = tmp_path / "run.js"
    script.write_text(harness)
    result = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out == {"calls": [["capture", "user_logged_in"]], "href": "/dashboard"}


NUXT_COMPOSABLE = """import { useAuthUser } from "./useAuthUser";

export const useAuth = () => {
  const authUser = useAuthUser();

  const setUser = (user: any) => {
    authUser.value = user;
  };

  const login = async (email: string, password: string) => {
    const data: any = await $fetch("/auth/login", { method: "POST", body: { email, password } });
    setUser(data.user);
    return authUser;
  };

  return { login };
};
"""


def test_a_nuxt_composable_in_a_plain_node_package_imports_posthog_js_not_the_server_client():
    path = "composables/useAuth.ts"
    edited, edits = _track(path, NUXT_COMPOSABLE, NODE_TS)
    assert 'import posthog from "posthog-js";' in edited and "posthog.identify(String(data.user.id)" in edited
    assert all("posthog-server" not in e.new_text and "posthog-node" not in e.new_text for e in edits)
    assert error_nodes(edited, path) == []


NUXT_LOGIN_ROUTE = """import { User } from "~/server/model/user";

export default defineEventHandler(async (event) => {
  const { email, password } = await readBody(event);
  const user = new User()
  const userWithPassword = await user.findByEmail(email);
  if (!userWithPassword) {
    return createError({ statusCode: 401, message: "Bad credentials" });
  }
  const verified = await verify(userWithPassword.password, password);
  if (!verified) {
    return createError({ statusCode: 401, message: "Bad credentials" });
  }
  const session = serialize({ userId: userWithPassword.id });
  setCookie(event, "session", sign(session));
  return { user: { id: userWithPassword.id } };
});
"""


def test_a_server_route_keeps_posthog_node_and_a_repository_named_user_is_not_the_user():
    path = "server/routes/auth/login.post.ts"
    flow = analyze_document(path, NUXT_LOGIN_ROUTE, package=NODE_TS).flows[0]
    assert flow.side == "server" and flow.user_id_expr == "userWithPassword.id"
    edited, edits = _track(path, NUXT_LOGIN_ROUTE, NODE_TS)
    assert "distinctId: String(userWithPassword.id)" in edited and "String(user.id)" not in edited
    assert any("posthog-node" in e.new_text for e in edits if e.create_file)


def test_a_model_instance_built_from_data_is_still_the_user():
    text = """const User = require('../models/user');

exports.signup = async (req, res) => {
  const user = new User({ email: req.body.email, password: req.body.password });
  await user.save();
  res.status(201).json({ ok: true });
};
"""
    flows = analyze_document("controllers/auth.js", text, package=EXPRESS).flows
    assert [f.user_id_expr for f in flows] == ["user.id"]


def test_a_script_that_fetches_a_relative_url_is_browser_code():
    text = """async function logout() {
  await fetch('/api/logout', { method: 'POST' });
  location.assign('/');
}
document.getElementById('logout').onclick = logout;
"""
    flows = analyze_document("static/js/session.js", text, package=package("node", "javascript")).flows
    assert [(str(f.kind), f.side) for f in flows] == [("logout", "client")]
    only_fetch = "async function logout() {\n  await fetch('/api/logout', { method: 'POST' });\n}\n"
    flows = analyze_document("lib/session.js", only_fetch, package=package("node", "javascript")).flows
    assert all(f.side == "client" for f in flows)


def test_server_packages_are_named_in_frameworks_toml_and_keep_their_views_folder_on_the_server():
    assert {"node", "node-express"} <= frameworks_with("server_default")
    assert not frameworks_with("server_default") & frameworks_with("client_default")
    text = "exports.logout = (req, res) => {\n  req.logout();\n  res.redirect('/');\n};\n"
    flows = analyze_document("views/auth.js", text, package=EXPRESS).flows
    assert [(str(f.kind), f.side) for f in flows] == [("logout", "server")]


def test_integrate_says_how_to_load_posthog_js_for_browser_code_of_a_server_package():
    from lsp_server.edits.setup import plan_setup

    files = {"package.json": '{"name": "shop", "dependencies": {"express": "^4.19.0"}}\n'}
    client = plan_setup(EXPRESS, {"client", "server"}, files.get)
    assert any("<head>" in n and "window.posthog?." in n for n in client.notes), client.notes
    assert any('"posthog-js"' in e.new_text for e in client.edits)
    assert plan_setup(EXPRESS, {"server"}, files.get).notes == []  # server code only: nothing to load in a page


def test_a_vue_page_without_imports_is_bundled_code_and_imports_posthog_js():
    text = """<template>
  <form @submit.prevent="login"><button>Sign in</button></form>
</template>

<script setup>
const email = ref('')

async function login() {
  const data = await $fetch('/auth/login', { method: 'POST', body: { email: email.value } })
  setUser(data.user)
  await navigateTo('/')
}
</script>
"""
    edited, _ = _track("pages/login.vue", text, package("node", "javascript"))
    assert "<script setup>\nimport posthog from 'posthog-js'\n" in edited
    assert "posthog.identify(String(data.user.id))" in edited and "window.posthog" not in edited
