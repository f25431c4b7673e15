"""Rsbuild and Parcel React apps: the PostHog init reads the env variables each bundler actually inlines.

Rsbuild inlines only `PUBLIC_*` names (`import.meta.env.PUBLIC_*` / `process.env.PUBLIC_*`); Parcel inlines
`process.env.<name>` and has no `import.meta.env`. The convention per bundler is data: frameworks.toml picks the
framework from package.json, skills/frameworks/react-rsbuild and react-parcel hold the names and templates.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from lsp_server.agent.run import IntegrateOptions, run_integrate
from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.model import Package
from lsp_server.analysis.workspace import find_packages
from tests.agent.test_integrate_cra import INDEX, LOGIN

RSBUILD = {"react": "^18.3.1", "react-dom": "^18.3.1", "@rsbuild/core": "^1.4.0", "@rsbuild/plugin-react": "^1.3.0"}
PARCEL = {"react": "^18.3.1", "react-dom": "^18.3.1", "parcel": "^2.12.0"}


def _app(root: Path, deps: dict[str, str], *, login: bool = True) -> Path:
    (root / "src" / "components").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"name": "app", "dependencies": deps}, indent=2) + "\n")
    (root / "src" / "index.js").write_text(INDEX)
    (root / "src" / "App.js").write_text("export default function App() { return null; }\n")
    if login:
        (root / "src" / "components" / "Login.js").write_text(LOGIN)
    return root


def _integrate(root: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_integrate(IntegrateOptions(root=root, yes=True, agent="off", out=out, err=err)) == 0, err.getvalue()


def _written(root: Path) -> str:
    return "".join(p.read_text() for p in root.rglob("*") if p.is_file() and p.suffix in (".js", ".jsx"))


def test_rsbuild_app_is_initialised_from_public_variables_rsbuild_inlines(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = _app(tmp_path / "rsbuild", RSBUILD)
    assert find_packages(root)[0].framework == "react-rsbuild"
    _integrate(root)
    entry = (root / "src" / "index.js").read_text()
    assert "import.meta.env.PUBLIC_POSTHOG_KEY" in entry and "import.meta.env.PUBLIC_POSTHOG_HOST" in entry
    assert "posthog.init(" in entry and "import.meta.env.DEV" in entry
    assert "VITE_" not in _written(root) and "posthog.capture(" in (root / "src/components/Login.js").read_text()
    env = (root / ".env.local").read_text()
    assert "PUBLIC_POSTHOG_KEY=" in env and "VITE_" not in env


def test_parcel_app_is_initialised_from_process_env_not_import_meta(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = _app(tmp_path / "parcel", PARCEL)
    assert find_packages(root)[0].framework == "react-parcel"
    _integrate(root)
    entry = (root / "src" / "index.js").read_text()
    assert "process.env.PUBLIC_POSTHOG_KEY" in entry and 'process.env.NODE_ENV === "development"' in entry
    assert "import.meta" not in _written(root) and "VITE_" not in _written(root)
    assert "PUBLIC_POSTHOG_KEY=" in (root / ".env.local").read_text()


def test_a_parcel_app_without_flows_still_gets_the_browser_init(tmp_path, monkeypatch):
    """`browser = true` in frameworks.toml: pageviews and autocapture are worth the init alone."""
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = _app(tmp_path / "parcel", PARCEL, login=False)
    _integrate(root)
    assert "posthog.init(" in (root / "src" / "index.js").read_text()


def test_a_plain_module_of_an_rsbuild_app_is_browser_code():
    """`client_default = true` in frameworks.toml: a module with no server signal runs in the browser."""
    text = (
        "import { supabase } from './supabaseClient';\n\n"
        "export async function logout() {\n  const { error } = await supabase.auth.signOut();\n"
        "  if (error) throw error;\n}\n"
    )
    side = {}
    for framework in ("react-rsbuild", "react-parcel", "node-express"):
        pkg = Package(path=".", framework=framework, language="javascript", package_manager="npm")
        side[framework] = {f.side for f in analyze_document("src/session.js", text, package=pkg).flows}
    assert side == {"react-rsbuild": {"client"}, "react-parcel": {"client"}, "node-express": {"server"}}
