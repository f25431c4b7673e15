"""Package-level setup for Integrate PostHog: the SDK dependency, the browser init and where the keys go.

Pure: files are read through a callback and everything is returned as `PlannedEdit`s. Knowledge (templates,
entry files, dependency names and versions, env file names) comes from `skills/frameworks/<id>/setup/`,
looked up along the framework's snippet fallback chain. Only what is missing is added: an existing init,
dependency or provider is never rewritten.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.model import Package, Span
from ..analysis.parsing import language_for_path, parse
from . import code_scan
from .model import PlannedEdit
from .snippets import BundledSnippets, SnippetSource, load_framework, render
from .text_style import detect_style, restyle

log = logging.getLogger(__name__)

Read = Callable[[str], str | None]  # workspace-relative path → its text, or None when it does not exist
SETUP_GROUP = "posthog_setup"
SETUP_CONFIG = "setup.toml"


class BundledSetup:
    """Setup templates from `skills/frameworks/<framework>/setup/` (or a folder shaped like `skills/`)."""

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            from ..skills import bundled_skills_root

            root = bundled_skills_root()
        self.root = Path(root)

    def get(self, framework: str, name: str) -> str | None:
        if not framework or "/" in framework or "/" in name or name.startswith("."):
            return None
        try:
            return (self.root / "frameworks" / framework / "setup" / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


@dataclass(slots=True)
class SetupPlan:
    """What a package needs besides the per-flow calls."""

    edits: list[PlannedEdit] = field(default_factory=list)
    env_file: str = ".env"  # workspace-relative
    key_var: str = "POSTHOG_PROJECT_TOKEN"
    host_var: str = "POSTHOG_HOST"
    dependencies: list[str] = field(default_factory=list)  # names added to the manifest
    hosts: dict[str, str] = field(default_factory=dict)  # region → ingestion host
    notes: list[str] = field(default_factory=list)  # what the user must do by hand, and why


@dataclass(frozen=True, slots=True)
class _Ctx:
    package: Package
    read: Read
    chain: tuple[str, ...]
    source: Any
    config: dict[str, Any]
    env: dict[str, str]

    def rel(self, path: str) -> str:
        return path if self.package.path in (".", "") else posixpath.join(self.package.path, path)

    def template(self, name: str) -> str | None:
        for framework in self.chain:
            text = self.source.get(framework, name)
            if text is not None:
                return text
        return None

    def render(self, name: str, extra: dict[str, str] | None = None) -> str | None:
        text = self.template(name)
        if text is None:
            return None
        return "\n".join(render(text, {**self.env, **(extra or {})})) + "\n"


def plan_setup(
    package: Package,
    sides: set[str],
    read: Read,
    *,
    snippets: SnippetSource | None = None,
    source: Any = None,
) -> SetupPlan:
    """Dependency and init edits for `package`, given the sides ("client"/"server") the integration touches.

    Never raises: a problem becomes a note the report shows.
    """
    plan = SetupPlan()
    try:
        ctx = _context(package, read, snippets or BundledSnippets(), source or BundledSetup())
        plan.key_var, plan.host_var = ctx.env["key_env"], ctx.env["host_env"]
        plan.env_file = ctx.rel(str(ctx.config.get("env_file", ".env")))
        plan.hosts = {k: v for k, v in ctx.config.get("hosts", {}).items() if isinstance(v, str)}
        browser = package.language != "python" and bool(ctx.config.get("init"))
        wanted = {"server"} if package.language == "python" else set(sides) | ({"client"} if browser else set())
        _dependencies(ctx, wanted, plan)
        if browser:
            _init(ctx, plan)
        elif "client" in wanted and ctx.config.get("client_note"):
            plan.notes.append(str(ctx.config["client_note"]))  # browser code in a server package: init by hand
        _env_template(ctx, plan)
    except Exception as exc:  # setup planning must cost a note, never the run
        log.exception("setup planning failed for %s", package.path)
        plan.notes.append(f"setup could not be planned for {package.path}: {exc!r}")
    return plan


def plan_dependencies(
    package: Package, sides: set[str], read: Read, *, snippets: SnippetSource | None = None, source: Any = None
) -> list[PlannedEdit]:
    """Only the manifest edits adding the SDKs of `sides` the package does not declare (what a quick fix that
    imports a PostHog client needs to build). Never raises."""
    try:
        plan = SetupPlan()
        ctx = _context(package, read, snippets or BundledSnippets(), source or BundledSetup())
        _dependencies(ctx, {"server"} if package.language == "python" else set(sides), plan)
        return plan.edits
    except Exception:
        log.exception("dependency planning failed for %s", package.path)
        return []


def _context(package: Package, read: Read, snippets: SnippetSource, source: Any) -> _Ctx:
    framework = load_framework(snippets, package.framework)
    config: dict[str, Any] = {}
    for name in reversed(framework.chain):  # the framework's own values override its fallbacks'
        text = source.get(name, SETUP_CONFIG)
        try:
            data = tomllib.loads(text) if text else {}
        except tomllib.TOMLDecodeError:
            log.warning("%s/setup/%s is not valid TOML", name, SETUP_CONFIG)
            data = {}
        for key, value in data.items():
            if key == "dependencies" and isinstance(value, dict):
                config[key] = {**config.get(key, {}), **value}
            else:
                config[key] = value  # [init] is replaced whole: strategies do not mix
    key = package.env_key_var or framework.setting("env", "key", "POSTHOG_PROJECT_TOKEN")
    host = package.env_host_var or framework.setting("env", "host", "POSTHOG_HOST")
    env = {"key_env": key, "host_env": host}
    env |= {"key_read": _env_read(framework, key), "host_read": _env_read(framework, host)}
    return _Ctx(package, read, framework.chain, source, config, env)


def _env_read(framework: Any, var: str) -> str:
    template = framework.template("env.js.tmpl") or "process.env.{{var}}"
    return "\n".join(render(template, {"var": var})).strip()


# -- dependencies ----------------------------------------------------------------------------------------------


def _dependencies(ctx: _Ctx, sides: set[str], plan: SetupPlan) -> None:
    table = ctx.config.get("dependencies", {})
    wanted = [table[s] for s in ("server", "client") if s in sides and isinstance(table.get(s), dict)]
    if not wanted:
        return
    if ctx.package.language == "python":
        _python_dependency(ctx, wanted[0], plan)
    else:
        _node_dependencies(ctx, wanted, plan)


def _node_dependencies(ctx: _Ctx, wanted: list[dict[str, str]], plan: SetupPlan) -> None:
    path = ctx.rel("package.json")
    text = ctx.read(path)
    if text is None:
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        plan.notes.append(f"{path} is not valid JSON: add {', '.join(d['name'] for d in wanted)} by hand")
        return
    declared = {**(data.get("devDependencies") or {}), **(data.get("dependencies") or {})}
    missing = [d for d in wanted if d["name"] not in declared]
    if not missing:
        return
    unit = _json_indent(text)
    entries = [f'"{d["name"]}": "{d["version"]}"' for d in missing]
    match = re.search(r'"dependencies"\s*:\s*\{', text)
    in_order = _in_order(text, match.end(), entries) if match else None
    if in_order is not None:  # npm keeps dependencies sorted: the new ones go where npm would put them
        start, end, replacement = in_order
        after = text[:start] + replacement + text[end:]
        if _valid_json(after):
            names = [d["name"] for d in missing]
            plan.dependencies += names
            label = f"Add {' and '.join(names)} to {path}"
            span = Span(*_point(text, start), *_point(text, end))
            plan.edits.append(PlannedEdit(path, span, replacement, label, SETUP_GROUP))
            return
    if match:
        line_start = text.rfind("\n", 0, match.start()) + 1
        indent = text[line_start : match.start()] if text[line_start : match.start()].isspace() else unit
        inner = indent + unit
        empty = re.match(r"\s*\}", text[match.end() :]) is not None
        joined = (",\n" + inner).join(entries)
        insert = f"\n{inner}{joined}" + (f"\n{indent}" if empty else ",")
        offset = match.end()
    else:
        end = text.rstrip().rfind("}")
        body_end = len(text[:end].rstrip())
        joined = (",\n" + unit * 2).join(entries)
        comma = "" if text[:body_end].rstrip().endswith("{") else ","
        insert = f'{comma}\n{unit}"dependencies": {{\n{unit * 2}{joined}\n{unit}}}'
        offset = body_end
    after = text[:offset] + insert + text[offset:]
    try:
        json.loads(after)
    except json.JSONDecodeError:
        plan.notes.append(f"could not add {', '.join(d['name'] for d in missing)} to {path}: add it by hand")
        return
    names = [d["name"] for d in missing]
    plan.dependencies += names
    label = f"Add {' and '.join(names)} to {path}"
    plan.edits.append(PlannedEdit(path, _span_at(text, offset), insert, label, SETUP_GROUP))


_ENTRY = re.compile(r'(\s*)"([^"\\]+)"\s*:\s*"[^"\\]*"\s*,?\s*')


def _in_order(text: str, start: int, entries: list[str]) -> tuple[int, int, str] | None:
    """The `dependencies` object's lines from `start` to its `}` with `entries` inserted in sorted place, when the
    object has one entry per line, already sorted; else None."""
    end = text.find("}", start)
    lines = text[start:end].split("\n") if end > start else []
    if len(lines) < 3 or lines[0].strip() or lines[-1].strip():
        return None
    found = [_ENTRY.fullmatch(line) for line in lines[1:-1]]
    if not all(found):
        return None
    names = [m.group(2) for m in found if m]
    if names != sorted(names):
        return None
    indent = found[0].group(1) if found[0] else ""
    items = [(m.group(2), line.strip().rstrip(",")) for m, line in zip(found, lines[1:-1], strict=True) if m]
    items += [(entry.split('"')[1], entry) for entry in entries]
    body = ",\n".join(indent + line for _, line in sorted(items))
    return start, end, "\n" + body + "\n" + lines[-1]


def _valid_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def _point(text: str, offset: int) -> tuple[int, int]:
    span = _span_at(text, offset)
    return span.start_line, span.start_col


def _json_indent(text: str) -> str:
    match = re.search(r"\n([ \t]+)\"", text)
    return match.group(1) if match else "  "


def _python_dependency(ctx: _Ctx, dep: dict[str, str], plan: SetupPlan) -> None:
    name, spec = dep["name"], dep["version"]
    line_re = re.compile(rf"^\s*{re.escape(name)}\s*(?:[\[<>=!~;@ ]|$)", re.I | re.M)
    requirements = ctx.rel("requirements.txt")
    pyproject = ctx.rel("pyproject.toml")
    req_text, py_text = ctx.read(requirements), ctx.read(pyproject)
    for text in (req_text, py_text):
        if text is not None and (line_re.search(text) or re.search(rf"[\"']{re.escape(name)}\s*[\[<>=!~;\"']", text)):
            return
    if req_text is not None:
        newline = "\r\n" if "\r\n" in req_text else "\n"  # a Windows-made file keeps its line endings
        sep = "" if not req_text or req_text.endswith("\n") else newline
        _append(plan, requirements, req_text, f"{sep}{name}{spec}{newline}", name)
    elif py_text is not None and (m := re.search(r"(?ms)^\[project\].*?^dependencies\s*=\s*\[", py_text)):
        _insert(plan, pyproject, py_text, m.end(), f'\n    "{name}{spec}",', name)
    elif py_text is not None and (m := re.search(r"(?m)^\[tool\.poetry\.dependencies\]\s*$", py_text)):
        _insert(plan, pyproject, py_text, m.end(), f'\n{name} = "{spec}"', name)
    else:
        plan.edits.append(
            PlannedEdit(requirements, Span(0, 0, 0, 0), f"{name}{spec}\n", f"Create {requirements}", SETUP_GROUP, True)
        )
        plan.dependencies.append(name)


def _append(plan: SetupPlan, path: str, text: str, insert: str, name: str) -> None:
    _insert(plan, path, text, len(text), insert, name)


def _insert(plan: SetupPlan, path: str, text: str, offset: int, insert: str, name: str) -> None:
    plan.dependencies.append(name)
    plan.edits.append(PlannedEdit(path, _span_at(text, offset), insert, f"Add {name} to {path}", SETUP_GROUP))


def _span_at(text: str, offset: int) -> Span:
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return Span(line, col, line, col)


def _env_template(ctx: _Ctx, plan: SetupPlan) -> None:
    """Declare the variable names (never values) in the package's env template, when it has one."""
    for name in ctx.config.get("env_templates", [".env.example"]):
        path = ctx.rel(name)
        text = ctx.read(path)
        if text is None:
            continue
        declared = set(re.findall(r"(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", text))
        missing = [v for v in (plan.key_var, plan.host_var) if v not in declared]
        if missing:
            sep = "" if not text or text.endswith("\n") else "\n"
            insert = sep + "".join(f"{v}=\n" for v in missing)
            _append_edit(plan, path, text, insert, f"Declare {', '.join(missing)} in {path}")
        return


