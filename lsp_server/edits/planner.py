"""Plan the PostHog calls that track one flow, as edits the user reviews before they are applied.

At the flow's insertion point: identify at login/signup, the capture, reset at a browser logout and, in
serverless handlers, `await posthog.flush()`. At the top of the file: the import of the client, and a small
server-client module when the file has none in scope. Everything comes from the framework's snippet files.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from tree_sitter import Node

from ..analysis.memo import BoundedMemo
from ..analysis.model import Flow, Language, Package, Span
from ..analysis.parsing import ParsedDocument, language_for_path, parse
from ..analysis.vocabulary import load as load_vocabulary
from . import code_scan, properties
from .model import PlannedEdit
from .snippets import FrameworkSnippets, SnippetSource, load_framework, render
from .text_style import _SAMPLE_CHARS, TEMPLATE_QUOTE, TextStyle, detect_style, restyle, split_lines

log = logging.getLogger(__name__)

Exists = Callable[[str], bool]  # does this workspace-relative path exist? (the edge answers; planning stays pure)
DEFAULT_FRAMEWORK = {"python": "python", "server": "node", "client": "react-spa"}
BROWSER_FALLBACK = "browser"  # browser code in a package whose framework has no browser snippets (node, node-express)
PIECE_ORDER = ("identify", "capture", "reset", "flush")  # identify first: the capture is then the user's


@dataclass(frozen=True, slots=True)
class Target:
    """The file being edited, read once: text, lines, parse tree, style and the framework's snippets."""

    text: str
    path: str
    lines: list[str]
    language: Language
    doc: ParsedDocument | None
    style: TextStyle
    snippets: FrameworkSnippets
    package: Package | None

    @property
    def python(self) -> bool:
        return self.language == "python"

    @property
    def typescript(self) -> bool:
        return self.language in ("typescript", "tsx")

    def template(self, piece: str, side: str, variant: str = "") -> str | None:
        """`<piece>.<side>[.<variant>].<ext>.tmpl`, a TypeScript-only variant first for .ts/.tsx files."""
        middle = f"{piece}.{side}" + (f".{variant}" if variant else "")
        if self.python:
            return self.snippets.template(f"{middle}.py.tmpl")
        names = ([f"{middle}.ts.tmpl"] if self.typescript else []) + [f"{middle}.js.tmpl"]
        return self.snippets.template(*names)

    def env(self, which: str) -> str:
        own = (self.package.env_key_var if which == "key" else self.package.env_host_var) if self.package else None
        return own or self.snippets.setting("env", which, "")


def load_target(text: str, path: str, package: Package | None, snippets: SnippetSource, side: str) -> Target | None:
    language = language_for_path(path)
    if language is None:
        return None
    text = text.removeprefix("\ufeff")  # positions are counted without it, as analysis counts them
    normalized = text.replace("\r\n", "\n")  # same lines and columns as `text`, for the parser
    doc = parse(normalized, language)
    if doc is not None:
        language = doc.language  # a Svelte / Vue component is edited as its script's language
    elif language in ("svelte", "vue"):
        return None
    default = DEFAULT_FRAMEWORK["python" if language == "python" else side]
    framework_snippets = load_framework(snippets, (package.framework if package else None) or default)
    if (
        framework_snippets.template("capture.server.py.tmpl" if language == "python" else "capture.server.js.tmpl")
        is None
    ):
        framework_snippets = load_framework(snippets, default)  # e.g. a Python script inside a Next.js package
    if side == "client" and language != "python" and framework_snippets.template("capture.client.js.tmpl") is None:
        framework_snippets = load_framework(snippets, BROWSER_FALLBACK)  # posthog-js, never posthog-node, in a browser
    return Target(
        text=text,
        path=path,
        lines=text.split("\n") if "\r" not in text else split_lines(text),  # the same lines, 5x faster on LF
        language=language,
        doc=doc,
        style=_style(text, language, doc),
        snippets=framework_snippets,
        package=package,
    )


