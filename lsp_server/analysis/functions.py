"""Functions ("units") of a document with what a flow detector needs: name, route, calls, string literals.

One tree-sitter query per language finds every function, call and string; a single sweep assigns each
call/string to its innermost function, so the tree is never walked in Python.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from tree_sitter import Node, QueryCursor

from .inert import is_inert
from .memo import BoundedMemo
from .parsing import ParsedDocument, query
from .vocabulary import Vocabulary, tokens

_FN = "[(arrow_function) (function_expression)]"
# Context comes from the query too: tree-sitter finds a node's parent by searching down from the root, so
# walking up from every function would cost more than the whole parse.
_JS_QUERY = f"""
[(function_declaration) (generator_function_declaration) (function_expression) (arrow_function)
 (method_definition)] @unit
(call_expression function: (_)) @call
[(string) (template_string)] @str
(variable_declarator name: (_) @name value: {_FN} @fn)
(variable_declarator name: (_) @name value: (call_expression arguments: (arguments {_FN} @fn)))
(variable_declarator name: (_) @name value: (await_expression (call_expression arguments: (arguments {_FN} @fn))))
(pair key: (_) @name value: {_FN} @fn)
(pair key: (_) @name value: (call_expression arguments: (arguments {_FN} @fn)))
(assignment_expression left: (_) @name right: {_FN} @fn)
{{field}}
{{jsx}}
(call_expression function: (_) @callee arguments: (arguments {_FN} @fn) @args)
(call_expression function: (_) @callee arguments: (arguments (call_expression arguments: (arguments {_FN} @fn))) @args)
(export_statement value: {_FN} @fn) @export
(export_statement value: (call_expression arguments: (arguments {_FN} @fn))) @export
(assignment_expression left: (_) @name right: (call_expression arguments: (arguments {_FN} @fn)))
(export_statement declaration: [(function_declaration) (generator_function_declaration)] @fn) @export
(export_statement declaration: (lexical_declaration (variable_declarator value: {_FN} @fn))) @export
(export_statement declaration: (lexical_declaration (variable_declarator value: (call_expression
  arguments: (arguments {_FN} @fn))))) @export
(class_declaration name: (_) @cls body: (class_body (method_definition) @fn)) @class
{{decorators}}
"""
_PY_QUERY = """
(function_definition) @unit
(call function: (_)) @call
(string) @str
(decorated_definition (decorator) @dec definition: (function_definition) @fn)
(class_definition body: (block (function_definition) @fn)) @class
(class_definition body: (block (decorated_definition definition: (function_definition) @fn))) @class
"""
_ARGS_RE = re.compile(r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)|<[^<>()]*>|\[[^\[\]]*\]")
_STEM_SUFFIX_RE = re.compile(r"(?i)[-_]?(?:routes?|router|controllers?|handlers?|views?|api)$")  # logoutRoutes.js
_PLAIN_DOTTED_RE = re.compile(r"[\w$]+(?:\.[\w$]+)*")
_NOISE_RE = re.compile(r"\s+|\bawait\b|[!?]")
_STRING_RE = re.compile(r"""^[rbuUfFRB]*('{3}|"{3}|'|"|`)(.*)\1$""", re.DOTALL)


def dotted_name(callee_text: str) -> str:
    """`(await createClient()).auth.signUp` → `createClient.auth.signUp`; `User.objects.filter(x=1).delete`
    → `User.objects.filter.delete`."""
    if callee_text.isidentifier() or _PLAIN_DOTTED_RE.fullmatch(callee_text):
        return callee_text  # the common case: nothing to strip
    text = _NOISE_RE.sub("", callee_text)
    for _ in range(4):
        stripped = _ARGS_RE.sub("", text)
        if stripped == text:
            break
        text = stripped
    return text.replace("(", "").replace(")", "").strip(".")


def string_value(text: str) -> str:
    m = _STRING_RE.match(text)
    return m.group(2) if m else text


@dataclass(slots=True)
class Call:
    node: Node
    dotted: str
    callee_text: str
    _args: str | None = None

    def args_text(self, doc: ParsedDocument) -> str:
        if self._args is None:
            args = self.node.child_by_field_name("arguments")
            self._args = doc.node_text(args) if args is not None else ""
        return self._args


