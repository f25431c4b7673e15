"""Turn one model airplane (skills/examples/<framework>) into one markdown document.

The MCP server serves the result as posthog://examples/{framework}: a heading per file path, each file in
a fenced block tagged with its language, README first, then files in path order. Lock files, JSON (except
package.json, which names the SDKs to install), binaries, env files, generated files (migrations,
next-env.d.ts) and dependency or build folders are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

SKIP_DIRS = frozenset({
    "node_modules", ".venv", "venv", "__pycache__", ".next", "dist", "build", "out", ".turbo", ".git",
    ".pytest_cache", ".ruff_cache", ".mypy_cache", "migrations",
})
LOCK_FILES = frozenset({
    "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock", "poetry.lock", "uv.lock",
    "Pipfile.lock", "npm-shrinkwrap.json",
})
LANGUAGES = {
    ".py": "python", ".ts": "ts", ".tsx": "tsx", ".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx",
    ".json": "json", ".md": "markdown", ".toml": "toml", ".txt": "text", ".yaml": "yaml", ".yml": "yaml",
    ".html": "html", ".css": "css", ".cfg": "ini", ".ini": "ini", ".sh": "sh", ".svelte": "svelte", ".vue": "vue",
}
MAX_FILE_CHARS = 60_000  # a model airplane is small; anything bigger is not meant to be read


def _included(rel: Path) -> bool:
    if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
        return False
    name = rel.name
    if name in LOCK_FILES or name.endswith(".lock"):
        return False
    if name.startswith(".env") and name != ".env.example":
        return False  # env files may hold real keys
    if name.endswith(".json") and name != "package.json":
        return False
    if name.endswith((".pyc", ".sqlite3", ".db", ".tsbuildinfo")) or name == "next-env.d.ts":
        return False  # bytecode, databases, build info, Next.js's generated type references
    return not name.startswith(".") or name == ".env.example"


def _language(path: Path) -> str:
    if path.name == ".env.example":
        return "sh"
    return LANGUAGES.get(path.suffix, "")


def _read_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\x00" in data or len(data) > MAX_FILE_CHARS:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * max(3, longest + 1)


def example_files(root: Path) -> list[Path]:
    """The files of an example that the flattened document shows, README first, then by path."""
    found = [p for p in root.rglob("*") if p.is_file() and _included(p.relative_to(root))]
    return sorted(found, key=lambda p: (p.relative_to(root).as_posix().lower() != "readme.md",
                                        p.relative_to(root).as_posix()))


def flatten_example(root: Path) -> str:
    """One markdown document holding every readable source file of the example at `root`."""
    root = Path(root)
    parts = [f"# Example: {root.name}\n"]
    for path in example_files(root):
        text = _read_text(path)
        if not text or not text.strip():
            continue  # unreadable, binary, huge or empty (e.g. __init__.py)
        rel = path.relative_to(root).as_posix()
        fence = _fence(text)
        body = text if text.endswith("\n") else text + "\n"
        parts.append(f"## {rel}\n\n{fence}{_language(path)}\n{body}{fence}\n")
    return "\n".join(parts)
