"""What the MCP tools do, as plain functions over a workspace root. Each returns JSON-able data or raises `Refused`.

No tool returns the contents of an env file: `check_env_keys` answers present/missing per key, and
`set_env_values` reports which keys it wrote.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from enum import Enum
from pathlib import Path
from typing import Any

from . import envfiles
from .catalog import Catalog
from .sandbox import Refused, confine, is_env_file, relative

log = logging.getLogger(__name__)

MAX_OUTPUT_CHARS = 200_000


def check_env_keys(root: Path, file: str, keys: list[str]) -> dict[str, Any]:
    """Which of `keys` are assigned in the env file `file` ("present"/"missing"); never a value."""
    wanted = envfiles.check_keys(keys)
    path = envfiles.env_path(root, file)
    present = envfiles.keys_in(path.read_text(encoding="utf-8", errors="replace")) if path.is_file() else set()
    return {
        "file": relative(root, path),
        "exists": path.is_file(),
        "keys": {key: ("present" if key in present else "missing") for key in wanted},
    }


def set_env_values(root: Path, file: str, values: dict[str, str]) -> dict[str, Any]:
    """Merge `values` into the env file (creating it), and make sure `.gitignore` covers it."""
    checked = envfiles.check_values(values)
    path = envfiles.env_path(root, file)
    confine(root, ".gitignore")  # refuse before writing anything if .gitignore leads outside
    existed = path.is_file()
    before = path.read_text(encoding="utf-8", errors="replace") if existed else ""
    previous = envfiles.keys_in(before)
    envfiles.write_atomically(path, envfiles.merge(before, checked))
    gitignore = envfiles.ensure_gitignored(root, path)
    return {
        "file": relative(root, path),
        "created": not existed,
        "updated": sorted(k for k in checked if k in previous),
        "added": sorted(k for k in checked if k not in previous),
        "gitignore": gitignore,
    }


def list_frameworks(catalog: Catalog) -> dict[str, Any]:
    """Framework ids with the resources that exist for each."""
    examples = set(catalog.example_frameworks())
    return {
        "frameworks": [
            {
                "id": fw,
                "docs": f"posthog://docs/frameworks/{fw}",
                "example": f"posthog://examples/{fw}" if fw in examples else None,
                "snippets": [f"posthog://snippets/{fw}/{name}" for name in catalog.snippet_files(fw)],
            }
            for fw in catalog.frameworks()
        ]
    }


def _analysis_path(root: Path, path: str) -> Path:
    target = confine(root, path)
    if is_env_file(target):
        raise Refused("env files are not analysed")
    if not target.exists():
        raise Refused("path does not exist")
    return target


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def detect_frameworks(root: Path, path: str = ".") -> dict[str, Any]:
    """Packages under `path` with their framework, language, package manager and PostHog setup."""
    target = _analysis_path(root, path)
    try:
        from lsp_server.analysis.workspace import find_packages
    except ImportError:
        raise Refused("framework detection is not available in this build") from None
    rel = relative(root, target)
    packages = [p for p in find_packages(Path(root).resolve()) if _related(p.path, rel)]
    return _capped({"path": rel, "packages": _jsonable(packages)}, "packages")


def _related(package: str, rel: str) -> bool:
    """The package is inside the asked-for folder, or the asked-for path is inside the package."""
    inside = (rel + "/").startswith(package + "/") or package == "."
    return rel == "." or package == rel or package.startswith(rel + "/") or inside


def detect_flows(root: Path, path: str = ".") -> dict[str, Any]:
    """Business flows (signup, login, checkout, ...) and diagnostics under `path`: the CLI's JSON contract v1."""
    target = _analysis_path(root, path)
    from lsp_server.analysis.scan import scan
    from lsp_server.report import to_json

    rel = relative(root, target)
    report = to_json(scan(Path(root).resolve()))
    report["path"] = rel
    report["packages"] = [p for p in report["packages"] if _related(p["path"], rel)]
    for key in ("flows", "diagnostics"):
        report[key] = [item for item in report[key] if _under(item["path"], rel)]
    return _capped(_capped(report, "diagnostics"), "flows")


def _under(path: str, rel: str) -> bool:
    return rel == "." or path == rel or path.startswith(rel + "/")


def _capped(data: dict[str, Any], list_key: str) -> dict[str, Any]:
    """`data` with `list_key` shortened until the JSON fits MAX_OUTPUT_CHARS (`truncated` says so)."""
    items = data.get(list_key) or []
    while len(json.dumps(data, default=str)) > MAX_OUTPUT_CHARS and items:
        items = items[: len(items) // 2]
        data = {**data, list_key: items, "truncated": True}
    return data