@dataclass(slots=True)
class Unit:
    node: Node
    body: Node | None
    symbol: str  # what the user sees: "handleLogin", "SignUpView.post", "POST /login"
    name: str  # the name tokens come from ("" when it has none worth matching)
    parent: Unit | None = None
    route_method: str | None = None
    route_path: str | None = None
    is_component: bool = False
    is_hook: bool = False
    handler: bool = False  # route handler, view, server action or handleX/onX
    server: bool = False  # certainly server code (route handler, view, 'use server')
    negative: bool = False  # test / e2e / story code
    middleware: list[Call] = field(default_factory=list)  # calls before the handler in its route registration
    calls: list[Call] = field(default_factory=list)
    strings: list[Node] = field(default_factory=list)
    references: list[tuple[str, Call]] = field(default_factory=list)  # (JSX attribute, handler named there)
    params: tuple[str, ...] = ()
    inert: bool = False  # its statement can give no flow evidence (inert.py); set when re-created from memory

    @property
    def skippable(self) -> bool:
        """The detector's per-function passes can skip it: inert, and no route given to it from elsewhere."""
        return self.inert and self.route_path is None and self.route_method is None

    @property
    def start(self) -> int:
        return self.node.start_byte

    @property
    def end(self) -> int:
        return self.node.end_byte

    @property
    def has_body(self) -> bool:
        """`body is not None`, without looking the body up in the tree (a unit re-created from memory)."""
        return self.body is not None


_JS_PARTS = {  # node types differ between the grammars
    "javascript": {
        "field": f"(field_definition property: (_) @name value: {_FN} @fn)",
        "decorators": "(method_definition (decorator) @dec) @fn",
        "jsx": f"(jsx_attribute (property_identifier) @attr (jsx_expression {_FN} @fn))\n"
        "(jsx_attribute (property_identifier) @refattr (jsx_expression [(identifier) (member_expression)] @ref))",
    },
    "typescript": {
        "field": f"(public_field_definition name: (_) @name value: {_FN} @fn)",
        "decorators": "(class_body (decorator)+ @dec . (method_definition) @fn)",
        "jsx": "",
    },
}
_JS_PARTS["tsx"] = {**_JS_PARTS["typescript"], "jsx": _JS_PARTS["javascript"]["jsx"]}


@cache
def _query_source(language: str) -> str:
    if language == "python":
        return _PY_QUERY
    source = _JS_QUERY
    for key, value in _JS_PARTS[language].items():
        source = source.replace("{" + key + "}", value)
    return source


def extract_units(doc: ParsedDocument, vocab: Vocabulary, path: str) -> list[Unit]:
    """Every function of the document, outermost first, with its calls and strings attached.

    The functions of a top-level statement depend on that statement alone, so in a large document being typed in
    they are remembered by the statement's text (from the version an editor opens, or once seen unchanged across an
    edit): an edit re-builds the statement it touches and re-creates the others from memory over this tree's nodes,
    with the same result as building them all. Their nodes are looked up in the tree when first asked for (most never
    are). Functions re-created from memory carry `inert` when their statement can give no flow evidence (inert.py),
    so the detector skips them."""
    file_route = _file_route(path, vocab)
    use_server_file = _has_directive(doc, doc.root, vocab.side.get("server_directive", "use server"))
    if not doc.edited or len(doc.data) < _MEMO_MIN_BYTES:  # a file read once (a scan): nothing to remember for
        units, bodiless = _build(doc, _matches(doc, doc.root), vocab, path, file_route, use_server_file)
        return units + bodiless
    statements = doc.statements()
    stmts = [stmt for stmt, _ in statements]
    language, vocab_id = doc.language, id(vocab)
    keys: list[tuple | None] = [  # None: not to remember (error recovery may depend on the text around it)
        None if text is None else (language, path, vocab_id, use_server_file, stmt.kind_id, text)
        for stmt, text in statements
    ]
    parts: list[tuple[list[Unit], list[Unit]] | None] = []
    seen: list[bool] = []
    context: _Context = (doc, vocab, path, file_route, use_server_file, {})
    for stmt, hit in zip(stmts, _memo.get_many(keys), strict=True):
        if hit is not None and hit[0] is not vocab:
            hit = None
        parts.append(
            _from_template(stmt, hit[1], hit[2], context) if hit is not None and hit[1] is not None else None
        )
        seen.append(hit is not None)
    missing = [i for i, made in enumerate(parts) if made is None]
    if len(missing) * 4 > len(stmts):  # most statements are new (the first edit, a paste): one query for all
        grouped = _matches_by_statement(doc, stmts)
        if grouped is None:
            units, bodiless = _build(doc, _matches(doc, doc.root), vocab, path, file_route, use_server_file)
            return units + bodiless
    else:
        grouped = {i: _matches(doc, stmts[i]) for i in missing}
    units, bodiless = [], []
    # statements the edit from the previous version left alone are worth remembering at once (and all of a document
    # an editor just opened): only the statement being typed in changes every time
    edit = doc.previous
    edit_start, edit_end = (edit[1], edit[3]) if edit is not None else (0, -1)
    for i, made in enumerate(parts):
        if made is None:
            made = _build(doc, grouped.get(i, []), vocab, path, file_route, use_server_file)
            key = keys[i]
            stmt = stmts[i]
            unchanged = seen[i] or edit is None or stmt.end_byte <= edit_start or stmt.start_byte >= edit_end
            if key is not None and not unchanged:  # the statement being typed in changes every time: not worth more
                _memo.put(key, (vocab, None, 0, False), len(key[-1]) + 200)
            elif key is not None:  # seen unchanged before: remember its functions
                template = _to_template(stmt.start_byte, made[0] + made[1])
                inert = is_inert(doc.node_text(stmt), path, vocab)  # later keystrokes skip its evidence passes
                protos = _to_protos(template, inert)
                _memo.put(key, (vocab, protos, len(made[0]), inert), len(key[-1]) + 600 * len(template) + 200)
        units.extend(made[0])
        bodiless.extend(made[1])
    return units + bodiless