def _append_edit(plan: SetupPlan, path: str, text: str, insert: str, label: str) -> None:
    plan.edits.append(PlannedEdit(path, _span_at(text, len(text)), insert, label, SETUP_GROUP))


# -- browser init ----------------------------------------------------------------------------------------------


def _init(ctx: _Ctx, plan: SetupPlan) -> None:
    init = ctx.config["init"]
    present = [re.compile(p) for p in init.get("present", [])]
    if _initialised(ctx, present, init):
        return
    strategy = init.get("strategy")
    next_js = strategy in ("instrumentation_or_provider", "instrumentation_or_app")
    if (next_js and ctx.package.uses_instrumentation_client) or strategy == "client_hooks":  # SvelteKit hooks.client
        _instrumentation(ctx, init, plan)
    elif strategy in ("instrumentation_or_provider", "provider"):  # provider: a component the root layout renders
        _provider(ctx, init, plan)
    elif strategy == "instrumentation_or_app":
        _pages_app(ctx, init, plan)
    elif strategy == "entry":
        _entry(ctx, init, plan)
    elif strategy == "nuxt_plugin":
        from .nuxt_setup import plan_nuxt  # Nuxt: a client plugin + runtimeConfig.public in nuxt.config

        plan_nuxt(ctx, init, plan)


