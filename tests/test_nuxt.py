"""Nuxt 3/4: the app is recognised as `nuxt`, Integrate starts posthog-js from a client-only plugin reading
runtimeConfig.public, adds those entries inside `defineNuxtConfig({...})` (still parseable, once), and Nitro handlers
use posthog-node through server/utils/posthog. Fixture app: tests/fixtures/nuxt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Package
from lsp_server.analysis.workspace import find_packages
from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking
from lsp_server.edits.setup import plan_setup
from tests.edits_support import error_nodes
from tests.integrate_smoke.apps import integrate

FIXTURE = Path(__file__).parent / "fixtures" / "nuxt"
NUXT = Package(path=".", framework="nuxt", language="typescript", package_manager="npm")
CONFIG = "nuxt.config.ts"


def _read(root: Path):
    def read(path: str) -> str | None:
        target = root / path
        if not target.is_file():
            return None
        with target.open(encoding="utf-8", newline="") as f:  # CRLF kept, as the editor sends it
            return f.read()

    return read


def _config_after(text: str, tmp_path: Path, *, path: str = CONFIG) -> tuple[str, list[str]]:
    """nuxt.config after the setup plan's edit (the text unchanged when the plan leaves it alone), and the notes."""
    (tmp_path / path).write_text(text, encoding="utf-8", newline="")
    plan = plan_setup(NUXT, {"client"}, _read(tmp_path))
    edits = [e for e in plan.edits if e.path == path]
    return apply_edits(text, edits), plan.notes


def test_a_nuxt_app_is_recognised_with_its_version_and_typescript():
    [package] = find_packages(FIXTURE)
    assert (package.framework, package.language, package.framework_version) == ("nuxt", "typescript", "3.15.0")


def test_a_nuxt_config_without_the_dependency_still_makes_a_nuxt_app(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"name": "x", "devDependencies": {"vue": "^3.5.0"}}))
    (tmp_path / "nuxt.config.js").write_text("export default defineNuxtConfig({})\n")
    [package] = find_packages(tmp_path)
    assert (package.framework, package.language) == ("nuxt", "javascript")


def test_integrate_without_a_model_sets_up_the_nuxt_app_once(tmp_path):
    app = integrate(FIXTURE, tmp_path / "app", strip=False)
    assert app.code == 0, app.err
    root = app.root
    plugin = (root / "plugins/posthog.client.ts").read_text()
    assert "useRuntimeConfig().public" in plugin and "posthog.init(key" in plugin
    assert "provide: { posthog }" in plugin and "defaults: '2026-01-30'" in plugin
    config = (root / CONFIG).read_text()
    assert error_nodes(config, CONFIG) == []
    assert 'posthogPublicKey: "",' in config and 'posthogHost: "https://us.i.posthog.com",' in config  # its quotes
    assert config.index("public: {") < config.index('cookieName: "session"')  # inside the existing runtimeConfig
    assert config.count("runtimeConfig") == 1
    server = (root / "server/utils/posthog.ts").read_text()
    assert "process.env.NUXT_PUBLIC_POSTHOG_PUBLIC_KEY" in server and "flushAt: 1" in server
    signup = (root / "server/api/auth/signup.post.ts").read_text()
    assert 'import { posthog } from "../../utils/posthog";' in signup and "await posthog.flush();" in signup
    composable = (root / "composables/useAuth.ts").read_text()
    assert composable.startswith('import posthog from "posthog-js";') and "posthog-node" not in composable
    assert "posthog.identify(String(data.user.id)" in composable
    manifest = json.loads((root / "package.json").read_text())
    assert {"posthog-js", "posthog-node"} <= set(manifest["dependencies"])
    assert (root / ".env.example").read_text() == (
        "DATABASE_URL=\nNUXT_PUBLIC_POSTHOG_PUBLIC_KEY=\nNUXT_PUBLIC_POSTHOG_HOST=\n"
    )
    assert {"user_logged_in", "user_signed_up", "user_logged_out"} <= app.planned()
    for change in app.edited:
        if change.path.endswith((".ts", ".js")):
            assert error_nodes(change.after, change.path) == [], change.path
    again = integrate(root, tmp_path / "again", strip=False)
    assert again.code == 0 and [c.path for c in again.edited if c.path != ".posthog-events.json"] == []