_Match = dict[str, list[Node]]


def _matches(doc: ParsedDocument, within: Node) -> list[_Match]:
    return [match for _, match in QueryCursor(query(doc.language, _query_source(doc.language))).matches(within)]


def _matches_by_statement(doc: ParsedDocument, stmts: list[Node]) -> dict[int, list[_Match]] | None:
    """The whole document's matches grouped by the top-level statement holding them (None: one lies outside)."""
    starts = [stmt.start_byte for stmt in stmts]
    grouped: dict[int, list[_Match]] = {}
    for match in _matches(doc, doc.root):
        node = next(iter(match.values()))[0]
        i = bisect_right(starts, node.start_byte) - 1
        if i < 0 or node.end_byte > stmts[i].end_byte:
            return None
        grouped.setdefault(i, []).append(match)
    return grouped


def _build(
    doc: ParsedDocument,
    matches: list[_Match],
    vocab: Vocabulary,
    path: str,
    file_route: str | None,
    use_server_file: bool,
) -> tuple[list[Unit], list[Unit]]:
    """The functions the query `matches` found (in the root or one top-level statement): (functions, body-less
    route handlers)."""
    python = doc.language == "python"
    captures: dict[str, list[Node]] = {"unit": [], "call": [], "str": [], "ref": [], "refattr": []}
    context: dict[int, dict[str, list[Node]]] = {}
    for match in matches:
        fns = match.get("fn")
        if fns:
            slot = context.setdefault(fns[0].id, {})
            for key, nodes in match.items():
                if key != "fn":
                    slot.setdefault(key, []).extend(nodes)
            continue
        for key, nodes in match.items():
            captures[key].extend(nodes)
    unit_nodes = sorted(captures["unit"], key=lambda n: (n.start_byte, -n.end_byte))
    units: list[Unit] = []
    stack: list[Unit] = []
    for node in unit_nodes:
        while stack and stack[-1].end <= node.start_byte:
            stack.pop()
        parent = stack[-1] if stack else None
        ctx = context.get(node.id, {})
        build = _python_unit if python else _js_unit
        unit = build(doc, node, ctx, parent, vocab, path, file_route, use_server_file)
        units.append(unit)
        stack.append(unit)
    _attach(doc, units, captures)
    bodiless = [] if python else _bodiless_routes(doc, vocab, path, units, captures["call"])
    middleware = {call.node.id for unit in (*units, *bodiless) for call in unit.middleware}
    if middleware:  # `router.post('/x', passport.authenticate(...), handler)`: evidence of the handler only
        for unit in (*units, *bodiless):
            unit.calls = [call for call in unit.calls if call.node.id not in middleware]
    return units, bodiless


# --- memory of the functions per top-level statement -----------------------------------------------------------

_MEMO_MIN_BYTES = 4096  # smaller documents are built whole in well under a millisecond
_Loc = tuple[int, int, int]  # a node as (start, end) bytes relative to its statement and its grammar kind id
_CallT = tuple[_Loc, str, str]
_UnitT = tuple  # one Unit's fields in order, nodes as _Loc, calls as (_Loc, dotted, callee text)
# key: language, path, vocabulary, 'use server' file, statement kind and text;
# value: (vocabulary, units (as _to_protos gives them) or None when seen once, how many of them are not body-less
# routes, inert: see inert.py)
_memo: BoundedMemo[tuple[Vocabulary, tuple | None, int, bool]] = BoundedMemo(
    50_000, max_bytes=8_000_000
)


_FIELD_BODY = (-1, -1, -1)  # a body that is its function's `body` field (all of them, today): one lookup, no search