_styles: BoundedMemo[TextStyle] = BoundedMemo(64, max_bytes=4_000_000)


def _style(text: str, language: Language, doc: ParsedDocument | None) -> TextStyle:
    """`detect_style`, remembered by what it reads: the file's start (whole top-level statements) and whether it
    has CRLFs. A code action after each keystroke further down then skips re-reading strings and statements."""
    if doc is None:
        return detect_style(text, language, doc)
    sample = min(len(doc.data), _SAMPLE_CHARS)
    end = sample
    for child in doc.root.children:  # the statements the sample reaches into, whole
        if child.start_byte >= sample:
            break
        if child.has_error:  # error recovery may depend on what follows: not remembered
            return detect_style(text, language, doc)
        end = max(end, child.end_byte)
    key = (language, "\r\n" in text, text[:_SAMPLE_CHARS], doc.data[:end])
    style = _styles.get(key)
    if style is None:
        style = detect_style(text, language, doc)
        _styles.put(key, style, len(key[2]) + len(key[3]) + 200)
    return style


def _server_receiver(text: str, language: Language) -> str | None:
    """`code_scan.server_receiver`; in JS/TS every binding it finds is named posthog…, so most files are answered
    without its regexes (~2 ms on 2,000 lines)."""
    if language != "python" and "posthog" not in text.casefold():  # casefold: as re.I matches (ſ is s)
        return None
    return code_scan.server_receiver(text, language)


def _client_receiver(text: str) -> str | None:
    """`code_scan.client_receiver`, whose bindings all come from 'posthog-js' or `usePostHog()`."""
    if "posthog-js" not in text and "usePostHog" not in text:
        return None
    return code_scan.client_receiver(text)


def _global_receiver(target: Target) -> str | None:
    """`window.posthog?` in a classic browser script (no import/export: the page's posthog-js snippet defines the
    global), when the snippets name one; such a file gets no import."""
    receiver = target.snippets.setting("client", "global_receiver", "")
    if not receiver or not target.path.endswith(".js") or target.doc is None:
        return None  # components (.vue, .svelte, .jsx) and TypeScript are always bundled
    if re.search(r"\brequire\s*\(", target.text):
        return None
    if any(child.type in ("import_statement", "export_statement") for child in target.doc.root.children):
        return None
    return str(receiver)


def plan_flow_tracking(
    text: str,
    path: str,
    flow: Flow,
    package: Package | None,
    snippets: SnippetSource,
    *,
    exists: Exists | None = None,
) -> list[PlannedEdit]:
    """Edits that make `flow` tracked; empty when it already is (or nothing can be planned). Never raises."""
    wanted = set()  # which flows need identify/reset is the detector's call (its vocabulary), not ours
    if not flow.tracked:
        wanted.add("capture")
    if flow.needs_identify and not flow.identify_present:
        wanted.add("identify")
    if flow.needs_reset and not flow.reset_present:
        wanted.add("reset")
    return plan_pieces(text, path, flow, package, snippets, wanted, exists=exists)


