"""Quick fixes for PostHog diagnostics and the `posthog-ignore` comment, planned as edits.

Each fix reads what it needs from the finding's `data` (written by analysis/rules.py): the insertion point
(`insert_line`, `indent`), the user id expression (`user_id_expr`), the side, the flow (`kind`, `event`,
`symbol`), a `replacement` for stale calls and `env_var` for hard-coded keys.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from ..analysis.model import Finding, Flow, FlowKind, Package, Span
from ..analysis.parsing import language_for_path
from . import code_scan
from .model import PlannedEdit
from .planner import Exists, load_target, plan_flow_tracking, plan_pieces
from .snippets import SnippetSource, render
from .text_style import split_lines

log = logging.getLogger(__name__)
_COMMENT = {"python": "#"}  # every other language uses //
_FLUSH_OPTIONS = re.compile(r"\bflushAt\b")


def plan_quick_fix(
    text: str,
    path: str,
    finding: Finding,
    package: Package | None,
    snippets: SnippetSource,
    *,
    flow: Flow | None = None,
    exists: Exists | None = None,
) -> list[PlannedEdit]:
    """Edits that fix `finding` (empty when there is no automatic fix or it is already fixed). Never raises."""
    try:
        return _fix(text, path, finding, package, snippets, flow, exists)
    except Exception:
        log.exception("quick fix failed for %s %s", finding.code, path)
        return []


def _fix(
    text: str,
    path: str,
    finding: Finding,
    package: Package | None,
    snippets: SnippetSource,
    flow: Flow | None,
    exists: Exists | None,
) -> list[PlannedEdit]:
    code, data = finding.code, finding.data or {}
    if code == "posthog/legacy-api":
        replacement = data.get("replacement")
        if not isinstance(replacement, str) or _text_at(text, finding.span) == replacement:
            return []
        return [PlannedEdit(path, finding.span, replacement, "Use the current PostHog API", "legacy-api")]
    if code == "posthog/hardcoded-key":
        return _env_key(text, path, finding, package, snippets)
    if code == "posthog/serverless-no-flush":
        options = _flush_options(text, path, finding, package, snippets)
        if options:
            return options
    flow = flow or flow_from_finding(path, finding)
    if flow is None:
        return []
    if code == "posthog/untracked-flow":
        return plan_flow_tracking(text, path, flow, package, snippets, exists=exists)
    if code == "posthog/missing-identify":
        return plan_pieces(text, path, flow, package, snippets, {"identify"}, exists=exists)
    if code == "posthog/missing-reset":
        return plan_pieces(text, path, _client(flow), package, snippets, {"reset"}, exists=exists)
    if code == "posthog/serverless-no-flush":
        receiver = data.get("receiver") if isinstance(data.get("receiver"), str) else None
        return plan_pieces(text, path, flow, package, snippets, {"flush"}, exists=exists, receiver=receiver)
    return []


def _client(flow: Flow) -> Flow:
    return replace(flow, side="client")  # reset only exists in the browser SDK


def flow_from_finding(path: str, finding: Finding) -> Flow | None:
    """The flow a finding is about, rebuilt from its `data` (None when the data has no insertion point)."""
    data: dict[str, Any] = finding.data or {}
    line = data.get("insert_line")
    if not isinstance(line, int):
        return None
    try:
        kind = FlowKind(data.get("kind") or "login")
    except ValueError:
        kind = FlowKind.LOGIN
    span = finding.span
    flow_span = data.get("flow_span")
    if isinstance(flow_span, list | tuple) and len(flow_span) == 4 and all(isinstance(v, int) for v in flow_span):
        span = Span(*flow_span)
    side = data.get("side") if data.get("side") in ("client", "server") else "server"
    user_id = data.get("user_id_expr")
    binding = data.get("user_id_binding")
    bind = None
    if isinstance(binding, list) and len(binding) == 3 and isinstance(binding[2], str):
        line_at, col_at = binding[0], binding[1]
        if isinstance(line_at, int) and isinstance(col_at, int):
            bind = (Span(line_at, col_at, line_at, col_at), binding[2])
    return Flow(
        path=path,
        symbol=str(data.get("symbol") or ""),
        kind=kind,
        span=span,
        insert_line=line,
        insert_indent=str(data.get("indent", data.get("insert_indent", "")) or ""),
        event=str(data.get("event") or finding.code.rsplit("/", 1)[-1]),  # also the group of the fix's edits
        confidence=float(data.get("confidence", 1.0) or 1.0),
        side=side,
        user_id_expr=user_id if isinstance(user_id, str) and user_id else None,
        user_id_binding=bind if isinstance(user_id, str) and user_id else None,
        needs_identify=bool(data.get("needs_identify", False)),
        needs_reset=bool(data.get("needs_reset", False)),
        also_insert=_places(data.get("also_insert")),
    )


def _places(value: object) -> tuple[tuple[int, str], ...]:
    """`[[line, indent], …]` from a diagnostic's data (sibling success branches), ignoring anything else."""
    items = value if isinstance(value, list) else []
    pairs = [i for i in items if isinstance(i, list | tuple) and len(i) == 2]
    return tuple((at, indent) for at, indent in pairs if isinstance(at, int) and isinstance(indent, str))