def _loc(node: Node, base: int) -> _Loc:
    return node.start_byte - base, node.end_byte - base, node.kind_id


def _to_template(base: int, units: list[Unit]) -> tuple[_UnitT, ...]:
    """The units as plain data (no tree-sitter node, which would keep its whole tree alive)."""
    index = {id(unit): i for i, unit in enumerate(units)}
    out = []
    for u in units:
        node, body = u.node, u.body
        out.append(
            (
                (node.start_byte - base, node.end_byte - base, node.kind_id),
                None if body is None
                else _FIELD_BODY if body == node.child_by_field_name("body")
                else (body.start_byte - base, body.end_byte - base, body.kind_id),
                u.symbol,
                u.name,
                index[id(u.parent)] if u.parent is not None else -1,
                u.route_method,
                u.route_path,
                u.is_component,
                u.is_hook,
                u.handler,
                u.server,
                u.negative,
                tuple((_loc(c.node, base), c.dotted, c.callee_text) for c in u.middleware) if u.middleware else (),
                tuple((_loc(c.node, base), c.dotted, c.callee_text) for c in u.calls) if u.calls else (),
                tuple(_loc(s, base) for s in u.strings) if u.strings else (),
                tuple((a, _loc(c.node, base), c.dotted, c.callee_text) for a, c in u.references)
                if u.references
                else (),
                u.params,
            )
        )
    return tuple(out)


class _Unresolved(Exception):
    """A remembered node is not where it should be in this tree: build the statement instead."""


def _node_at(find: Callable[[int, int], Node | None], base: int, loc: _Loc) -> Node:
    """The node of kind `loc[2]` spanning exactly `loc`'s bytes (relative to `base`), found with `find`."""
    start, end, kind = loc
    start += base
    end += base
    node = find(start, end)
    if node is not None and node.kind_id == kind and node.start_byte == start and node.end_byte == end:
        return node
    while node is not None and node.kind_id != kind:  # a parent spanning the same bytes
        parent = node.parent
        if parent is None or parent.start_byte != node.start_byte or parent.end_byte != node.end_byte:
            raise _Unresolved
        node = parent
    if node is None or node.start_byte != start or node.end_byte != end:
        raise _Unresolved
    return node


# (document, vocabulary, path, file route, 'use server' file, fresh builds by statement id): what building a statement's
# functions again takes, shared by the units of one extraction
_Context = tuple[ParsedDocument, Vocabulary, str, "str | None", bool, dict[int, list[Unit]]]
_MISSING = object()


class _Lazy:
    """A field of a unit re-created from memory, made on first read and then kept in the instance (a plain attribute
    from then on: a write replaces it, as on a Unit)."""

    __slots__ = ("make", "name")

    def __init__(self, make: Callable[[_RememberedUnit], object]) -> None:
        self.make = make
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: _RememberedUnit | None, owner: type | None = None) -> object:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.make(obj)
        return value


def _resolve(u: _RememberedUnit, loc: _Loc, field: str, j: int = -1) -> Node:
    """The remembered node at `loc` (the unit's `field`, or item `j` of that list) in this tree; when it is not where
    memory says (never expected: the statement's text is the same), that node in a fresh build of the statement."""
    stmt, base, context = u._at
    try:
        return _node_at(stmt.descendant_for_byte_range, base, loc)
    except _Unresolved:
        built = context[5].get(stmt.id)
        if built is None:
            doc, vocab, path, file_route, use_server_file, _ = context
            regular, bodiless = _build(doc, _matches(doc, stmt), vocab, path, file_route, use_server_file)
            built = context[5][stmt.id] = regular + bodiless
        if u._index >= len(built):
            raise RuntimeError("a remembered statement's functions differ from a fresh build") from None
        item = getattr(built[u._index], field)
        item = item if j < 0 else item[j]
        return item if isinstance(item, Node) else item[1].node if isinstance(item, tuple) else item.node


def _body(u: _RememberedUnit) -> Node | None:
    body = u._t[1]
    if body is None:
        return None
    return u.node.child_by_field_name("body") if body is _FIELD_BODY else _resolve(u, body, "body")


def _calls_at(field: str, at: int) -> Callable[[_RememberedUnit], list[Call]]:
    def make(u: _RememberedUnit) -> list[Call]:
        return [Call(_resolve(u, c, field, j), dotted, text) for j, (c, dotted, text) in enumerate(u._t[at])]

    return make


