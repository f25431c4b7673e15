"""Package setup planning: the SDK dependency and the browser init, added only where missing."""

from __future__ import annotations

import json
import tomllib

from lsp_server.analysis.model import Package, PosthogSetup
from lsp_server.analysis.parsing import language_for_path, parse
from lsp_server.edits import apply_edits
from lsp_server.edits.setup import plan_setup


def pkg(framework: str, language: str = "typescript", **kw) -> Package:
    manager = "pip" if language == "python" else "npm"
    return Package(path=kw.pop("path", "."), framework=framework, language=language, package_manager=manager, **kw)


def applied(files: dict[str, str], plan) -> dict[str, str]:
    out = dict(files)
    for edit in plan.edits:
        if edit.create_file:
            out.setdefault(edit.path, edit.new_text)
    for path in {e.path for e in plan.edits if not e.create_file}:
        out[path] = apply_edits(files[path], [e for e in plan.edits if e.path == path and not e.create_file])
    return out


def clean(path: str, text: str) -> bool:
    language = language_for_path(path)
    return language is None or not parse(text, language).root.has_error


VITE_MAIN = """import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>)
"""


def test_react_entry_gets_init_after_its_imports_reading_key_and_host_from_vite_env():
    files = {"package.json": '{\n  "name": "spa",\n  "dependencies": {\n    "react": "^18"\n  }\n}\n',
             "src/main.tsx": VITE_MAIN}
    plan = plan_setup(pkg("react-spa"), {"client"}, files.get)
    out = applied(files, plan)
    main = out["src/main.tsx"]
    assert main.index("import { App }") < main.index("posthog.init(posthogKey") < main.index("createRoot(")
    assert "import.meta.env.VITE_PUBLIC_POSTHOG_KEY" in main and "import.meta.env.VITE_PUBLIC_POSTHOG_HOST" in main
    assert json.loads(out["package.json"])["dependencies"]["posthog-js"].startswith("^1.")
    assert all(clean(p, t) for p, t in out.items())
    again = plan_setup(pkg("react-spa"), {"client"}, out.get)
    assert again.edits == []


def test_existing_init_is_left_alone():
    main = "import posthog from 'posthog-js'\nposthog.init('phc_x', { api_host: '/ingest' })\n" + VITE_MAIN
    files = {"package.json": '{"dependencies": {"posthog-js": "1.2.3"}}', "src/main.tsx": main}
    assert plan_setup(pkg("react-spa"), {"client"}, files.get).edits == []


def test_next_before_15_3_gets_a_client_component_rendered_in_the_root_layout():
    layout = (
        "import './globals.css';\n\nexport default function RootLayout({ children }: { children: React.ReactNode }) "
        "{\n  return (\n    <html lang=\"en\">\n      <body className=\"app\">\n        {children}\n      </body>\n"
        "    </html>\n  );\n}\n"
    )
    files = {"package.json": '{"dependencies": {"next": "14.2.5"}}', "app/layout.tsx": layout}
    plan = plan_setup(pkg("nextjs-app-router", framework_version="14.2.5"), {"client", "server"}, files.get)
    out = applied(files, plan)
    assert "'use client'" in out["app/posthog-init.tsx"] and "useEffect" in out["app/posthog-init.tsx"]
    assert "import { PostHogInit } from './posthog-init';" in out["app/layout.tsx"]
    assert '<body className="app">\n        <PostHogInit />\n        {children}' in out["app/layout.tsx"]
    assert set(json.loads(out["package.json"])["dependencies"]) == {"next", "posthog-js", "posthog-node"}
    assert all(clean(p, t) for p, t in out.items())
    assert plan_setup(pkg("nextjs-app-router"), {"client", "server"}, out.get).edits == []