def plan_pieces(
    text: str,
    path: str,
    flow: Flow,
    package: Package | None,
    snippets: SnippetSource,
    wanted: Iterable[str],
    *,
    exists: Exists | None = None,
    label: str | None = None,
    receiver: str | None = None,
) -> list[PlannedEdit]:
    """Edits adding the `wanted` pieces (identify, capture, reset, flush) at the flow's insertion point.

    `receiver` names a client the caller knows is in scope (e.g. from a diagnostic); otherwise it is looked up.
    """
    try:
        target = load_target(text, path, package, snippets, flow.side)
        return _plan(target, flow, set(wanted), exists, label, receiver) if target else []
    except Exception:  # planning must cost the quick fix, never the server
        log.exception("planning failed for %s", path)
        return []


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the calls go: new lines before `line` at `indent`, into `arrow`'s expression body, or before the
    braceless statement `braced` (`if (ok) return user;` becomes `if (ok) { <calls> return user; }`)."""

    line: int
    indent: str
    arrow: Node | None = None
    braced: Node | None = None
    pending: Node | None = None  # `return auth.signIn(...)`: the calls go in a `.then` on that promise
    awaited: bool = False  # …or, in an async function, after `const result = await auth.signIn(...)`

    @property
    def inline(self) -> bool:
        return self.arrow is not None or self.braced is not None or (self.pending is not None and not self.awaited)


def _plan(
    target: Target, flow: Flow, wanted: set[str], exists: Exists | None, label: str | None, known: str | None
) -> list[PlannedEdit]:
    if flow.insert_line < 0:
        return []
    side = "server" if target.python or target.template("capture", "client") is None else flow.side
    region = code_scan.enclosing_region(
        target.doc, target.lines, flow.insert_line, (flow.span.start_line, flow.span.end_line)
    )
    found = known or (
        (_client_receiver(target.text) or _global_receiver(target))
        if side == "client"
        else _server_receiver(target.text, target.language)
    )
    pieces = _missing_pieces(target, flow, side, region, wanted, found)
    place = _placement(target, flow, region, "capture" in pieces, found) if pieces else None
    if place is None:
        return []
    serverless = side == "server" and bool(target.snippets.setting("server", "serverless", False))
    flushing = serverless or "flush" in wanted
    if place.arrow is not None and "capture" in pieces and flushing and _async_arrow(place.arrow):
        # `async ({ request }) => logout(request)`: the region check cannot see the arrow's `async` (S4-17)
        pieces = [p for p in PIECE_ORDER if p in {*pieces, "flush"}]
    receiver = found or (target.snippets.setting("server", "exports", "posthog") if side == "server" else "posthog")
    skipped_identify = (
        "identify" in wanted and not flow.user_id_expr and not code_scan.present("identify", region.whole, found)
    )
    # an id that may be missing (`data.user?.id`): identify only when it is there (its distinctId is required)
    optional = not target.python and "?." in (flow.user_id_expr or "")
    templates = [
        (optional and p == "identify" and target.template(p, side, "optional")) or target.template(p, side) or ""
        for p in pieces
    ]
    values = _values(target, flow, region, receiver)
    guard = (_case_guard(target, flow, place) or _only_when_guard(target, flow)) if not place.inline else None
    if guard is not None:  # `case 'a': case 'b':` share this body: only this flow's event types send its event
        place = replace(place, indent=place.indent + target.style.indent_unit)
    block = _block(target, flow, templates, values, place, side, skipped_identify)
    if not block:
        return []
    if guard is not None:
        outer = place.indent[: -len(target.style.indent_unit)]
        block = [outer + guard[0], *block, *([outer + guard[1]] if guard[1] else [])]
    if place.arrow is not None:
        span, new_text = _arrow_block(target, place.arrow, block)
    elif place.braced is not None:
        span, new_text = _braced_block(target, place.braced, block)
    elif place.pending is not None and place.awaited:
        span, new_text = _awaited_block(target, place.pending, block, place.indent)
    elif place.pending is not None:
        span, new_text = _then_block(target, place.pending, block)
    else:
        span, new_text = _insertion(target, place.line, block)
    edits = [PlannedEdit(target.path, span, new_text, label or _label(pieces, flow), flow.event)]
    if flow.also_insert and guard is None and not place.inline and place.line == flow.insert_line:
        for line, indent in flow.also_insert:  # sibling success branches (`else if (data.user)`) get the same calls
            again = [indent + text[len(place.indent) :] if text.startswith(place.indent) else text for text in block]
            edits.append(PlannedEdit(target.path, *_insertion(target, line, again), edits[0].label, flow.event))
    if flow.user_id_binding is not None and flow.user_id_expr and flow.user_id_expr in new_text:
        at, binding = flow.user_id_binding  # `const { error } = …` becomes `const { data, error } = …`
        edits.insert(0, PlannedEdit(target.path, at, binding, f"Read the user from the result ({binding.strip(', ')})",
                                    flow.event))
    if found is None:
        setup = _setup(target, side, flow.event, exists)
        if setup is None:
            return []  # the inserted code would name a client that does not exist
        edits = setup + edits
    return edits


def _placement(
    target: Target, flow: Flow, region: code_scan.Region, capturing: bool, receiver: str | None
) -> Placement | None:
    at, indent = flow.insert_line, flow.insert_indent
    on_line = flow.anchor is not None and flow.anchor.start_line == at
    braced = code_scan.braceless_branch(target.doc, flow.anchor) if on_line else None
    if braced is not None:  # `if (passwordsMatch) return user;`: the success path is that return
        return Placement(at, indent, braced=braced)
    pending = code_scan.returned_call(target.doc, flow.anchor) if on_line else None
    if pending is not None:
        return Placement(at, indent, pending=pending, awaited=region.is_async)
    reset = code_scan.first_reset_line(target.lines, max(region.start_line, flow.span.start_line), at, receiver)
    if capturing and reset is not None:  # after reset() the capture would belong to a new anonymous visitor
        at, indent = reset, _indent_of(target.lines[reset])
    arrow = code_scan.expression_arrow(target.doc, target.lines, flow.span)
    if code_scan.statement_boundary(target.doc, at):
        if at > flow.span.start_line:
            return Placement(at, indent)
        # at or above the flow's first line is outside it: e.g. `app.post('/login', passport.authenticate(...))`
        # has no body, and code there would run once at import instead of on each login; a one-line
        # `export const action = async ({ request }) => logout(request)` gets its arrow body made a block
        return Placement(at, indent, arrow) if arrow is not None else None
    # inside an expression or JSX, inserted lines would break the code or show up on the page
    return Placement(at, indent, arrow) if arrow is not None else None


def _case_guard(target: Target, flow: Flow, place: Placement) -> tuple[str, str] | None:
    """`if (event.type === 'customer.subscription.deleted') {` … `}` when the insertion is in a switch case that
    several webhook event types fall into (`case 'a': case 'b': case 'c':`) and only some of them are this flow's
    kind: without it, one webhook would send created, changed and cancelled at once."""
    doc = target.doc
    if doc is None or target.python or place.line <= 0:
        return None
    case = None
    for row in (place.line, place.line - 1):
        text = target.lines[row] if row < len(target.lines) else ""
        column = len(text[: len(text) - len(text.lstrip())].encode("utf-8"))
        node = doc.root.descendant_for_point_range((row, column), (row, column))
        while node is not None and node.type != "switch_case":
            node = node.parent
        if node is not None and node.start_point[0] < place.line:
            case = node
            break
    if case is None or case.parent is None or case.parent.parent is None:
        return None
    group = [case]
    previous = case.prev_named_sibling
    while previous is not None and previous.type == "switch_case" and previous.named_child_count == 1:
        group.insert(0, previous)  # a label without statements falls through into the next case
        previous = previous.prev_named_sibling
    labels = [_string_value(doc.node_text(c.child_by_field_name("value"))) for c in group]
    webhooks = load_vocabulary().webhooks
    mine = [label for label in labels if label and webhooks.get(label) == flow.kind]
    discriminant = case.parent.parent.child_by_field_name("value")
    if len(group) < 2 or not mine or len(mine) == len(labels) or discriminant is None:
        return None
    subject = doc.node_text(discriminant).strip()
    subject = subject[1:-1].strip() if subject.startswith("(") and subject.endswith(")") else subject
    return _guard(target, subject, mine)


def _only_when_guard(target: Target, flow: Flow) -> tuple[str, str] | None:
    """`if webhook["type"] == "invoice.paid":` for a flow that holds only for some values of an expression (a webhook
    dispatched through a map: the capture sits where every event type passes)."""
    if flow.only_when is None or not flow.only_when[1]:
        return None
    return _guard(target, *flow.only_when)


def _guard(target: Target, subject: str, values: Iterable[str]) -> tuple[str, str]:
    """The opening (and closing) line of a test that `subject` is one of `values`."""
    values = list(values)
    if target.python:
        literals = [f'"{v}"' for v in values]
        test = f"{subject} == {literals[0]}" if len(literals) == 1 else f"{subject} in ({', '.join(literals)})"
        return f"if {test}:", ""
    quote = target.style.quote
    return "if (" + " || ".join(f"{subject} === {quote}{v}{quote}" for v in values) + ") {", "}"


def _string_value(text: str | None) -> str | None:
    """The value of a string literal (`'invoice.paid'` → `invoice.paid`), else None."""
    if not text or len(text) < 2 or text[0] not in "'\"`" or text[-1] != text[0]:
        return None
    return text[1:-1]


def _block(
    target: Target,
    flow: Flow,
    templates: list[str],
    values: dict[str, str],
    place: Placement,
    side: str,
    skipped_identify: bool,
) -> list[str]:
    """The rendered calls in the file's style (one-line statements, each with ';', for an arrow body)."""
    block: list[str] = []
    if not place.inline and not flow.user_id_expr:
        # no id in scope: the capture goes out without one (the SDK then sends it anonymously), with a TODO
        notes = []
        if any("{{distinct_id" in t for t in templates):
            notes.append(target.snippets.template("todo.py.tmpl" if target.python else "todo.js.tmpl"))
        if skipped_identify:
            notes.append(target.template("todo_identify", side))
        for note in notes:
            block += restyle(render(note or "", values), target.style, target.language, place.indent)
    style = target.style if not place.inline else replace(target.style, semicolons=True)
    indent = place.indent if not place.inline else ""
    for template in templates:
        block += restyle(render(template, values), style, target.language, indent) if template else []
    return block