class _RememberedUnit(Unit):
    """A Unit re-created from memory. Its plain fields are copied in one step from a dict made when the statement was
    remembered (the class attributes below shadow the dataclass' slots, so the values live in the instance dict); its
    tree nodes (the function, its body, calls, strings) are looked up in this tree on first read: most functions of a
    large file are never asked for them while the user types."""

    # plain fields: in the instance dict (these class attributes only make the slots' descriptors step aside)
    symbol = name = parent = route_method = route_path = params = None
    is_component = is_hook = handler = server = negative = inert = None
    start = end = has_body = None  # Unit computes these from the node: known without it here
    # fields holding nodes: looked up on first read
    node = _Lazy(lambda u: _resolve(u, u._t[0], "node"))
    body = _Lazy(_body)
    middleware = _Lazy(_calls_at("middleware", 12))
    calls = _Lazy(_calls_at("calls", 13))
    strings = _Lazy(lambda u: [_resolve(u, c, "strings", j) for j, c in enumerate(u._t[14])])
    references = _Lazy(
        lambda u: [(a, Call(_resolve(u, c, "references", j), d, t)) for j, (a, c, d, t) in enumerate(u._t[15])]
    )


_Proto = dict[str, object]  # a remembered unit's plain fields (and `_t`, `_index`, `_rs`, `_re`), copied per keystroke


def _to_protos(template: tuple[_UnitT, ...], inert: bool) -> tuple[tuple[_Proto, int, bool], ...]:
    """Per unit: its plain fields as a dict, its parent's index in the statement (-1: none), and whether it passes no
    handler by reference (every keystroke reads every function's references)."""
    out = []
    for index, t in enumerate(template):
        (_, body, symbol, name, parent, route_method, route_path, is_component, is_hook, handler, server, negative,
         _, _, _, _, params) = t
        proto = {
            "symbol": symbol, "name": name, "route_method": route_method, "route_path": route_path,
            "is_component": is_component, "is_hook": is_hook, "handler": handler, "server": server,
            "negative": negative, "params": params, "inert": inert, "has_body": body is not None,
            "_t": t, "_index": index,
        }
        out.append((proto, parent, not t[15]))
    return tuple(out)


_new_unit = object.__new__


def _from_template(
    stmt: Node, protos: tuple[tuple[_Proto, int, bool], ...], regular: int, context: _Context
) -> tuple[list[Unit], list[Unit]]:
    """Units over `stmt` in this tree, their nodes looked up on first read."""
    base = stmt.start_byte
    at = (stmt, base, context)
    units: list[Unit] = []
    for proto, parent, no_references in protos:
        u = _new_unit(_RememberedUnit)
        d = u.__dict__
        d.update(proto)
        loc = proto["_t"][0]  # type: ignore[index]
        d["start"], d["end"], d["_at"] = base + loc[0], base + loc[1], at
        d["parent"] = units[parent] if parent >= 0 else None
        if no_references:
            d["references"] = []
        units.append(u)
    return units[:regular], units[regular:]


def _bodiless_routes(
    doc: ParsedDocument, vocab: Vocabulary, path: str, units: list[Unit], calls: list[Node]
) -> list[Unit]:
    """`router.post('/login', passport.authenticate('local', {...}))`: a route whose handler is middleware only."""
    out = []
    for call in calls:
        fn = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if fn is None or args is None or fn.type != "member_expression":
            continue
        text = doc.node_text(fn)
        m = vocab.route_register_re.match(dotted_name(text))
        if not m or m.group(1).lower() == "use":
            continue
        arg_nodes = args.named_children
        if any(a.type in ("arrow_function", "function_expression") for a in arg_nodes):
            continue
        inner = [a for a in arg_nodes if a.type == "call_expression"]
        if not inner:
            continue
        route_path = _first_string(doc, args) or ""
        if not route_path.strip("/"):
            route_path = "/" + _file_stem(path)
        method = m.group(1).upper()
        middleware = [
            Call(a, dotted_name(t), t) for a in inner for t in [doc.node_text(a.child_by_field_name("function"))]
        ]
        owner = next((u for u in reversed(units) if u.start <= call.start_byte < u.end), None)
        out.append(
            Unit(
                node=call,
                body=None,
                symbol=f"{method} {route_path}",
                name="",
                parent=owner,
                route_method=method,
                route_path=route_path,
                handler=True,
                server=True,
                negative=owner is not None and owner.negative,
                middleware=middleware,
            )
        )
    return out