def test_next_15_3_with_src_folder_gets_src_instrumentation_client():
    files = {"package.json": '{"dependencies": {}}', "src/app/layout.tsx": "export default function L() {}\n"}
    plan = plan_setup(pkg("nextjs-app-router", uses_instrumentation_client=True), {"client"}, files.get)
    out = applied(files, plan)
    assert "posthog.init(posthogKey" in out["src/instrumentation-client.ts"]
    assert json.loads(out["package.json"]) == {"dependencies": {"posthog-js": "^1.449.0"}}


def test_package_json_without_dependencies_gets_the_section():
    files = {"package.json": '{\n  "name": "api",\n  "main": "index.js"\n}\n'}
    plan = plan_setup(pkg("node", "javascript"), {"server"}, files.get)
    assert json.loads(applied(files, plan)["package.json"])["dependencies"] == {"posthog-node": "^5.70.0"}


def test_python_dependency_goes_to_requirements_pep621_or_poetry():
    req = {"requirements.txt": "flask==3.1\n"}
    assert applied(req, plan_setup(pkg("flask", "python"), set(), req.get))["requirements.txt"].endswith(
        "posthog>=7.0\n")
    pep621 = {"pyproject.toml": '[project]\nname = "x"\ndependencies = [\n    "fastapi",\n]\n'}
    out = applied(pep621, plan_setup(pkg("fastapi", "python"), set(), pep621.get))["pyproject.toml"]
    assert "posthog>=7.0" in tomllib.loads(out)["project"]["dependencies"]
    poetry = {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'}
    out = applied(poetry, plan_setup(pkg("django", "python"), set(), poetry.get))["pyproject.toml"]
    assert tomllib.loads(out)["tool"]["poetry"]["dependencies"]["posthog"] == ">=7.0"
    done = {"requirements.txt": "Flask\nposthog==7.91.1\n"}
    assert plan_setup(pkg("flask", "python"), set(), done.get).edits == []


def test_env_names_follow_the_framework_and_the_package_folder():
    plan = plan_setup(pkg("nextjs-app-router", path="apps/web"), {"client"}, {}.get)
    assert (plan.env_file, plan.key_var, plan.host_var) == (
        "apps/web/.env.local", "NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN", "NEXT_PUBLIC_POSTHOG_HOST")
    known = pkg("flask", "python", env_key_var="POSTHOG_API_KEY", posthog=PosthogSetup())
    assert plan_setup(known, set(), {}.get).key_var == "POSTHOG_API_KEY"


def test_env_template_declares_the_variable_names_once():
    files = {".env.example": "STRIPE_SECRET_KEY=\n", "requirements.txt": "posthog\n"}
    out = applied(files, plan_setup(pkg("flask", "python"), set(), files.get))
    assert out[".env.example"] == "STRIPE_SECRET_KEY=\nPOSTHOG_PROJECT_TOKEN=\nPOSTHOG_HOST=\n"
    assert plan_setup(pkg("flask", "python"), set(), out.get).edits == []


def test_the_layout_import_and_init_component_follow_a_prettier_layouts_style():
    """F37: a layout written with double quotes, no semicolons and 4-space JSX gets `import { PostHogInit } from
    "./posthog-init"` among its imports and `<PostHogInit />` at its children's indentation (Prettier passes)."""
    layout = (
        'import "@/styles/globals.css"\nimport { cn } from "@/lib/utils"\n\n'
        "export default function RootLayout({ children }: { children: React.ReactNode }) {\n"
        '    return (\n        <html lang="en">\n            <body\n                className={cn("min-h-screen")}\n'
        "            >\n                {children}\n            </body>\n        </html>\n    )\n}\n"
    )
    files = {"package.json": '{"dependencies": {"next": "14.2.5"}}', "app/layout.tsx": layout}
    out = applied(files, plan_setup(pkg("nextjs-app-router", framework_version="14.2.5"), {"client"}, files.get))
    imports = 'import { cn } from "@/lib/utils"\nimport { PostHogInit } from "./posthog-init"\n\nexport'
    assert imports in out["app/layout.tsx"]
    assert "            >\n                <PostHogInit />\n                {children}" in out["app/layout.tsx"]
    assert clean("app/layout.tsx", out["app/layout.tsx"])