CONFIGS = {
    "no runtimeConfig": (
        "export default defineNuxtConfig({\n  devtools: { enabled: true },\n})\n",
        "export default defineNuxtConfig({\n  runtimeConfig: {\n    public: {\n"
        "      // PostHog (plugins/posthog.client): Nuxt fills these at run time from NUXT_PUBLIC_POSTHOG_PUBLIC_KEY / "
        "NUXT_PUBLIC_POSTHOG_HOST\n      posthogPublicKey: '',\n      posthogHost: 'https://us.i.posthog.com',\n"
        "    },\n  },\n  devtools: { enabled: true },\n})\n",
    ),
    "an existing public section, 4 spaces": (
        "export default defineNuxtConfig({\n    runtimeConfig: {\n        secret: '',\n"
        "        public: {\n            apiBase: '/api',\n        },\n    },\n})\n",
        None,
    ),
    "an empty object": ("export default defineNuxtConfig({})\n", None),
    "one line": ("export default defineNuxtConfig({ ssr: false })\n", None),
    "a plain exported object with tabs": ("export default {\n\tssr: false,\n}\n", None),
    "typed const": (
        "import { defineNuxtConfig } from 'nuxt/config'\n\n"
        "const config = defineNuxtConfig({\n  modules: ['@pinia/nuxt'],\n"
        "  runtimeConfig: { public: { apiBase: process.env.API_BASE } },\n})\n\nexport default config\n",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_runtime_config_is_added_inside_define_nuxt_config_and_the_file_still_parses(tmp_path, case):
    before, expected = CONFIGS[case]
    after, notes = _config_after(before, tmp_path)
    assert notes == []
    if expected is not None:
        assert after == expected
    assert error_nodes(after, CONFIG) == [], after
    assert after.count("posthogPublicKey") == 1 and after.count("posthogHost:") == 1
    assert after.count("runtimeConfig") == max(1, before.count("runtimeConfig"))
    assert after.replace(" ", "").replace("\t", "").count("public:{") == 1
    again, _ = _config_after(after, tmp_path)
    assert again == after  # a second run adds nothing


def test_a_crlf_config_keeps_its_line_endings(tmp_path):
    before = "export default defineNuxtConfig({\r\n  ssr: true,\r\n});\r\n"
    after, _ = _config_after(before, tmp_path)
    assert "\n" not in after.replace("\r\n", "")
    assert error_nodes(after, CONFIG) == [] and "posthogPublicKey" in after


@pytest.mark.parametrize("config", [
    "const shared = { public: {} }\nexport default defineNuxtConfig({ runtimeConfig: shared })\n",
    "export default defineNuxtConfig({ runtimeConfig: { public: publicConfig } })\n",
    "module.exports = makeConfig()\n",
])
def test_a_runtime_config_that_is_not_an_object_literal_is_left_alone_with_a_note(tmp_path, config):
    after, notes = _config_after(config, tmp_path)
    assert after == config
    assert any("runtimeConfig.public.posthogPublicKey" in n for n in notes)


def test_an_app_without_a_config_gets_one_with_the_runtime_config(tmp_path):
    (tmp_path / "app.vue").write_text("<template><NuxtPage /></template>\n")
    plan = plan_setup(NUXT, {"client"}, _read(tmp_path))
    [config] = [e for e in plan.edits if e.path == CONFIG]
    assert config.create_file and "posthogPublicKey: ''," in config.new_text
    assert error_nodes(config.new_text, CONFIG) == []


def test_a_nuxt_4_app_folder_gets_its_plugin_under_app_plugins(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app/app.vue").write_text("<template><NuxtPage /></template>\n")
    (tmp_path / CONFIG).write_text("export default defineNuxtConfig({})\n")
    paths = {e.path for e in plan_setup(NUXT, {"client"}, _read(tmp_path)).edits}
    assert "app/plugins/posthog.client.ts" in paths and "plugins/posthog.client.ts" not in paths


@pytest.mark.parametrize("src_dir", ["src", "./src/", "client/app"])
def test_a_src_dir_in_nuxt_config_gets_the_plugin_under_it(tmp_path, src_dir):
    (tmp_path / CONFIG).write_text(f"export default defineNuxtConfig({{\n  srcDir: '{src_dir}',\n}})\n")
    paths = {e.path for e in plan_setup(NUXT, {"client"}, _read(tmp_path)).edits}
    assert f"{src_dir.strip('./')}/plugins/posthog.client.ts" in paths


@pytest.mark.parametrize("where,text", [
    (CONFIG, "export default defineNuxtConfig({ modules: ['@posthog/nuxt'], posthogConfig: { publicKey: 'x' } })\n"),
    ("plugins/posthog.client.ts", "import posthog from 'posthog-js'\nexport default defineNuxtPlugin(() => {\n"
                                  "  posthog.init('phc_x', { api_host: 'https://eu.i.posthog.com' })\n})\n"),
])
def test_an_existing_posthog_setup_is_kept_as_it_is(tmp_path, where, text):
    shutil.copytree(FIXTURE, tmp_path / "app")
    (tmp_path / "app" / where).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "app" / where).write_text(text)
    [package] = find_packages(tmp_path / "app")
    plan = plan_setup(package, {"client"}, _read(tmp_path / "app"))
    assert not [e for e in plan.edits if e.path in (CONFIG, "plugins/posthog.client.ts")]


def test_a_vue_sign_out_in_a_nuxt_app_resets_posthog_js_and_never_imports_the_server_client():
    path = "components/SignOut.vue"
    vue = (
        "<template>\n  <button @click=\"signOut\">Sign out</button>\n</template>\n\n<script setup lang=\"ts\">\n"
        "const supabase = useSupabaseClient()\n\nasync function signOut() {\n  await supabase.auth.signOut()\n"
        "  await navigateTo('/')\n}\n</script>\n"
    )
    [flow] = analyze_document(path, vue, package=NUXT).flows
    assert (flow.kind.value, flow.side) == ("logout", "client")
    edited = apply_edits(vue, plan_flow_tracking(vue, path, flow, NUXT, BundledSnippets()))
    assert "import posthog from 'posthog-js'" in edited and "posthog.reset()" in edited
    assert "utils/posthog" not in edited and "posthog-node" not in edited
    assert edited.startswith("<template>\n  <button @click=\"signOut\">Sign out</button>\n</template>\n")
