"""The knowledge in skills/ stays true: SDK calls in the docs exist in the installed SDKs, TS snippets type-check,
every skill has front matter, every workflow breadcrumb leads somewhere, and examples flatten into one document."""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import re
import shutil
import subprocess
import tomllib
import typing
from pathlib import Path

import posthog
import pytest
from posthog import AsyncPosthog, Client

from lsp_server.guidance.flatten import flatten_example

ROOT = Path(__file__).resolve().parent.parent
SKILLS = ROOT / "skills"
FRAMEWORKS = [
    "nextjs-app-router",
    "nextjs-pages-router",
    "react-spa",
    "node-express",
    "django",
    "flask",
    "fastapi",
    "python",
    "node",
    "sveltekit",
    "nuxt",
]
TYPECHECK_MODULES = Path(__file__).resolve().parent / "typecheck" / "node_modules"
TSC = TYPECHECK_MODULES / ".bin" / "tsc"
FENCE = re.compile(r"^(`{3,})(\w*)[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
# Names the docs bind to a posthog-python client (or the posthog module itself).
PY_RECEIVERS = {"posthog", "client", "ph", "posthog_client"}


def _markdown_files() -> list[Path]:
    return sorted(p for p in SKILLS.rglob("*.md") if "examples" not in p.relative_to(SKILLS).parts)


def _blocks(languages: set[str]) -> list[tuple[str, str]]:
    """(where, code) of every fenced block in the skills markdown whose language tag is in `languages`."""
    found = []
    for path in _markdown_files():
        for i, m in enumerate(FENCE.finditer(path.read_text(encoding="utf-8"))):
            if m.group(2) in languages:
                found.append((f"{path.relative_to(ROOT)}#{i}", m.group(3)))
    return found


# --- Python: every posthog call shown in the docs exists in the installed SDK with those arguments ------------


def _unpacked_fields(annotation) -> set[str] | None:
    """Field names of the TypedDict in `Unpack[...]` (the annotation may be a string under postponed evaluation)."""
    if isinstance(annotation, str):
        m = re.fullmatch(r"(?:typing_extensions\.|typing\.)?Unpack\[(?:posthog\.args\.)?(\w+)\]", annotation)
        td = getattr(posthog.args, m.group(1), None) if m else None
    else:
        args = typing.get_args(annotation)
        td = args[0] if args else None
    if td is None or not typing.is_typeddict(td):
        return None
    return set(td.__required_keys__) | set(td.__optional_keys__)


def _expanded_signature(func) -> inspect.Signature:
    """The signature with `**kwargs: Unpack[TypedDict]` expanded into the TypedDict's keyword-only fields."""
    sig = inspect.signature(func)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    out = []
    for p in params:
        fields = _unpacked_fields(p.annotation) if p.kind is p.VAR_KEYWORD else None
        if fields is None:
            out.append(p)
        else:
            out += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=None) for k in sorted(fields)]
    return sig.replace(parameters=out)


def _resolve(receiver: str, method: str):
    for owner in (Client, AsyncPosthog):
        if hasattr(owner, method):
            return getattr(owner, method)
    if receiver == "posthog" and hasattr(posthog, method) and callable(getattr(posthog, method)):
        return getattr(posthog, method)
    return None


def _check_python_block(code: str) -> list[str]:
    problems = []
    tree = ast.parse(code)
    imported: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "posthog":
            module = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(module, alias.name):
                    problems.append(f"from {node.module} import {alias.name}: no such name")
                else:
                    imported[alias.asname or alias.name] = getattr(module, alias.name)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in PY_RECEIVERS:
            target, label = _resolve(func.value.id, func.attr), f"{func.value.id}.{func.attr}"
            if target is None:
                problems.append(f"{label}(): not in posthog-python {posthog.VERSION}")
                continue
        elif isinstance(func, ast.Name) and callable(imported.get(func.id)) and not inspect.isclass(imported[func.id]):
            target, label = imported[func.id], func.id
        else:
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            continue
        try:
            _expanded_signature(target).bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError as err:
            problems.append(f"{label}(...) at line {node.lineno}: {err}")
    return problems


PY_BLOCKS = _blocks({"python", "py"})


def test_docs_show_python_code():
    assert len(PY_BLOCKS) >= 10


@pytest.mark.parametrize("where,code", PY_BLOCKS, ids=[w for w, _ in PY_BLOCKS])
def test_python_snippet_calls_exist_in_installed_sdk(where, code):
    assert _check_python_block(code) == []


def test_rot_guard_catches_stale_python_calls():
    stale = 'posthog.identify("u1", {"email": "a@b.co"})\nposthog.capture("u1", "signed_up")\n'
    problems = _check_python_block(stale)
    assert any("posthog.identify" in p for p in problems)
    assert any("posthog.capture" in p for p in problems)
    assert _check_python_block('posthog.capture("signed_up", distinct_id="u1", groups={"company": "c"})') == []
    assert _check_python_block("from posthog import identify_user") != []