def _attach(doc: ParsedDocument, units: list[Unit], captures: dict[str, list[Node]]) -> None:
    items: list[tuple[int, int, Node]] = [(c.start_byte, 0, c) for c in captures["call"]]
    items.extend((s.start_byte, 1, s) for s in captures["str"])
    items.extend((r.start_byte, 2, r) for r in captures["ref"])
    attrs = {r.id: a for a, r in zip(captures["refattr"], captures["ref"], strict=False)}
    items.sort(key=lambda it: (it[0], it[1]))
    stack: list[Unit] = []
    i = 0
    for pos, is_string, node in items:
        while i < len(units) and units[i].start <= pos:
            while stack and stack[-1].end <= units[i].start:
                stack.pop()
            stack.append(units[i])
            i += 1
        while stack and stack[-1].end <= pos:
            stack.pop()
        if not stack:
            continue
        owner = stack[-1]
        if is_string == 1:
            owner.strings.append(node)
        elif is_string == 2:  # `onClick={signOut}`: a handler passed by reference
            text = doc.node_text(node)
            attr = attrs.get(node.id)
            owner.references.append(
                (doc.node_text(attr) if attr is not None else "", Call(node, dotted_name(text), text))
            )
        else:
            text = doc.node_text(node.child_by_field_name("function"))
            owner.calls.append(Call(node, dotted_name(text), text))


def _has_directive(doc: ParsedDocument, block: Node | None, directive: str) -> bool:
    if block is None:
        return False
    for child in [block.named_child(i) for i in range(min(3, block.named_child_count))]:  # not all statements
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count == 1:
            inner = child.named_children[0]
            if inner.type == "string" and string_value(doc.node_text(inner)) == directive:
                return True
        return False
    return False


_HTTP_VERBS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def _method_route(path: str, vocab: Vocabulary) -> str | None:
    """The route of a file under a `routes/` folder exporting an HTTP-method handler, flat-route dots as segments."""
    for pattern in vocab.method_route_res:
        if m := pattern.search(path):
            return "/" + "/".join(p for p in re.split(r"[./]", m.group(1)) if p and p != "index")
    return None


def _file_route(path: str, vocab: Vocabulary) -> str | None:
    for pattern in vocab.file_route_res:
        if m := pattern.search(path):
            return "/" + m.group(1)
    return None


def _first_string(doc: ParsedDocument, node: Node | None) -> str | None:
    if node is None:
        return None
    for child in node.named_children:
        if child.type in ("string", "template_string"):
            return string_value(doc.node_text(child))
    return None


def _is_component(name: str) -> bool:
    return len(name) > 1 and name[0].isupper() and any(c.islower() for c in name) and "_" not in name


def _is_hook(name: str) -> bool:
    return name.startswith("use") and len(name) > 3 and name[3].isupper()


def _handler_prefix(name: str, vocab: Vocabulary) -> bool:
    """`handleLogin`, `onSignOut`, and behind a namespace word: `stripe_handleSubscriptionDeleted`."""
    toks = tokens(name)
    prefixes = vocab.handler_prefixes
    return (len(toks) > 1 and toks[0] in prefixes) or (len(toks) > 2 and toks[1] in prefixes)


# --- JavaScript / TypeScript ---------------------------------------------------------------------------------


