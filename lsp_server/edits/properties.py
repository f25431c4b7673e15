"""Event and person properties for a flow's PostHog calls, chosen from `properties.toml` by what the code shows.

Only expressions visible before the insertion point are used, so the inserted code never names something that
is not in scope; flow kinds without entries get no properties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..analysis.model import Language


@dataclass(frozen=True, slots=True)
class Property:
    name: str
    value: str  # source text: an expression, or a string literal in the template's quote style
    literal: bool


def choose(
    table: dict[str, Any], section: str, kind: str, before: str, whole: str, language: Language, quote: str
) -> list[Property]:
    """Properties of `table[section][kind]` found in the code: `before` = function text up to the insertion point,
    `whole` = the whole function (markers may come later, e.g. the provider name in the same call)."""
    entries = table.get(section, {}).get(kind, []) if isinstance(table.get(section), dict) else []
    chosen: list[Property] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        found = _expression(entry.get("expr", []), before, language) or _marker(entry.get("when", []), whole)
        if found is not None:
            value, literal = found
            chosen.append(Property(entry["name"], quote + value + quote if literal else value, literal))
    return chosen


def _expression(candidates: Any, before: str, language: Language) -> tuple[str, bool] | None:
    for expr in candidates if isinstance(candidates, list) else []:
        if isinstance(expr, str) and expr and _visible(expr, before, language):
            return expr, False
    return None


def _marker(pairs: Any, whole: str) -> tuple[str, bool] | None:
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair) and pair[0] in whole:
            return pair[1], True
    return None


def _visible(expr: str, before: str, language: Language) -> bool:
    escaped = re.escape(expr)
    if "." in expr or "[" in expr:  # a path must appear as written and not be a method being called
        return re.search(rf"(?<![\w.$]){escaped}(?![\w$(])", before) is not None
    name = escaped
    if language == "python":
        patterns = [
            rf"^\s*(?:[\w.]+\s*,\s*)*{name}\s*(?:,\s*[\w.]+\s*)*(?::[^=\n]*)?=(?!=)",  # an assignment statement
            rf"\bdef\s+\w+\([^)]*\b{name}\b",  # a parameter
            rf"\bfor\s+{name}\b",
        ]
    else:
        patterns = [
            rf"\b(?:const|let|var)\s+{name}\b",
            rf"[{{,]\s*{name}\s*[,}}=]",  # destructuring (or a shorthand property: the name is in scope)
            rf"\(\s*(?:[\w$]+\s*(?::[^,()]*)?,\s*)*{name}\s*(?::[^,()]*)?[,)=]",  # a parameter (or an argument)
            rf"^\s*{name}\s*=(?![=>])",  # an assignment statement
        ]
    return any(re.search(p, before, re.M) for p in patterns)
