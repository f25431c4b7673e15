"""Svelte and Vue single-file components: their `<script>` blocks as one JS/TS text at the same lines and columns.

Everything outside the script blocks (markup, styles, the `<script>` tags themselves) becomes spaces, newlines kept,
so a line and column in the script text is the same line and column in the .svelte / .vue file: findings and edits
need no mapping back. Markup is not analysed. Never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Grammar = Literal["javascript", "typescript", "tsx"]
COMPONENT_EXTENSIONS = {".svelte": "svelte", ".vue": "vue"}
COMPONENT_LANGUAGES = frozenset(COMPONENT_EXTENSIONS.values())

_OPEN = re.compile(r"""<script\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.I)
_CLOSE = re.compile(r"</script\s*>", re.I)
_IGNORED = re.compile(r"<!--.*?(?:-->|\Z)|<svelte:head\b.*?(?:</svelte:head\s*>|\Z)", re.I | re.S)
_ATTR = re.compile(r"""([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_JS_TYPES = frozenset({"", "module", "text/javascript", "application/javascript", "text/typescript", "ts"})
_LANGS: dict[str, Grammar] = {"ts": "typescript", "typescript": "typescript", "tsx": "tsx", "js": "javascript",
                              "javascript": "javascript", "jsx": "javascript"}


@dataclass(frozen=True, slots=True)
class ScriptBlock:
    """One component script: its content's character range, the line its opening tag ends on, its language."""

    start: int
    end: int
    open_line: int
    grammar: Grammar
    instance: bool  # Svelte's instance script / Vue's `<script setup>`: where new imports and code go


def script_blocks(text: str, component: str = "svelte") -> list[ScriptBlock]:
    """The component's script blocks in file order; `<script>` tags inside comments or `<svelte:head>` (plain HTML
    scripts) and non-JS types (`application/ld+json`) are not the component's code."""
    try:
        ignored = []
        if "<!--" in text or "svelte:head" in text:
            ignored = [(m.start(), m.end()) for m in _IGNORED.finditer(text)]
        blocks: list[ScriptBlock] = []
        pos = 0
        while (opening := _OPEN.search(text, pos)) is not None:
            close = _CLOSE.search(text, opening.end())
            end = close.start() if close is not None else len(text)
            pos = close.end() if close is not None else len(text)
            if any(a <= opening.start() < b for a, b in ignored) or opening.group(1).rstrip().endswith("/"):
                continue
            attrs = {m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR.finditer(
                opening.group(1))}
            if attrs.get("type", "").lower() not in _JS_TYPES:
                continue
            module = "module" in attrs or attrs.get("context") == "module"
            instance = "setup" in attrs if component == "vue" else not module
            grammar = _LANGS.get(attrs.get("lang", "").lower(), "javascript")
            blocks.append(ScriptBlock(opening.end(), end, text.count("\n", 0, opening.end()), grammar, instance))
        return blocks
    except Exception:  # analysis never fails: no blocks is no findings
        return []


def script_text(text: str, component: str = "svelte") -> tuple[str, Grammar, int]:
    """(`text` with everything but its script blocks blanked, the grammar that parses it, the first line new code
    may go on: the line after the instance script's opening tag). Without a script: all blank."""
    blocks = script_blocks(text, component)
    grammar: Grammar = "javascript"
    for block in blocks:
        if block.grammar != "javascript":
            grammar = block.grammar
    parts: list[str] = []
    pos = 0
    for block in blocks:
        parts.append(_blank(text[pos : block.start]))
        parts.append(text[block.start : block.end])
        pos = block.end
    parts.append(_blank(text[pos:]))
    main = next((b for b in blocks if b.instance), blocks[0] if blocks else None)
    return "".join(parts), grammar, (main.open_line + 1) if main is not None else 0


def _blank(text: str) -> str:
    """Spaces for every character but line breaks (per line: ~15x faster than a regex substitution)."""
    return "\n".join(
        " " * (len(line) - 1) + "\r" if line.endswith("\r") else " " * len(line) for line in text.split("\n")
    )

