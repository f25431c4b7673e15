"""Diagnostic rules: turn flows and existing PostHog calls into findings with stable codes and quick-fix data.

Codes (default severities in settings.py, prose in skills/detection/posthog.toml):
missing-identify, missing-reset, untracked-flow, serverless-no-flush, legacy-api, pii-in-properties,
hardcoded-key, capture-before-init. A `posthog-ignore[: code, ...]` comment on the line or the line above
suppresses a finding.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tree_sitter import Node, QueryCursor

from . import legacy as legacy_rewrites
from .model import SIDE_OF_SDK, Finding, Flow, Package, PosthogCall, Span
from .parsing import ParsedDocument, query
from .posthog_vocab import PosthogVocabulary, posthog_vocabulary
from .settings import AnalysisSettings
from .syntax import FUNCTION_TYPES, arguments, enclosing, entry, node_at, object_entries, static_string
from .vocabulary import tokens

log = logging.getLogger(__name__)

_IGNORE = re.compile(r"(?:#|//|/\*)\s*posthog-ignore\b(?:\s*:\s*([\w/\-]+(?:\s*,\s*[\w/\-]+)*))?")
_CALL_TYPES = ("call", "call_expression", "new_expression")
_EVENT_KINDS = frozenset({"capture", "identify", "group", "alias", "set"})
_STRINGS = {"python": "(string) @s", "javascript": "(string) @s (template_string) @s"}


@dataclass(slots=True)
class _Context:
    doc: ParsedDocument
    path: str
    flows: Sequence[Flow]
    calls: Sequence[PosthogCall]
    package: Package | None
    vocab: PosthogVocabulary

    @property
    def uses_posthog(self) -> bool:
        return bool(self.calls) or bool(self.package and self.package.posthog.installed)

    def sdk_for(self, side: str | None = None) -> str:
        """The SDK a fix in this file should use: what the file already calls, else what the package installs."""
        server = side == "server"
        wanted = (
            {"posthog-python"}
            if self.doc.language == "python"
            else ({"posthog-node"} if server else {"posthog-js", "posthog-react"})
        )
        used = Counter(c.sdk for c in self.calls if c.sdk in wanted)
        if used:
            return used.most_common(1)[0][0]
        if self.doc.language == "python":
            return "posthog-python"
        sdks = set(self.package.posthog.sdks) if self.package else set()
        if server:
            return "posthog-node"
        return "posthog-react" if sdks & {"@posthog/react"} else "posthog-js"

    def call_text(self, sdk: str, what: str) -> str:
        return self.vocab.sdk_calls.get(sdk, {}).get(what) or self.vocab.sdk_calls.get("unknown", {}).get(what, "")

    def message(self, code: str, **values: Any) -> str:
        template = self.vocab.messages.get(code.removeprefix("posthog/"), code)
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template


_Raw = tuple[str, str, Span, dict[str, Any]]  # code, message, span, data


# --- spans --------------------------------------------------------------------------------------------------------


def _line_span(doc: ParsedDocument, line: int) -> Span:
    """The visible text of one line (no leading indentation), so a finding never paints a whole function."""
    text = doc.line_text(line)
    start = len(text) - len(text.lstrip())
    return Span(line, start, line, max(start, len(text.rstrip())))


def _flow_data(ctx: _Context, flow: Flow) -> dict[str, Any]:
    return {
        "flow_kind": str(flow.kind),
        "kind": str(flow.kind),  # the name edits/fixes.py reads
        "flow_span": [flow.span.start_line, flow.span.start_col, flow.span.end_line, flow.span.end_col],
        "needs_identify": flow.needs_identify,
        "needs_reset": flow.needs_reset,
        "event": flow.event,
        "symbol": flow.symbol,
        "side": flow.side,
        "insert_line": flow.insert_line,
        "indent": flow.insert_indent,
        "user_id_expr": flow.user_id_expr,
        "user_id_binding": _binding_data(flow),
        "sdk": ctx.sdk_for(flow.side),
        "also_insert": [[line, indent] for line, indent in flow.also_insert],  # sibling success branches (F25)
    }


def _binding_data(flow: Flow) -> list[int | str] | None:
    if flow.user_id_binding is None:
        return None
    at, text = flow.user_id_binding
    return [at.start_line, at.start_col, text]


def _flow_label(ctx: _Context, flow: Flow) -> str:
    return ctx.vocab.flow_labels.get(str(flow.kind), str(flow.kind).replace("_", " ").capitalize())


# --- flow rules ---------------------------------------------------------------------------------------------------
# missing-identify / missing-reset only fire where PostHog is already in play (the package declares an SDK or
# this file calls it): elsewhere the whole flow is untracked and `untracked-flow` says so once, with one fix.


def _missing_identify(ctx: _Context) -> Iterable[_Raw]:
    if not ctx.uses_posthog:
        return
    for flow in ctx.flows:
        if flow.needs_identify and not flow.identify_present:
            data = _flow_data(ctx, flow)
            label = _flow_label(ctx, flow)
            message = ctx.message(
                "posthog/missing-identify",
                flow=label,
                flow_lower=label.lower(),
                call=ctx.call_text(data["sdk"], "identify"),
            )
            yield "posthog/missing-identify", message, flow.anchor or _line_span(ctx.doc, flow.insert_line), data


def _missing_reset(ctx: _Context) -> Iterable[_Raw]:
    if not ctx.uses_posthog:
        return
    for flow in ctx.flows:
        if flow.needs_reset and not flow.reset_present and flow.side == "client":
            data = _flow_data(ctx, flow)
            message = ctx.message("posthog/missing-reset", call=ctx.call_text(data["sdk"], "reset"))
            yield "posthog/missing-reset", message, flow.anchor or _line_span(ctx.doc, flow.insert_line), data


def _untracked_flow(ctx: _Context) -> Iterable[_Raw]:
    for flow in ctx.flows:
        if not flow.tracked:
            data = _flow_data(ctx, flow) | {"confidence": flow.confidence, "evidence": list(flow.evidence)}
            message = ctx.message("posthog/untracked-flow", flow=_flow_label(ctx, flow), event=flow.event)
            yield "posthog/untracked-flow", message, _line_span(ctx.doc, flow.span.start_line), data


# --- call rules ---------------------------------------------------------------------------------------------------


def _legacy_calls(ctx: _Context) -> Iterable[_Raw]:
    for call in ctx.calls:
        if call.legacy:
            data = {
                "reason": call.legacy,
                "sdk": call.sdk,
                "call_kind": call.kind,
                "replacement": legacy_rewrites.rewrite(ctx.doc, call, ctx.vocab),
            }
            yield "posthog/legacy-api", ctx.vocab.message(call.legacy), call.span, data


def _strings(ctx: _Context) -> list[Node]:
    """String literals, when the text could hold a key or a PostHog URL at all (most files cannot)."""
    if "phc_" not in ctx.doc.text and "posthog" not in ctx.doc.text.lower():
        return []
    language = "python" if ctx.doc.language == "python" else "javascript"
    grammar = ctx.doc.language
    nodes = QueryCursor(query(grammar, _STRINGS[language])).captures(ctx.doc.root).get("s", [])
    return sorted(nodes, key=lambda n: n.start_byte)


def _legacy_strings(ctx: _Context, strings: list[Node]) -> Iterable[_Raw]:
    for node in strings:
        if node.parent is not None and node.parent.type == "expression_statement":
            continue  # a docstring or bare string documents, it configures nothing
        text = ctx.doc.node_text(node)
        lowered = text.lower()
        for old, new in ctx.vocab.legacy_strings.items():
            if old not in lowered or ("decide" in old and "posthog" not in lowered):
                continue  # "/decide" alone may be the app's own route
            reason = "legacy_host" if "posthog.com" in old else "decide_endpoint"
            start = lowered.index(old)
            data = {"reason": reason, "replacement": text[:start] + new + text[start + len(old) :]}
            yield "posthog/legacy-api", ctx.vocab.message(reason), ctx.doc.span(node), data
            break


def is_pii_key(key: str, vocab: PosthogVocabulary | None = None) -> bool:
    """Whether an event property name looks like personal data (`email`, `userPhone`, `credit_card_number`)."""
    vocab = vocab or posthog_vocabulary()
    if key.startswith("$"):
        return False
    words = list(tokens(key))
    if not words or any(w in vocab.pii_safe_words for w in words):
        return False
    if any(w in vocab.pii_words for w in words) or "".join(words) in vocab.pii_words:
        return True
    return any(tuple(words[i : i + len(phrase)]) == phrase for phrase in vocab.pii_phrases for i in range(len(words)))


def _key_node(ctx: _Context, call: PosthogCall, key: str) -> Node | None:
    """The property key's node inside the call (the first literal object entry with that name, outermost first)."""
    root = node_at(ctx.doc, call.span, _CALL_TYPES)
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop(0)
        if node.type in ("object", "dictionary"):
            for name, key_node, _ in object_entries(ctx.doc, node):
                if name == key:
                    return key_node
        pending.extend(c for c in node.named_children)
    return None