def _missing_pieces(
    target: Target, flow: Flow, side: str, region: code_scan.Region, wanted: set[str], receiver: str | None
) -> list[str]:
    pieces = []
    # identify with a made-up id would merge every user into one person: without the id it is skipped (and said so)
    if "identify" in wanted and flow.user_id_expr and not code_scan.present("identify", region.whole, receiver):
        pieces.append("identify")
        if target.python and not flow.tracked:  # no identify in posthog-python: the capture's distinct_id= is it
            wanted = wanted | {"capture"}
    if "capture" in wanted and not code_scan.capture_present(region.whole, flow.event):
        pieces.append("capture")
    if "reset" in wanted and side == "client" and not code_scan.present("reset", region.whole, receiver):
        pieces.append("reset")
    serverless = side == "server" and bool(target.snippets.setting("server", "serverless", False))
    # with a new capture, flush right after it; events already in the function are the serverless fix's business
    flush_wanted = "flush" in wanted or (serverless and "capture" in pieces)
    can_flush = target.python or region.is_async  # `await` needs an async function
    if flush_wanted and can_flush and not code_scan.present("flush", region.after, receiver):
        pieces.append("flush")
    return [p for p in PIECE_ORDER if p in pieces]


def _values(target: Target, flow: Flow, region: code_scan.Region, receiver: str) -> dict[str, str]:
    quote = TEMPLATE_QUOTE.get(target.language, "'")
    table = target.snippets.properties()
    kind = str(flow.kind)
    args = (kind, region.before, region.whole, target.language, quote)
    event_props = _object(properties.choose(table, "event", *args), target.python, quote)
    person_props = _object(properties.choose(table, "person", *args), target.python, quote)
    # unknown id: empty, so the template drops its `distinct_id` line and the SDK sends the event anonymously
    distinct_id = flow.user_id_expr or ""
    to_string = target.snippets.setting("identity", "to_string", "")
    known = distinct_id.removesuffix("?.toString()")
    return {
        "posthog": receiver,
        "event": quote + flow.event + quote,
        "distinct_id": distinct_id,
        "distinct_id_str": _as_string(distinct_id, to_string) if distinct_id else "",
        # `data.user?.id` checked for presence, then read as the narrowed `String(data.user.id)`
        "distinct_id_known": known,
        "distinct_id_checked": _as_string(known.replace("?.", "."), to_string) if known else "",
        "properties": event_props,
        "properties_arg": f", {event_props}" if event_props else "",
        "person_properties": person_props,
        "person_properties_arg": f", {person_props}" if person_props else "",
    }