def _initialised(ctx: _Ctx, present: list[re.Pattern[str]], init: dict[str, Any]) -> bool:
    """A client init already exists in the package's known init file or in one of the usual places."""
    candidates = [*init.get("layouts", []), *init.get("app_files", []), *init.get("entries", [])]
    base = init.get("instrumentation_file")
    if base:
        candidates += [f"{d}{base}.{e}" for d in ("", "src/") for e in ("ts", "js", "tsx", "jsx")]
    paths = [ctx.rel(c) for c in candidates]
    known = ctx.package.posthog.init
    if known:
        paths.insert(0, known.rsplit(":", 1)[0])
    for path in paths:
        text = ctx.read(path)
        if text and any(p.search(text) for p in present):
            return True
    return False


def _base(ctx: _Ctx, folder: str) -> str:
    """The package root, or its src/ folder when the app lives there."""
    for candidate in (f"src/{folder}/", "src/"):
        probe = [f"{candidate}page.tsx", f"{candidate}layout.tsx", f"{candidate}layout.js", f"{candidate}_app.tsx"]
        if any(ctx.read(ctx.rel(p)) is not None for p in probe):
            return "src/"
    return ""


def _ext(ctx: _Ctx, ts: str, js: str) -> str:
    return ts if ctx.package.language == "typescript" else js


