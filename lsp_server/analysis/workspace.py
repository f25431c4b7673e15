"""Packages of a workspace: every package.json / pyproject.toml / requirements*.txt / manage.py folder, with its
framework, language, package manager, installed PostHog SDKs, existing init/identify and env var names.

The vocabulary (dependency → framework, lock file → manager, SDK names, env var patterns) is data in
`skills/detection/frameworks.toml`. Env var NAMES come from templates such as .env.example and from code;
.env / .env.local are never opened. Never raises on broken manifests.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from ..skills import load_detection_toml
from .identify_scope import global_identify, identifying_functions
from .manifests import Manifest, read_manifest, version_from_spec
from .model import SIDE_OF_SDK, Package, PosthogSetup
from .parsing import EXTENSIONS, MAX_PARSE_BYTES, decode_source, language_for_path, parse
from .scope import Scope
from .usage import find_posthog_calls

log = logging.getLogger(__name__)

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", re.M)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """frameworks.toml, compiled."""

    manifest_names: frozenset[str]
    manifest_globs: tuple[str, ...]
    frameworks: tuple[dict[str, Any], ...]
    fallback: dict[str, str]
    instrumentation: dict[str, Any]
    typescript: dict[str, list[str]]
    managers: dict[str, dict[str, str]]
    manager_defaults: dict[str, Any]
    sdks: dict[str, list[str]]
    init: tuple[re.Pattern[str], ...]
    identify: tuple[re.Pattern[str], ...]
    env_templates: frozenset[str]
    env: dict[str, Any]
    env_references: tuple[re.Pattern[str], ...]
    env_name: re.Pattern[str]  # a PostHog variable name
    env_roles: dict[str, re.Pattern[str]]  # "key" / "host" / "not_key"


def _regex(pattern: Any, default: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern if isinstance(pattern, str) else default)
    except re.error:
        log.warning("frameworks.toml: invalid pattern %r", pattern)
        return re.compile(default)


def _compile(patterns: Any) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns if isinstance(patterns, list) else []:
        try:
            compiled.append(re.compile(pattern))
        except (re.error, TypeError):
            log.warning("frameworks.toml: invalid pattern %r", pattern)
    return tuple(compiled)


@cache
def load_vocabulary() -> Vocabulary:
    """Read skills/detection/frameworks.toml. A missing file yields plain node/python packages."""
    data = load_detection_toml("frameworks.toml")
    manifests = data.get("manifests", {})
    managers = data.get("package_managers", {})
    env = data.get("env", {})
    return Vocabulary(
        manifest_names=frozenset(manifests.get("names", ["package.json", "pyproject.toml", "manage.py"])),
        manifest_globs=tuple(g for g in manifests.get("globs", ["requirements*.txt"]) if isinstance(g, str)),
        frameworks=tuple(f for f in data.get("frameworks", []) if isinstance(f, dict) and "id" in f),
        fallback={"node": "node", "python": "python", **data.get("fallback", {})},
        instrumentation=data.get("instrumentation_client", {}),
        typescript=data.get("typescript", {"files": ["tsconfig.json"], "deps": ["typescript"]}),
        managers={k: v for k, v in managers.items() if k in ("node", "python")},
        manager_defaults={"node": "npm", "python": "pip", **managers.get("defaults", {})},
        sdks=data.get("sdks", {}),
        init=_compile(data.get("setup", {}).get("init")),
        identify=_compile(data.get("setup", {}).get("identify")),
        env_templates=frozenset(env.get("templates", [".env.example"])),
        env=env,
        env_references=_compile(env.get("references")),
        env_name=_regex(env.get("name"), r"^[A-Z0-9_]*POSTHOG[A-Z0-9_]*$"),
        env_roles={
            "key": _regex(env.get("key"), r"(?:KEY|TOKEN)$"),
            "host": _regex(env.get("host"), r"HOST$"),
            "not_key": _regex(env.get("not_key"), r"PERSONAL|SECRET"),
        },
    )


@cache
def frameworks_with(attribute: str) -> frozenset[str]:
    """Ids of the frameworks whose frameworks.toml entry sets `attribute = true` (`browser`, `client_default`)."""
    return frozenset(str(f["id"]) for f in load_vocabulary().frameworks if f.get(attribute) is True)


def is_manifest(name: str, vocab: Vocabulary | None = None) -> bool:
    vocab = vocab or load_vocabulary()
    return name in vocab.manifest_names or manifest_glob(vocab.manifest_globs)(name) is not None


@cache
def manifest_glob(globs: tuple[str, ...]) -> Callable[[str], object]:
    """`fnmatch.fnmatchcase` against any of `globs`, as one regex: asked for every file a scan walks."""
    sources = [fnmatch.translate(g) for g in globs if isinstance(g, str)]
    return re.compile("|".join(sources)).match if sources else lambda _name: None


def _is_setuptools_script(full: str) -> bool:
    try:
        with open(full, encoding="utf-8", errors="replace") as handle:
            text = handle.read(64_000)
    except OSError:
        return False
    return ("setuptools" in text or "distutils" in text) and re.search(r"\bsetup\s*\(", text) is not None


def read_source(full: str) -> bytes | str:
    """A source file's bytes, or why it cannot be analysed ("too large ...", "unreadable ...", "binary")."""
    try:
        with open(full, "rb", buffering=0) as handle:
            size = os.fstat(handle.fileno()).st_size  # read(limit) would allocate `limit` bytes per file
            if size > MAX_PARSE_BYTES:
                return f"too large ({size:,} bytes; the limit is {MAX_PARSE_BYTES:,})"
            data = handle.readall()
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    return "binary" if data.find(b"\x00", 0, 8192) >= 0 else data  # parsing.looks_binary, without a copy