def _pii(ctx: _Context) -> Iterable[_Raw]:
    for call in ctx.calls:
        if call.kind != "capture":
            continue
        for key in call.property_keys:
            if not is_pii_key(key, ctx.vocab):
                continue
            node = _key_node(ctx, call, key)
            span = ctx.doc.span(node) if node is not None else call.span
            message = ctx.message("posthog/pii-in-properties", key=key, person_call=ctx.call_text(call.sdk, "person"))
            yield "posthog/pii-in-properties", message, span, {"key": key, "event": call.event, "sdk": call.sdk}


def _env_for(ctx: _Context) -> tuple[str, str]:
    """(env var name, expression reading it) for this package's framework."""
    framework = ctx.package.framework if ctx.package else ("python" if ctx.doc.language == "python" else "javascript")
    spec = ctx.vocab.key_env.get(framework) or ctx.vocab.key_env.get(
        "python" if ctx.doc.language == "python" else "javascript", {}
    )
    var = (ctx.package.env_key_var if ctx.package else None) or spec.get("var", "POSTHOG_PROJECT_TOKEN")
    return var, spec.get("read", "{var}").replace("{var}", var)


def _hardcoded_keys(ctx: _Context, strings: list[Node]) -> Iterable[_Raw]:
    for node in strings:
        if node.parent is not None and node.parent.type in ("string", "template_string"):
            continue
        value = static_string(ctx.doc, node) or ""
        match = ctx.vocab.key_pattern.search(value)
        if match is None or len(set(match.group(0)[4:].lower())) <= 3:  # phc_xxxxxxxx… placeholders
            continue
        var, read = _env_for(ctx)
        if node.parent is not None and node.parent.type == "jsx_attribute":
            read = "{" + read + "}"  # apiKey="phc_…" → apiKey={process.env.…}
        sides = {"server" if c.sdk in ("posthog-node", "posthog-python") else "client" for c in ctx.calls}
        data = {
            "env_var": var,
            "replacement": read if match.group(0) == value else None,
            "framework": ctx.package.framework if ctx.package else None,
            "side": sides.pop() if len(sides) == 1 else None,
        }
        yield "posthog/hardcoded-key", ctx.message("posthog/hardcoded-key", env_var=var), ctx.doc.span(node), data


