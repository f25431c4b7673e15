"""Rewrites of stale PostHog calls into today's API, as replacement text for the call's span (None = not safe)."""

from __future__ import annotations

from tree_sitter import Node

from .model import PosthogCall
from .parsing import ParsedDocument
from .posthog_vocab import PosthogVocabulary
from .syntax import arguments, node_at


def _callee_with_method(doc: ParsedDocument, fn: Node, method: str) -> str:
    """`ph?.capture` → `ph?.<method>` (keeps optional chaining and receivers as written)."""
    prop = fn.child_by_field_name("property") or fn.child_by_field_name("attribute")
    if prop is None:  # a bare function imported from posthog
        return method
    head = doc.data[fn.start_byte : prop.start_byte].decode("utf-8", "replace")
    return head + method


def _python_call(doc: ParsedDocument, node: Node, callee: str, names: tuple[str, ...], keep: str = "") -> str | None:
    """Old positional arguments → keywords named by `names` (the one named `keep` stays positional), or None."""
    positional, keywords = arguments(node)
    if "**" in keywords or len(positional) > len(names):
        return None
    lead: list[str] = []
    parts: list[str] = []
    for name, arg in zip(names, positional, strict=False):
        if keep and name == keep:
            lead.append(doc.node_text(arg))
        elif not name or name in keywords:
            return None  # an argument with no current equivalent, or given twice
        else:
            parts.append(f"{name}={doc.node_text(arg)}")
    parts += [f"{name}={doc.node_text(value)}" for name, value in keywords.items()]
    return f"{callee}({', '.join(lead + parts)})"


def _python_capture(doc: ParsedDocument, node: Node, vocab: PosthogVocabulary, properties_form: bool) -> str | None:
    fn = node.child_by_field_name("function")
    if fn is None:
        return None
    # capture('event', {...}) only put the properties positionally; capture('id', 'event', ...) is the ≤5.x order
    names = ("event", "properties") if properties_form else vocab.legacy_capture_positional
    return _python_call(doc, node, doc.node_text(fn), names, keep="event")


def _python_identify(doc: ParsedDocument, node: Node, vocab: PosthogVocabulary) -> str | None:
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "attribute":
        return None  # a bare `set(...)` would call the builtin
    return _python_call(doc, node, _callee_with_method(doc, fn, "set"), vocab.legacy_identify_positional)


def _python_api_key(doc: ParsedDocument, node: Node) -> str | None:
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None:
        return None
    return f"{_callee_with_method(doc, left, 'project_api_key')} = {doc.node_text(right)}"


def _node_object(doc: ParsedDocument, node: Node, fields: tuple[str, ...], minimum: int) -> str | None:
    """`c.capture('u1', 'evt', props)` → `c.capture({ distinctId: 'u1', event: 'evt', properties: props })`."""
    fn = node.child_by_field_name("function")
    positional, keywords = arguments(node)
    if fn is None or keywords or not minimum <= len(positional) <= len(fields):
        return None  # e.g. capture('evt') names no user: nothing safe to write
    pairs = ", ".join(f"{name}: {doc.node_text(arg)}" for name, arg in zip(fields, positional, strict=False))
    return f"{doc.node_text(fn)}({{ {pairs} }})"


def _rename(doc: ParsedDocument, node: Node, method: str) -> str | None:
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if fn is None or args is None:
        return None
    return _callee_with_method(doc, fn, method) + doc.node_text(args)


def rewrite(doc: ParsedDocument, call: PosthogCall, vocab: PosthogVocabulary) -> str | None:
    """The current-API text replacing `call.span`, when it can be computed safely. Never raises."""
    try:
        if call.legacy == "python_api_key":
            node = node_at(doc, call.span, ("assignment",))
            return _python_api_key(doc, node) if node is not None else None
        node = node_at(doc, call.span, ("call", "call_expression"))
        if node is None:
            return None
        match call.legacy:
            case "python_positional_capture":
                return _python_capture(doc, node, vocab, properties_form=False)
            case "python_positional_properties":
                return _python_capture(doc, node, vocab, properties_form=True)
            case "python_identify":
                return _python_identify(doc, node, vocab)
            case "node_positional_capture":
                return _node_object(doc, node, ("distinctId", "event", "properties"), 2)
            case "node_positional_identify":
                return _node_object(doc, node, ("distinctId", "properties"), 1)
            case "node_shutdown_async":
                return _rename(doc, node, "shutdown")
    except Exception:
        return None
    return None