def mentions_posthog(data: bytes) -> bool:
    """Cheap byte test run on every file before anything is decoded."""
    return b"osthog" in data or b"OSTHOG" in data


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What one source file says about PostHog setup (positions 0-based)."""

    init_line: int | None = None
    identify: bool = False
    env_names: tuple[str, ...] = ()
    module_client: bool = False  # configures posthog-python's module-level client (`posthog.project_api_key = …`)
    identify_functions: tuple[str, ...] = ()  # functions identifying the user outside a global place (identify_scope)
    init_sdks: tuple[str, ...] = ()  # the SDKs initialised here (empty with an init line: seen without a syntax tree)


def source_facts(text: str, vocab: Vocabulary | None = None, path: str = "") -> SourceFacts:
    """Init line, identify presence and env var names a file refers to (names only, never values).

    The regular expressions only select candidates; with a known language the syntax tree confirms them, so
    a regex or a string that merely spells `posthog.init(` is not taken for an init.
    """
    vocab = vocab or load_vocabulary()
    init_at = min((m.start() for p in vocab.init for m in [p.search(text)] if m), default=None)
    identify = any(p.search(text) for p in vocab.identify)
    names = [n for p in vocab.env_references for n in p.findall(text) if isinstance(n, str) and vocab.env_name.match(n)]
    init_line = None if init_at is None else text.count("\n", 0, init_at)
    language = language_for_path(path) if path else None
    module_client = False
    identifying: tuple[str, ...] = ()
    init_sdks: tuple[str, ...] = ()
    if language is not None and (init_line is not None or identify):
        doc = parse(text, language)
        if doc is not None:
            calls = find_posthog_calls(doc, path)
            init_line = min((c.span.start_line for c in calls if c.kind == "init"), default=None)
            init_sdks = tuple(dict.fromkeys(c.sdk for c in calls if c.kind == "init" and c.sdk != "unknown"))
            # S4-15: only an identify that runs for every sign-in (auth listener, provider, middleware) is the package's
            identify = global_identify(doc, calls)
            identifying = identifying_functions(doc, calls)
            module_client = any(
                c.kind == "init" and c.sdk == "posthog-python" and _MODULE_CONFIG.match(c.text) for c in calls
            )
    return SourceFacts(init_line, identify, tuple(dict.fromkeys(names)), module_client, identifying, init_sdks)


def init_sides(facts: SourceFacts) -> frozenset[str]:
    """The sides `facts` initialises ("any" when the SDK is not known)."""
    if facts.init_line is None:
        return frozenset()
    return frozenset(SIDE_OF_SDK.get(sdk, "any") for sdk in facts.init_sdks) or frozenset({"any"})


_MODULE_CONFIG = re.compile(r"posthog\.\w+\s*=")  # `posthog.project_api_key = …`, not `client = Posthog(…)`


def template_env_names(text: str, vocab: Vocabulary | None = None) -> list[str]:
    """PostHog variable names declared in an env template (the values are not kept)."""
    name_re = (vocab or load_vocabulary()).env_name
    return [n for n in _ENV_LINE.findall(text) if name_re.match(n)]


@dataclass(slots=True)
class WorkspaceFacts:
    """Everything a walk learns that package building needs; filled by `find_packages` or by `scan`."""

    manifests: dict[str, set[str]] = field(default_factory=dict)  # folder (rel, "" = root) → manifest names
    env_templates: dict[str, list[str]] = field(default_factory=dict)  # folder → PostHog var names
    sources: dict[str, SourceFacts] = field(default_factory=dict)  # rel path → facts (PostHog files only)

    def add_path(self, rel: str, full: str, vocab: Vocabulary | None = None) -> bool:
        """Record `rel` if it is a manifest or an env template; True when it was one."""
        vocab = vocab or load_vocabulary()
        folder, _, name = rel.rpartition("/")
        if is_manifest(name, vocab):
            if name == "setup.py" and not _is_setuptools_script(full):
                return False  # a module that happens to be called setup.py is source, not a manifest
            self.manifests.setdefault(folder, set()).add(name)
            return True
        if name in vocab.env_templates:
            try:
                with open(full, encoding="utf-8", errors="replace") as handle:
                    text = handle.read(256_000)
            except OSError:
                return True
            self.env_templates.setdefault(folder, []).extend(template_env_names(text, vocab))
            return True
        return False

    def add_source(self, rel: str, text: str, vocab: Vocabulary | None = None) -> None:
        facts = source_facts(text, vocab, rel)
        if facts.init_line is not None or facts.identify or facts.env_names or facts.module_client or (
            facts.identify_functions
        ):
            self.sources[rel] = facts


def find_packages(root: Path, scope: Scope | None = None) -> list[Package]:
    """Every package under `root` (monorepos included), shallowest first. Never raises."""
    scope = scope or Scope(root)
    vocab = load_vocabulary()
    facts = WorkspaceFacts()
    for rel, full in scope.walk_files():
        if facts.add_path(rel, full, vocab):
            continue
        dot = rel.rfind(".")
        if dot < 0 or rel[dot:].lower() not in EXTENSIONS:
            continue
        data = read_source(full)
        if isinstance(data, bytes) and mentions_posthog(data):
            text = decode_source(data)
            if text is not None:
                facts.add_source(rel, text, vocab)
    return build_packages(scope.root, facts, vocab)


def build_packages(root: Path, facts: WorkspaceFacts, vocab: Vocabulary | None = None) -> list[Package]:
    """Turn walk facts into `Package`s, shallowest first."""
    vocab = vocab or load_vocabulary()
    root = Path(root)
    packages: list[Package] = []
    for folder in sorted(facts.manifests, key=lambda f: (f.count("/") + bool(f), f)):
        try:
            packages.append(_package(root, folder, facts, vocab))
        except Exception:  # one odd package must not hide the others
            log.exception("could not describe package %s", folder or ".")
    return _attach_sources(packages, facts, vocab)


def package_for(path: str, packages: Sequence[Package]) -> Package | None:
    """The deepest package containing `path` (relative to the root, '/' separators)."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    best: Package | None = None
    for package in packages:
        inside = package.path == "." or path == package.path or path.startswith(package.path + "/")
        if inside and (best is None or _depth(package.path) > _depth(best.path)):
            best = package
    return best