def _as_string(expr: str, to_string: str) -> str:
    """`expr` converted to a string once: already-converted ids and string literals are left alone.

    An optional-chained id (`req.user?.id`) stays undefined when there is no user (`?.toString()`), so the SDK
    sends the event anonymously instead of as the user "undefined".
    """
    already = re.match(r"^(?:str|String)\(.*\)$", expr, re.S) or expr.endswith("toString()") or expr[:1] in "'\"`"
    if already or not to_string:
        return expr
    return f"{expr}?.toString()" if "?." in expr and to_string == "String" else f"{to_string}({expr})"


def _object(props: list[properties.Property], python: bool, quote: str) -> str:
    if not props:
        return ""
    if python:
        return "{" + ", ".join(f"{quote}{p.name}{quote}: {p.value}" for p in props) + "}"
    return "{ " + ", ".join(p.name if p.value == p.name else f"{p.name}: {p.value}" for p in props) + " }"


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _braced_block(target: Target, statement: Node, statements: list[str]) -> tuple[Span, str]:
    """`return user;` (the body of `if (ok)`) becomes `{ <statements> return user; }` on the same line."""
    assert target.doc is not None
    code = " ".join(line.strip() for line in statements)
    return target.doc.span(statement), f"{{ {code} {target.doc.node_text(statement)} }}"


