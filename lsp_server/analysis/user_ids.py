"""The expression naming the signed-in user's stable id at a flow's insertion point (`user.id`,
`data.user.id`, `str(user.pk)`, `session.client_reference_id`, `request.user.pk`), or None. Never an email.

Best first: the anchoring call's user (`login(request, user)`), variables holding an id or a user object, ids
read in the function (`session.user.id`, Stripe `client_reference_id` / `metadata.user_id`), the result of a
call that returns the user (`auth()`, `supabase.auth.getUser()`), the request's user (Django `request.user`,
Flask-Login `current_user`, passport `req.user`), a session key (`req.session.userId`), then a Stripe customer
id. The rules are data (`[user_id]` in skills/detection/flows.toml); this module only interprets them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from tree_sitter import Node

from .functions import Call, Unit
from .insertion import Insertion
from .memo import BoundedMemo
from .model import FlowKind, Span
from .parsing import ParsedDocument
from .vocabulary import CallRule, Vocabulary

_MAX_LINES_BEFORE = 200  # a user object further up than this is not worth the scan
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")


def resolve(
    doc: ParsedDocument,
    vocab: Vocabulary,
    unit: Unit,
    kind: FlowKind,
    anchor: Call | None,
    rule: CallRule | None,
    ins: Insertion,
    span_node: Node,
    lines: list[str],
) -> str | None:
    """The user id expression (see the module). While a document is typed in, a flow whose function text, place and
    whole-file answers (imports, session keys, …) did not change gets the id it had (keystroke-perf, H11)."""
    key = _memo_key(doc, vocab, unit, kind, anchor, rule, ins, span_node, lines) if doc.edited else None
    if key is not None:
        hit = _resolved.get(key)
        if hit is not None and hit[1] is vocab and hit[2] is rule and all(
            _whole(doc, op, query) == found for op, query, found in hit[3]
        ):
            return hit[0]
    record: list[tuple[str, Any, Any]] = []
    outer = getattr(_local, "record", None)
    _local.record = record
    try:
        expr = _resolve(doc, vocab, unit, kind, anchor, rule, ins, span_node, lines)
    finally:
        _local.record = outer
    if key is not None:
        _resolved.put(key, (expr, vocab, rule, tuple(record)), len(key[3]) + 64)
    return expr


# per-flow ids of open documents: key holds the function's lines, so a hit is stale only through whole-file answers,
# which each entry records and a hit re-checks (`_whole`)
_resolved: BoundedMemo[tuple[str | None, Vocabulary, CallRule | None, tuple[tuple[str, Any, Any], ...]]] = BoundedMemo(
    max_entries=4096, max_bytes=16_000_000
)
_local = threading.local()  # the record of whole-file answers being made, and this text's answers


def _memo_key(
    doc: ParsedDocument,
    vocab: Vocabulary,
    unit: Unit,
    kind: FlowKind,
    anchor: Call | None,
    rule: CallRule | None,
    ins: Insertion,
    span_node: Node,
    lines: list[str],
) -> tuple[Any, ...] | None:
    """What `_resolve` reads besides whole-file answers: the lines of the top-level statement holding the function
    (its decorators, class, route call), positions relative to them, the route's middleware; None when it reads more."""
    stmt = unit.node
    while stmt.parent is not None and stmt.parent.parent is not None:
        stmt = stmt.parent
    if stmt.parent is None:
        return None  # the module itself
    first, last = stmt.start_point[0], stmt.end_point[0]
    if not first <= ins.line <= last + 1 or last >= len(lines):
        return None

    def rel(node: Node | None) -> tuple[Any, ...] | None:
        if node is None:
            return None
        (sr, sc), (er, ec) = node.start_point, node.end_point
        return (sr - first, sc, er - first, ec, node.type) if first <= sr and er <= last else ("outside",)

    where = (rel(unit.node), rel(span_node), rel(anchor.node) if anchor is not None else None)
    if ("outside",) in where:
        return None
    at = lines[ins.line] if 0 <= ins.line < len(lines) else ""
    block = "\n".join(lines[first : last + 1])
    middleware = tuple(c.callee_text for c in unit.middleware)
    return (
        doc.language, id(vocab), id(rule), block, str(kind), where, ins.line - first, at, middleware,
        anchor.dotted if anchor is not None else None, tuple(unit.params), tuple(c.dotted for c in unit.calls),
    )


def _whole(doc: ParsedDocument, op: str, query: Any) -> Any:
    """A question about the whole text ("in": a substring; "search": a pattern's first match as (text, *groups);
    "findall"; "search:word": the same, answered None at once when `word`, which every match holds, is absent),
    answered once per text and recorded for the flow being resolved."""
    answers = getattr(_local, "answers", None)
    if answers is None or answers[0] is not doc.text:
        answers = _local.answers = (doc.text, {})
    found = answers[1].get((op, query), _UNSET)
    if found is _UNSET:
        if op == "in":
            found = query in doc.text
        elif op.startswith("search:") and op[7:] not in doc.text:
            found = None  # `\b(req|request|ctx)\.session…` crawls 60 KB for ~2 ms; a substring test does not
        elif op.startswith("search"):
            m = query.search(doc.text)
            found = None if m is None else (m.group(0), *m.groups())
        else:
            found = tuple(query.findall(doc.text))
        answers[1][(op, query)] = found
    record = getattr(_local, "record", None)
    if record is not None:
        record.append((op, query, found))
    return found