@pytest.mark.parametrize("path", sorted((SKILLS / "examples").rglob("*.py")), ids=lambda p: str(p.relative_to(SKILLS)))
def test_python_airplane_calls_exist_in_installed_sdk(path):
    assert _check_python_block(path.read_text(encoding="utf-8")) == []


def test_no_python_doc_calls_identify():
    for where, code in PY_BLOCKS:
        assert not re.search(r"\bposthog\.identify\(", code), where


# --- TypeScript: snippets that import a PostHog package compile against the real packages ---------------------

TS_PRELUDE = """// Free names the docs' snippets use, with plausible types.
declare const user: { id: string; email: string; name: string }
declare const org: { id: string; name: string }
declare const plan: string
declare const reason: string
declare const anonymousId: string
interface ImportMeta { readonly env: { readonly DEV: boolean; readonly [key: string]: any } }
// SvelteKit's virtual modules, as its generated ambient types declare them
declare module '$env/dynamic/public' { export const env: Record<string, string | undefined> }
declare module '$app/environment' { export const browser: boolean; export const dev: boolean }
declare module '$lib/server/posthog' { export const posthog: import('posthog-node').PostHog }
declare module '@sveltejs/kit' {
  type Event = { request: Request; url: URL; locals: { user?: { id: string } }; params: Record<string, string> }
  export type Actions = Record<string, (event: Event) => Promise<unknown>>
  export type RequestHandler = (event: Event) => Promise<Response>
  export function redirect(status: number, location: string): never
  export function fail(status: number, data?: unknown): unknown
  export function json(data: unknown, init?: ResponseInit): Response
}
// Nuxt's auto-imported $fetch and its #imports module, as its generated types declare them
declare function $fetch<T = any>(url: string, options?: { method?: string; body?: unknown }): Promise<T>
declare module '#imports' {
  export function defineNuxtPlugin<T>(plugin: () => T): () => T
  export function useRuntimeConfig(): { public: { posthogPublicKey: string; posthogHost: string } }
}
"""
TS_CONFIG = """{"compilerOptions": {"target": "ES2022", "lib": ["dom", "dom.iterable", "es2022"], "module": "esnext",
 "moduleResolution": "bundler", "jsx": "react-jsx", "strict": true, "noEmit": true, "skipLibCheck": true,
 "esModuleInterop": true, "isolatedModules": true, "types": ["node"]}, "include": ["*.ts", "*.tsx"]}"""
POSTHOG_IMPORT = re.compile(r"""from\s+['"](posthog-js|posthog-node|@posthog/react|\./posthog)['"]""")
# What the docs mean by "the client module" (`import { posthog } from './posthog'`).
TS_CLIENT_MODULE = """import { PostHog } from 'posthog-node'
export const posthog = new PostHog(process.env.POSTHOG_PROJECT_TOKEN ?? '', { disabled: true })
"""


def test_typescript_snippets_that_import_posthog_type_check(tmp_path):
    if shutil.which("node") is None or not TSC.exists():
        pytest.skip("needs node and the packages in tests/typecheck (make typecheck-deps)")
    blocks = [(w, c) for w, c in _blocks({"ts", "tsx", "typescript"}) if POSTHOG_IMPORT.search(c)]
    assert len(blocks) >= 10
    names = {}
    for i, (where, code) in enumerate(blocks):
        ext = "tsx" if re.search(r"<[A-Za-z]", code) else "ts"
        name = f"snippet_{i:03d}.{ext}"
        names[name] = where
        (tmp_path / name).write_text(code if "export" in code or "import" in code else code + "\nexport {}\n")
    (tmp_path / "prelude.d.ts").write_text(TS_PRELUDE)
    (tmp_path / "posthog.ts").write_text(TS_CLIENT_MODULE)
    (tmp_path / "tsconfig.json").write_text(TS_CONFIG)
    (tmp_path / "node_modules").symlink_to(TYPECHECK_MODULES, target_is_directory=True)
    proc = subprocess.run([str(TSC), "-p", "tsconfig.json"], cwd=tmp_path, capture_output=True, text=True, timeout=180)
    report = re.sub(r"snippet_\d{3}\.tsx?", lambda m: names[m.group(0)], proc.stdout)
    assert proc.returncode == 0, report[-5000:]


# --- Skills structure ------------------------------------------------------------------------------------------


