"""tRPC procedures keyed by a generic verb take the flow words of their router or file (`signUpRouter =
createTRPCRouter({ create: publicProcedure.mutation(…) })` in `routers/signup.ts` is a signup). Vocabulary:
`skills/detection/procedures.toml`. Pure; never raises."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from tree_sitter import Node

from ..skills import load_detection_toml
from .functions import Unit, dotted_name
from .parsing import ParsedDocument
from .vocabulary import Vocabulary, tokens

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Config:
    router_callees: frozenset[str]
    generic_keys: frozenset[str]
    router_suffixes: tuple[str, ...]


@cache
def _config() -> _Config:
    data = load_detection_toml("procedures.toml").get("procedures", {})
    return _Config(
        frozenset(data.get("router_callees", [])),
        frozenset(data.get("generic_keys", [])),
        tuple(data.get("router_suffixes", [])),
    )


def rename(units: list[Unit], doc: ParsedDocument, vocab: Vocabulary, path: str) -> None:
    """Give each generic-keyed procedure of a router the flow words of the router variable or the file stem (units are
    fresh per analysis: updated in place; the symbol the user sees stays the key). Never raises."""
    if doc.language == "python" or b"outer(" not in doc.data:
        return
    try:
        config = _config()
        for unit in units:
            if unit.name not in config.generic_keys or unit.parent is not None or not unit.calls:
                continue
            router = _router_variable(doc, unit.node, unit.name, config)
            if router is None or not _known_call(unit, doc, vocab):
                continue
            for source in (_strip(router, config.router_suffixes), path.rsplit("/", 1)[-1].split(".", 1)[0]):
                padded = " " + " ".join(tokens(source)) + " "
                if any(kv.matches_name(padded) for kv in vocab.kinds.values()):  # names, not route words (`auth`)
                    unit.name = f"{source} {unit.name}"
                    break
    except Exception:  # a reader bug costs these names, never the analysis
        log.exception("procedure names failed")


def _router_variable(doc: ParsedDocument, fn: Node, key: str, config: _Config) -> str | None:
    """The variable holding the router call whose object has the procedure `fn` under `key`, if any."""
    node: Node | None = fn
    while node is not None and node.type != "pair":
        if node.type in ("statement_block", "program", "class_body"):
            return None
        node = node.parent
    name = node.child_by_field_name("key") if node is not None else None
    if name is None or doc.node_text(name).strip("'\"") != key:
        return None
    obj = node.parent
    args = obj.parent if obj is not None and obj.type == "object" else None
    call = args.parent if args is not None and args.type == "arguments" else None
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if callee is None:
        return None
    dotted = dotted_name(doc.node_text(callee))
    if dotted not in config.router_callees and dotted.rsplit(".", 1)[-1] not in config.router_callees:
        return None
    decl = call.parent
    var = decl.child_by_field_name("name") if decl is not None and decl.type == "variable_declarator" else None
    return doc.node_text(var) if var is not None else ""


def _known_call(unit: Unit, doc: ParsedDocument, vocab: Vocabulary) -> bool:
    """The procedure makes a call the vocabulary names (a support or strong rule of any kind)."""
    return any(vocab.call_rules(c.dotted, c.callee_text, c.args_text(doc), doc.text) for c in unit.calls)


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return "" if name in suffixes else name