_UNSET = object()


def _resolve(
    doc: ParsedDocument,
    vocab: Vocabulary,
    unit: Unit,
    kind: FlowKind,
    anchor: Call | None,
    rule: CallRule | None,
    ins: Insertion,
    span_node: Node,
    lines: list[str],
) -> str | None:
    python = doc.language == "python"
    conf = vocab.user_id
    django = python and _django(doc, vocab)
    field = conf.get("django_field", "pk") if django else conf.get("python_field" if python else "js_field", "id")
    plain = (field, conf.get("python_wrap", "str({})") if python else "{}")
    library_vars: re.Pattern[str] | None = None
    for marker, library_field in conf.get("field_by_text", {}).items():
        if _whole(doc, "in", marker):
            if isinstance(library_field, dict):  # only for variables named like the library's users
                library_vars = _pattern(str(library_field.get("vars_re") or "(?!)"))
                library_field = library_field.get("field", field)
            field = library_field  # Firebase users have `uid`, not `id`
            break
    wrap = conf.get("python_wrap", "str({})") if python and field not in conf.get("string_fields", ()) else "{}"
    before = _text_before(lines, unit, span_node, ins)
    at = lines[ins.line] if 0 <= ins.line < len(lines) else ""  # e.g. the `logout(request)` the capture precedes
    others = (library_vars, *plain) if library_vars is not None else None
    for expr in _candidates(doc, vocab, unit, kind, anchor, rule, before, python, field, wrap, at, others):
        if expr and "mail" not in expr.lower() and _in_scope(doc, unit, expr, (ins.line, 0)):
            return expr
    return None


_DECLARATION_SCOPES = frozenset({"statement_block", "program", "switch_case", "block", "module", "class_body"})


def _in_scope(doc: ParsedDocument, unit: Unit, expr: str, point: tuple[int, int]) -> bool:
    """False when the id's variable is declared in this function only inside a block the insertion point is not
    in (`const user` of another `if` branch): using it there would be a ReferenceError / unbound name."""
    root = re.search(r"[A-Za-z_$][\w$]*", re.sub(r"^(?:str|String)\(", "", expr))
    if root is None or root.group(0) in unit.params:
        return True
    declarations = [n for n in _declarations(doc, unit.node, root.group(0)) if tuple(n.start_point) < point]
    if not declarations:
        return True  # a module-level name or an import (`current_user`)
    for node in declarations:
        scope = node.parent
        while scope is not None and scope.type not in _DECLARATION_SCOPES and scope != unit.node:
            scope = scope.parent
        if doc.language == "python" and scope is not None and scope.parent == unit.node:  # nodes: compare with ==
            return True  # assigned at the top of the function body
        if doc.language == "python" and scope is not None and _top_try_that_exits(scope, unit.node):
            return True  # `try: event = construct_event(…)` / `except …: return 400`: bound below the try
        if scope is None or scope == unit.node or _contains(doc, scope, point[0]):
            return True
    return False


def _top_try_that_exits(block: Node, fn: Node) -> bool:
    """`block` is the body of a `try` at the top of `fn` whose every `except` ends with a return or raise."""
    stmt = block.parent
    if stmt is None or stmt.type != "try_statement" or stmt.child_by_field_name("body") != block:
        return False
    if stmt.parent is None or stmt.parent.parent != fn:
        return False
    handlers = [c for c in stmt.named_children if c.type == "except_clause"]
    for handler in handlers:
        body = handler.named_children[-1] if handler.named_children else None
        last = body.named_children[-1] if body is not None and body.type == "block" and body.named_children else None
        if last is None or last.type not in ("return_statement", "raise_statement"):
            return False
    return bool(handlers)


def _contains(doc: ParsedDocument, block: Node, line: int) -> bool:
    """Whether lines inserted before `line` land in `block` (a JS block ends on its `}` line; a Python block
    ends with its last statement, so the line after it still belongs to it)."""
    first, last = block.start_point[0], block.end_point[0]
    if doc.language == "python":
        return first <= line <= last + 1
    return first < line <= last if block.type == "statement_block" else first <= line <= last


def _declarations(doc: ParsedDocument, node: Node, name: str) -> Iterator[Node]:
    """Identifiers named `name` that a declaration or assignment binds inside `node` (the function is walked once
    for every name a resolution asks about)."""
    where = (node.start_byte, node.end_byte, node.type)
    index = getattr(_local, "declarations", None)
    if index is None or index[0] != where or index[1] is not doc:
        index = _local.declarations = (where, doc, _bindings(doc, node))
    return iter(index[2].get(name, ()))


def _bindings(doc: ParsedDocument, node: Node) -> dict[str, list[Node]]:
    """Every identifier a declaration or assignment binds inside `node`, by name, in walk order."""
    out: dict[str, list[Node]] = {}
    stack = [node]
    while stack:
        cur = stack.pop()
        if cur.type in ("identifier", "shorthand_property_identifier_pattern"):
            parent = cur.parent
            binding = parent is not None and (
                (parent.type == "variable_declarator" and parent.child_by_field_name("name") == cur)
                or parent.type in ("object_pattern", "array_pattern", "pair_pattern", "pattern_list", "tuple_pattern")
                or (parent.type == "assignment" and parent.child_by_field_name("left") == cur)
                or parent.type in ("for_statement", "for_in_statement", "as_pattern_target")
            )
            if binding:
                out.setdefault(doc.node_text(cur), []).append(cur)
        stack.extend(cur.named_children)
    return out


