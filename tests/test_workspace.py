"""Package detection: every package of a monorepo with its framework, language, package manager, PostHog
SDKs, existing init/identify and env var names (names only, never values from .env files)."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

from lsp_server.analysis.model import Package
from lsp_server.analysis.scan import scan
from lsp_server.analysis.scope import Scope
from lsp_server.analysis.workspace import WorkspaceIndex, find_packages, package_for


def write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def package_json(root: Path, rel_dir: str, deps: dict[str, str], dev: dict[str, str] | None = None, **extra) -> None:
    data = {"name": rel_dir or "root", "dependencies": deps, "devDependencies": dev or {}, **extra}
    write(root, f"{rel_dir}/package.json" if rel_dir else "package.json", json.dumps(data))


def by_path(packages: list[Package]) -> dict[str, Package]:
    return {p.path: p for p in packages}


def build_monorepo(root: Path) -> None:
    package_json(root, "", {}, {"turbo": "^2.0.0"}, workspaces=["apps/*", "services/*"])
    write(root, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    package_json(root, "apps/web", {"next": "^15.3.1", "react": "^19.0.0", "posthog-js": "^1.449.0"})
    write(root, "apps/web/tsconfig.json", "{}")
    write(root, "apps/web/app/page.tsx", "export default function Page() { return null }\n")
    package_json(root, "apps/admin", {"next": "14.2.3", "react": "^18.2.0"})
    write(root, "apps/admin/pages/index.js", "export default function Home() { return null }\n")
    package_json(root, "apps/spa", {"react": "^19.0.0"}, {"vite": "^6.0.0", "typescript": "^5.6.0"})
    package_json(root, "services/api", {"express": "^4.21.0", "posthog-node": "^5.70.0"})
    write(root, "backend/pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.12"\nDjango = "^5.2"\n')
    write(root, "backend/poetry.lock", "")
    write(root, "backend/manage.py", "import django\n")
    write(root, "worker/requirements.txt", "Flask[async]==3.1.0\nposthog>=7.91  # analytics\n-r base.txt\n")
    write(root, "ml/pyproject.toml", '[project]\nname = "ml"\ndependencies = ["fastapi[standard]>=0.115", "uvicorn"]\n')
    write(root, "ml/uv.lock", "")
    write(root, "scripts/requirements-dev.txt", "requests\n")
    # never packages: dependencies, virtualenvs, build output, gitignored folders
    package_json(root, "node_modules/left-pad", {"next": "15.0.0"})
    package_json(root, "apps/web/node_modules/posthog-js", {})
    write(root, ".venv/lib/python3.12/site-packages/flask/pyproject.toml", "[project]\nname='flask'\n")
    write(root, "tools/env/pyvenv.cfg", "home = /usr\n")
    write(root, "tools/env/setup/pyproject.toml", "")
    package_json(root, "apps/web/.next/standalone", {"next": "15.3.1"})
    write(root, ".gitignore", "sandbox/\n")
    package_json(root, "sandbox/try", {"express": "4"})


def test_monorepo_packages_frameworks_languages_and_managers(tmp_path: Path):
    build_monorepo(tmp_path)
    packages = find_packages(tmp_path)
    found = {p.path: (p.framework, p.language, p.package_manager) for p in packages}
    assert found == {
        ".": ("node", "javascript", "pnpm"),
        "apps/web": ("nextjs-app-router", "typescript", "pnpm"),
        "apps/admin": ("nextjs-pages-router", "javascript", "pnpm"),
        "apps/spa": ("react-spa", "typescript", "pnpm"),
        "services/api": ("node-express", "javascript", "pnpm"),
        "backend": ("django", "python", "poetry"),
        "worker": ("flask", "python", "pip"),
        "ml": ("fastapi", "python", "uv"),
        "scripts": ("python", "python", "pip"),
    }
    assert packages[0].path == "."  # shallowest first


def test_next_version_decides_instrumentation_client(tmp_path: Path):
    build_monorepo(tmp_path)
    packages = by_path(find_packages(tmp_path))
    assert packages["apps/web"].framework_version == "15.3.1"
    assert packages["apps/web"].uses_instrumentation_client
    assert packages["apps/admin"].framework_version == "14.2.3"
    assert not packages["apps/admin"].uses_instrumentation_client
    assert packages["backend"].framework_version == "5.2"
    assert packages["worker"].framework_version == "3.1.0"


def test_next_latest_tag_and_existing_instrumentation_file(tmp_path: Path):
    package_json(tmp_path, "a", {"next": "latest"})
    package_json(tmp_path, "b", {"next": "15.1.0"})
    write(tmp_path, "b/instrumentation-client.ts", "export {}\n")
    packages = by_path(find_packages(tmp_path))
    assert packages["a"].uses_instrumentation_client
    assert packages["b"].uses_instrumentation_client  # the file is already there


def test_posthog_sdks_init_and_identify(tmp_path: Path):
    build_monorepo(tmp_path)
    write(
        tmp_path,
        "apps/web/instrumentation-client.ts",
        "import posthog from 'posthog-js'\n\nposthog.init(process.env.NEXT_PUBLIC_POSTHOG_KEY!, {\n"
        "  api_host: process.env.NEXT_PUBLIC_POSTHOG_HOST,\n})\n",
    )
    write(tmp_path, "apps/web/app/login/actions.ts", "import posthog from 'posthog-js'\nposthog.identify(user.id)\n")
    write(
        tmp_path,
        "services/api/src/posthog.js",
        "const { PostHog } = require('posthog-node')\n// client\n"
        "module.exports = new PostHog(process.env.POSTHOG_PROJECT_TOKEN)\n",
    )
    write(tmp_path, "worker/analytics.py", "import posthog\n\nposthog.project_api_key = os.environ['PH_KEY']\n")
    packages = by_path(find_packages(tmp_path))
    web, api, worker, spa = packages["apps/web"], packages["services/api"], packages["worker"], packages["apps/spa"]
    assert web.posthog.installed and web.posthog.sdks == ("posthog-js",)
    assert web.posthog.versions == {"posthog-js": "^1.449.0"}
    assert web.posthog.init == "apps/web/instrumentation-client.ts:3"
    assert web.posthog.has_identify
    assert api.posthog.installed and api.posthog.init == "services/api/src/posthog.js:3"
    assert not api.posthog.has_identify
    assert worker.posthog.installed and worker.posthog.sdks == ("posthog",)
    assert worker.posthog.init == "worker/analytics.py:3"
    assert not spa.posthog.installed and spa.posthog.init is None
    assert packages["."].posthog.init is None  # files belong to their deepest package only


def test_env_var_names_come_from_templates_and_code_never_from_dotenv(tmp_path: Path, monkeypatch):
    package_json(tmp_path, "web", {"next": "15.3.0"})
    write(tmp_path, "web/app/page.tsx", "export default () => null\n")
    write(
        tmp_path,
        "web/.env.example",
        "# PostHog\nNEXT_PUBLIC_POSTHOG_KEY=\nNEXT_PUBLIC_POSTHOG_HOST=https://us.i.posthog.com\n",
    )
    write(tmp_path, "web/.env", "NEXT_PUBLIC_POSTHOG_DOTENV_ONLY_KEY=phc_realsecretvalue1234567890\n")
    write(tmp_path, "web/.env.local", "export POSTHOG_LOCAL_ONLY_TOKEN=phc_anothersecret\n")
    package_json(tmp_path, "api", {"express": "4.21.0"})
    write(tmp_path, "api/server.ts", "const token = process.env['POSTHOG_PROJECT_TOKEN'] // posthog\n")
    write(tmp_path, "py/requirements.txt", "fastapi\n")
    write(tmp_path, "py/app.py", "import os\nhost = os.getenv('POSTHOG_HOST')  # posthog\n")
    write(tmp_path, ".env.example", "POSTHOG_PERSONAL_API_KEY=\nPOSTHOG_API_KEY=\n")
    opened: list[str] = []
    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        opened.append(Path(file).name if isinstance(file, (str, Path)) else str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    packages = by_path(find_packages(tmp_path))
    scan(tmp_path)
    monkeypatch.undo()
    assert ".env.example" in opened and "app.py" in opened
    assert ".env" not in opened and ".env.local" not in opened
    assert (packages["web"].env_key_var, packages["web"].env_host_var) == (
        "NEXT_PUBLIC_POSTHOG_KEY",
        "NEXT_PUBLIC_POSTHOG_HOST",
    )
    assert packages["api"].env_key_var == "POSTHOG_PROJECT_TOKEN"  # code first
    assert packages["py"].env_host_var == "POSTHOG_HOST"
    assert packages["py"].env_key_var == "POSTHOG_API_KEY"  # the root template; a personal key is not a project key
    dump = repr(list(packages.values()))
    assert "DOTENV_ONLY" not in dump and "LOCAL_ONLY" not in dump and "phc_" not in dump


def test_broken_manifests_do_not_raise(tmp_path: Path):
    write(tmp_path, "a/package.json", "{ not json")
    write(tmp_path, "b/package.json", '["a list", "not an object"]')
    write(tmp_path, "c/pyproject.toml", "[[[ broken")
    write(tmp_path, "d/package.json", json.dumps({"dependencies": {"next": 15, "react": None}, "packageManager": 7}))
    write(tmp_path, "e/requirements.txt", "\x00\x01garbage\n--index-url https://x\ngit+https://example.com/x.git\n")
    write(tmp_path, "f/Pipfile", "[packages]\nflask = '*'\n")
    packages = by_path(find_packages(tmp_path))
    assert set(packages) == {"a", "b", "c", "d", "e", "f"}
    assert packages["a"].framework == "node" and packages["c"].framework == "python"
    assert packages["d"].framework == "nextjs-app-router" and packages["d"].framework_version is None
    assert packages["f"].framework == "flask" and packages["f"].package_manager == "pipenv"


def test_package_for_is_the_deepest_package(tmp_path: Path):
    build_monorepo(tmp_path)
    packages = find_packages(tmp_path)
    assert package_for("apps/web/app/page.tsx", packages).path == "apps/web"
    assert package_for("./apps/web/app/page.tsx", packages).path == "apps/web"
    assert package_for("apps/webby/x.ts", packages).path == "."
    assert package_for("README.md", packages).path == "."
    assert package_for("x.py", [p for p in packages if p.path != "."]) is None


def test_user_excludes_hide_packages(tmp_path: Path):
    build_monorepo(tmp_path)
    paths = {p.path for p in find_packages(tmp_path, Scope(tmp_path, ["apps/"]))}
    assert not any(p.startswith("apps/") for p in paths) and "backend" in paths


def test_workspace_index_refreshes_after_a_new_package(tmp_path: Path):
    package_json(tmp_path, "web", {"react": "19.0.0", "vite": "6.0.0"})
    index = WorkspaceIndex(tmp_path)
    assert index.packages == []  # refresh() does the walk, off the caller's event loop
    index.refresh()
    assert [p.path for p in index.packages] == ["web"]
    assert index.package_for("web/src/main.tsx").framework == "react-spa"
    write(tmp_path, "api/requirements.txt", "fastapi==0.115.0\n")
    assert index.needs_refresh("api/requirements.txt") and index.needs_refresh("web/pnpm-lock.yaml")
    assert index.needs_refresh("web/.gitignore") and not index.needs_refresh("web/src/main.tsx")
    index.refresh(excludes=["web/"])
    assert [p.path for p in index.packages] == ["api"]
    assert index.package_for("api/main.py").framework == "fastapi"


def test_text_that_only_spells_an_init_is_not_taken_for_one(tmp_path: Path):
    (tmp_path / "requirements.txt").write_text("posthog==7.91.1\n")
    (tmp_path / "patterns.py").write_text("import re\nINIT = re.compile(r'posthog\\.init\\(')  # new PostHog(\n")
    (tmp_path / "analytics.py").write_text("from posthog import Posthog\n\nclient = Posthog('phc_x')\n")
    (package,) = find_packages(tmp_path)
    assert package.posthog.init == "analytics.py:3"


def test_a_module_named_setup_py_is_not_a_package(tmp_path: Path):
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "4"}}')
    (tmp_path / "src" / "edits").mkdir(parents=True)
    (tmp_path / "src" / "edits" / "setup.py").write_text("def plan_setup():\n    return []\n")
    assert [p.path for p in find_packages(tmp_path)] == ["."]