def _depth(path: str) -> int:
    return -1 if path == "." else path.count("/")


class WorkspaceIndex:
    """The packages of one workspace root, kept by the language server and refreshed on file changes.

    `refresh()` walks the workspace (run it off the event loop); queries are cheap and thread-safe.
    """

    def __init__(self, root: Path | str, excludes: Iterable[str] = ()) -> None:
        self.root = Path(os.path.realpath(root))
        self.excludes = list(excludes)
        self.scope = Scope(self.root, self.excludes)
        self.packages: list[Package] = []
        self.routes: Any = None  # route_refs.RouteIndex from the last scan, updated on save (routes across files)
        self._lock = threading.Lock()

    def refresh(self, excludes: Iterable[str] | None = None) -> list[Package]:
        """Re-read .gitignore files and manifests; optionally with new user excludes."""
        with self._lock:
            if excludes is not None:
                self.excludes = list(excludes)
            scope = Scope(self.root, self.excludes)
            packages = find_packages(self.root, scope)
            self.scope, self.packages = scope, packages
        return packages

    def package_for(self, rel_path: str) -> Package | None:
        return package_for(rel_path, self.packages)

    def needs_refresh(self, rel_path: str) -> bool:
        """Whether a change to `rel_path` can change packages or scope (manifests, lock files, env templates,
        .gitignore, tsconfig, instrumentation-client)."""
        vocab = load_vocabulary()
        name = rel_path.rsplit("/", 1)[-1]
        lock_files = {n for table in vocab.managers.values() for n in table}
        return (
            is_manifest(name, vocab)
            or name in lock_files
            or name in vocab.env_templates
            or name in (".gitignore", *vocab.typescript.get("files", []))
            or name.startswith("instrumentation-client.")
            or any(name in (*rule.get("files", ()), *rule.get("not_files", ())) for rule in vocab.frameworks)
        )