def _then_block(target: Target, call: Node, statements: list[str]) -> tuple[Span, str]:
    """`return auth.signIn(...)` becomes `return auth.signIn(...).then((result) => { <statements> return result; })`:
    the calls run once the promise resolves, never on a failed attempt."""
    assert target.doc is not None
    code = " ".join(line.strip() for line in statements)
    return target.doc.span(call), f"{target.doc.node_text(call)}.then((result) => {{ {code} return result; }})"


def _awaited_block(target: Target, call: Node, block: list[str], indent: str) -> tuple[Span, str]:
    """`return auth.signIn(...)` in an async function becomes `const result = await auth.signIn(...);`, the calls
    (once it resolved, never on a failed attempt), then `return result;` (its type stays the call's)."""
    assert target.doc is not None
    statement = call.parent
    while statement is not None and statement.type != "return_statement":
        statement = statement.parent
    assert statement is not None  # code_scan.returned_call found the call returned
    function = statement.parent
    while function is not None and function.type not in _FUNCTION_NODES:
        function = function.parent
    scope = target.doc.node_text(function) if function is not None else target.text
    name = next((n for n in ("result", "response", "outcome") if not re.search(rf"\b{n}\b", scope)), "posthogResult")
    end = ";" if target.style.semicolons else ""
    text = target.style.newline.join([f"const {name} = await {target.doc.node_text(call)}{end}", *block])
    return target.doc.span(statement), f"{text}{target.style.newline}{indent}return {name}{end}"


_FUNCTION_NODES = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition",
                             "generator_function_declaration"})


def _async_arrow(body: Node) -> bool:
    arrow = body.parent
    return arrow is not None and any(child.type == "async" for child in arrow.children)