def _create(ctx: _Ctx, plan: SetupPlan, path: str, content: str, why: str) -> None:
    plan.edits.append(PlannedEdit(path, Span(0, 0, 0, 0), content, f"Create {path} ({why})", SETUP_GROUP, True))


def _instrumentation(ctx: _Ctx, init: dict[str, Any], plan: SetupPlan) -> None:
    path = ctx.rel(f"{_base(ctx, 'app')}{init['instrumentation_file']}.{_ext(ctx, 'ts', 'js')}")
    existing = ctx.read(path)
    content = ctx.render(init["instrumentation"])
    if content is None:
        return
    if existing is None:
        _create(ctx, plan, path, content, "initialises posthog-js in the browser")
    else:
        _insert_after_imports(ctx, plan, path, existing, content)


def _provider(ctx: _Ctx, init: dict[str, Any], plan: SetupPlan) -> None:
    layout_path = next((ctx.rel(p) for p in init.get("layouts", []) if ctx.read(ctx.rel(p)) is not None), None)
    layout = ctx.read(layout_path) if layout_path else None
    body = re.search(r"<body\b[^>]*>", layout or "")
    if layout_path is None or layout is None or body is None:
        where = init.get("layouts", ["app/layout.tsx"])[0]
        plan.notes.append(f"no {where} with a <body> found: render the PostHog init component from your root layout")
        return
    component = str(init.get("component", "PostHogInit"))
    folder = posixpath.dirname(layout_path)
    module = posixpath.join(folder, posixpath.basename(init["provider_file"]) + "." + _ext(ctx, "tsx", "jsx"))
    content = ctx.render(init["provider"], {"component": component})
    if content is None:
        return
    if ctx.read(module) is None:
        _create(ctx, plan, module, content, "initialises posthog-js in the browser")
    spec = code_scan.relative_module(layout_path, module, keep_extension=False)
    _insert_after_imports(ctx, plan, layout_path, layout, f"import {{ {component} }} from '{spec}';\n")
    line_start = layout.rfind("\n", 0, body.start()) + 1
    indent = re.match(r"\s*", layout[line_start:]).group(0) + "  "  # type: ignore[union-attr]
    child = re.match(r"[ \t]*\n([ \t]+)(?!</body)\S", layout[body.end() :])
    if child is not None and len(child.group(1)) > len(indent) - 2:
        indent = child.group(1)  # the indentation of <body>'s first child (a 4-space Prettier layout)
    plan.edits.append(
        PlannedEdit(
            layout_path,
            _span_at(layout, body.end()),
            f"\n{indent}<{component} />",
            f"Render <{component} /> in {layout_path}",
            SETUP_GROUP,
        )
    )


