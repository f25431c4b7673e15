"""Generic create views over the user model (DRF `CreateAPIView`): the registration endpoint, whatever its name.

What the user sees: `class CreateUserView(CreateAPIView)` with `queryset = get_user_model().objects.all()` and a
`create` method is a signup, captured after the user is saved; a staff-only view creating users is not.
Vocabulary: `skills/detection/create_views.toml`. Pure; never raises.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache

from tree_sitter import Node

from ..skills import load_detection_toml
from .functions import Call, Unit
from .model import FlowKind
from .parsing import ParsedDocument

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _View:
    kind: FlowKind
    bases: frozenset[str]
    methods: frozenset[str]
    model_re: re.Pattern[str]
    exclude_re: re.Pattern[str] | None
    saved_calls: tuple[str, ...]
    confidence: float


@cache
def _views() -> tuple[_View, ...]:
    out = []
    for entry in load_detection_toml("create_views.toml").get("views", []):
        try:
            out.append(
                _View(
                    kind=FlowKind(entry["kind"]),
                    bases=frozenset(entry.get("bases", [])),
                    methods=frozenset(entry.get("methods", [])),
                    model_re=re.compile(entry["model_re"]),
                    exclude_re=re.compile(entry["exclude_re"]) if entry.get("exclude_re") else None,
                    saved_calls=tuple(entry.get("saved_calls", [])),
                    confidence=float(entry.get("confidence", 0.7)),
                )
            )
        except (KeyError, ValueError, re.error):
            log.warning("create_views.toml: invalid entry %r", entry)
    return tuple(out)


def find(doc: ParsedDocument, units: list[Unit]) -> list[tuple[Unit, FlowKind, float, str, Call | None]]:
    """(unit, kind, confidence, evidence, the call after which the object exists) per create view method."""
    try:
        return _find(doc, units)
    except Exception:  # costs these flows only
        log.exception("create view check failed")
        return []


def _find(doc: ParsedDocument, units: list[Unit]) -> list[tuple[Unit, FlowKind, float, str, Call | None]]:
    views = _views()
    if doc.language != "python" or not any(b in doc.text for v in views for b in v.bases):
        return []
    out = []
    for unit in units:
        method = unit.symbol.rpartition(".")[2]
        cls = _class_of(unit.node)
        if cls is None or "." not in unit.symbol:
            continue
        bases = cls.child_by_field_name("superclasses")
        base_names = {doc.node_text(b).rsplit(".", 1)[-1] for b in bases.named_children} if bases is not None else set()
        for view in views:
            if method not in view.methods or view.bases.isdisjoint(base_names):
                continue
            text = doc.node_text(cls)
            if not view.model_re.search(text) or (view.exclude_re is not None and view.exclude_re.search(text)):
                continue
            saved = next((c for c in reversed(unit.calls) if _suffix(c.dotted, view.saved_calls)), None)
            base = next(iter(sorted(view.bases & base_names)))
            out.append((unit, view.kind, view.confidence, f"creates the user model in a {base}", saved))
    return out


def user_id(doc: ParsedDocument, unit: Unit) -> str | None:
    """The saved user's id after `self.perform_create(serializer)`: `str(serializer.instance.pk)`."""
    body = doc.node_text(unit.body) if unit.body is not None else ""
    return "str(serializer.instance.pk)" if _SERIALIZER_RE.search(body) else None


_SERIALIZER_RE = re.compile(r"(?m)^\s*serializer\s*=|perform_create\(\s*serializer\s*\)")


def _class_of(fn: Node) -> Node | None:
    node = fn.parent
    if node is not None and node.type == "decorated_definition":
        node = node.parent
    node = node.parent if node is not None and node.type == "block" else None
    return node if node is not None and node.type == "class_definition" else None


def _suffix(dotted: str, suffixes: tuple[str, ...]) -> bool:
    dotted = dotted.removeprefix("self.").replace("super.", "super.", 1)
    return any(dotted == s or dotted.endswith("." + s) for s in suffixes)