def _capture_before_init(ctx: _Context) -> Iterable[_Raw]:
    # only with a known package: a lone file cannot tell whether another module initialises PostHog
    if ctx.package is None:
        return
    events = [c for c in ctx.calls if c.kind in _EVENT_KINDS]
    here = {SIDE_OF_SDK.get(c.sdk, "any") for c in ctx.calls if c.kind == "init"}
    setup = ctx.package.posthog
    if not events or (here and setup.init is None and "any" in here):
        return
    if setup.init is None and not here:
        first = events[0]
        message = ctx.message("posthog/capture-before-init", kind=first.kind,
                              init_call=ctx.call_text(first.sdk, "init"))
    else:  # some client is set up; a capture on a side with none (posthog-js beside a server client) is still lost
        known = here | (setup.init_sides or ({"any"} if setup.init is not None else set()))
        if "any" in known:
            return
        lost = next((c for c in events if SIDE_OF_SDK.get(c.sdk, "any") not in known | {"any"}), None)
        if lost is None:
            return
        first = lost
        message = ctx.message("posthog/capture-before-init-side", kind=first.kind, sdk=first.sdk,
                              init_call=ctx.call_text(first.sdk, "init"))
    var, _ = _env_for(ctx)
    yield (
        "posthog/capture-before-init",
        message,
        first.span,
        {"sdk": first.sdk, "env_var": var, "framework": ctx.package.framework},
    )