def _text_at(text: str, span: Span) -> str:
    lines = split_lines(text.removeprefix("\ufeff"))
    if not 0 <= span.start_line <= span.end_line < len(lines):
        return ""
    if span.start_line == span.end_line:
        return lines[span.start_line][span.start_col : span.end_col]
    middle = lines[span.start_line + 1 : span.end_line]
    return "\n".join([lines[span.start_line][span.start_col :], *middle, lines[span.end_line][: span.end_col]])


def _env_key(
    text: str, path: str, finding: Finding, package: Package | None, snippets: SnippetSource
) -> list[PlannedEdit]:
    """Replace a hard-coded project key with the framework's environment variable read."""
    target = load_target(text, path, package, snippets, str(finding.data.get("side") or "server"))
    if target is None:
        return []
    literal = _text_at(text, finding.span)
    if not re.fullmatch(r"""\s*(['"`]).*\1\s*""", literal, re.S):
        return []  # not a string literal (any more): nothing to replace
    if "replacement" in finding.data and not isinstance(finding.data["replacement"], str):
        return []  # the key is only part of the string: the user has to split it
    variable = finding.data.get("env_var") or target.env("key")
    template = target.snippets.template("env.py.tmpl" if target.python else "env.js.tmpl")
    if not variable or template is None:
        return []
    expression = finding.data.get("replacement") or "".join(render(template, {"var": str(variable)}))
    group = "hardcoded-key"
    label = f"Read the PostHog key from {variable}"
    edits = [PlannedEdit(path, finding.span, expression, label, group)]
    needed = target.snippets.setting("env", "read_import")
    module = needed.split()[-1] if isinstance(needed, str) and needed.strip() else ""
    used = bool(module) and re.search(rf"\b{re.escape(module)}\.", expression) is not None
    missing = used and not re.search(rf"^{re.escape(str(needed))}\b", text, re.M)
    if target.python and missing:
        at = code_scan.import_line(target.doc, target.lines, target.language, False)
        edits.insert(0, PlannedEdit(path, Span(at, 0, at, 0), needed + target.style.newline, label, group))
    binding = target.snippets.setting("env", "read_binding")  # SvelteKit: `env` from '$env/dynamic/public'
    if not target.python and isinstance(needed, str) and isinstance(binding, str) and binding:
        bound = re.search(rf"(?m)^\s*import\b[^\n]*[{{,\s]{re.escape(binding)}\s*[,}}]", text)
        if re.search(rf"(?<![\w$.]){re.escape(binding)}\.", expression) and not bound:
            at = code_scan.import_line(target.doc, target.lines, target.language, False)
            edits.insert(0, PlannedEdit(path, Span(at, 0, at, 0), needed + target.style.newline, label, group))
    return edits


def _flush_options(
    text: str, path: str, finding: Finding, package: Package | None, snippets: SnippetSource
) -> list[PlannedEdit]:
    """Add `flushAt: 1, flushInterval: 0` to a `new PostHog(...)` the finding points at (JS/TS only)."""
    call = _text_at(text, finding.span)
    if language_for_path(path) in (None, "python") or "new PostHog" not in call or _FLUSH_OPTIONS.search(call):
        return []
    target = load_target(text, path, package, snippets, "server")
    template = target.template("flush_options", "server") if target else None
    if target is None or template is None:
        return []
    options = "".join(render(template, {})).strip()
    if target.style.quote != "'":
        options = options.replace("'", target.style.quote)
    group, label = "serverless-no-flush", "Send each PostHog event at once (serverless)"
    brace = call.find("{", call.find("("))
    if brace >= 0:
        inner = call[brace + 1 :].lstrip()
        insert = options if inner.startswith("}") else options + ","
        at = _advance(finding.span, call, brace + 1)
        return [PlannedEdit(path, Span(*at, *at), " " + insert, label, group)]
    close = call.rfind(")")
    if close < 0:
        return []
    at = _advance(finding.span, call, close)
    return [PlannedEdit(path, Span(*at, *at), ", { " + options + " }", label, group)]


def _advance(span: Span, text: str, offset: int) -> tuple[int, int]:
    """The document position `offset` characters into `text`, which starts at `span`'s start."""
    before = text[:offset]
    newlines = before.count("\n")
    if not newlines:
        return span.start_line, span.start_col + offset
    return span.start_line + newlines, len(before) - before.rfind("\n") - 1


def plan_ignore(text: str, path: str, finding: Finding) -> PlannedEdit:
    """A `posthog-ignore: <code>` comment on its own line above the finding, indented like that line."""
    lines = split_lines(text.removeprefix("\ufeff"))
    line = min(max(finding.span.start_line, 0), max(len(lines) - 1, 0))
    current = lines[line] if lines else ""
    indent = current[: len(current) - len(current.lstrip())]
    comment = _COMMENT.get(language_for_path(path) or "", "//")
    newline = "\r\n" if "\r\n" in text else "\n"
    new_text = f"{indent}{comment} posthog-ignore: {finding.code}{newline}"
    return PlannedEdit(path, Span(line, 0, line, 0), new_text, f"Ignore {finding.code} here", finding.code)
