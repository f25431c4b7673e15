"""Snippet templates: where they come from and how they are filled in.

Templates live in `skills/frameworks/<framework>/snippets/` next to a `snippets.toml` that declares the
framework's fallback chain, environment variable names and server-client module. A source only needs `get`,
so the bundled files and (later) MCP resources are interchangeable.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

CONFIG_NAME = "snippets.toml"
PROPERTIES_NAME = "properties.toml"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)(\??)\s*\}\}")


class SnippetSource(Protocol):
    def get(self, framework: str, name: str) -> str | None:
        """The text of `skills/frameworks/<framework>/snippets/<name>`, or None when it does not exist."""
        ...


class BundledSnippets:
    """Snippets read from the bundled `skills/` folder (or `root`, a folder shaped like it)."""

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            from ..skills import bundled_skills_root

            root = bundled_skills_root()
        self.root = root
        self._frameworks = str(root / "frameworks")

    def get(self, framework: str, name: str) -> str | None:
        if not _safe_name(framework) or not _safe_name(name):
            return None
        path = os.path.join(self._frameworks, framework, "snippets", name)
        try:
            with open(path, encoding="utf-8") as file:
                return file.read()
        except (OSError, UnicodeDecodeError):
            return None


def _safe_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


@dataclass(frozen=True, slots=True)
class FrameworkSnippets:
    """One framework's snippets with its fallback chain resolved: `template(name)` looks along the chain."""

    framework: str
    chain: tuple[str, ...]  # the framework itself first, then its fallbacks (transitively, no repeats)
    config: dict[str, Any]  # snippets.toml merged along the chain (the framework's own values win)
    source: SnippetSource

    def template(self, *names: str) -> str | None:
        """The first of `names` found along the chain (a more specific name first, per framework)."""
        for framework in self.chain:
            for name in names:
                text = self.source.get(framework, name)
                if text is not None:
                    return text
        return None

    def setting(self, section: str, key: str, default: Any = None) -> Any:
        value = self.config.get(section, {})
        return value.get(key, default) if isinstance(value, dict) else default

    def properties(self) -> dict[str, Any]:
        """The first `properties.toml` along the chain (empty when there is none or it is malformed)."""
        return _parse_toml(self.template(PROPERTIES_NAME))


def load_framework(source: SnippetSource, framework: str) -> FrameworkSnippets:
    """Resolve `framework`'s fallback chain and merged settings. Never raises; unknown frameworks get an empty chain."""
    chain: list[str] = []
    configs: list[dict[str, Any]] = []
    pending = [framework]
    while pending and len(chain) < 16:
        current = pending.pop(0)
        if current in chain or not isinstance(current, str):
            continue
        config = _parse_toml(source.get(current, CONFIG_NAME))
        chain.append(current)
        configs.append(config)
        fallback = config.get("fallback", [])
        if isinstance(fallback, list):
            pending.extend(name for name in fallback if isinstance(name, str))
    merged: dict[str, Any] = {}
    for config in reversed(configs):  # the framework's own values override its fallbacks'
        for key, value in config.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return FrameworkSnippets(framework=framework, chain=tuple(chain), config=merged, source=source)


def _parse_toml(text: str | None) -> dict[str, Any]:
    return _parse_toml_cached(text) if text else {}


@lru_cache(maxsize=64)  # keyed by content: an edited snippets file is parsed again (callers never mutate it)
def _parse_toml_cached(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return {}


def render(template: str, values: dict[str, str]) -> list[str]:
    """Fill `{{name}}` placeholders; a line holding `{{name?}}` is dropped when that value is empty.

    Returns the rendered lines (no trailing empty line). Unknown placeholders render empty.
    """
    lines: list[str] = []
    for line in template.rstrip("\n").split("\n"):
        optional_empty = any(m.group(2) and not values.get(m.group(1)) for m in _PLACEHOLDER.finditer(line))
        if optional_empty:
            continue
        lines.append(_PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), line))
    return lines