def _arrow_block(target: Target, body: Node, statements: list[str]) -> tuple[Span, str]:
    """`() => expr` becomes `() => { <statements> return expr; }`: on the same line inside JSX, else laid out as the
    file would (`export const action = async ({ request }) => {` … one statement a line … `};`, S4-17)."""
    assert target.doc is not None
    expr = target.doc.node_text(body)
    node: Node | None = body
    while node is not None and not node.type.startswith("jsx"):
        node = node.parent
    if node is not None:  # a JSX attribute (`onClick={() => post(…)}`) stays on its line
        code = " ".join(line.strip() for line in statements)
        return target.doc.span(body), f"{{ {code} return {expr}; }}"
    style = target.style
    outer = _indent_of(target.lines[body.start_point[0]])
    inner = outer + style.indent_unit
    end = ";" if style.semicolons else ""
    kept = [line if style.semicolons else line.removesuffix(";") for line in statements]  # inline forced the `;`
    lines = [inner + line if line.strip() else "" for line in kept]
    return target.doc.span(body), style.newline.join(["{", *lines, f"{inner}return {expr}{end}", outer + "}"])


def _insertion(target: Target, line: int, block: list[str]) -> tuple[Span, str]:
    """Insert whole lines before `line` (or after the last line), in the file's newline style."""
    newline = target.style.newline
    if 0 <= line < len(target.lines):
        return Span(line, 0, line, 0), newline.join(block) + newline
    last = len(target.lines) - 1
    return Span(last, len(target.lines[last]), last, len(target.lines[last])), newline + newline.join(block)


def _label(pieces: list[str], flow: Flow) -> str:
    if "capture" in pieces:
        extra = " and identify the user" if "identify" in pieces else " and reset PostHog" if "reset" in pieces else ""
        return f"Track {flow.event} with PostHog{extra}"
    if "identify" in pieces:
        return "Identify the user with PostHog"
    if "reset" in pieces:
        return "Reset PostHog on logout"
    return "Send PostHog events before the handler returns"


def _setup(target: Target, side: str, group: str, exists: Exists | None) -> list[PlannedEdit] | None:
    """The import of the client (and, on the server, the client module when it does not exist yet)."""
    commonjs = not target.python and code_scan.uses_commonjs(target.text, target.path)
    edits: list[PlannedEdit] = []
    if side == "client":
        template = target.template("import", "client", "esm")
        values: dict[str, str] = {}
    elif target.python and target.package is not None and target.package.posthog.module_client:
        template = target.template("import", "server", "module")  # the app configures posthog's own client: use it
        values = {}
    else:
        module_path, spec = _server_module(target, commonjs, exists)
        if module_path is None:
            return None
        template = target.template("import", "server", "" if target.python else ("cjs" if commonjs else "esm"))
        values = {"module": spec}
        if module_path != target.path and not (exists and exists(module_path)):
            content = _module_content(target, commonjs)
            if content is None:
                return None
            label = f"Create {module_path} (the PostHog server client)"
            edits.append(PlannedEdit(module_path, Span(0, 0, 0, 0), content, label, group, create_file=True))
    if template is None:
        return None
    at = code_scan.import_line(target.doc, target.lines, target.language, commonjs)
    lines = restyle(render(template, values), target.style, target.language, _script_indent(target, at))
    following = target.lines[at].strip() if at < len(target.lines) else ""
    if following and not re.match(r"(import|from|const|let|var)\b", following):
        lines.append("")  # the first import of the file: keep it apart from the code
    edits.append(PlannedEdit(target.path, *_insertion(target, at, lines), "Import the PostHog client", group))
    return edits


def _script_indent(target: Target, at: int) -> str:
    """A Svelte / Vue component's script is often indented under its `<script>` tag: an import joins it there."""
    first = target.doc.first_code_line if target.doc is not None else 0
    if first <= 0:
        return ""
    lines = target.lines
    near = [*range(at - 1, first - 1, -1), *range(at, min(len(lines), at + 50))]  # the lines above first
    for i in near:
        if i < len(lines) and lines[i].strip() and not lines[i].lstrip().startswith("</script"):
            return lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    return ""


