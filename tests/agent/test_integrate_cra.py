"""Create React App vs Vite: the PostHog init reads the env variables the app's bundler actually exposes.

CRA (react-scripts) only inlines `process.env.REACT_APP_*`; `import.meta.env` breaks its build or blanks the page.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from lsp_server.agent.run import IntegrateOptions, run_integrate
from lsp_server.analysis.model import Package
from lsp_server.analysis.parsing import parse
from lsp_server.analysis.rules import evaluate
from lsp_server.analysis.settings import AnalysisSettings
from lsp_server.analysis.usage import find_posthog_calls
from lsp_server.analysis.workspace import find_packages
from lsp_server.edits import BundledSnippets, apply_edits, plan_quick_fix

LOGIN = """import React, { useState } from "react";
import { useAuth } from "../contexts/AuthContext";

export default function Login() {
  const { login } = useAuth();
  const [error, setError] = useState("");

  async function handleSubmit(e) {
    e.preventDefault();
    try {
      await login(e.target.email.value, e.target.password.value);
      window.location.assign("/");
    } catch {
      setError("Failed to log in");
    }
  }

  return <form onSubmit={handleSubmit}>{error}</form>;
}
"""
INDEX = """import React from "react";
import ReactDOM from "react-dom";
import App from "./App";

ReactDOM.render(<App />, document.getElementById("root"));
"""


def _app(root: Path, deps: dict[str, str], entry: str) -> Path:
    (root / "src" / "components").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"name": "app", "dependencies": deps}, indent=2) + "\n")
    (root / "src" / entry).write_text(INDEX)
    (root / "src" / "App.js").write_text("export default function App() { return null; }\n")
    (root / "src" / "components" / "Login.js").write_text(LOGIN)
    return root


def _integrate(root: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert run_integrate(IntegrateOptions(root=root, yes=True, agent="off", out=out, err=err)) == 0, err.getvalue()
    return err.getvalue()


def test_create_react_app_is_initialised_from_react_app_env_variables(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = _app(tmp_path / "cra", {"react": "^16.13.1", "react-dom": "^16.13.1", "react-scripts": "3.4.3"}, "index.js")
    assert find_packages(root)[0].framework == "react-cra"
    _integrate(root)
    entry = (root / "src" / "index.js").read_text()
    assert "process.env.REACT_APP_POSTHOG_KEY" in entry and "process.env.REACT_APP_POSTHOG_HOST" in entry
    assert "posthog.init(" in entry and 'process.env.NODE_ENV === "development"' in entry  # in the file's quotes
    written = "".join(p.read_text() for p in root.rglob("*") if p.is_file() and p.suffix in (".js", ".jsx"))
    assert "import.meta" not in written and "VITE_" not in written
    env = "".join(p.read_text() for p in root.glob(".env*"))
    assert "REACT_APP_POSTHOG_KEY" in env and "VITE_" not in env


def test_vite_react_app_keeps_import_meta_env_variables(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    deps = {"react": "^18.3.1", "react-dom": "^18.3.1", "vite": "^5.4.0", "@vitejs/plugin-react": "^4.3.0"}
    root = _app(tmp_path / "vite", deps, "main.jsx")
    assert find_packages(root)[0].framework == "react-spa"
    _integrate(root)
    entry = (root / "src" / "main.jsx").read_text()
    assert "import.meta.env.VITE_PUBLIC_POSTHOG_KEY" in entry and "process.env" not in entry


def test_app_moving_from_create_react_app_to_vite_gets_the_vite_variables(tmp_path):
    deps = {"react": "^18.3.1", "react-scripts": "5.0.1", "vite": "^5.4.0"}
    root = _app(tmp_path / "both", deps, "main.jsx")
    assert find_packages(root)[0].framework == "react-spa"


def test_hardcoded_key_in_a_create_react_app_is_moved_to_a_react_app_variable():
    text = "import posthog from 'posthog-js'\nposthog.init('phc_abcdefghijklmnopqrstu', { api_host: HOST })\n"
    cra = Package(path=".", framework="react-cra", language="javascript", package_manager="npm")
    doc = parse(text, "javascript")
    found = evaluate(doc, "src/index.js", flows=(), calls=find_posthog_calls(doc, "src/index.js"), package=cra,
                     settings=AnalysisSettings())
    [finding] = [f for f in found if f.code == "posthog/hardcoded-key"]
    assert finding.data["env_var"] == "REACT_APP_POSTHOG_KEY"
    fixed = apply_edits(text, plan_quick_fix(text, "src/index.js", finding, cra, BundledSnippets()))
    assert "posthog.init(process.env.REACT_APP_POSTHOG_KEY, { api_host: HOST })" in fixed