def _candidates(
    doc: ParsedDocument,
    vocab: Vocabulary,
    unit: Unit,
    kind: FlowKind,
    anchor: Call | None,
    rule: CallRule | None,
    before: str,
    python: bool,
    field: str,
    wrap: str,
    at: str = "",
    others: tuple[re.Pattern[str] | None, str, str] | None = None,
) -> Iterator[str | None]:
    """Candidate expressions, best first; computed lazily (most flows stop at the first). `others`: (names the
    library's field applies to, the field and wrap of every other variable)."""
    conf = vocab.user_id
    if anchor is not None and rule is not None and rule.user_id:
        yield _from_rule(doc, vocab, anchor, rule.user_id, unit, python)
    bound = _bound_names(doc, unit, before, python)
    yield from (v for v in conf.get("id_vars", []) if v in bound)
    not_user = _pattern(conf.get("not_user_re", {}).get("python" if python else "js", "") or "(?!)")
    for v in conf.get("vars", []):
        if v in bound:
            own = others is None or others[0] is None or others[0].search(v)
            expr = _var_id(doc, unit, v, before, python, *((field, wrap) if own else others[1:]), not_user)
            yield _null_safe(expr, v, python) if expr and kind == FlowKind.LOGOUT else expr
    flat = before.replace("?.", ".")
    nullable = _pattern(conf.get("nullable_re", {}).get("python" if python else "js", "") or "(?!)")
    for pattern in vocab.user_context_res:
        found = pattern.findall(flat)
        if found:
            expr = found[-1] if isinstance(found[-1], str) else found[-1][0]
            if python:
                yield wrap.format(expr) if expr.endswith((".pk", ".id")) else expr
                continue
            expr = _as_written(expr, before)  # `session?.metadata?.userId` keeps its `?.` (TS: metadata may be null)
            # a Checkout without client_reference_id has null there: send it anonymously, not as "null"
            empty = "?." in expr or (nullable is not None and nullable.search(expr))
            yield f"{expr}?.toString()" if empty else expr
    yield from _result_sources(doc, conf, unit, before, python, customer=False, kind=kind)
    if not python:  # Remix-style: `return prisma.user.create(…)` / `await getUserId(request)` (helper H4)
        yield from _returned_record(doc, conf, unit, kind, anchor, field)
        yield from _request_getters(doc, conf, unit, kind)
        yield from _session_object(doc, conf, kind, before)
    yield from _typed_params(doc, conf, unit, python, wrap)
    ended = _ends_session_in(conf, before, python)
    if not ended:
        # the call the capture precedes proves a session only when it ends one: `logout(request)`, not `login(...)`
        yield from _request_users(doc, conf, unit, before, python, at if _ends_session_in(conf, at, python) else "")
    yield from _session_keys(doc, conf, before, python, ended)
    yield from _customer_records(doc, conf, before, python)
    customer = conf.get("customer_wrap", {}).get("python" if python else "js", "{}")
    yield from (customer.format(e) for e in _customers(doc, conf, unit, before, flat, bound, python))


def _as_written(expr: str, text: str) -> str:
    """`expr` the way `text` last writes it, with the optional chaining it uses there."""
    steps = [re.escape(step) for step in expr.split(".")]
    found = re.findall(r"(?<![\w$.])" + r"\??\.".join(steps) + r"(?![\w$])", text)
    return found[-1] if found else expr


def _null_safe(expr: str, var: str, python: bool) -> str:
    """A logout is also hit without a session (`user = current_user()` is None): read the id without throwing."""
    if not python:
        return f"{var}?.{expr[len(var) + 1 :]}" if expr.startswith(var + ".") else expr
    return f"{expr} if {var} else None" if re.search(r"(?<![\w.])" + re.escape(var) + r"[.\[]", expr) else expr


def _customers(
    doc: ParsedDocument, conf: dict[str, Any], unit: Unit, before: str, flat: str, bound: set[str], python: bool
) -> Iterator[str]:
    """A Stripe customer id: `invoice.customer`, a webhook object's customer, a Stripe call's result's customer,
    a `customerId` variable."""
    for pattern in _patterns(tuple(conf.get("customer_re", []))):
        found = pattern.findall(flat)
        if found:
            yield found[-1] if isinstance(found[-1], str) else found[-1][0]
    for pattern in _patterns(tuple(conf.get("webhook_object_re", []))):
        found = pattern.findall(flat)
        if found and isinstance(found[-1], tuple) and len(found[-1]) >= 2:
            var, access = found[-1][0], found[-1][1]
            yield f'{var}["customer"]' if access.startswith("[") else f"{var}.customer"
    for pattern in _patterns(tuple(conf.get("webhook_data_re", []))):
        found = pattern.findall(flat)
        if found:
            expr = found[-1] if isinstance(found[-1], str) else found[-1][0]
            yield f'{expr}["customer"]' if expr.endswith("]") else f"{expr}.customer"
    yield from _result_sources(doc, conf, unit, before, python, customer=True)
    yield from (v for v in conf.get("customer_vars", []) if v in bound)