# -- one package -----------------------------------------------------------------------------------------------


def _package(root: Path, folder: str, facts: WorkspaceFacts, vocab: Vocabulary) -> Package:
    base = root / folder if folder else root
    names = facts.manifests[folder]
    manifest = read_manifest(base, names)
    framework, ecosystem, version_of = _framework(base, manifest, vocab)
    deps = manifest.node_deps if ecosystem == "node" else manifest.python_deps
    version = version_from_spec(deps.get(version_of)) if version_of else None
    language = "python" if ecosystem == "python" else _js_language(base, manifest, vocab)
    return Package(
        path=folder or ".",
        framework=framework,
        language=language,
        package_manager=_package_manager(root, folder, manifest, ecosystem, vocab),
        framework_version=version,
        posthog=_sdk_setup(manifest, vocab),
        uses_instrumentation_client=framework.startswith("nextjs") and _instrumentation(base, version, vocab),
        dependencies=frozenset(manifest.node_runtime_deps if ecosystem == "node" else manifest.python_deps),
    )


def _framework(base: Path, manifest: Manifest, vocab: Vocabulary) -> tuple[str, str, str | None]:
    """(framework id, ecosystem, dependency whose version is the framework version)."""
    for rule in vocab.frameworks:
        ecosystem = rule.get("ecosystem", "node")
        if ecosystem == "node" and not manifest.has_package_json:
            continue
        if ecosystem == "python" and not manifest.has_python:
            continue
        deps = manifest.node_deps if ecosystem == "node" else manifest.python_deps
        has_dep = any(d in deps for d in rule.get("deps", []))
        has_file = any((base / f).is_file() for f in rule.get("files", []))
        if not (has_dep or has_file):
            continue
        if not all(d in deps for d in rule.get("all_deps", [])):
            continue
        if rule.get("dirs") and not any((base / d).is_dir() for d in rule["dirs"]):
            continue
        if any((base / f).is_file() for f in rule.get("not_files", [])):
            continue  # e.g. remix.config.js: a classic Remix build, whatever vite.config says
        return str(rule["id"]), ecosystem, rule.get("version_of")
    ecosystem = "python" if manifest.has_python else "node"
    return vocab.fallback.get(ecosystem, ecosystem), ecosystem, None


def _js_language(base: Path, manifest: Manifest, vocab: Vocabulary) -> str:
    ts = vocab.typescript
    declared = any(d in manifest.node_deps for d in ts.get("deps", []))
    return "typescript" if declared or any((base / f).is_file() for f in ts.get("files", [])) else "javascript"


