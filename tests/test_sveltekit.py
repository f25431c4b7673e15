"""SvelteKit and single-file components: `.svelte` / `.vue` scripts are analysed where they stand in the file, a
SvelteKit app is recognised, its server events go through `$lib/server/posthog` keyed by the signed-in user, and
Integrate initialises posthog-js in `src/hooks.client.ts`. Fixture app: tests/fixtures/sveltekit."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Package
from lsp_server.analysis.parsing import language_for_path, parse
from lsp_server.analysis.scan import scan
from lsp_server.analysis.scope import Scope
from lsp_server.analysis.sfc import script_blocks, script_text
from lsp_server.analysis.workspace import find_packages
from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking, plan_quick_fix
from lsp_server.edits.setup import plan_setup
from tests.edits_support import error_nodes
from tests.integrate_smoke.apps import integrate

FIXTURE = Path(__file__).parent / "fixtures" / "sveltekit"
SNIPPETS = BundledSnippets()
SVELTEKIT = Package(path=".", framework="sveltekit", language="typescript", package_manager="npm")

COMPONENT = """<script context="module" lang="ts">
  export const prerender = false
</script>

<script lang="ts">
  import { goto } from "$app/navigation"

  let { data } = $props()
  // 🚪 ünïcode before the call
  async function logout() { /* 👋 */ const { error } = await data.supabase.auth.signOut(); if (!error) goto("/") }
</script>

<h1>Au revoir, {data.name} — 👋</h1>
<style>
  h1 { color: red; }
