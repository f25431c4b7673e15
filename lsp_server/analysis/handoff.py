"""The browser's login / signup success: after a request to a login or signup URL, the call that hands the user to
the app (`setUser(data.user)`, `onLogin(user)`, a store's `login(user)`, `signedIn(user)`). posthog-js identifies
the user right before that call, with the argument's id; when the argument is not a name the capture can reuse
(`signedIn((await res.json()) as Me)`) and the callee is a local function, identify goes at that function's start,
with its parameter's id. The vocabulary is `[user_id] client_handoff` in `skills/detection/flows.toml`.

The request's URL may be a literal, a ternary of literals, a constant, a `ENDPOINTS.LOGIN` member, or a parameter
whose TypeScript literal type or call sites name it (`authenticate(path: '/signup' | '/login')`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tree_sitter import Node

from .functions import Unit, dotted_name, string_value
from .insertion import Insertion, at_start, indent_of
from .parsing import ParsedDocument
from .vocabulary import Vocabulary

_TEMPLATE_SUB_RE = re.compile(r"\$\{[^}]*\}")
_STRING_NODES = frozenset({"string", "template_string"})
_WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
        "await_expression",
        "type_assertion",
    }
)
_LITERAL_RE = re.compile(r"""(['"`])(/?[\w$/{}.:-]*)\1""")
_MAX_DEPTH = 3
_URL_PREFIXES = ("/", "http", "api/", "auth/", "$")


@dataclass(frozen=True, slots=True)
class Handoff:
    """A login / signup request in `unit` and the call handing its user to the app."""

    urls: tuple[str, ...]  # the URL values the request may use
    request: Node
    call: Node  # the hand-off call
    callee: str
    user_expr: str | None  # the user object at the call (`data.user`), None when it is no plain name
    target: Unit | None  # the local function taking the user when `user_expr` is None
    insertion: Insertion


def config(vocab: Vocabulary) -> dict[str, Any] | None:
    conf = vocab.user_id.get("client_handoff")
    return conf if isinstance(conf, dict) and conf.get("callee_re") else None


def find(
    doc: ParsedDocument,
    vocab: Vocabulary,
    conf: dict[str, Any],
    unit: Unit,
    units: list[Unit],
    by_name: dict[str, Unit],
    names_auth: Any,
    request: Node | None = None,
) -> Handoff | None:
    """The hand-off after the first request in `unit` whose URL `names_auth(urls)` accepts (or after `request`, a
    request the function's name already makes the flow's, whatever its URL: `$.post(form.action, …)`). Never raises."""
    if unit.body is None or unit.body.type != "statement_block":
        return None
    getters = conf.get("getters", ())  # request callees that are also lookups: `params.get('login')`
    for call in unit.calls:
        if call.dotted.rsplit(".", 1)[-1] not in vocab.request_callees:
            continue
        last = call.dotted.rsplit(".", 1)[-1]
        urls = tuple(u for u in _request_urls(doc, call.node, unit, units, 0) if _url_like(u, last, getters))
        if request is not None:
            if call.node != request:
                continue
            urls = urls or ("",)
        elif not urls or not names_auth(urls):
            continue
        found = _handoff_after(doc, conf, unit, call.node, units, by_name)
        if found is not None:
            hand, callee, expr, target = found
            ins = _insertion(doc, vocab, hand, target, call.node)
            if ins is not None:
                return Handoff(urls, call.node, hand, callee, expr, target, ins)
        return None
    return None


def in_success_callback(
    doc: ParsedDocument, conf: dict[str, Any], callback: Unit, units: list[Unit], by_name: dict[str, Unit]
) -> tuple[str, str] | None:
    """(the user object, the callee) handed on in a mutation's `onSuccess: (res) => { setUser(res.data.user) }`."""
    body = callback.body
    if body is None or body.type != "statement_block":
        return None
    found = _handoff_after(doc, conf, callback, body, units, by_name, after=body.start_byte)
    return (found[2], found[1]) if found is not None and found[2] is not None else None


# --- the URL -----------------------------------------------------------------------------------------------------


def _request_urls(doc: ParsedDocument, call: Node, unit: Unit, units: list[Unit], depth: int) -> Iterator[str]:
    args = call.child_by_field_name("arguments")
    first = next((a for a in args.named_children if a.type != "comment"), None) if args is not None else None
    if first is None:
        return
    if first.type == "object":  # axios({ url: '/api/login', method: 'post' })
        for pair in first.named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            value = pair.child_by_field_name("value") if key is not None else None
            if key is not None and value is not None and string_value(doc.node_text(key)) in ("url", "path"):
                yield from _values(doc, value, unit, units, depth)
        return
    yield from _values(doc, first, unit, units, depth)


def _url_like(value: str, callee: str, getters: Collection[str]) -> bool:
    """A URL or API path: `/api/login`, `https://…`, `auth/login`; a bare word (`login`) only for a call that can
    only be a request (`api.post('login')`, not `params.get('login')`)."""
    if value.startswith(_URL_PREFIXES):
        return True
    return callee not in getters and re.fullmatch(r"[\w-]+(?:/[\w-]+)*/?", value) is not None


def _values(doc: ParsedDocument, node: Node, unit: Unit, units: list[Unit], depth: int) -> Iterator[str]:
    """The URL strings an expression may evaluate to (as far as this file says)."""
    if depth > _MAX_DEPTH:
        return
    kind = node.type
    if kind in _STRING_NODES:
        text = doc.node_text(node)
        if len(text) <= 200:
            yield _TEMPLATE_SUB_RE.sub("/", string_value(text) if kind == "string" else text.strip("`"))
    elif kind in ("ternary_expression", "binary_expression"):
        for part in node.named_children[1:] if kind == "ternary_expression" else node.named_children:
            yield from _values(doc, part, unit, units, depth + 1)
    elif kind in _WRAPPERS and node.named_child_count:
        yield from _values(doc, node.named_children[0], unit, units, depth + 1)
    elif kind == "member_expression":  # ENDPOINTS.AUTH.LOGIN
        text = doc.node_text(node)
        if len(text) <= 80 and "(" not in text:
            yield "/" + text.replace(".", "/")
    elif kind == "identifier":
        yield from _identifier_values(doc, doc.node_text(node), unit, units, depth)


def _identifier_values(doc: ParsedDocument, name: str, unit: Unit, units: list[Unit], depth: int) -> Iterator[str]:
    if name in unit.params:
        params = unit.node.child_by_field_name("parameters")
        index = -1
        for i, param in enumerate(p for p in (params.named_children if params else []) if p.type != "comment"):
            text = doc.node_text(param)
            if re.match(r"[A-Za-z_$][\w$]*", text) and re.match(r"[A-Za-z_$][\w$]*", text).group(0) == name:
                index = i
                annotation = text.split(":", 1)[1] if ":" in text else ""  # path: '/signup' | '/login'
                yield from (m.group(2) for m in _LITERAL_RE.finditer(annotation))
                break
        if index >= 0 and unit.name:  # authenticate('/login', e) elsewhere in the file
            for other in units:
                for call in other.calls:
                    if call.dotted.removeprefix("this.") != unit.name:
                        continue
                    args = call.node.child_by_field_name("arguments")
                    items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
                    if index < len(items) and items[index].type in _STRING_NODES:
                        yield from _values(doc, items[index], other, units, depth + 1)
        return
    body = unit.body
    if body is None:
        return
    for declarator in _declarators(body, name, doc):  # const url = isLogin ? '/login' : '/register'
        value = declarator.child_by_field_name("value")
        if value is not None:
            yield from _values(doc, value, unit, units, depth + 1)


def _declarators(block: Node, name: str, doc: ParsedDocument) -> Iterator[Node]:
    for stmt in block.named_children:
        if stmt.type in ("lexical_declaration", "variable_declaration"):
            for declarator in stmt.named_children:
                ident = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
                if ident is not None and ident.type == "identifier" and doc.node_text(ident) == name:
                    yield declarator


# --- the hand-off call -------------------------------------------------------------------------------------------


def _handoff_after(
    doc: ParsedDocument,
    conf: dict[str, Any],
    unit: Unit,
    request: Node,
    units: list[Unit],
    by_name: dict[str, Unit],
    after: int | None = None,
) -> tuple[Node, str, str | None, Unit | None] | None:
    """The first hand-off after `request` (or the byte `after`): in the function itself, or in the `.then` callbacks
    chained on it."""
    callee_re = _compile(conf.get("callee_re", ""))
    wrappers = set(conf.get("wrappers", []))
    storage = set(conf.get("storage", []))
    user_re = _compile(conf.get("user_re", "") or "(?!)")
    if callee_re is None or user_re is None or unit.body is None:
        return None
    chain = request
    while chain.parent is not None and chain.parent.type not in ("statement_block", "program"):
        chain = chain.parent  # `fetch(…).then((r) => r.json()).then((data) => setUser(data.user))`
    calls = [c.node for c in unit.calls]
    calls += [
        c.node for u in units if _inside(u, unit) and chain.start_byte <= u.start < chain.end_byte for c in u.calls
    ]
    start = request.end_byte if after is None else after
    # also in the callbacks the request is given (`$.post(url, data, function (res) {…})`, `$.ajax({ success })`)
    steps = [(n.start_byte, "call", n) for n in calls if n.start_byte >= start or _in_callback(n, request)]
    steps += [(n.start_byte, "set", n) for n in _assignments(unit.body, chain) if n.start_byte >= start]
    for _, step, node in sorted(steps, key=lambda item: item[0]):
        if _in_catch(node, unit.node):
            continue
        if step == "set":  # `this.user = data.user` (a Pinia / Vuex / class store)
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            name = doc.node_text(left).removesuffix(".value") if left is not None else ""
            stored = name.startswith(("localStorage.", "sessionStorage."))  # `localStorage.user = JSON.stringify(u)`
            if stored and right is not None and right.type == "call_expression":
                fn = right.child_by_field_name("function")
                right = _first_arg(right) if fn is not None and doc.node_text(fn) == "JSON.stringify" else None
            expr = _user_expr(doc, right, user_re, conf) if right is not None else None
            if expr is None and stored and right is not None:
                expr = _plain(doc, right)
            if expr is not None and user_re.search(name.rsplit(".", 1)[-1]):
                return node, name, expr, None
            continue
        fn = node.child_by_field_name("function")
        dotted, arg_of, arg_index = dotted_name(doc.node_text(fn)) if fn is not None else "", node, 0
        stored = False
        if dotted.rsplit(".", 1)[-1] in wrappers:
            inner = _first_arg(node)
            if inner is not None and inner.type == "call_expression":  # dispatch(setCredentials({ user }))
                fn = inner.child_by_field_name("function")
                dotted, arg_of = dotted_name(doc.node_text(fn)) if fn is not None else "", inner
            elif (
                inner is not None
                and inner.type == "string"
                and re.search(r"(?i)user|log_?in|auth|session", doc.node_text(inner))
            ):
                arg_index = 1  # Vuex `commit('SET_USER', data.user)`
            elif inner is not None and inner.type == "object":
                arg_index = -1  # `dispatch({ type: 'auth/login', payload: data.user })`
            else:
                continue
        elif dotted.rsplit(".", 1)[-1] in storage:  # localStorage.setItem('user', JSON.stringify(data.user))
            key = _first_arg(node)
            if key is None or key.type != "string" or not user_re.search(string_value(doc.node_text(key))):
                continue
            arg_index, stored = 1, True
        last = dotted.rsplit(".", 1)[-1]
        local = by_name.get(dotted.removeprefix("this."))
        # the receiver or storage key names the user (`this.currentUser.next(res)`, `setItem('user', …)`): any value
        named_user = stored or _user_receiver(dotted, conf)
        if arg_index == 0 and not callee_re.fullmatch(last) and local is None and not named_user:
            continue
        arg = _arg(arg_of, max(arg_index, 0))
        if arg is not None and arg.type == "call_expression" and arg_index == 1:
            fn = arg.child_by_field_name("function")
            if fn is not None and doc.node_text(fn) == "JSON.stringify":
                arg = _first_arg(arg)
        if arg is None:
            continue
        expr = _user_expr(doc, arg, user_re, conf) or (_plain(doc, arg) if named_user else None)
        if expr is not None:
            return node, dotted, expr, None
        if local is not None and local is not unit and _takes_user(doc, local, user_re) and _computed(arg):
            return node, dotted, None, local
    return None


def _in_callback(node: Node, request: Node) -> bool:
    """`node` is in a function given to the call `request` (its success callback), not in its plain arguments."""
    if not (request.start_byte <= node.start_byte < request.end_byte) or request.type != "call_expression":
        return False
    cur = node.parent
    while cur is not None and cur != request:
        if cur.type in ("arrow_function", "function_expression", "method_definition"):
            return True
        cur = cur.parent
    return False


def _user_receiver(dotted: str, conf: dict[str, Any]) -> bool:
    """`this.currentUser.next(…)`, `this.user$.next(…)`: a subject / signal / emitter named for the user
    (`receiver_calls`, `receiver_re` in client_handoff)."""
    parts = dotted.rsplit(".", 2)
    if len(parts) < 2 or parts[-1] not in conf.get("receiver_calls", ()):
        return False
    pattern = _compile(conf.get("receiver_re", "") or "(?!)")
    return pattern is not None and pattern.search(parts[-2]) is not None


def _plain(doc: ParsedDocument, arg: Node) -> str | None:
    """`r.body`, `res`, `data.user`: a value the inserted code can name again (not a call or a literal)."""
    arg = _unwrap(arg)
    text = doc.node_text(arg).replace("?.", ".") if arg.type in ("identifier", "member_expression") else ""
    return text if re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){0,4}", text) else None


def _inside(inner: Unit, outer: Unit) -> bool:
    u = inner.parent
    while u is not None and u is not outer:
        u = u.parent
    return u is outer


def _assignments(body: Node, chain: Node) -> Iterator[Node]:
    """Assignments in `body`, also in the callbacks chained on the request (`chain`), not in other functions."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "assignment_expression":
            yield node
        for child in node.named_children:
            nested = child.type in ("arrow_function", "function_expression", "function_declaration", "class_body")
            if not nested or chain.start_byte <= child.start_byte < chain.end_byte:
                stack.append(child)


def _arg(call: Node, index: int) -> Node | None:
    args = call.child_by_field_name("arguments")
    items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    return items[index] if index < len(items) else None


def _first_arg(call: Node) -> Node | None:
    args = call.child_by_field_name("arguments")
    return next((a for a in args.named_children if a.type != "comment"), None) if args is not None else None


def _unwrap(node: Node) -> Node:
    while node.type in _WRAPPERS and node.named_child_count and node.type != "await_expression":
        node = node.named_children[0]
    return node


def _user_expr(doc: ParsedDocument, arg: Node, user_re: re.Pattern[str], conf: dict[str, Any]) -> str | None:
    """`data.user` / `user` / `{ user: data.user, token }` → the user object's expression, when it names a user."""
    arg = _unwrap(arg)
    if arg.type == "object":
        keys = set(conf.get("user_keys", []))
        for pair in arg.named_children:
            if pair.type == "shorthand_property_identifier" and doc.node_text(pair) in keys:
                return doc.node_text(pair)
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            value = pair.child_by_field_name("value") if key is not None else None
            if key is not None and value is not None and string_value(doc.node_text(key)) in keys:
                return _user_expr(doc, value, user_re, conf)
        return None
    if arg.type not in ("identifier", "member_expression"):
        return None
    text = doc.node_text(arg).replace("?.", ".")
    if not re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){0,4}", text):
        return None
    return text if user_re.search(text.rsplit(".", 1)[-1]) else None


