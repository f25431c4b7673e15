"""Applying planned edits to disk: unified diffs for --dry-run, atomic writes, a dirty-tree warning."""

from __future__ import annotations

import difflib
import os
import subprocess
import tempfile
from pathlib import Path


def unified_diff(path: str, before: str | None, after: str) -> str:
    old = [] if before is None else before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    a = "/dev/null" if before is None else f"a/{path}"
    return "".join(difflib.unified_diff(old, new, a, f"b/{path}"))


def atomic_write(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write via a temp file in the same folder and rename: a killed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".posthog-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dirty_files(root: Path) -> list[str] | None:
    """Uncommitted changes in the git tree at root, or None when root is not a git checkout."""
    try:
        proc = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return [line[3:] for line in proc.stdout.splitlines() if line.strip()]