def _pages_app(ctx: _Ctx, init: dict[str, Any], plan: SetupPlan) -> None:
    block = ctx.render(init["app_insert"])
    if block is None:
        return
    for candidate in init.get("app_files", []):
        path = ctx.rel(candidate)
        text = ctx.read(path)
        if text is not None:
            _insert_after_imports(ctx, plan, path, text, block)
            return
    base = _base(ctx, "pages")
    name = init.get("app_create", "app.tsx.tmpl")
    if ctx.package.language != "typescript":
        name = name.replace(".tsx.", ".js.")
    content = ctx.render(name, {"init_block": block.rstrip("\n")})
    if content is None:
        return
    _create(
        ctx,
        plan,
        ctx.rel(f"{base}pages/_app.{_ext(ctx, 'tsx', 'js')}"),
        content,
        "initialises posthog-js in the browser",
    )


def _entry(ctx: _Ctx, init: dict[str, Any], plan: SetupPlan) -> None:
    for candidate in init.get("entries", []):
        path = ctx.rel(candidate)
        text = ctx.read(path)
        if text is not None:
            block = ctx.render(init["insert"])
            if block is not None:
                _insert_after_imports(ctx, plan, path, text, block)
            return
    if init.get("create") and init.get("create_file"):  # e.g. Remix/React Router: entry.client is optional
        content = ctx.render(init["create"], {"init_block": (ctx.render(init["insert"]) or "").rstrip("\n")})
        if content is not None:
            path = ctx.rel(f"{init['create_file']}.{_ext(ctx, 'tsx', 'jsx')}")
            _create(ctx, plan, path, content, "initialises posthog-js in the browser")
            return
    looked = ", ".join(init.get("entries", [])[:4])
    plan.notes.append(
        f"no entry file found ({looked}, ...): initialise posthog-js where the app starts "
        f"(see posthog://docs/frameworks/{ctx.package.framework})"
    )


_NAMED_IMPORT = re.compile(r"""^import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"];?\s*$""")


def _already_imported(line: str, text: str) -> bool:
    """`import { dev } from '$app/environment'` when the file already imports every one of those names from there
    (a second import of a name is a syntax error)."""
    found = _NAMED_IMPORT.match(line.strip())
    if found is None:
        return False
    names = [n.strip() for n in found.group(1).split(",") if n.strip()]
    module = re.escape(found.group(2))
    existing = re.findall(rf"""import\s*(?:type\s*)?\{{([^}}]*)\}}\s*from\s*['"]{module}['"]""", text)
    bound = {n.strip() for group in existing for n in group.split(",")}
    return bool(names) and all(n in bound for n in names)


def _insert_after_imports(ctx: _Ctx, plan: SetupPlan, path: str, text: str, block: str) -> None:
    """Insert `block` after the file's imports, without a second `import posthog` line."""
    if re.search(r"""from\s+['"]posthog-js['"]""", text):
        block = "\n".join(line for line in block.split("\n") if not re.search(r"from\s+'posthog-js'", line))
    block = "\n".join(line for line in block.split("\n") if not _already_imported(line, text))
    language = language_for_path(path)
    if language is None:
        return
    doc = parse(text.replace("\r\n", "\n"), language)
    lines = text.replace("\r\n", "\n").split("\n")
    at = code_scan.import_line(doc, lines, language, commonjs=False)
    # in the file's quotes, semicolons and indentation: a Prettier check must not fail on the added lines (F37)
    block = "\n".join(restyle(block.rstrip("\n").split("\n"), detect_style(text, language, doc), language)) + "\n"
    if at >= len(lines):
        sep = "" if text.endswith("\n") else "\n"
        plan.edits.append(
            PlannedEdit(path, _span_at(text, len(text)), sep + block, f"Initialise PostHog in {path}", SETUP_GROUP)
        )
        return
    one_import = block.count("\n") == 1 and block.startswith("import ")  # joins the imports above it
    lead = "\n" if at > 0 and lines[at - 1].strip() and not one_import else ""
    trail = "\n" if lines[at].strip() and not one_import else ""
    plan.edits.append(
        PlannedEdit(path, Span(at, 0, at, 0), lead + block + trail, f"Initialise PostHog in {path}", SETUP_GROUP)
    )