# --- serverless ---------------------------------------------------------------------------------------------------


def _is_serverless(ctx: _Context) -> bool:
    rel = ctx.path
    if ctx.package is not None and ctx.package.path not in ("", "."):
        rel = rel.removeprefix(ctx.package.path.rstrip("/") + "/")
    return any(p.search(rel) for p in ctx.vocab.serverless_paths) or any(
        p.search(ctx.doc.text) for p in ctx.vocab.serverless_markers
    )


def _flushes_on_every_capture(ctx: _Context, init: PosthogCall) -> bool:
    node = node_at(ctx.doc, init.span, _CALL_TYPES)
    if node is None:
        return False
    positional, _ = arguments(node)
    options = positional[1] if len(positional) > 1 else None
    wanted = ctx.vocab.serverless_client_options
    return bool(wanted) and all(
        ctx.doc.node_text(entry(ctx.doc, options, name)).strip() == value for name, value in wanted.items()
    )


def _kept_alive(ctx: _Context, node: Node) -> bool:
    """`await c.flush()`, `return c.shutdown()` or `waitUntil(c.flush())` keep the function alive until sent."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type in ("await_expression", "return_statement"):
        return True
    if parent.type == "arguments" and parent.parent is not None:
        fn = ctx.doc.node_text(parent.parent.child_by_field_name("function"))
        return fn.rsplit(".", 1)[-1] in ctx.vocab.keep_alive
    return parent.type == "arrow_function"  # after(() => c.flush())


def _outermost_function(node: Node) -> int:
    """Start byte of the outermost function around `node` (-1 at module level)."""
    start, fn = -1, enclosing(node, FUNCTION_TYPES)
    while fn is not None:
        start, fn = fn.start_byte, enclosing(fn, FUNCTION_TYPES)
    return start


def _handler_statement(node: Node) -> Node:
    """The statement of the outermost function's body (or the module) that contains `node`."""
    statement = node
    while statement.parent is not None:
        parent = statement.parent
        if parent.type == "program" or (
            parent.type == "statement_block"
            and parent.parent is not None
            and parent.parent.type in FUNCTION_TYPES
            and enclosing(parent.parent, FUNCTION_TYPES) is None
        ):
            return statement
        statement = parent
    return statement