</style>
"""


# --- positions: the script at its own lines and columns -----------------------------------------------------------


def test_script_text_keeps_every_line_and_column_of_the_component():
    text, grammar, first = script_text(COMPONENT, "svelte")
    assert grammar == "typescript"
    assert first == 5  # the line after the instance script's tag: where a first import goes
    assert text.split("\n")[9] == COMPONENT.split("\n")[9]  # script lines are kept verbatim, non-ASCII included
    assert len(text) == len(COMPONENT) and text.count("\n") == COMPONENT.count("\n")
    assert [len(a) for a in text.split("\n")] == [len(b) for b in COMPONENT.split("\n")]
    assert "<h1>" not in text and "color" not in text and "<script" not in text


def test_a_flow_in_a_svelte_script_is_reported_at_its_line_and_code_point_column():
    for newline in ("\n", "\r\n"):
        analysis = analyze_document("src/routes/bye/+page.svelte", COMPONENT.replace("\n", newline))
        [flow] = analysis.flows
        assert (flow.kind.value, flow.symbol, flow.side) == ("logout", "logout", "client")
        line = COMPONENT.split("\n")[9]
        assert flow.span.start_line == 9 and flow.span.start_col == line.index("async function")
        assert flow.anchor is not None and flow.anchor.start_col == line.index("const { error }")  # after the emoji


def test_vue_script_setup_is_the_instance_script_and_markup_is_never_code():
    vue = (
        "<template>\n  <button @click=\"supabase.auth.signOut()\">Sign out</button>\n</template>\n\n"
        "<script>\nexport default { name: 'Bye' }\n</script>\n"
        "<script setup lang=\"ts\">\nimport { supabase } from '@/lib/supabase'\n\n"
        "async function signOut() {\n  await supabase.auth.signOut()\n  router.push('/')\n}\n</script>\n"
    )
    blocks = script_blocks(vue, "vue")
    assert [(b.open_line, b.grammar, b.instance) for b in blocks] == [(4, "javascript", False), (7, "typescript", True)]
    [flow] = analyze_document("src/components/SignOut.vue", vue).flows
    assert (flow.kind.value, flow.symbol, flow.span.start_line, flow.side) == ("logout", "signOut", 10, "client")


def test_scripts_in_comments_svelte_head_or_of_another_type_are_not_the_components_code():
    text = (
        "<svelte:head>\n  <script>window.dataLayer = []; supabase.auth.signOut()</script>\n</svelte:head>\n"
        "<!-- <script>supabase.auth.signOut()</script> -->\n"
        '<script type="application/ld+json">{"@type": "Organization"}</script>\n'
        "<script>\n  export let data\n</script>\n"
    )
    assert [(b.open_line, b.instance) for b in script_blocks(text)] == [(5, True)]
    assert analyze_document("src/routes/+page.svelte", text).flows == ()


def test_components_without_a_script_or_with_broken_markup_never_fail():
    assert analyze_document("src/routes/+page.svelte", "<h1>Hello</h1>\n").flows == ()
    rng = random.Random(7)
    alphabet = ["<script>", "</script>", "<script lang='ts'>", "<!--", "-->", "<svelte:head>", "\r\n", "\n", "é", "👋",
                "{", "}", "signOut()", "'", '"', " ", "<", ">", "=", "\x00"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for path in ("a.svelte", "a.vue"):
            analysis = analyze_document(path, text)
            assert analysis.language in ("svelte", "vue")
            doc = parse(text.replace("\r\n", "\n"), language_for_path(path))
            assert doc is None or len(doc.text.split("\n")) == len(text.replace("\r\n", "\n").split("\n"))


def test_the_scan_and_the_scope_check_take_components_but_not_their_build_output(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    (root / ".svelte-kit" / "generated").mkdir(parents=True)
    (root / ".svelte-kit" / "generated" / "root.svelte").write_text("<script>supabase.auth.signOut()</script>\n")
    scope = Scope(root)
    assert scope.in_scope(root / "src/routes/sign_out/+page.svelte")
    assert not scope.in_scope(root / ".svelte-kit/generated/root.svelte")
    paths = {d.path for d in scan(root).documents if d.flows}
    assert "src/routes/sign_out/+page.svelte" in paths
    assert not any(p.startswith(".svelte-kit/") for p in paths)


# --- the detector on a SvelteKit app ------------------------------------------------------------------------------


def _flows() -> dict[tuple[str, str], tuple[str, str | None, int]]:
    result = scan(FIXTURE)
    return {(d.path, f.kind.value): (f.side, f.user_id_expr, f.insert_line) for d in result.documents for f in d.flows}


def _line(path: str, needle: str) -> int:
    return next(i for i, line in enumerate((FIXTURE / path).read_text().split("\n")) if needle in line)


def test_sveltekit_app_is_recognised_with_its_typescript():
    [package] = find_packages(FIXTURE)
    assert (package.framework, package.language) == ("sveltekit", "typescript")


def test_form_actions_login_signup_and_logout_are_server_flows_keyed_by_the_signed_in_user():
    flows = _flows()
    login, signup = "src/routes/(auth)/login/+page.server.ts", "src/routes/(auth)/signup/+page.server.ts"
    assert flows[(login, "login")] == ("server", "data.user.id", _line(login, 'redirect(303, "/account")'))
    assert flows[(signup, "signup")][:2] == ("server", "data.user?.id")
    # S4-4: Supabase's safeGetSession() session, not an anonymous event
    account = "src/routes/account/+page.server.ts"
    assert flows[(account, "logout")][:2] == ("server", "session?.user.id")
    # a Lucia-style `locals.user` the action already dereferences
    assert flows[("src/routes/logout/+page.server.ts", "logout")][:2] == ("server", "locals.user.id")


def test_stripe_webhook_endpoint_cases_are_cancellation_and_failed_payment():
    flows = _flows()
    webhook = "src/routes/api/stripe/webhook/+server.ts"
    assert flows[(webhook, "subscription_cancelled")][:2] == ("server", "subscription.customer?.toString()")
    assert flows[(webhook, "payment_failed")][:2] == ("server", "invoice.customer?.toString()")


def test_sign_out_component_is_a_browser_logout_and_look_alikes_are_no_flows():
    flows = _flows()
    assert flows[("src/routes/sign_out/+page.svelte", "logout")][0] == "client"
    # deleting a blog post, a settings page whose markup and comments mention signing out, a Cancel button
    assert not [k for k in flows if k[0].startswith(("src/routes/blog/", "src/routes/settings/"))]
    assert len(flows) == 7


def test_checkout_prefers_the_session_user_over_the_stripe_customer_id():
    text = (
        'import { redirect } from "@sveltejs/kit"\n'
        'import Stripe from "stripe"\n'
        "const stripe = new Stripe(\"sk\")\n\n"
        "export const load = async ({ url, locals: { safeGetSession } }) => {\n"
        "  const { session } = await safeGetSession()\n"
        "  const customerId = await customerFor(session)\n"
        "  const checkout = await stripe.checkout.sessions.create({ customer: customerId, mode: \"payment\",\n"
        "    success_url: `${url.origin}/account` })\n"
        "  redirect(303, checkout.url)\n"
        "}\n"
    )
    [flow] = analyze_document("src/routes/subscribe/+page.server.ts", text, package=SVELTEKIT).flows
    assert (flow.kind.value, flow.user_id_expr) == ("checkout_started", "session?.user.id")


def test_auth_js_session_from_locals_is_the_user():
    text = (
        'import { redirect } from "@sveltejs/kit"\n\n'
        "export const actions = {\n"
        "  logout: async ({ locals, cookies }) => {\n"
        "    const session = await locals.auth()\n"
        '    cookies.delete("authjs.session-token", { path: "/" })\n'
        '    redirect(303, "/")\n'
        "  },\n"
        "}\n"
    )
    [flow] = analyze_document("src/routes/+page.server.js", text, package=SVELTEKIT).flows
    assert (flow.kind.value, flow.user_id_expr) == ("logout", "session?.user?.id")


# --- edits: $lib/server/posthog, inside the script, hooks.client.ts -----------------------------------------------


def test_server_action_imports_the_client_through_lib_and_creates_it_under_src_lib_server():
    path = "src/routes/account/+page.server.ts"
    text = (FIXTURE / path).read_text()
    [flow] = analyze_document(path, text, package=SVELTEKIT).flows
    edits = plan_flow_tracking(text, path, flow, SVELTEKIT, SNIPPETS, exists=lambda p: False)
    created = {e.path: e.new_text for e in edits if e.create_file}
    assert list(created) == ["src/lib/server/posthog.ts"]
    module = created["src/lib/server/posthog.ts"]
    assert "from '$env/dynamic/public'" in module and "env.PUBLIC_POSTHOG_KEY" in module and "process.env" not in module
    assert "flushAt: 1" in module and "disabled: !key" in module
    edited = apply_edits(text, [e for e in edits if not e.create_file])
    assert 'import { posthog } from "$lib/server/posthog"\n' in edited
    assert (
        "      await supabase.auth.signOut()\n"
        "      posthog.capture({\n"
        "        distinctId: session?.user.id?.toString(),\n"
        '        event: "user_logged_out",\n'
        "      })\n"
        "      await posthog.flush()\n"
        "    }\n"
        '    redirect(303, "/")\n'
    ) in edited  # sent before SvelteKit's redirect() throws, and before a serverless function is frozen
    assert error_nodes(edited, path) == []
    again = analyze_document(path, edited, package=SVELTEKIT).flows
    assert [f.tracked for f in again] == [True]


def test_tracking_a_svelte_logout_puts_the_import_at_the_top_of_its_script_and_is_idempotent():
    path = "src/routes/sign_out/+page.svelte"
    text = (FIXTURE / path).read_text().replace("\n", "\r\n")
    [flow] = analyze_document(path, text, package=SVELTEKIT).flows
    edits = plan_flow_tracking(text, path, flow, SVELTEKIT, SNIPPETS)
    edited = apply_edits(text, edits)
    assert edited.startswith(
        '<script lang="ts">\r\n  import { goto } from "$app/navigation"\r\n  import { onMount } from "svelte"\r\n'
        '  import posthog from "posthog-js"\r\n'
    )
    assert '        posthog.capture("user_logged_out")\r\n        posthog.reset()\r\n        goto("/")' in edited
    assert edited.endswith('</script>\r\n\r\n<h1 class="text-2xl font-bold">{message}</h1>\r\n')
    [again] = analyze_document(path, edited, package=SVELTEKIT).flows
    assert again.tracked and plan_flow_tracking(edited, path, again, SVELTEKIT, SNIPPETS) == []


def test_a_component_without_imports_gets_its_import_inside_the_script_not_above_the_tag():
    text = "<p>hi</p>\n<script>\n\tasync function logout() {\n\t\tawait supabase.auth.signOut()\n\t\tgoto('/')\n\t}\n"
    text += "</script>\n"
    path = "src/routes/bye/+page.svelte"
    [flow] = analyze_document(path, text, package=SVELTEKIT).flows
    edited = apply_edits(text, plan_flow_tracking(text, path, flow, SVELTEKIT, SNIPPETS))
    assert edited.startswith("<p>hi</p>\n<script>\n\timport posthog from 'posthog-js'\n\n\tasync function logout() {")


def _read(root: Path):
    def read(rel: str) -> str | None:
        path = root / rel
        return path.read_text() if path.is_file() else None

    return read


def test_setup_creates_hooks_client_reading_public_env_and_declares_the_names_in_env_example():
    plan = plan_setup(SVELTEKIT, {"server", "client"}, _read(FIXTURE))
    assert (plan.key_var, plan.host_var, plan.env_file) == ("PUBLIC_POSTHOG_KEY", "PUBLIC_POSTHOG_HOST", ".env")
    assert sorted(plan.dependencies) == ["posthog-js", "posthog-node"]
    files = {e.path: e for e in plan.edits}
    hooks = files["src/hooks.client.ts"]
    assert hooks.create_file
    assert "posthog.init(posthogKey" in hooks.new_text and "from '$env/dynamic/public'" in hooks.new_text
    assert "defaults: '2026-01-30'" in hooks.new_text
    assert files[".env.example"].new_text == "PUBLIC_POSTHOG_KEY=\nPUBLIC_POSTHOG_HOST=\n"


def test_setup_adds_the_init_to_an_existing_hooks_client_once(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "app")
    hooks = tmp_path / "app" / "src" / "hooks.client.ts"
    hooks.write_text("import type { HandleClientError } from '@sveltejs/kit'\n\nexport const handleError: "
                     "HandleClientError = ({ error }) => { console.error(error) }\n")
    plan = plan_setup(SVELTEKIT, {"client"}, _read(tmp_path / "app"))
    [edit] = [e for e in plan.edits if e.path == "src/hooks.client.ts"]
    assert not edit.create_file and edit.span.start_line == 1
    hooks.write_text(apply_edits(hooks.read_text(), [edit]))
    assert not [e for e in plan_setup(SVELTEKIT, {"client"}, _read(tmp_path / "app")).edits
                if e.path == "src/hooks.client.ts"]


@pytest.mark.parametrize("layout", ["src/routes/+layout.svelte", "src/routes/+layout.ts"])
def test_an_init_already_in_the_root_layout_is_kept(tmp_path, layout):
    shutil.copytree(FIXTURE, tmp_path / "app")
    body = "import posthog from 'posthog-js'\nimport { browser } from '$app/environment'\n" \
           "if (browser) posthog.init('phc_x', { api_host: 'https://eu.i.posthog.com' })\n"
    component = layout.endswith(".svelte")
    (tmp_path / "app" / layout).write_text(f"<script>\n{body}</script>\n<slot />\n" if component else body)
    [package] = find_packages(tmp_path / "app")
    assert package.posthog.init is not None and package.posthog.init.startswith(layout)
    plan = plan_setup(package, {"client"}, _read(tmp_path / "app"))
    assert not [e for e in plan.edits if "hooks.client" in e.path]


def test_a_hard_coded_key_in_a_sveltekit_file_is_read_from_public_env_with_its_import():
    path = "src/hooks.client.ts"
    text = "import posthog from 'posthog-js'\n\nposthog.init('phc_abcdefghijklmnopqrstuvwxyz0123', { ui: 1 })\n"
    findings = analyze_document(path, text, package=SVELTEKIT).findings
    [finding] = [f for f in findings if f.code == "posthog/hardcoded-key"]
    edits = plan_quick_fix(text, path, finding, SVELTEKIT, SNIPPETS)
    edited = apply_edits(text, edits)
    assert edited == (
        "import posthog from 'posthog-js'\nimport { env } from '$env/dynamic/public';\n\n"
        "posthog.init(env.PUBLIC_POSTHOG_KEY, { ui: 1 })\n"
    )
    again = [f for f in analyze_document(path, edited, package=SVELTEKIT).findings if f.code == "posthog/hardcoded-key"]
    assert again == []


def test_integrate_without_a_model_sets_up_the_sveltekit_app_once(tmp_path):
    app = integrate(FIXTURE, tmp_path / "app", strip=False)
    assert app.code == 0, app.err
    root = app.root
    hooks = (root / "src/hooks.client.ts").read_text()
    assert "posthog.init(posthogKey" in hooks and "env.PUBLIC_POSTHOG_KEY" in hooks
    assert "env.PUBLIC_POSTHOG_KEY" in (root / "src/lib/server/posthog.ts").read_text()
    manifest = (root / "package.json").read_text()
    assert '"posthog-js"' in manifest and '"posthog-node"' in manifest
    assert (root / ".env.example").read_text().endswith("PUBLIC_POSTHOG_KEY=\nPUBLIC_POSTHOG_HOST=\n")
    assert {"user_logged_in", "user_signed_up", "user_logged_out", "subscription_cancelled"} <= app.planned()
    server_files = [c.path for c in app.edited if c.path.endswith(".server.ts") or c.path.endswith("+server.ts")]
    assert server_files and all("from \"$lib/server/posthog\"" in (root / p).read_text() for p in server_files)
    component = (root / "src/routes/sign_out/+page.svelte").read_text()
    script, markup = component.split("</script>")
    assert '  import posthog from "posthog-js"\n' in script and "posthog.reset()" in script
    assert markup == (FIXTURE / "src/routes/sign_out/+page.svelte").read_text().split("</script>")[1]
    for change in app.edited:
        language = language_for_path(change.path)
        if language is not None:
            doc = parse(change.after, language)
            assert doc is not None and not doc.root.has_error, change.path
    again = integrate(root, tmp_path / "again", strip=False)
    assert again.code == 0 and [c.path for c in again.edited if c.path != ".posthog-events.json"] == []


def test_a_vue_logout_is_tracked_inside_script_setup_and_the_template_is_untouched():
    vue = (
        '<template>\n  <button @click="signOut">Sign out</button>\n</template>\n\n<script setup lang="ts">\n'
        "import { supabase } from '@/lib/supabase'\n\nasync function signOut() {\n  await supabase.auth.signOut()\n"
        "  router.push('/')\n}\n</script>\n"
    )
    path = "src/components/SignOut.vue"
    [flow] = analyze_document(path, vue).flows
    edited = apply_edits(vue, plan_flow_tracking(vue, path, flow, None, SNIPPETS))
    assert edited == vue.replace(
        "from '@/lib/supabase'\n", "from '@/lib/supabase'\nimport posthog from 'posthog-js'\n"
    ).replace("signOut()\n", "signOut()\n  posthog.capture('user_logged_out')\n  posthog.reset()\n")
    assert error_nodes(edited, path) == []


def test_an_existing_hooks_client_keeps_one_import_of_each_name(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "app")
    hooks = tmp_path / "app" / "src" / "hooks.client.ts"
    hooks.write_text("import { dev } from '$app/environment'\n\nif (dev) console.info('client hooks')\n")
    plan = plan_setup(SVELTEKIT, {"client"}, _read(tmp_path / "app"))
    [edit] = [e for e in plan.edits if e.path == "src/hooks.client.ts"]
    edited = apply_edits(hooks.read_text(), [edit])
    assert edited.count("from '$app/environment'") == 1 and edited.count("from '$env/dynamic/public'") == 1
    assert error_nodes(edited, "src/hooks.client.ts") == []


def test_an_auth_js_session_checked_without_a_variable_is_read_again_for_the_id():
    text = (
        'import { redirect } from "@sveltejs/kit"\n\n'
        "export const actions = {\n"
        "  deleteAccount: async ({ locals }) => {\n"
        '    if (!(await locals.auth())) redirect(303, "/login")\n'
        "    await db.user.delete({ where: { id: 1 } })\n"
        '    redirect(303, "/")\n'
        "  },\n"
        "}\n"
    )
    [flow] = analyze_document("src/routes/settings/+page.server.ts", text, package=SVELTEKIT).flows
    assert (flow.kind.value, flow.user_id_expr) == ("account_deleted", "(await locals.auth())?.user?.id")
