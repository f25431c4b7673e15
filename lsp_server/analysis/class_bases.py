"""The base classes of the class a Python method sits in: `class MyAdapter(DefaultAccountAdapter): def save_user(…)`
is allauth's signup hook ([[hooks]] `container` naming a base class)."""

from __future__ import annotations

from tree_sitter import Node

from .parsing import ParsedDocument


def of_method(doc: ParsedDocument, fn: Node) -> tuple[str, ...]:
    """Last segments of the bases of the class defining `fn` (`allauth.account.adapter.DefaultAccountAdapter` →
    `DefaultAccountAdapter`); () for a function outside a class or in JS."""
    if doc.language != "python":
        return ()
    node = fn.parent if fn.parent is not None and fn.parent.type == "decorated_definition" else fn
    block = node.parent
    cls = block.parent if block is not None and block.type == "block" else None
    bases = cls.child_by_field_name("superclasses") if cls is not None and cls.type == "class_definition" else None
    if bases is None:
        return ()
    return tuple(
        doc.node_text(b).rsplit(".", 1)[-1] for b in bases.named_children if b.type in ("identifier", "attribute")
    )
