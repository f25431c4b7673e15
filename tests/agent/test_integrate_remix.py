"""Remix (classic compiler and Vite) and React Router 7 framework mode: recognised before a Vite SPA, posthog-js
initialised where each build lets the browser read the key, posthog-node in `app/posthog.server.ts`, and the
user's id used in loaders and actions (a logout reads it before the session is destroyed, S4-6/S4-7/S4-17).
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from lsp_server.agent.run import IntegrateOptions, run_integrate
from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.model import FlowKind
from lsp_server.analysis.workspace import find_packages
from lsp_server.edits import BundledSnippets, plan_flow_tracking
from tests.edits_support import apply, error_nodes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "remix"
SNIPPETS = BundledSnippets()


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _integrate(root: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert run_integrate(IntegrateOptions(root=root, yes=True, agent="off", out=out, err=err)) == 0, err.getvalue()
    return out.getvalue()


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_remix_remix_vite_and_react_router_apps_are_recognised_before_a_vite_spa(tmp_path):
    found = {name: find_packages(FIXTURES / name)[0].framework for name in ("classic", "vite", "rr7")}
    assert found == {"classic": "remix", "vite": "remix-vite", "rr7": "react-router-framework"}
    # indie-stack's case: vite + vitest in devDependencies for tests, built by `remix build` (S4-6)
    assert "vite" in json.loads((FIXTURES / "classic" / "package.json").read_text())["devDependencies"]
    rr7 = tmp_path / "rr7-config-only"
    rr7.mkdir()
    (rr7 / "package.json").write_text(json.dumps({"dependencies": {"react-router": "^7.9.0", "react": "^19.1.0"}}))
    (rr7 / "react-router.config.ts").write_text("export default { ssr: true };\n")
    assert find_packages(rr7)[0].framework == "react-router-framework"
    classic = tmp_path / "classic-with-vitest"  # a vite.config for vitest next to remix.config.js: still classic
    shutil.copytree(FIXTURES / "classic", classic)
    (classic / "vite.config.ts").write_text("export default { test: { environment: 'happy-dom' } };\n")
    assert find_packages(classic)[0].framework == "remix"
    (classic / "remix.config.js").unlink()
    assert find_packages(classic)[0].framework == "remix-vite"
    spa = tmp_path / "spa"
    spa.mkdir()
    (spa / "package.json").write_text(json.dumps({"dependencies": {"react-router": "^7.9.0", "react": "^19.1.0"},
                                                  "devDependencies": {"vite": "^6.0.0"}}))
    assert find_packages(spa)[0].framework == "react-spa"  # React Router as a library (declarative/data mode)


def test_classic_remix_is_initialised_from_the_root_with_the_key_the_server_passes(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = _copy("classic", tmp_path)
    _integrate(root)
    files = _tree(root)
    root_tsx = files["app/root.tsx"]
    assert 'import { PostHogInit } from "./posthog-init";' in root_tsx
    assert '<body className="h-full">\n        <PostHogInit />\n        <Outlet />' in root_tsx
    init = files["app/posthog-init.tsx"]
    assert "process.env.POSTHOG_PROJECT_TOKEN" in init and "posthog.init(env.key" in init
    assert "typeof document === 'undefined'" in init and "useEffect" in init
    # the browser cannot read VITE_* or .env.local in a classic build: the key goes to .env, the server reads it
    assert not any("VITE_" in text for path, text in files.items() if path.startswith("app/"))
    assert ".env.local" not in files and "POSTHOG_PROJECT_TOKEN=" in (root / ".env").read_text()
    server = files["app/posthog.server.ts"]
    assert "from 'posthog-node'" in server and "flushAt: 1" in server and "lib/posthog-server.ts" not in files
    for route in ("app/routes/login.tsx", "app/routes/logout.tsx"):
        assert 'import { posthog } from "~/posthog.server";' in files[route]
    deps = json.loads(files["package.json"])["dependencies"]
    assert {"posthog-js", "posthog-node"} <= set(deps)
    for path, text in files.items():
        if path.endswith((".ts", ".tsx")):
            assert error_nodes(text, path) == [], path
    _integrate(root)
    assert _tree(root) == files  # a second run changes nothing


def test_classic_remix_events_carry_the_user_id_and_the_logout_reads_it_before_the_session_ends(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = _copy("classic", tmp_path)
    _integrate(root)
    logout = (root / "app/routes/logout.tsx").read_text()
    assert 'import { getUserId, logout } from "~/session.server";' in logout
    assert (
        "export const action = async ({ request }: ActionFunctionArgs) => {\n"
        "  posthog.capture({\n"
        "    distinctId: (await getUserId(request))?.toString(),\n"
        '    event: "user_logged_out",\n'
        "  });\n"
        "  await posthog.flush();\n"
        "  return logout(request);\n"
        "};\n"
    ) in logout
    login = (root / "app/routes/login.tsx").read_text()
    assert "posthog.identify({\n    distinctId: String(user.id)," in login
    # the join route's action is the signup (it calls the model's createUser and has the new user's id): the model
    # keeps only its account deletion, which no route calls
    join = (root / "app/routes/join.tsx").read_text()
    assert join.count("distinctId: String(user.id),") == 2  # signup identify + capture
    model = (root / "app/models/user.server.ts").read_text()
    assert model.count("distinctId: String(result.id),") == 1 and "user_signed_up" not in model
    assert "TODO(posthog)" not in model + login + logout + join


def test_react_router_entry_client_gets_the_init_from_vite_variables(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = _copy("rr7", tmp_path)
    _integrate(root)
    entry = (root / "app/entry.client.tsx").read_text()
    assert entry.startswith('import { startTransition, StrictMode } from "react";')
    assert 'import posthog from "posthog-js";' in entry
    assert "import.meta.env.VITE_PUBLIC_POSTHOG_KEY" in entry and "posthog.init(posthogKey" in entry
    assert entry.index("posthog.init(") < entry.index("hydrateRoot(")
    assert "<PostHogInit" not in (root / "app/root.tsx").read_text()  # one browser init
    # the login route's action calling the session helper signIn is the login (it has the user's id); signOut, which
    # no route calls, reads the id from the session before destroying it
    login = (root / "app/routes/login.tsx").read_text()
    assert "distinctId: String(user.id)," in login and "user_logged_in" in login
    sessions = (root / "app/sessions.server.ts").read_text()
    assert 'import { posthog } from "~/posthog.server";' in sessions and "user_logged_in" not in sessions
    assert 'distinctId: session.get("userId")?.toString(),' in sessions
    assert sessions.index('session.get("userId")') < sessions.index("destroySession(session)")
    assert "process.env.VITE_PUBLIC_POSTHOG_KEY" in (root / "app/posthog.server.ts").read_text()
    assert "VITE_PUBLIC_POSTHOG_KEY=" in (root / ".env").read_text() and not (root / ".env.local").exists()
    assert error_nodes(entry, "app/entry.client.tsx") == []


def test_remix_on_vite_without_an_entry_client_gets_the_default_entry_with_the_init(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = _copy("vite", tmp_path)
    _integrate(root)
    entry = (root / "app/entry.client.tsx").read_text()
    assert "import { RemixBrowser } from '@remix-run/react';" in entry and "<RemixBrowser />" in entry
    assert "import.meta.env.VITE_PUBLIC_POSTHOG_KEY" in entry and "posthog.init(" in entry
    assert error_nodes(entry, "app/entry.client.tsx") == []
    logout = (root / "app/routes/logout.tsx").read_text()
    assert 'import { getUserId, logout } from "~/session.server";' in logout
    assert "distinctId: (await getUserId(request))?.toString()," in logout


def test_logout_fix_keeps_the_one_statement_a_line_layout_and_the_file_style():
    path = "app/routes/logout.ts"
    text = (
        "import { logout } from '~/session.server'\n\n"
        "export const action = async ({ request }) => logout(request)\n"
    )
    pkg = find_packages(FIXTURES / "classic")[0]
    [f] = [f for f in analyze_document(path, text, package=pkg).flows if f.kind == FlowKind.LOGOUT]
    edited = apply(text, plan_flow_tracking(text, path, f, pkg, SNIPPETS), path)
    imports = "import { getUserId, logout } from '~/session.server'\nimport { posthog } from '~/posthog.server'\n"
    assert imports in edited
    assert (
        "export const action = async ({ request }) => {\n"
        "  posthog.capture({\n"
        "    distinctId: (await getUserId(request))?.toString(),\n"
        "    event: 'user_logged_out',\n"
        "  })\n"
        "  await posthog.flush()\n"
        "  return logout(request)\n"
        "}\n"
    ) in edited
    assert error_nodes(edited, path) == []
    assert all(f.tracked for f in analyze_document(path, edited, package=pkg).flows)


def test_a_login_action_has_no_session_yet_so_the_getter_is_not_used_there():
    """`getUserId(request)` before the session is created would send the login as an anonymous visitor."""
    path = "app/routes/login.ts"
    text = (
        "import { getUserId, createUserSession } from '~/session.server'\n\n"
        "export async function action({ request }) {\n"
        "  const form = await request.formData()\n"
        "  const account = await authenticateUser(form)\n"
        "  return createUserSession({ request, userId: account.id })\n}\n"
    )
    pkg = find_packages(FIXTURES / "classic")[0]
    flows = [f for f in analyze_document(path, text, package=pkg).flows if f.kind == FlowKind.LOGIN]
    assert flows and all("getUserId" not in (f.user_id_expr or "") for f in flows)
    assert all(f.user_id_binding is None for f in flows)


def test_remix_skill_examples_are_served_and_point_to_existing_airplanes():
    skills = Path(__file__).resolve().parents[2] / "skills"
    for framework in ("remix", "remix-vite", "react-router-framework"):
        skill = (skills / "frameworks" / framework / "SKILL.md").read_text()
        assert skill.startswith(f"---\nname: {framework}\n")
        refs = {p.name for p in (skills / "frameworks" / framework / "references").glob("*.md")}
        assert {"setup.md", "identify.md", "capture.md", "pitfalls.md"} <= refs
        examples = [e for e in ("remix", "react-router-framework") if f"posthog://examples/{e}" in skill]
        assert examples and all((skills / "examples" / e / "README.md").is_file() for e in examples)


def test_adding_a_vite_config_or_react_router_config_refreshes_the_framework(tmp_path):
    from lsp_server.analysis.workspace import WorkspaceIndex

    index = WorkspaceIndex(tmp_path)
    assert index.needs_refresh("web/vite.config.ts") and index.needs_refresh("react-router.config.ts")
    assert index.needs_refresh("remix.config.js")
    assert not index.needs_refresh("app/routes/login.tsx")


def test_the_getter_is_only_added_to_an_import_of_a_session_module_that_has_it():
    """Epic Stack's `session.server` exports only its storage: importing `getUserId` from it would break the build."""
    pkg = find_packages(FIXTURES / "classic")[0]
    text = (
        "import { authSessionStorage } from '#app/utils/session.server.ts'\n\n"
        "export async function action({ request }) {\n"
        "  const session = await authSessionStorage.getSession(request.headers.get('cookie'))\n"
        "  return logout({ request, session })\n}\n"
    )
    flows = [f for f in analyze_document("app/routes/logout.ts", text, package=pkg).flows if f.kind == FlowKind.LOGOUT]
    assert flows and all(f.user_id_binding is None and "getUserId" not in (f.user_id_expr or "") for f in flows)
    stack = text.replace("{ authSessionStorage }", "{ authSessionStorage, logout }")  # indie-stack's module
    [f] = [f for f in analyze_document("app/routes/logout.ts", stack, package=pkg).flows if f.kind == FlowKind.LOGOUT]
    assert f.user_id_binding is not None and f.user_id_binding[1] == "getUserId, "


def test_the_remix_and_react_router_airplanes_track_every_flow_they_have(tmp_path):
    """A model airplane opened in the editor shows no PostHog warning: every flow is tracked, as the user."""
    from lsp_server.analysis.scan import scan

    skills = Path(__file__).resolve().parents[2] / "skills" / "examples"
    for name, framework in (("remix", "remix"), ("react-router-framework", "react-router-framework")):
        result = scan(skills / name)
        assert [p.framework for p in result.packages] == [framework]
        flows = [f for d in result.documents for f in d.flows]
        kinds = {str(f.kind) for f in flows}
        assert {"login", "logout"} <= kinds and all(f.tracked for f in flows), name
        assert [f for d in result.documents for f in d.findings] == [], name