def _server_module(target: Target, commonjs: bool, exists: Exists | None = None) -> tuple[str | None, str]:
    """Where the server client module lives (workspace-relative) and how this file imports it: through the `@/`
    alias when the file's own `@/…` imports resolve from the same folder, else by a relative path."""
    module = target.snippets.setting("server", "module")
    if not isinstance(module, str) or not module:
        return None, ""
    root = target.package.path if target.package else "."
    root = "" if root in ("", ".") else root.rstrip("/")
    if target.python:
        return posixpath.join(root, module.replace(".", "/") + ".py"), module
    inside = target.path[len(root) + 1 :] if root and target.path.startswith(root + "/") else target.path
    base = posixpath.join(root, "src") if inside.startswith("src/") else root
    extension = posixpath.splitext(target.path)[1]
    extension = ".ts" if target.typescript else ".js" if extension in (".jsx", "", ".svelte", ".vue") else extension
    module_path = posixpath.join(base, module + extension)
    framework_alias = target.snippets.setting("server", "module_alias")  # SvelteKit: `$lib/` is src/lib/
    if isinstance(framework_alias, dict) and framework_alias.get("folder") and framework_alias.get("spec"):
        folder = posixpath.join(root, str(framework_alias["folder"]))
        if module_path.startswith(folder):
            return module_path, str(framework_alias["spec"]) + posixpath.splitext(module_path[len(folder) :])[0]
    alias = _alias_base(target, root, exists)
    if alias is not None and module_path.startswith(alias):
        return module_path, "@/" + posixpath.splitext(module_path[len(alias) :])[0]
    keep_extension = not target.typescript  # Node resolves relative ESM/CJS imports only with the extension
    return module_path, code_scan.relative_module(target.path, module_path, keep_extension)


_ALIAS_IMPORT = re.compile(r"""(?:from\s+|import\s*\(\s*|require\(\s*)['"]@/([\w./-]+)['"]""")
_RESOLVES = ("", ".ts", ".tsx", ".js", ".jsx", ".mjs", "/index.ts", "/index.tsx", "/index.js")


def _alias_base(target: Target, root: str, exists: Exists | None) -> str | None:
    """The folder `@/` stands for (`root/` or `root/src/`), proven by one of the file's own `@/…` imports."""
    if exists is None:
        return None
    for spec in _ALIAS_IMPORT.findall(target.text)[:5]:
        for base in (posixpath.join(root, "src") + "/" if root else "src/", root + "/" if root else ""):
            if any(exists(base + spec + ext) for ext in _RESOLVES):
                return base
    return None


def _module_content(target: Target, commonjs: bool) -> str | None:
    if target.python:
        template = target.snippets.template("module.server.py.tmpl")
    elif target.typescript:
        template = target.snippets.template("module.server.ts.tmpl")
    else:
        template = target.snippets.template(f"module.server.{'cjs' if commonjs else 'esm'}.js.tmpl")
    if template is None:
        return None
    values = {"key_env": target.env("key"), "host_env": target.env("host"), "env_loader": _env_loader(target, commonjs)}
    return "\n".join(render(template, values)) + "\n"


def _env_loader(target: Target, commonjs: bool) -> str:
    """The lines loading .env before the module reads the key, when the package depends on a loader the framework
    names (an ESM entry's own `dotenv.config()` runs only after every import; pydantic-settings and python-decouple
    read .env without exporting it). `env_loader` is a dependency name, or a list of {dependency, variant} tables
    of which the first the package depends on wins."""
    setting = target.snippets.setting("server", "env_loader", "")
    loaders = setting if isinstance(setting, list) else [{"dependency": setting}] if setting else []
    deps = target.package.dependencies if target.package is not None else frozenset()
    loader = next((e for e in loaders if isinstance(e, dict) and e.get("dependency") in deps), None)
    if loader is None:
        return ""
    template = target.template("env_loader", "server", loader.get("variant") or ("cjs" if commonjs else "esm"))
    if template is None:
        return ""
    return "\n".join(render(template, {"key_env": target.env("key"), "host_env": target.env("host")}))
