"""Promise executors: `new Promise((resolve) => { c.cookie('s', '', { maxAge: -1 }); … })` runs its callback at once,
so the calls in it are the enclosing function's own (a handler wrapping its work in a Promise still shows it)."""

from __future__ import annotations

from .functions import Unit
from .parsing import ParsedDocument

_CONSTRUCTORS = frozenset({"Promise"})


def adopt(units: list[Unit], doc: ParsedDocument) -> None:
    """Add each Promise executor's calls and strings to the function it sits in (units are fresh per analysis:
    updated in place). Never raises."""
    if doc.language == "python" or b"Promise" not in doc.data:
        return
    try:
        for unit in units:
            outer = unit.parent  # before the node: no tree look-up for a function remembered while typing
            if outer is None or not unit.calls:
                continue
            args = unit.node.parent
            if args is None or args.type != "arguments":
                continue
            new = args.parent
            ctor = new.child_by_field_name("constructor") if new is not None and new.type == "new_expression" else None
            if ctor is None or doc.node_text(ctor) not in _CONSTRUCTORS or outer.body is None:
                continue
            if not (outer.body.start_byte <= new.start_byte and new.end_byte <= outer.body.end_byte):
                continue
            known = {id(c.node) for c in outer.calls}
            outer.calls = sorted(
                [*outer.calls, *(c for c in unit.calls if id(c.node) not in known)], key=lambda c: c.node.start_byte
            )
            outer.strings = sorted([*outer.strings, *unit.strings], key=lambda s: s.start_byte)
    except Exception:  # a reader bug costs this evidence, never the analysis
        return