def _front_matter(text: str) -> dict[str, str]:
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert m, "SKILL.md must start with YAML front matter"
    return dict(re.findall(r"^(\w+):\s*(.+)$", m.group(1), re.M))


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_framework_skill_has_name_description_and_references(framework):
    skill = SKILLS / "frameworks" / framework / "SKILL.md"
    meta = _front_matter(skill.read_text(encoding="utf-8"))
    # Agent Skills spec: lowercase, digits and single hyphens, at most 64 characters, equal to the folder name.
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.get("name", "")) and len(meta["name"]) <= 64, meta
    assert meta["name"] == framework
    assert 40 <= len(meta.get("description", "")) <= 1024
    assert ": " not in meta["description"] and " #" not in meta["description"], "keep it a plain YAML scalar"
    for link in re.findall(r"\]\((references/[^)#]+)", skill.read_text(encoding="utf-8")):
        assert (skill.parent / link).is_file(), link
    refs = {p.name for p in (skill.parent / "references").glob("*.md")}
    assert {"setup.md", "identify.md", "capture.md", "pitfalls.md"} <= refs


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_framework_skill_points_to_its_model_airplane(framework):
    assert f"posthog://examples/{framework}" in (SKILLS / "frameworks" / framework / "SKILL.md").read_text()
    assert (SKILLS / "examples" / framework / "README.md").is_file()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_framework_skill_names_the_env_vars_the_tools_write(framework):
    keys = tomllib.loads((SKILLS / "detection" / "posthog.toml").read_text())["keys"]["env"]
    if framework not in keys:
        pytest.skip(f"no env var configured for {framework}")
    text = "".join(p.read_text() for p in (SKILLS / "frameworks" / framework).rglob("*.md"))
    assert keys[framework]["var"] in text


def test_workflow_breadcrumbs_lead_to_existing_stages():
    stages = ["begin", "plan", "edit", "revise", "conclude"]
    folder = SKILLS / "workflows" / "basic-integration"
    for current, following in itertools.pairwise(stages):
        text = (folder / f"{current}.md").read_text()
        last = text.strip().splitlines()[-1]
        assert last == f"Upon completion, read posthog://workflows/basic-integration/{following}", current
    for path in folder.glob("*.md"):
        for uri in re.findall(r"posthog://workflows/([\w/-]+)", path.read_text()):
            assert (SKILLS / "workflows" / f"{uri}.md").is_file(), uri
    begin_body = (folder / "begin.md").read_text().strip().rsplit("\n", 1)[0]
    assert "posthog" not in begin_body.lower(), "begin asks for business files without naming the product"
    assert ".posthog-events.json" in (folder / "plan.md").read_text()
    assert "set_env_values" in (folder / "edit.md").read_text()
    assert "posthog-setup-report.md" in (folder / "conclude.md").read_text()


def test_taxonomy_page_lists_the_events_in_events_toml():
    kinds = tomllib.loads((SKILLS / "events" / "events.toml").read_text())["kinds"]
    page = (SKILLS / "events" / "taxonomy.md").read_text()
    for kind, event in kinds.items():
        assert f"| {kind} | `{event}`" in page, kind


def test_markdown_links_inside_skills_resolve():
    for path in _markdown_files():
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text()):
            assert (path.parent / target).exists(), f"{path.relative_to(ROOT)} -> {target}"


# --- Examples flatten into one document -----------------------------------------------------------------------


def test_flattened_example_has_a_heading_and_tagged_block_per_source_file():
    doc = flatten_example(SKILLS / "examples" / "django")
    headings = re.findall(r"^## (.+)$", doc, re.M)
    assert headings[0] == "README.md"
    assert {"shop/views.py", "shop/settings.py", "manage.py"} <= set(headings)
    assert "```python\n" in doc
    assert not any("migrations" in h or "__init__" in h for h in headings)
    assert flatten_example(SKILLS / "examples" / "django") == doc  # stable


def test_flatten_leaves_out_locks_json_binaries_and_dependency_folders(tmp_path):
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "index.js").write_text("module.exports = 1\n")
    (tmp_path / "package.json").write_text('{"dependencies": {"posthog-node": "5"}}\n')
    (tmp_path / "package-lock.json").write_text("{}\n")
    (tmp_path / "tsconfig.json").write_text("{}\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\x00\x00")
    (tmp_path / ".env").write_text("POSTHOG_PROJECT_TOKEN=phc_secret\n")
    (tmp_path / "app.ts").write_text("const a = '```'\n")
    doc = flatten_example(tmp_path)
    assert re.findall(r"^## (.+)$", doc, re.M) == ["app.ts", "package.json"]
    assert "````ts\n" in doc  # a fence longer than any backtick run inside the file
    assert "phc_secret" not in doc


@pytest.mark.parametrize("framework", sorted(p.name for p in (SKILLS / "examples").iterdir() if p.is_dir()))
def test_every_example_flattens_without_keys(framework):
    doc = flatten_example(SKILLS / "examples" / framework)
    assert doc.count("\n## ") >= 3
    assert not re.search(r"phc_[A-Za-z0-9]{8,}", doc), "a project key in an example"


def test_every_posthog_uri_in_the_prose_is_served_by_the_mcp_catalog():
    from lsp_server.mcp_server.catalog import Catalog

    catalog = Catalog(SKILLS, None, flatten_example)
    uris = set()
    for path in _markdown_files():
        for uri in re.findall(r"posthog://[A-Za-z0-9_/.-]*(?:<[^>\n]+>)?", path.read_text()):
            uris.add(re.sub(r"<[^>]+>", "django", uri).rstrip("."))
    assert len(uris) >= 10
    missing = sorted(u for u in uris if catalog.read(u) is None)
    assert missing == []
