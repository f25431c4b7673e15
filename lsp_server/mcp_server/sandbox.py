"""Confine every path a tool receives to the workspace root (symlinks resolved), and recognise env files.

Pure and dependency-free so the MCP tools and the Integrate agent share one check.
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_PATH_CHARS = 4096
# `.env`, `.env.local`, `.env.production`, `prod.env`: files whose contents never leave the machine.
_ENV_NAME = re.compile(r"^(\.env(\..+)?|.+\.env)$")


class Refused(ValueError):
    """A tool call the sandbox will not perform; the message is safe to show to the caller."""


def is_env_file(path: Path | str) -> bool:
    """True for dotenv-style files (`.env`, `.env.local`, `x.env`), whatever folder they are in."""
    return bool(_ENV_NAME.match(Path(path).name))


def confine(root: Path | str, candidate: str) -> Path:
    """The absolute, symlink-resolved path of `candidate` (relative to `root` or absolute), if inside `root`.

    Raises `Refused` for empty, over-long or NUL-bearing input and for anything resolving outside the root
    (`../` traversal, absolute paths elsewhere, symlinks pointing out).
    """
    if not isinstance(candidate, str) or not candidate.strip():
        raise Refused("a path is required")
    if len(candidate) > MAX_PATH_CHARS or "\x00" in candidate:
        raise Refused("invalid path")
    base = Path(root).resolve()
    target = Path(candidate)
    if not target.is_absolute():
        target = base / target
    try:
        resolved = target.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loops
        raise Refused("invalid path") from exc
    if resolved != base and not resolved.is_relative_to(base):
        raise Refused("path is outside the workspace")
    return resolved


def relative(root: Path | str, path: Path) -> str:
    """`path` relative to the (resolved) root with '/' separators; '.' for the root itself."""
    rel = path.relative_to(Path(root).resolve()).as_posix()
    return rel or "."
