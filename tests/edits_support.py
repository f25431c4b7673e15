"""Helpers for the edit-planning tests: build flows by hand, re-plan after applying, check the result parses."""

from __future__ import annotations

from dataclasses import replace

from lsp_server.analysis.model import Flow, FlowKind, Package, Span
from lsp_server.analysis.parsing import language_for_path, parse
from lsp_server.edits import PlannedEdit, apply_edits

# An Express webhook (CommonJS, tabs, no semicolons): planned in test_edits_planning, run in test_generated_code_runs.
BILLING_CJS = """const express = require('express')

const router = express.Router()

router.post('/webhook', async (req, res) => {
\tconst paymentIntent = req.body.data.object
\tif (paymentIntent.status === 'succeeded') {
\t\tawait recordPayment(paymentIntent.metadata.userId, paymentIntent.amount, paymentIntent.currency)
\t}
\tres.sendStatus(200)
})

async function recordPayment() {}

module.exports = { router }
"""


def flow(
    path: str,
    kind: FlowKind,
    insert_line: int,
    indent: str,
    *,
    event: str,
    side: str = "server",
    user_id: str | None = None,
    span: tuple[int, int] = (0, 200),
) -> Flow:
    return Flow(
        path=path,
        symbol="handler",
        kind=kind,
        span=Span(span[0], 0, span[1], 0),
        insert_line=insert_line,
        insert_indent=indent,
        event=event,
        confidence=0.9,
        side=side,  # type: ignore[arg-type]
        user_id_expr=user_id,
        needs_identify=kind in (FlowKind.LOGIN, FlowKind.SIGNUP),
        needs_reset=kind == FlowKind.LOGOUT and side == "client",
    )


def billing_flow() -> Flow:
    """The payment in BILLING_CJS, as the detector reports it: inside the `if`, after recordPayment()."""
    return flow(
        "src/routes/billing.js",
        FlowKind.PAYMENT_SUCCEEDED,
        8,
        "\t\t",
        event="payment_succeeded",
        user_id="paymentIntent.metadata.userId",
        span=(4, 10),
    )


def package(framework: str, language: str = "typescript", path: str = ".") -> Package:
    return Package(path=path, framework=framework, language=language, package_manager="npm")  # type: ignore[arg-type]


def lines_added_before(edits: list[PlannedEdit], path: str, line: int) -> int:
    """How many lines the edits to `path` insert above `line` (to re-plan with the detector's new positions)."""
    return sum(
        e.new_text.count("\n")
        for e in edits
        if not e.create_file and e.path == path and e.span.start_line < line and e.span.start_line == e.span.end_line
    )


def shifted(f: Flow, edits: list[PlannedEdit]) -> Flow:
    """The same flow as the detector would report it in the edited text."""
    added = lines_added_before(edits, f.path, f.insert_line)
    moved = lines_added_before(edits, f.path, f.insert_line + 1)  # the block inserted at the point itself
    return replace(
        f,
        insert_line=f.insert_line + moved,
        span=Span(f.span.start_line + added, 0, f.span.end_line + moved + 50, 0),
    )


def error_nodes(text: str, path: str) -> list[str]:
    """Source of every ERROR/MISSING node in `text` parsed as `path`'s language (empty = parses cleanly)."""
    language = language_for_path(path)
    assert language is not None
    doc = parse(text.replace("\r\n", "\n"), language)
    assert doc is not None
    found, stack = [], [doc.root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            found.append(f"{node.start_point}: {doc.node_text(node)[:60]!r}")
        stack.extend(node.children)
    return found


def created(edits: list[PlannedEdit]) -> dict[str, str]:
    return {e.path: e.new_text for e in edits if e.create_file}


def apply(text: str, edits: list[PlannedEdit], path: str) -> str:
    return apply_edits(text, [e for e in edits if e.path == path])
