"""Workspace folders: a multi-root workspace is several folders, each with its own packages and .gitignore.

What the user sees: every folder of a multi-root workspace is scanned; a file is analysed with the packages
and ignore rules of the folder holding it (the deepest one when folders nest); a file outside every folder is
analysed alone, as in single-file mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.model import Finding, Package

if TYPE_CHECKING:
    from ..analysis.scope import Scope
    from ..analysis.workspace import WorkspaceIndex


@dataclass(eq=False)
class Folder:
    """One workspace folder: its packages once scanned, its in-scope check, and what the scan found on disk."""

    uri: str
    root: Path  # resolved: documents are matched against it
    name: str
    index: WorkspaceIndex | None = None
    scope: Scope | None = None
    scanned: list[str] = field(default_factory=list)  # files the start-up scan analysed (workspace diagnostics)
    # file → (what it was analysed with: size, mtime, package, settings; its findings) for workspace diagnostics
    on_disk: dict[str, tuple[object, tuple[Finding, ...]]] = field(default_factory=dict)
    shown: dict[str, tuple[object, list[Any], str]] = field(default_factory=dict)  # file → (key, diagnostics, id)

    @property
    def packages(self) -> list[Package]:
        return list(getattr(self.index, "packages", None) or [])

    def relative(self, path: Path) -> str | None:
        """`path` (resolved) relative to this folder, or None when it lies outside."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None


def real_path(path: str | Path) -> Path:
    return Path(os.path.realpath(path))


def deepest(folders: Iterable[Folder], path: Path) -> tuple[Folder, str] | None:
    """The folder holding `path` (resolved) and the path relative to it; the deepest one when folders nest."""
    best: tuple[Folder, str] | None = None
    for folder in folders:
        rel = folder.relative(path)
        if rel is not None and (best is None or len(folder.root.parts) > len(best[0].root.parts)):
            best = (folder, "." if rel in ("", ".") else rel)
    return best


def nested_prefixes(folder: Folder, folders: Iterable[Folder]) -> list[str]:
    """Sub-folders of `folder` that are workspace folders themselves ("apps/web/"): their files are theirs."""
    nested = []
    for other in folders:
        rel = folder.relative(other.root) if other is not folder else None
        if rel not in (None, ".", ""):
            nested.append(f"{rel}/")
    return nested