def _customer_records(doc: ParsedDocument, conf: dict[str, Any], before: str, python: bool) -> Iterator[str]:
    """Our user's id on a record looked up by the billing customer (`owner = CUSTOMERS.get(data["customer"])` →
    `owner["user_id"]`), when the file writes that id key (`customer_records`); before the customer id itself."""
    records = conf.get("customer_records", {})
    lookup = _pattern(records.get("lookup_re") or "(?!)")
    found = lookup.findall(before) if lookup is not None else []
    names = [n for n in found if "customer" not in n.lower()]
    if not names:
        return
    for key in records.get("id_keys", []):
        written = _pattern(r"""(?<![\w$])['"]?""" + re.escape(key) + r"""['"]?\s*:(?!:)""")
        if written is None or not _whole(doc, "search", written):
            continue
        yield f'{names[-1]}["{key}"]' if python else f"{names[-1]}.{key}"
        return


def _django(doc: ParsedDocument, vocab: Vocabulary) -> bool:
    """A Django module (it imports Django or a Django library): its models' primary key is `.pk`."""
    pattern = _pattern(vocab.user_id.get("django_file_re") or r"(?m)^\s*(?:from|import)\s+django\b")
    return pattern is not None and _whole(doc, "search", pattern) is not None


@lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except (re.error, TypeError):
        return None  # a broken pattern in an override file costs that rule only


