"""Webhook event types written as SDK enum members (`case EventName.SubscriptionCreated:`, the Paddle Node SDK).

What the user sees: a webhook `switch` over an SDK's event enum is reported per event like one over string literals.
Vocabulary: `skills/detection/webhook_enums.toml`. Pure; never raises.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from functools import cache

from tree_sitter import Node

from ..skills import load_detection_toml
from .document_cache import contains_any  # whether an enum name occurs: reuses the last keystroke's answer
from .functions import Unit
from .parsing import ParsedDocument
from .vocabulary import tokens

log = logging.getLogger(__name__)

_FUNCTIONS = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "method_definition", "function_definition"}
)
_held: tuple[int, bytes | None, bool] = (0, None, False)  # (id of the document's bytes, them, enum names present)


@cache
def _pattern() -> re.Pattern[bytes] | None:
    names = [n for n in load_detection_toml("webhook_enums.toml").get("enums", []) if isinstance(n, str) and n]
    if not names:
        return None
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\.([A-Z][A-Za-z0-9]*)\b")


@cache
def _names() -> tuple[bytes, ...]:
    enums = load_detection_toml("webhook_enums.toml").get("enums", [])
    return tuple(n.encode() for n in enums if isinstance(n, str) and n)


def members(doc: ParsedDocument, unit: Unit, webhooks: Mapping[str, object]) -> Iterable[tuple[Node, str]]:
    """(member expression node, event type) of the enum members directly in `unit` (not in a nested function)."""
    try:
        yield from _members(doc, unit, webhooks)
    except Exception:  # an enum bug costs these flows only
        log.exception("webhook enum members failed")


def _members(doc: ParsedDocument, unit: Unit, webhooks: Mapping[str, object]) -> Iterable[tuple[Node, str]]:
    global _held
    pattern = _pattern()
    if pattern is None or unit.body is None:
        return
    data = doc.data
    held = _held  # read once: another thread may be analysing another document
    if held[0] != id(data) or held[1] is not data:  # one search per document, not per function
        held = _held = (id(data), data, contains_any(doc, _names()) and pattern.search(data) is not None)
    if not held[2]:
        return
    for m in pattern.finditer(data, unit.body.start_byte, unit.body.end_byte):
        event_type = _event_type(m.group(1).decode(), webhooks)
        node = doc.root.descendant_for_byte_range(m.start(), m.end())
        while node is not None and node.end_byte - node.start_byte < m.end() - m.start():
            node = node.parent
        if event_type is None or node is None or _nested(node, unit.node):
            continue
        yield node, event_type


def _event_type(member: str, webhooks: Mapping[str, object]) -> str | None:
    toks = tokens(member)
    if len(toks) < 2:
        return None
    for candidate in (f"{toks[0]}.{'_'.join(toks[1:])}", "_".join(toks), ".".join(toks)):
        if candidate in webhooks:
            return candidate
    return None


def _nested(node: Node, fn: Node) -> bool:
    cur = node.parent
    while cur is not None and cur != fn:
        if cur.type in _FUNCTIONS:
            return True
        cur = cur.parent
    return False
