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

from ..analysis.model import Flow, Language, Package, Span
from ..analysis.parsing import ParsedDocument, language_for_path, parse
from . import code_scan, properties
from .model import PlannedEdit
from .snippets import FrameworkSnippets, SnippetSource, load_framework, render
from .text_style import TEMPLATE_QUOTE, TextStyle, detect_style, restyle, split_lines

log = logging.getLogger(__name__)

Exists = Callable[[str], bool]  # does this workspace-relative path exist? (the edge answers; planning stays pure)
DEFAULT_FRAMEWORK = {"python": "python", "server": "node", "client": "react-spa"}
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
    default = DEFAULT_FRAMEWORK["python" if language == "python" else side]
    framework_snippets = load_framework(snippets, (package.framework if package else None) or default)
    if (
        framework_snippets.template("capture.server.py.tmpl" if language == "python" else "capture.server.js.tmpl")
        is None
    ):
        framework_snippets = load_framework(snippets, default)  # e.g. a Python script inside a Next.js package
    return Target(
        text=text,
        path=path,
        lines=split_lines(text),
        language=language,
        doc=doc,
        style=detect_style(text, language, doc),
        snippets=framework_snippets,
        package=package,
    )


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
    """Where the calls go: new lines before `line` at `indent`, or into `arrow`'s expression body."""

    line: int
    indent: str
    arrow: Node | None = None


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
        code_scan.client_receiver(target.text)
        if side == "client"
        else code_scan.server_receiver(target.text, target.language)
    )
    pieces = _missing_pieces(target, flow, side, region, wanted, found)
    place = _placement(target, flow, region, "capture" in pieces, found) if pieces else None
    if place is None:
        return []
    receiver = found or (target.snippets.setting("server", "exports", "posthog") if side == "server" else "posthog")
    block = _block(
        target, flow, [target.template(p, side) or "" for p in pieces], _values(target, flow, region, receiver), place
    )
    if not block:
        return []
    if place.arrow is not None:
        span, new_text = _arrow_block(target, place.arrow, block)
    else:
        span, new_text = _insertion(target, place.line, block)
    edits = [PlannedEdit(target.path, span, new_text, label or _label(pieces, flow), flow.event)]
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
    reset = code_scan.first_reset_line(target.lines, max(region.start_line, flow.span.start_line), at, receiver)
    if capturing and reset is not None:  # after reset() the capture would belong to a new anonymous visitor
        at, indent = reset, _indent_of(target.lines[reset])
    if code_scan.statement_boundary(target.doc, at):
        # at or above the flow's first line is outside it: e.g. `app.post('/login', passport.authenticate(...))`
        # has no body, and code there would run once at import instead of on each login
        return Placement(at, indent) if at > flow.span.start_line else None
    arrow = code_scan.expression_arrow(target.doc, target.lines, flow.span)
    # inside an expression or JSX, inserted lines would break the code or show up on the page
    return Placement(at, indent, arrow) if arrow is not None else None


def _block(target: Target, flow: Flow, templates: list[str], values: dict[str, str], place: Placement) -> list[str]:
    """The rendered calls in the file's style (one-line statements, each with ';', for an arrow body)."""
    block: list[str] = []
    if place.arrow is None and flow.user_id_expr is None and any("{{distinct_id" in t for t in templates):
        todo = target.snippets.template("todo.py.tmpl" if target.python else "todo.js.tmpl")
        block += restyle(render(todo or "", values), target.style, target.language, place.indent)
    style = target.style if place.arrow is None else replace(target.style, semicolons=True)
    indent = place.indent if place.arrow is None else ""
    for template in templates:
        block += restyle(render(template, values), style, target.language, indent) if template else []
    return block


def _missing_pieces(
    target: Target, flow: Flow, side: str, region: code_scan.Region, wanted: set[str], receiver: str | None
) -> list[str]:
    pieces = []
    if "identify" in wanted and not code_scan.present("identify", region.whole, receiver):
        pieces.append("identify")
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
    placeholder = target.snippets.setting("identity", "placeholder", "DISTINCT_ID")
    distinct_id = flow.user_id_expr or placeholder
    return {
        "posthog": receiver,
        "event": quote + flow.event + quote,
        "distinct_id": distinct_id,
        "distinct_id_str": _as_string(distinct_id, target.snippets.setting("identity", "to_string", "")),
        "placeholder": placeholder,
        "properties": event_props,
        "properties_arg": f", {event_props}" if event_props else "",
        "person_properties": person_props,
        "person_properties_arg": f", {person_props}" if person_props else "",
    }


def _as_string(expr: str, to_string: str) -> str:
    """`expr` converted to a string once: already-converted ids and string literals are left alone."""
    already = re.match(r"^(?:str|String)\(.*\)$", expr, re.S) or expr.endswith(".toString()") or expr[:1] in "'\"`"
    return expr if already or not to_string else f"{to_string}({expr})"


def _object(props: list[properties.Property], python: bool, quote: str) -> str:
    if not props:
        return ""
    if python:
        return "{" + ", ".join(f"{quote}{p.name}{quote}: {p.value}" for p in props) + "}"
    return "{ " + ", ".join(p.name if p.value == p.name else f"{p.name}: {p.value}" for p in props) + " }"


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _arrow_block(target: Target, body: Node, statements: list[str]) -> tuple[Span, str]:
    """`() => expr` becomes `() => { <statements> return expr; }` on the same line."""
    assert target.doc is not None
    code = " ".join(line.strip() for line in statements)
    return target.doc.span(body), f"{{ {code} return {target.doc.node_text(body)}; }}"


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
    else:
        module_path, spec = _server_module(target, commonjs)
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
    lines = restyle(render(template, values), target.style, target.language)
    following = target.lines[at].strip() if at < len(target.lines) else ""
    if following and not re.match(r"(import|from|const|let|var)\b", following):
        lines.append("")  # the first import of the file: keep it apart from the code
    edits.append(PlannedEdit(target.path, *_insertion(target, at, lines), "Import the PostHog client", group))
    return edits


def _server_module(target: Target, commonjs: bool) -> tuple[str | None, str]:
    """Where the server client module lives (workspace-relative) and how this file imports it."""
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
    extension = ".ts" if target.typescript else ".js" if extension in (".jsx", "") else extension
    module_path = posixpath.join(base, module + extension)
    keep_extension = not target.typescript  # Node resolves relative ESM/CJS imports only with the extension
    return module_path, code_scan.relative_module(target.path, module_path, keep_extension)


def _module_content(target: Target, commonjs: bool) -> str | None:
    if target.python:
        template = target.snippets.template("module.server.py.tmpl")
    elif target.typescript:
        template = target.snippets.template("module.server.ts.tmpl")
    else:
        template = target.snippets.template(f"module.server.{'cjs' if commonjs else 'esm'}.js.tmpl")
    if template is None:
        return None
    values = {"key_env": target.env("key"), "host_env": target.env("host")}
    return "\n".join(render(template, values)) + "\n"
