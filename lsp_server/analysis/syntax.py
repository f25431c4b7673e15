"""Small tree-sitter helpers shared by usage and rules: literals, arguments, object keys, locating a span's node."""

from __future__ import annotations

from tree_sitter import Node

from .model import Span
from .parsing import ParsedDocument

# wrappers that do not change what an expression is (`await x`, `(x)`, `x!`, `x as T`)
TRANSPARENT = frozenset(
    {
        "await_expression",
        "parenthesized_expression",
        "non_null_expression",
        "as_expression",
        "satisfies_expression",
        "await",
    }
)


def unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in TRANSPARENT and node.named_child_count:
        node = node.named_children[-1] if node.type == "await" else node.named_children[0]
    return node


def static_string(doc: ParsedDocument, node: Node | None) -> str | None:
    """The value of a string literal without interpolation (JS string/template, Python str), else None."""
    if node is None:
        return None
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return doc.node_text(node)[1:-1]
    if node.type != "string":
        return None
    if doc.language == "python":
        start = next((c for c in node.children if c.type == "string_start"), None)
        prefix = doc.node_text(start).lower() if start else ""
        if "f" in prefix or "b" in prefix or any(c.type == "interpolation" for c in node.named_children):
            return None
        return "".join(doc.node_text(c) for c in node.named_children if c.type == "string_content")
    return doc.node_text(node)[1:-1]


def arguments(node: Node) -> tuple[list[Node], dict[str, Node]]:
    """(positional argument nodes, keyword argument value nodes) of a call or `new` expression."""
    args = node.child_by_field_name("arguments")
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    if args is None:
        return positional, keywords
    for child in args.named_children:
        if child.type == "comment":
            continue
        if child.type == "keyword_argument":
            name, value = child.child_by_field_name("name"), child.child_by_field_name("value")
            if name is not None and value is not None:
                keywords[name.text.decode("utf-8", "replace") if name.text else ""] = value
        elif child.type in ("list_splat", "dictionary_splat", "spread_element"):
            keywords.setdefault("**", child)  # unknown extra arguments: never rewrite such a call
        else:
            positional.append(child)
    return positional, keywords


def object_entries(doc: ParsedDocument, node: Node | None) -> list[tuple[str, Node, Node | None]]:
    """Literal keys of a JS object or Python dict as (key, key node, value node); spreads and computed keys skipped."""
    node = unwrap(node)
    if node is None or node.type not in ("object", "dictionary"):
        return []
    out: list[tuple[str, Node, Node | None]] = []
    for child in node.named_children:
        if child.type == "shorthand_property_identifier":
            out.append((doc.node_text(child), child, child))
        elif child.type == "pair":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            if key is None:
                continue
            if key.type in ("property_identifier", "number", "identifier") and doc.language != "python":
                out.append((doc.node_text(key), key, value))
            else:
                text = static_string(doc, key)
                if text is not None:
                    out.append((text, key, value))
    return out


def entry(doc: ParsedDocument, node: Node | None, name: str) -> Node | None:
    """The value of `name` in a literal object/dict, if present."""
    return next((value for key, _, value in object_entries(doc, node) if key == name), None)


def node_at(doc: ParsedDocument, span: Span, types: tuple[str, ...]) -> Node | None:
    """The node of one of `types` whose span is exactly `span` (e.g. to get back from a PosthogCall to its tree)."""
    try:
        start = (span.start_line, len(doc.line_text(span.start_line)[: span.start_col].encode("utf-8")))
        end = (span.end_line, len(doc.line_text(span.end_line)[: span.end_col].encode("utf-8")))
        node = doc.root.descendant_for_point_range(start, end)
    except Exception:
        return None
    while node is not None:
        if node.type in types and doc.span(node) == span:
            return node
        if node.start_point < start or node.end_point > end:
            return None
        node = node.parent
    return None


def enclosing(node: Node | None, types: frozenset[str]) -> Node | None:
    node = node.parent if node is not None else None
    while node is not None and node.type not in types:
        node = node.parent
    return node


FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "function_definition",
        "generator_function_declaration",
        "function",
    }
)


def function_name(doc: ParsedDocument, fn: Node | None) -> str | None:
    """The name a function is known by: its own name, or the variable/property it is assigned to."""
    if fn is None:
        return None
    name = fn.child_by_field_name("name")
    if name is not None:
        return doc.node_text(name)
    parent = fn.parent
    if parent is not None and parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
        return doc.node_text(target) if target is not None else None
    return None