def _patterns(texts: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [p for p in (_pattern(t) for t in texts) if p is not None]


def _matches(callee: str, names: list[str]) -> bool:
    """`supabase.auth.getUser` matches `auth.getUser`; a bare name (`auth`) matches only itself."""
    return any(callee == n or ("." in n and callee.endswith("." + n)) for n in names)


_CALLS = r"(?<![\w$.])(?<!def )(?<!function )"  # a call, not the definition of `def logout(request):`
_CALLEES = re.compile(_CALLS + r"((?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*)\s*\(")


def _ends_session_in(conf: dict[str, Any], text: str, python: bool) -> bool:
    """Whether `text` calls something that ends the session or deletes the user (`logout(request)`)."""
    lang = "python" if python else "js"
    names = tuple(conf.get("ends_session", {}).get(lang, []))
    named = _pattern(_CALLS + "(?:" + "|".join(re.escape(n) for n in names) + r")\s*\(") if names else None
    if named is not None and named.search(text):
        return True
    pattern = _pattern(conf.get("ends_session_re", {}).get(lang, "") or "(?!)")
    return pattern is not None and any(pattern.search(m) for m in _CALLEES.findall(text))


def _context_text(doc: ParsedDocument, unit: Unit, before: str) -> str:
    """What proves a signed-in user at the insertion: the function up to there, its decorators, its class's
    bases (a method) and its route's middleware (`router.post('/x', requireAuth, handler)`)."""
    node = unit.node
    parts = [before]
    outer = node.parent
    if outer is not None and outer.type == "decorated_definition":
        parts.extend(doc.node_text(d) for d in outer.named_children if d.type == "decorator")
        node = outer
    cls = node.parent
    while cls is not None and cls.type not in ("class_definition", "class_declaration", "class"):
        cls = cls.parent if cls.type in ("block", "class_body", "decorated_definition") else None
    if cls is not None:
        head = cls.child_by_field_name("superclasses") or cls.child_by_field_name("name")
        parts.append(doc.node_text(head) if head is not None else "")
        body = cls.child_by_field_name("body")
        attributes = [c for c in body.named_children if c.type == "expression_statement"] if body is not None else []
        parts.extend(doc.node_text(c) for c in attributes[:20])  # DRF `permission_classes = [IsAuthenticated]`
    parts.extend(call.callee_text for call in unit.middleware)
    if unit.node.parent is not None and unit.node.parent.type == "arguments":
        parts.extend(doc.node_text(a) for a in unit.node.parent.named_children if a.end_byte <= unit.node.start_byte)
    return "\n".join(parts)


def _request_users(
    doc: ParsedDocument, conf: dict[str, Any], unit: Unit, before: str, python: bool, at: str
) -> Iterator[str]:
    lang = "python" if python else "js"
    context: str | None = None
    for entry in conf.get("request_users", []):
        if entry.get("language") != lang or not entry.get("expr"):
            continue
        params = entry.get("params") or []
        if params and not any(p in unit.params for p in params):
            continue
        file_re = _pattern(entry.get("file_re") or "")
        if file_re is None or not _whole(doc, "search", file_re):
            continue
        context = context if context is not None else _context_text(doc, unit, before + "\n" + at)
        evidence = _pattern(entry.get("evidence_re") or "(?!)")
        if evidence is None or not evidence.search(context):
            continue
        yield entry["guarded"] if entry.get("guarded") and _guarded(entry, unit, before) else entry["expr"]


def _guarded(entry: dict[str, Any], unit: Unit, before: str) -> bool:
    """The user certainly exists: the function already dereferences it, or a middleware requires it."""
    guarded = _pattern(entry.get("guarded_re") or "(?!)")
    middleware = _pattern(entry.get("guarded_middleware_re") or "(?!)")
    if guarded is not None and guarded.search(before):
        return True
    return middleware is not None and any(middleware.search(call.callee_text) for call in unit.middleware)


def _session_keys(doc: ParsedDocument, conf: dict[str, Any], before: str, python: bool, ended: bool) -> Iterator[str]:
    """`req.session?.userId` / `session.get("user_id")` when this file keeps the user's id in the session."""
    keys = "|".join(re.escape(k) for k in conf.get("session_keys", []))
    if not keys:
        return
    if python:
        keyed = _pattern(r"\b((?:self\.)?(?:request\.)?session)(?:\[|\.get\(\s*)['\"](" + keys + r")['\"]")
        found = _whole(doc, "search:session", keyed) if keyed is not None else None
        if found and not ended:
            yield f'{found[1]}.get("{found[2]}")'
        return
    keyed = _pattern(r"\b((?:req|request|ctx)\.session)\??\.(" + keys + r")\b")
    found = _whole(doc, "search:session", keyed) if keyed is not None else None
    if found and not (ended and found[1] not in before):
        yield f"{found[1]}?.{found[2]}"


def _result_sources(
    doc: ParsedDocument,
    conf: dict[str, Any],
    unit: Unit,
    before: str,
    python: bool,
    *,
    customer: bool,
    kind: FlowKind | None = None,
) -> Iterator[str]:
    """The user read from a call's result before the insertion: `const session = await auth()` → `session?.user?.id`,
    `self.object = form.save()` in a signup → `str(self.object.pk)`."""
    typescript = doc.language in ("typescript", "tsx")
    for entry in conf.get("result_sources", []):
        if bool(entry.get("customer")) != customer or (python and not entry.get("python")):
            continue
        if entry.get("kinds") and (kind is None or str(kind) not in entry["kinds"]):
            continue
        names = entry.get("callee") or []
        requires = _pattern(entry.get("requires_import") or "")
        if requires is None or (entry.get("requires_import") and not _whole(doc, "search", requires)):
            continue
        if typescript and entry.get("typed_re"):
            typed = _pattern(entry["typed_re"])
            if typed is None or not _whole(doc, "search", typed):
                continue
        for call in reversed(unit.calls):
            if not _matches(call.dotted, names) or doc.node_text(call.node) not in before:
                continue  # after the insertion, or in a sibling webhook branch
            target = _result_binding(doc, call.node, unit)
            expr = _resolve_path(doc, target, str(entry.get("path", "id")).split(".")) if target is not None else None
            if expr:
                yield str(entry.get("wrap", "{}")).format(expr)
                return


def _typed_params(doc: ParsedDocument, conf: dict[str, Any], unit: Unit, python: bool, wrap: str) -> Iterator[str]:
    """FastAPI `me: User = Depends(current_user)`: a parameter typed as the user, or injected as one."""
    pattern = _pattern(conf.get("user_param_re", {}).get("python" if python else "js", "") or "(?!)")
    params = unit.node.child_by_field_name("parameters")
    if pattern is None or params is None:
        return
    for param in params.named_children:
        text = doc.node_text(param)
        name = re.match(r"[A-Za-z_$][\w$]*", text)
        if name and name.group(0) in unit.params and pattern.search(text) and not re.search(r"\b(?:dict|Dict)\b", text):
            yield wrap.format(f"{name.group(0)}.id")


_USER_ATTRIBUTE = re.compile(r"((?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$]*user)\.(?!(?:id|pk|uid)$)[A-Za-z_$][\w$]*", re.I)
_SCALAR_TAIL = re.compile(r"""(?:\.(?:e?mail|email_address|name|username|user_name|displayName|phone)|['"`])\s*;?$""")
_ID_KEYS = ("id", "uid", "user_id", "userId", "_id", "sub", "pk")


def _var_id(
    doc: ParsedDocument, unit: Unit, var: str, before: str, python: bool, field: str, wrap: str,
    not_user: re.Pattern[str] | None = None,
) -> str | None:
    """`user.id` for a user object; None when `user` holds an email or a name, or is no user record (`not_user`:
    `const user = new User()`, a repository); `user["uid"]` for a dict (used as one in the function, else elsewhere
    in the file); `request.user.pk` for `profile = request.user.profile`."""
    assign = re.escape(var) + r"\s*(?::[^=\n]+)?=(?!=)\s*([^\n]+)"
    for rhs in re.findall((r"(?m)^\s*" if python else r"\b(?:const|let|var)?\s*") + assign, before):
        code = rhs.split("//", 1)[0].split("#", 1)[0].rstrip().rstrip(";")
        if _SCALAR_TAIL.search(code) or (not_user is not None and not_user.search(code.strip())):
            return None  # const user = req.session.user.email
        owner = _USER_ATTRIBUTE.fullmatch(code)
        if owner and owner.group(1) != var:
            return wrap.format(f"{owner.group(1)}.{field}")  # the profile's owner: the user's id, not the profile's
    if not python:
        literal = _object_literal_id(doc, unit, var)
        if literal is not None:
            return literal or None  # `const user = { clerkId: id, … }` has no `.id`: its id is `id`
    if python:
        key_re = re.escape(var) + r"""\[['"](\w+)['"]\]"""
        text = doc.node_text(unit.node)
        anywhere = _pattern(r"\b" + key_re)
        keys = re.findall(key_re, text) or (list(_whole(doc, "findall", anywhere)) if anywhere is not None else [])
        if keys or re.search(re.escape(var) + r"\s*:\s*(?:dict|Dict|Mapping)\b", text):
            key = next((k for k in keys if k in _ID_KEYS), "id")
            return wrap.format(f'{var}["{key}"]')  # user: dict = Depends(current_user) has no .id
    return wrap.format(f"{var}.{field}")


def _object_literal_id(doc: ParsedDocument, unit: Unit, var: str) -> str | None:
    """For `const user = { … }`: None when `var` is not an object literal here; `user.id` when the literal has an
    `id`; the value of its `…Id` key (`clerkId: id` → `id`) when that is a plain name; else "" (no id at all)."""
    for name in _declarations(doc, unit.node, var):
        declarator = name.parent
        value = declarator.child_by_field_name("value") if declarator is not None else None
        if value is None or declarator.type != "variable_declarator" or value.type != "object":
            continue
        keyed = ""
        for child in value.named_children:
            if child.type == "shorthand_property_identifier" and doc.node_text(child) in _ID_KEYS:
                return f"{var}.{doc.node_text(child)}"
            key, val = child.child_by_field_name("key"), child.child_by_field_name("value")
            if child.type != "pair" or key is None or val is None:
                continue
            key_text = doc.node_text(key).strip("'\"")
            if key_text in _ID_KEYS:
                return f"{var}.{key_text}"
            if re.search(r"(?:Id|_id)$", key_text) and _IDENT.match(doc.node_text(val)) and not keyed:
                keyed = doc.node_text(val)
        return keyed
    return None


def _text_before(lines: list[str], unit: Unit, span_node: Node, ins: Insertion) -> str:
    """The function's text up to the insertion; for a webhook branch, without the sibling branches."""
    start = max(unit.node.start_point[0], ins.line - _MAX_LINES_BEFORE)
    if span_node == unit.node or not (unit.node.start_byte <= span_node.start_byte < unit.node.end_byte):
        return "\n".join(lines[start : max(ins.line, start + 1)])
    branch = span_node.start_point[0]
    head = lines[start : _chain_root(span_node).start_point[0]]
    return "\n".join([*head, *lines[branch : max(ins.line, branch + 1)]])


def _chain_root(branch: Node) -> Node:
    """The switch / if-elif chain / match a branch belongs to."""
    node = branch
    while node.parent is not None and node.parent.type in (
        "switch_body",
        "switch_statement",
        "else_clause",
        "elif_clause",
        "if_statement",
        "block",
        "match_statement",
    ):
        if node.parent.type == "block" and (node.parent.parent is None or node.parent.parent.type != "match_statement"):
            break
        node = node.parent
        if node.type in ("switch_statement", "match_statement"):
            break
    return node


def _bound_names(doc: ParsedDocument, unit: Unit, before: str, python: bool) -> set[str]:
    names = set(unit.params)
    if python:
        names.update(re.findall(r"(?m)^\s*([A-Za-z_]\w*)\s*(?::[^=\n]+)?=(?!=)", before))
        names.update(re.findall(r"\b(?:for|as)\s+([A-Za-z_]\w*)", before))
    else:
        names.update(re.findall(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)", before))
        for group in re.findall(r"\b(?:const|let|var)\s*\{([^=]*)\}\s*=", before):
            names.update(re.findall(r"(?:^|[{,:]\s*)([A-Za-z_$][\w$]*)\s*(?=[,}]|$)", group.strip()))
        names.update(re.findall(r"(?m)^\s*([A-Za-z_$][\w$]*)\s*=(?![=>])", before))
        for params in re.findall(r"\(([^()]*)\)\s*(?::[^=]*)?=>|function\s*[\w$]*\s*\(([^()]*)\)", before):
            for group in params:
                names.update(re.findall(r"(?:^|,)\s*([A-Za-z_$][\w$]*)", group))
    return names


def _from_rule(
    doc: ParsedDocument, vocab: Vocabulary, anchor: Call, spec: dict[str, Any], unit: Unit, python: bool
) -> str | None:
    wrap = spec.get("wrap", "{}")
    path = spec.get("path", "id")
    conf = vocab.user_id
    if python and path == conf.get("django_field", "pk") and not _django(doc, vocab):
        path = conf.get("python_field", "id")  # `crud.create_user(...)` in FastAPI/SQLModel: models have no `.pk`
    if "arg" in spec:
        args = anchor.node.child_by_field_name("arguments")
        items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        index = int(spec["arg"])
        if index >= len(items):
            return None
        text = doc.node_text(items[index])
        user_vars = set(vocab.user_id.get("vars", []))
        if _IDENT.match(text) and (text.rsplit(".", 1)[-1] in user_vars or _trusted_arg(doc, vocab, anchor, text)):
            return wrap.format(f"{text}.{path}")
        return None
    if "path" in spec:
        target = _result_binding(doc, anchor.node, unit)
        if target is None:
            return None
        expr = _resolve_path(doc, target, path.split("."))
        return wrap.format(expr) if expr else None
    return None


def _trusted_arg(doc: ParsedDocument, vocab: Vocabulary, anchor: Call, text: str) -> bool:
    """`login(request, self.object)`: by the library's API the argument is the user, whatever its name."""
    conf = vocab.user_id
    imports = _pattern(conf.get("trusted_arg_imports_re") or "(?!)")
    if not _matches(anchor.dotted, conf.get("trusted_arg_callees", [])) or imports is None:
        return False
    last = text.rsplit(".", 1)[-1].lower()
    plain = text not in ("request", "req", "self.request", "self") and not re.search(r"mail|name|password|token", last)
    return plain and bool(_whole(doc, "search", imports))


def _result_binding(doc: ParsedDocument, call: Node, unit: Unit) -> Node | None:
    """The identifier or destructuring pattern the call's result is assigned to."""
    cur = call
    while cur.parent is not None and cur.parent.type in (
        "await_expression",
        "await",
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
    ):
        cur = cur.parent
    p = cur.parent
    if p is None:
        return None
    if p.type == "member_expression" and p.child_by_field_name("property") is not None:
        outer = p.parent
        if doc.node_text(p.child_by_field_name("property")) == "then" and outer is not None:
            args = outer.child_by_field_name("arguments")
            fn = args.named_children[0] if args is not None and args.named_child_count else None
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter") if fn else None
            if params is not None and params.type == "identifier":
                return params
            first = params.named_children[0] if params is not None and params.named_child_count else None
            if first is not None:
                first = first.child_by_field_name("pattern") or first
                return first if first.type in ("identifier", "object_pattern") else None
        return None
    if p.type == "variable_declarator" and p.child_by_field_name("value") == cur:
        return p.child_by_field_name("name")
    if p.type in ("assignment", "assignment_expression") and p.child_by_field_name("right") == cur:
        left = p.child_by_field_name("left")  # `user = …`, `{ data } = …`, `self.object = form.save()`
        targets = ("identifier", "object_pattern", "attribute", "member_expression")
        return left if left is not None and left.type in targets else None
    del unit, doc
    return None


def _resolve_path(doc: ParsedDocument, target: Node, path: list[str]) -> str | None:
    """`data.user?.id` from the binding: `data.user?.id` for `data`, `user?.id` for `{ data: { user } }`."""
    if target.type in ("identifier", "attribute", "member_expression"):
        name = doc.node_text(target)
        return _join([name, *path]) if _IDENT.match(name) else None
    if target.type != "object_pattern" or not path:
        return None
    path = path[1:] if path[:1] == ["?"] else path  # a destructured result is not null
    if not path:
        return None
    head, rest = path[0].rstrip("?"), path[1:]
    for child in target.named_children:
        if child.type == "shorthand_property_identifier_pattern" and doc.node_text(child) == head:
            return _join([path[0], *rest])
        if child.type == "pair_pattern":
            key = child.child_by_field_name("key")
            value = child.child_by_field_name("value")
            if key is not None and value is not None and doc.node_text(key) == head:
                return _resolve_path(doc, value, rest) if rest else None
    return None


def _join(steps: list[str]) -> str:
    """`["data", "user?", "id"]` → `data.user?.id` (a `?` step may be null: the next access is optional)."""
    out = steps[0].rstrip("?") if steps else ""
    optional = bool(steps) and steps[0].endswith("?")
    for step in steps[1:]:
        if step == "?":  # `?.user?.id`: the result itself may be null
            optional = True
            continue
        out += ("?." if optional else ".") + step.rstrip("?")
        optional = step.endswith("?")
    return out


def bind_result(
    doc: ParsedDocument, unit: Unit, anchor: Call | None, rule: CallRule | None, kind: FlowKind | None = None
) -> tuple[str, tuple[Span, str]] | None:
    """The user id of a result destructured without it (`const { error } = await supabase.auth.signUp(…)`), with the
    text that binds it: `data, ` (or `data: authData, ` when `data` is taken) at the pattern's start. Only for rules
    whose `user_id` names a `bind` alias; None when nothing can be bound safely."""
    spec = rule.user_id if rule is not None else None
    if (anchor is None or not spec or not spec.get("bind") or "path" not in spec) and doc.language != "python":
        return _request_getter_binding(doc, unit, kind) if kind is not None else None
    if anchor is None or not spec or not spec.get("bind") or "path" not in spec or doc.language == "python":
        return None
    target = _result_binding(doc, anchor.node, unit)
    if target is None or target.type != "object_pattern" or not target.named_children:
        return None
    path = str(spec["path"]).split(".")
    head = path[0]
    if not _IDENT.match(head) or len(path) < 2:
        return None
    if any(_pattern_key(doc, child) == head for child in target.named_children):
        return None  # the key is bound already (then resolve() found it, or the path does not lead to an id)
    taken = _bound_names(doc, unit, doc.node_text(unit.node), False)
    name = next((n for n in (head, str(spec["bind"])) if n not in taken), None)
    if name is None:
        return None
    first = doc.span(target.named_children[0])
    text = f"{head}, " if name == head else f"{head}: {name}, "
    return _join([name, *path[1:]]), (Span(first.start_line, first.start_col, first.start_line, first.start_col), text)


def _pattern_key(doc: ParsedDocument, child: Node) -> str | None:
    """The property a destructuring element reads: `data` in `data`, `data: d`, `data = {}`."""
    if child.type == "shorthand_property_identifier_pattern":
        return doc.node_text(child)
    if child.type in ("pair_pattern", "object_assignment_pattern"):
        key = child.child_by_field_name("key") or child.child_by_field_name("left")
        return doc.node_text(key) if key is not None else None
    return None


# --- Remix / React Router (helper H4): ids from the returned record and from the app's session getters -----------


def _returned_record(
    doc: ParsedDocument, conf: dict[str, Any], unit: Unit, kind: FlowKind, anchor: Call | None, field: str
) -> Iterator[str]:
    """`return prisma.user.create({…})` in a signup: the planner awaits the record into `result` (the first free
    name of `names`, as it writes it) and the record's id is the user's."""
    spec = conf.get("returned_record") or {}
    callee = _pattern(spec.get("callee_re") or "")
    if anchor is None or callee is None or str(kind) not in spec.get("kinds", []) or not callee.search(anchor.dotted):
        return
    parent = anchor.node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "await_expression"):
        parent = parent.parent
    if parent is None or parent.type != "return_statement":
        return
    names = [n for n in spec.get("names", ["result"]) if isinstance(n, str)]
    if not names:
        return
    if _is_async(unit.node):  # `const result = await …`: a name the function does not use yet
        text = doc.node_text(unit.node)
        name = next((n for n in names if not re.search(rf"\b{re.escape(n)}\b", text)), None)
    else:  # `.then((result) => …)`: the callback's parameter
        name = names[0]
    if name is not None:
        yield f"{name}.{field}"


def _is_async(node: Node) -> bool:
    return any(child.type == "async" for child in node.children)


def _request_getters(doc: ParsedDocument, conf: dict[str, Any], unit: Unit, kind: FlowKind) -> Iterator[str]:
    """`(await getUserId(request))?.toString()` in an async loader/action whose file imports the app's getter."""
    for entry, callee in _getters(doc, conf, unit, kind):
        name = re.escape(callee)  # imported, or defined in this file (the session module itself)
        imported = rf"\bimport\s[^;]*\b{name}\b[^;]*\bfrom\b"
        defined = _pattern(rf"{imported}|\bfunction\s+{name}\b|\b(?:const|let)\s+{name}\s*=")
        if defined is not None and _whole(doc, "search:" + callee, defined):
            yield str(entry["expr"]).format(callee=callee)
            return


def _session_object(doc: ParsedDocument, conf: dict[str, Any], kind: FlowKind, before: str) -> Iterator[str]:
    """`session.get("userId")` after `const session = await getSession(…)` in a file that keeps the id under that key
    (Remix / React Router cookie sessions): read before `destroySession(session)` ends it."""
    spec = conf.get("session_object") or {}
    binding, key = _pattern(spec.get("binding_re") or ""), _pattern(spec.get("key_re") or "")
    if binding is None or key is None or str(kind) not in spec.get("kinds", []):
        return
    bound = binding.search(before)
    used = _whole(doc, "search", key) if bound else None  # a whole-text search (~1 ms on 60 KB): only when needed
    if bound and used:
        yield f"{bound.group(1)}.get({used[1]})?.toString()"  # no session: anonymous, not "undefined"


def _request_getter_binding(doc: ParsedDocument, unit: Unit, kind: FlowKind) -> tuple[str, tuple[Span, str]] | None:
    """The getter added to the import of the app's session module (`import { logout } from "~/session.server"` →
    `import { getUserId, logout } …`) when the file imports other names from it, with the id expression."""
    from .vocabulary import load

    conf = load().user_id
    for entry, callee in _getters(doc, conf, unit, kind):
        module, companions = _pattern(entry.get("module_re") or ""), _pattern(entry.get("companions_re") or "")
        if module is None or companions is None or not entry.get("bind"):
            continue
        for node in doc.root.named_children:
            if node.type != "import_statement" or not module.search(doc.node_text(node.child_by_field_name("source"))):
                continue
            if not companions.search(doc.node_text(node)):  # a module of that family, which has the getter too
                continue
            named = next((c for c in _walk(node) if c.type == "named_imports"), None)
            first = next((c for c in named.named_children if c.type == "import_specifier"), None) if named else None
            if first is None or "type" in doc.node_text(node).split("{")[0]:
                continue
            at = doc.span(first)
            return str(entry["expr"]).format(callee=callee), (
                Span(at.start_line, at.start_col, at.start_line, at.start_col), f"{callee}, ")
        return None
    return None


def _getters(
    doc: ParsedDocument, conf: dict[str, Any], unit: Unit, kind: FlowKind
) -> Iterator[tuple[dict[str, Any], str]]:
    """(entry, callee) of `request_getters` that apply to this async function with a `request` parameter."""
    for entry in conf.get("request_getters", []):
        if not isinstance(entry, dict) or not entry.get("expr"):
            continue
        if str(kind) not in entry.get("kinds", []):
            continue
        param = str(entry.get("param", "request"))  # `({ request }: ActionArgs)` or `(request)`
        if not _is_async(unit.node) or not re.search(rf"(?<![\w$.:]){re.escape(param)}\b", _params_text(doc, unit)):
            continue
        for callee in entry.get("callees", []):
            yield entry, str(callee)


def _params_text(doc: ParsedDocument, unit: Unit) -> str:
    params = unit.node.child_by_field_name("parameters") or unit.node.child_by_field_name("parameter")
    return doc.node_text(params) if params is not None else ""


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        stack.extend(reversed(cur.named_children))