def _serverless_no_flush(ctx: _Context) -> Iterable[_Raw]:
    node_calls = [c for c in ctx.calls if c.sdk == "posthog-node"]
    if not node_calls or ctx.doc.language == "python" or not _is_serverless(ctx):
        return
    if any(c.kind == "init" and _flushes_on_every_capture(ctx, c) for c in node_calls):
        return
    # a handler is its outermost function: a flush in it (or in a callback it passes to after()/waitUntil())
    # covers captures anywhere inside it
    flushed: set[int] = set()
    pending: dict[int, list[tuple[PosthogCall, Node]]] = {}
    for call in node_calls:
        node = node_at(ctx.doc, call.span, _CALL_TYPES)
        if node is None:
            continue
        handler = _outermost_function(node)
        immediate = call.text.split("(")[0].endswith("Immediate")
        if call.kind in ("flush", "shutdown") and not call.legacy and _kept_alive(ctx, node):
            flushed.add(handler)
        elif call.kind in _EVENT_KINDS and not (immediate and _kept_alive(ctx, node)):
            pending.setdefault(handler, []).append((call, node))
    for handler, unflushed in pending.items():
        if handler in flushed:
            continue
        first, _ = unflushed[0]
        last, last_node = unflushed[-1]
        statement = _handler_statement(last_node)
        fn = enclosing(statement, FUNCTION_TYPES)
        indent_line = ctx.doc.line_text(statement.start_point[0])
        returns = statement.type == "return_statement"  # flush before returning, not after
        data = {
            "sdk": "posthog-node",
            "receiver": last.receiver,
            "insert_line": statement.start_point[0] if returns else statement.end_point[0] + 1,
            "indent": indent_line[: len(indent_line) - len(indent_line.lstrip())],
            "flush_text": f"await {last.receiver}.flush()",
            "function_is_async": fn is not None and ctx.doc.node_text(fn).lstrip().startswith("async"),
        }
        message = ctx.message("posthog/serverless-no-flush", receiver=first.receiver)
        yield "posthog/serverless-no-flush", message, first.span, data


# --- driver -------------------------------------------------------------------------------------------------------


def _ignored(doc: ParsedDocument, finding_line: int, code: str) -> bool:
    above = doc.line_text(finding_line - 1) if finding_line > 0 else ""
    lines = [doc.line_text(finding_line)]
    if above.lstrip().startswith(("#", "//", "/*", "{/*")):  # a trailing comment belongs to its own line only
        lines.append(above)
    for text in lines:
        for match in _IGNORE.finditer(text):
            codes = match.group(1)
            if not codes:
                return True
            names = {c.strip() for c in codes.split(",")}
            if code in names or code.removeprefix("posthog/") in names:
                return True
    return False


def _all_rules(ctx: _Context) -> Iterable[Iterable[_Raw]]:
    strings = _strings(ctx)
    yield _missing_identify(ctx)
    yield _missing_reset(ctx)
    yield _untracked_flow(ctx)
    yield _serverless_no_flush(ctx)
    yield _legacy_calls(ctx)
    yield _legacy_strings(ctx, strings)
    yield _pii(ctx)
    yield _hardcoded_keys(ctx, strings)
    yield _capture_before_init(ctx)


def evaluate(
    doc: ParsedDocument,
    path: str,
    *,
    flows: Sequence[Flow],
    calls: Sequence[PosthogCall],
    package: Package | None,
    settings: AnalysisSettings,
) -> list[Finding]:
    """Findings for one document, in document order, with severities from settings. Never raises."""
    if not settings.enable:
        return []
    ctx = _Context(doc=doc, path=path, flows=flows, calls=calls, package=package, vocab=posthog_vocabulary())
    findings: list[Finding] = []
    try:
        rules = list(_all_rules(ctx))
    except Exception:
        log.exception("PostHog rules failed for %s", path)
        return []
    for rule in rules:
        try:
            for code, message, span, data in rule:
                severity = settings.severity_for(code)
                if severity is None or _ignored(doc, span.start_line, code):
                    continue
                docs = ctx.vocab.docs.get(code)
                findings.append(Finding(code, message, span, severity, data | ({"docs": docs} if docs else {})))
        except Exception:  # one broken rule costs its findings, not the others'
            log.exception("PostHog rule failed for %s", path)
    return sorted(findings, key=lambda f: (f.span.start_line, f.span.start_col, f.code))


__all__ = ["evaluate", "is_pii_key"]