def _js_unit(
    doc: ParsedDocument,
    node: Node,
    ctx: dict[str, list[Node]],
    parent: Unit | None,
    vocab: Vocabulary,
    path: str,
    file_route: str | None,
    use_server_file: bool,
) -> Unit:
    body = node.child_by_field_name("body")
    name, symbol, route_method, route_path, negative = "", "", None, None, False
    middleware: list[Call] = []
    name_node = node.child_by_field_name("name")
    if name_node is not None and node.type != "function_expression":
        name = doc.node_text(name_node)
    elif ctx.get("name"):
        name = string_value(doc.node_text(ctx["name"][0])).rsplit(".", 1)[-1]
    elif ctx.get("attr"):
        name = doc.node_text(ctx["attr"][0])
        symbol = f"{parent.symbol}.{name}" if parent else name
    elif ctx.get("export"):
        name = "default"
    wrapped = False
    for callee, args in zip(ctx.get("callee", []), ctx.get("args", []), strict=False):
        callee_text = doc.node_text(callee)
        dotted = dotted_name(callee_text)
        if dotted in vocab.handler_wrappers or dotted.rsplit(".", 1)[-1] in vocab.handler_wrappers:
            wrapped = True
        if any(dotted == c or dotted.endswith("." + c) for c in vocab.enclosing_calls):
            negative = True
        elif m := vocab.route_register_re.match(dotted):
            route_method = m.group(1).upper()
            route_path = _first_string(doc, args) or _first_string_in_text(callee_text)
            if not (route_path or "").strip("/"):  # router.post('/') in routes/login.js: the file names it
                route_path = "/" + _file_stem(path)
            for arg in args.named_children:
                if arg.start_byte >= node.start_byte:
                    break
                if arg.type == "call_expression":
                    fn_text = doc.node_text(arg.child_by_field_name("function"))
                    middleware.append(Call(arg, dotted_name(fn_text), fn_text))
    exported = bool(ctx.get("export"))
    if node.type == "method_definition":
        cls = ctx.get("cls")
        cls_name = doc.node_text(cls[0]) if cls else ""
        symbol = f"{cls_name}.{name}" if cls_name else name
        for dec in ctx.get("dec", []):
            route = _js_route_decorator(doc, dec, vocab)
            if route:
                route_method, route_path = route
                prefix = _controller_prefix(doc, ctx.get("class", []))
                if prefix:
                    route_path = "/" + prefix.strip("/") + "/" + (route_path or "").strip("/")
    negative = negative or (parent is not None and parent.negative)
    server = _has_directive(doc, body, vocab.side.get("server_directive", "use server"))
    params = _js_params(doc, node)
    request_handler = bool(params) and params[0] in vocab.view_params  # (req, res) => … is a route handler
    handler = server or wrapped or request_handler or route_method is not None or _handler_prefix(name, vocab)
    server = server or request_handler
    top_level = exported or parent is None  # SvelteKit `export const actions = { default: async () => … }`
    # `export default` is a handler in pages/api, a page component elsewhere; SvelteKit's `actions.default` is one
    from_export = bool(ctx.get("export")) and not ctx.get("name")
    api_default = name == "default" and (not from_export or (file_route or "").startswith("/api"))
    if not file_route and top_level and name in _HTTP_VERBS:  # `export const POST` under any routes/ folder (H8)
        file_route = _method_route(path, vocab)
    if file_route and top_level and (name in vocab.http_method_names or api_default):
        route_method = name.upper() if name.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE") else route_method
        if name in vocab.read_handler_names:
            route_method = "GET"
        route_path = route_path or file_route
        handler = server = True
    if use_server_file and parent is None:
        handler = server = True
    if route_method is not None:
        server = True
    if not symbol:
        if route_method and not name:
            symbol = f"{route_method} {route_path or ''}".strip()
        elif name:
            symbol = name
        elif parent is not None:
            symbol = parent.symbol
        else:
            symbol = "<anonymous>"
    if name in ("default", "exports") and _file_stem(path) not in ("", "index", "route", "page"):
        if name == "exports" and symbol == name:
            symbol = _file_stem(path)  # `module.exports = asyncHandler(…)` in deleteMe.js
        name = _file_stem(path)  # `export default async function (req, res)` in signup.mjs
    is_component = _is_component(name) and node.type != "method_definition" and not handler
    return Unit(
        node=node,
        body=body,
        symbol=symbol,
        name=name,
        parent=parent,
        route_method=route_method,
        route_path=route_path,
        is_component=is_component,
        is_hook=_is_hook(name),
        handler=handler,
        server=server,
        negative=negative,
        middleware=middleware,
        params=params,
    )


def _file_stem(path: str) -> str:
    """`src/routes/login.js` → `login`; `server/api/logout.get.ts` → `logout`."""
    name = path.rsplit("/", 1)[-1].split(".", 1)[0]
    return _STEM_SUFFIX_RE.sub("", name) or name


def _first_string_in_text(text: str) -> str | None:
    m = re.search(r"""\(\s*['"`]([^'"`]+)['"`]""", text)
    return m.group(1) if m else None


def _js_route_decorator(doc: ParsedDocument, dec: Node, vocab: Vocabulary) -> tuple[str, str | None] | None:
    """NestJS-style `@Post('login')` on a method."""
    call = dec.named_children[0] if dec.named_child_count else None
    if call is None or call.type != "call_expression":
        return None
    m = vocab.decorator_re.match(doc.node_text(call.child_by_field_name("function")))
    if not m:
        return None
    return (m.group(m.lastindex or 1) or "").upper(), _first_string(doc, call.child_by_field_name("arguments"))


def _controller_prefix(doc: ParsedDocument, classes: list[Node]) -> str | None:
    """`@Controller('auth')` on the class of a routed method (in TypeScript, on its `export` statement)."""
    for cls in classes[:1]:
        outer = cls.parent.children if cls.parent is not None and cls.parent.type == "export_statement" else []
        for dec in (*cls.children, *outer):
            if dec.type != "decorator" or not dec.named_child_count:
                continue
            call = dec.named_children[0]
            if call.type == "call_expression" and doc.node_text(call.child_by_field_name("function")) == "Controller":
                return _first_string(doc, call.child_by_field_name("arguments"))
    return None


