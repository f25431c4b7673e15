"""Declared dependencies of one package folder: package.json, pyproject.toml, requirements*.txt, Pipfile, setup.py.

Never raises: a broken manifest contributes nothing.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#]*)")
_VERSION = re.compile(r"\d+(?:\.\d+)*")
_JS_DEP_TABLES = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


@dataclass(slots=True)
class Manifest:
    """What a package folder declares. Names are normalised (Python: lowercase, '_' → '-')."""

    node_deps: dict[str, str] = field(default_factory=dict)
    node_runtime_deps: set[str] = field(default_factory=set)  # `dependencies` only: installed in production
    python_deps: dict[str, str] = field(default_factory=dict)
    package_manager: str | None = None  # package.json "packageManager" ("pnpm@9.1.0" → "pnpm")
    pyproject_tools: tuple[str, ...] = ()  # [tool.*] tables of pyproject.toml
    has_package_json: bool = False
    has_python: bool = False


def read_manifest(folder: Path, names: set[str]) -> Manifest:
    """Read the manifests named in `names` (file names inside `folder`)."""
    manifest = Manifest()
    if "package.json" in names:
        manifest.has_package_json = True
        data = _json(folder / "package.json")
        for table in _JS_DEP_TABLES:
            deps = data.get(table)
            if isinstance(deps, dict):
                for name, spec in deps.items():
                    if isinstance(name, str):
                        manifest.node_deps.setdefault(name, spec if isinstance(spec, str) else "")
                        if table == "dependencies":
                            manifest.node_runtime_deps.add(name)
        pm = data.get("packageManager")
        if isinstance(pm, str) and pm:
            manifest.package_manager = pm.split("@", 1)[0] or None
    python_files = {n for n in names if n != "package.json"}
    manifest.has_python = bool(python_files)
    if "pyproject.toml" in names:
        _read_pyproject(folder / "pyproject.toml", manifest)
    for name in sorted(n for n in names if n.startswith("requirements") and n.endswith(".txt")):
        _add_requirements(_text(folder / name).splitlines(), manifest.python_deps)
    if "Pipfile" in names:
        data = _toml(folder / "Pipfile")
        for table in ("packages", "dev-packages"):
            deps = data.get(table)
            if isinstance(deps, dict):
                for name, spec in deps.items():
                    manifest.python_deps.setdefault(_py_name(name), spec if isinstance(spec, str) else "")
    if "setup.py" in names:
        match = re.search(r"install_requires\s*=\s*\[(.*?)\]", _text(folder / "setup.py"), re.S)
        if match:
            _add_requirements(re.findall(r"""["']([^"']+)["']""", match.group(1)), manifest.python_deps)
    return manifest


def version_from_spec(spec: str | None) -> str | None:
    """'^15.3.1' → '15.3.1', '>=4.2,<5' → '4.2', 'latest' → 'latest', 'workspace:*' → None."""
    if not spec or not isinstance(spec, str):
        return None
    spec = spec.strip()
    if re.fullmatch(r"[A-Za-z][\w.-]*", spec):
        return spec  # a dist-tag such as latest or canary
    match = _VERSION.search(spec)
    return match.group(0) if match and not spec.startswith(("workspace:", "file:", "link:", "git")) else None


def _read_pyproject(path: Path, manifest: Manifest) -> None:
    data = _toml(path)
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    _add_requirements(_strings(project.get("dependencies")), manifest.python_deps)
    optional = project.get("optional-dependencies")
    if isinstance(optional, dict):
        for reqs in optional.values():
            _add_requirements(_strings(reqs), manifest.python_deps)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for reqs in groups.values():
            _add_requirements(_strings(reqs), manifest.python_deps)
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    manifest.pyproject_tools = tuple(k for k in tool if isinstance(k, str))
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    tables: list[Any] = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    if isinstance(poetry.get("group"), dict):
        tables += [g.get("dependencies") for g in poetry["group"].values() if isinstance(g, dict)]
    for table in tables:
        if isinstance(table, dict):
            for name, spec in table.items():
                if isinstance(name, str) and name.lower() != "python":
                    manifest.python_deps.setdefault(_py_name(name), spec if isinstance(spec, str) else "")


def _add_requirements(lines: list[str], deps: dict[str, str]) -> None:
    for line in lines:
        if line.lstrip().startswith(("-", "#")) or "://" in line:
            continue
        match = _REQUIREMENT.match(line)
        if match:
            deps.setdefault(_py_name(match.group(1)), match.group(2).strip())


def _py_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_text(path) or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_text(path))
    except (tomllib.TOMLDecodeError, ValueError):
        return {}