def _takes_user(doc: ParsedDocument, fn: Unit, user_re: re.Pattern[str]) -> bool:
    """`function signedIn(user: Me)`: a local function whose first parameter is the user."""
    if not fn.params or fn.body is None or fn.body.type != "statement_block":
        return False
    params = fn.node.child_by_field_name("parameters")
    first = next((p for p in params.named_children if p.type != "comment"), None) if params is not None else None
    text = doc.node_text(first) if first is not None else ""
    name, _, annotation = text.partition(":")
    return bool(user_re.search(name.strip()) or user_re.search(annotation.strip()))


def _computed(arg: Node) -> bool:
    """An argument the inserted code cannot name: `(await res.json()) as Me`, `res.data.user ?? null`."""
    return _unwrap(arg).type not in (
        "identifier",
        "member_expression",
        "string",
        "number",
        "null",
        "undefined",
        "true",
        "false",
        "template_string",
        "object",
        "array",
    )


def _in_catch(node: Node, stop: Node) -> bool:
    cur = node.parent
    while cur is not None and cur != stop:
        if cur.type == "catch_clause":
            return True
        cur = cur.parent
    return False


# --- where identify goes -----------------------------------------------------------------------------------------


def _insertion(
    doc: ParsedDocument, vocab: Vocabulary, call: Node, target: Unit | None, request: Node
) -> Insertion | None:
    """Before the hand-off (its anchor the request, which makes the success certain), or at the start of `target`."""
    if target is not None:
        return at_start(doc, target.body, vocab) if target.body is not None else None
    stmt = call
    while stmt.parent is not None and stmt.type != "expression_statement" and stmt.type != "return_statement":
        if stmt.type in ("arrow_function", "function_expression", "statement_block"):
            return None
        stmt = stmt.parent
    parent = stmt.parent
    if parent is None:
        return None
    if parent.type == "if_statement" and parent.child_by_field_name("consequence") == stmt:
        # `if (user) signedIn(user)`: the planner braces the branch; inside it the user is known
        return Insertion(stmt.start_point[0], indent_of(doc, parent), doc.span(stmt), stmt, note="success branch")
    if parent.type != "statement_block":
        return None
    made = request
    while made.parent is not None and made.parent.type != "statement_block":
        made = made.parent
    anchor = doc.span(made if made.end_byte <= stmt.start_byte else request)
    return Insertion(stmt.start_point[0], indent_of(doc, stmt), anchor, stmt, note="before the user is handed on")


def user_id(doc: ParsedDocument, vocab: Vocabulary, expr: str) -> str:
    """`expr.id` with the id field this file reads from that object (`_id`, `uid`), else the library's default."""
    for field in ("id", "_id", "uid"):
        if re.search(re.escape(expr) + r"\??\." + field + r"\b", doc.text):
            return f"{expr}.{field}"
    conf = vocab.user_id
    field = conf.get("js_field", "id")
    for marker, library_field in conf.get("field_by_text", {}).items():
        if marker in doc.text and isinstance(library_field, str):  # tables are Python libraries' (Flask-Login)
            field = library_field
            break
    return f"{expr}.{field}"


@lru_cache(maxsize=64)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, TypeError):
        return None