def _js_params(doc: ParsedDocument, node: Node) -> tuple[str, ...]:
    params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
    if params is None:
        return ()
    if params.type == "identifier":
        return (doc.node_text(params),)
    out = []
    for p in params.named_children:
        target = p.child_by_field_name("pattern") or p
        if target.type == "identifier":
            out.append(doc.node_text(target))
    return tuple(out)


# --- Python --------------------------------------------------------------------------------------------------


def _python_unit(
    doc: ParsedDocument,
    node: Node,
    ctx: dict[str, list[Node]],
    parent: Unit | None,
    vocab: Vocabulary,
    path: str,
    file_route: str | None,
    use_server_file: bool,
) -> Unit:
    name = doc.node_text(node.child_by_field_name("name"))
    body = node.child_by_field_name("body")
    route_method = route_path = None
    view = False
    for dec in ctx.get("dec", []):
        if not dec.named_child_count:
            continue
        expr = dec.named_children[0]
        fn = doc.node_text(expr.child_by_field_name("function") if expr.type == "call" else expr)
        if fn.rsplit(".", 1)[-1] in ("api_view", "require_POST", "require_http_methods", "csrf_exempt"):
            view = True
        m = vocab.decorator_re.match(fn)
        if m and expr.type == "call":
            args = expr.child_by_field_name("arguments")
            route_path = _first_string(doc, args)
            method = (m.group(m.lastindex or 1) or "").upper()
            if method in ("ROUTE", "API_ROUTE", "API_VIEW"):
                args_text = doc.node_text(args).upper()
                method = "POST" if "POST" in args_text else ("GET" if "METHODS" not in args_text else "ANY")
            route_method = method
    cls = ctx.get("class", [None])[0]
    cls_name = doc.node_text(cls.child_by_field_name("name")) if cls is not None else ""
    params = _py_params(doc, node)
    first = params[1] if cls is not None and len(params) > 1 else (params[0] if params else "")
    has_bases = cls is not None and cls.child_by_field_name("superclasses") is not None
    if first in vocab.view_params or cls_name.endswith(_VIEW_CLASS_SUFFIXES):
        view = True
    elif has_bases and name.lower() in _VIEW_METHODS:
        view = True  # SignUp(CreateView).form_valid
    token_name = name
    symbol = f"{cls_name}.{name}" if cls_name else name
    if cls_name and name.lower() in _VIEW_METHODS:
        token_name = cls_name  # SignUpView.post is about signing up; "post" says nothing
        if has_bases:  # CustomAuthToken(ObtainAuthToken).post: the base class names the flow
            token_name = " ".join((cls_name, *_flow_bases(doc, cls, vocab)))
    handler = view or route_method is not None or _handler_prefix(name, vocab)
    negative = parent is not None and parent.negative
    return Unit(
        node=node,
        body=body,
        symbol=symbol,
        name=token_name,
        parent=parent,
        route_method=route_method,
        route_path=route_path,
        handler=handler,
        server=True,
        negative=negative,
        params=params,
    )


def _flow_bases(doc: ParsedDocument, cls: Node, vocab: Vocabulary) -> list[str]:
    """Base classes whose own name says a flow (`ObtainAuthToken`, `LoginView`); `TemplateView` says nothing."""
    bases = cls.child_by_field_name("superclasses")
    out = []
    for base in bases.named_children if bases is not None else ():
        if base.type not in ("identifier", "attribute"):
            continue
        last = doc.node_text(base).rsplit(".", 1)[-1]
        toks = tokens(last)
        if any(t in vocab.ignore_name_tokens for t in toks):
            continue  # LoginRequiredMixin guards a view; it would mute the view's own name
        if vocab.any_name_re is not None and vocab.any_name_re.search(" " + " ".join(toks) + " "):
            out.append(last)
    return out


_VIEW_CLASS_SUFFIXES = ("View", "ViewSet", "APIView", "Resource", "Handler", "Controller", "Mutation")
_VIEW_METHODS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "form_valid",
        "create",
        "perform_create",
        "dispatch",
        "destroy",
        "perform_destroy",
        "update",
        "perform_update",
        "handle",
        "__call__",
        "save",
        "clean",
        "execute",
        "run",
        "mutate",
        "resolve",
    }
)


def _py_params(doc: ParsedDocument, node: Node) -> tuple[str, ...]:
    params = node.child_by_field_name("parameters")
    if params is None:
        return ()
    out = []
    for p in params.named_children:
        if p.type == "identifier":
            out.append(doc.node_text(p))
        else:
            ident = p.child_by_field_name("name") or (p.named_children[0] if p.named_child_count else None)
            if ident is not None and ident.type == "identifier":
                out.append(doc.node_text(ident))
    return tuple(out)