def _package_manager(root: Path, folder: str, manifest: Manifest, ecosystem: str, vocab: Vocabulary) -> str:
    if ecosystem == "node" and manifest.package_manager:
        return manifest.package_manager
    locks = vocab.managers.get(ecosystem, {})
    parts = folder.split("/") if folder else []
    for depth in range(len(parts), -1, -1):  # the package folder, then each parent up to the root
        base = root.joinpath(*parts[:depth])
        for lock, manager in locks.items():
            if (base / lock).is_file():
                return manager
    defaults = vocab.manager_defaults
    if ecosystem == "python":
        for tool, manager in defaults.get("pyproject_tools", {}).items():
            if tool in manifest.pyproject_tools:
                return manager
        if (root / folder / "Pipfile").is_file():
            return defaults.get("pipfile", "pipenv")
    return defaults.get(ecosystem, "npm" if ecosystem == "node" else "pip")


def _sdk_setup(manifest: Manifest, vocab: Vocabulary) -> PosthogSetup:
    versions = {n: manifest.node_deps[n] for n in vocab.sdks.get("node", []) if n in manifest.node_deps}
    versions |= {n: manifest.python_deps[n] for n in vocab.sdks.get("python", []) if n in manifest.python_deps}
    return PosthogSetup(installed=bool(versions), sdks=tuple(versions), versions=versions)


def _instrumentation(base: Path, version: str | None, vocab: Vocabulary) -> bool:
    spec = vocab.instrumentation
    if any((base / f).is_file() for f in spec.get("files", [])):
        return True
    if not version:
        return False
    if version in spec.get("tags", []):
        return True
    return _version_tuple(version) >= _version_tuple(str(spec.get("min_next", "15.3")))


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3]) or (0,)


def _pick(names: list[str], vocab: Vocabulary, role: str) -> str | None:
    """The variable holding the project key (role "key") or the host, preferring the usual names."""
    role_re, not_key = vocab.env_roles[role], vocab.env_roles["not_key"]
    candidates = [n for n in dict.fromkeys(names) if role_re.search(n) and not (role == "key" and not_key.search(n))]
    for name in vocab.env.get("preferred_keys" if role == "key" else "preferred_hosts", []):
        if name in candidates:
            return name
    return candidates[0] if candidates else None


def _attach_sources(packages: list[Package], facts: WorkspaceFacts, vocab: Vocabulary) -> list[Package]:
    """Fill each package's init location, identify flag and env var names from the files it contains.

    Env var names: code references in the package first, then its own template, then the root's.
    """
    inits: dict[str, str] = {}
    sides: dict[str, set[str]] = {}
    identify: set[str] = set()
    module_clients: set[str] = set()
    identifying: dict[str, set[str]] = {}
    env_names: dict[str, list[str]] = {}
    for rel in sorted(facts.sources):
        owner = package_for(rel, packages)
        if owner is None:
            continue
        source = facts.sources[rel]
        if source.init_line is not None and owner.path not in inits:
            inits[owner.path] = f"{rel}:{source.init_line + 1}"
        sides.setdefault(owner.path, set()).update(init_sides(source))
        if source.identify:
            identify.add(owner.path)
        if source.module_client:
            module_clients.add(owner.path)
        identifying.setdefault(owner.path, set()).update(source.identify_functions)
        env_names.setdefault(owner.path, []).extend(source.env_names)
    described = []
    for p in packages:
        folder = "" if p.path == "." else p.path
        names = env_names.get(p.path, []) + facts.env_templates.get(folder, []) + facts.env_templates.get("", [])
        described.append(
            replace(
                p,
                posthog=replace(
                    p.posthog,
                    init=inits.get(p.path),
                    init_sides=frozenset(sides.get(p.path, ())),
                    has_identify=p.path in identify,
                    identify_functions=frozenset(identifying.get(p.path, ())),
                    module_client=p.path in module_clients,
                ),
                env_key_var=_pick(names, vocab, "key"),
                env_host_var=_pick(names, vocab, "host"),
            )
        )
    return described
