"""The expression naming the signed-in user's stable id at a flow's insertion point (`user.id`,
`data.user.id`, `str(user.pk)`, `session.client_reference_id`), or None. Never an email."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tree_sitter import Node

from .functions import Call, Unit
from .insertion import Insertion
from .model import FlowKind
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
    python = doc.language == "python"
    conf = vocab.user_id
    django = python and "django" in doc.text[:5000]
    field = conf.get("django_field", "pk") if django else conf.get("python_field" if python else "js_field", "id")
    for marker, library_field in conf.get("field_by_text", {}).items():
        if marker in doc.text:
            field = library_field  # Firebase users have `uid`, not `id`
            break
    wrap = conf.get("python_wrap", "str({})") if python else "{}"
    before = _text_before(lines, unit, span_node, ins)
    for expr in _candidates(doc, vocab, unit, kind, anchor, rule, before, python, field, wrap):
        if expr and "mail" not in expr.lower():
            return expr
    return None


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
) -> Iterator[str | None]:
    """Candidate expressions, best first; computed lazily (most flows stop at the first)."""
    conf = vocab.user_id
    if anchor is not None and rule is not None and rule.user_id:
        yield _from_rule(doc, vocab, anchor, rule.user_id, unit, python)
    bound = _bound_names(doc, unit, before, python)
    yield from (v for v in conf.get("id_vars", []) if v in bound)
    for v in conf.get("vars", []):
        if v in bound:
            yield _var_id(doc, unit, v, before, python, field, wrap)
    flat = before.replace("?.", ".")
    for pattern in vocab.user_context_res:
        found = pattern.findall(flat)
        if found:
            expr = found[-1] if isinstance(found[-1], str) else found[-1][0]
            yield wrap.format(expr) if python and expr.endswith((".pk", ".id")) else expr
    request_users = conf.get("request_users", {})
    if kind == FlowKind.LOGIN:  # after logout/delete the request user is anonymous
        if python and "request" in unit.params:
            yield request_users.get("python")
        elif not python and "req" in unit.params and ("passport" in doc.text or "req.user" in before):
            yield request_users.get("js")


_SCALAR_TAIL = re.compile(r"""(?:\.(?:e?mail|email_address|name|username|user_name|displayName|phone)|['"`])\s*;?$""")
_ID_KEYS = ("id", "uid", "user_id", "userId", "_id", "sub", "pk")


def _var_id(doc: ParsedDocument, unit: Unit, var: str, before: str, python: bool, field: str, wrap: str) -> str | None:
    """`user.id` for a user object; None when `user` holds an email or a name; `user["uid"]` for a dict."""
    assign = re.escape(var) + r"\s*(?::[^=\n]+)?=(?!=)\s*([^\n]+)"
    for rhs in re.findall((r"(?m)^\s*" if python else r"\b(?:const|let|var)?\s*") + assign, before):
        if _SCALAR_TAIL.search(rhs.split("//", 1)[0].split("#", 1)[0].rstrip()):
            return None  # const user = req.session.user.email
    if python:
        text = doc.node_text(unit.node)
        keys = re.findall(re.escape(var) + r"""\[['"](\w+)['"]\]""", text)
        if keys or re.search(re.escape(var) + r"\s*:\s*(?:dict|Dict|Mapping)\b", text):
            key = next((k for k in keys if k in _ID_KEYS), "id")
            return wrap.format(f'{var}["{key}"]')  # user: dict = Depends(current_user) has no .id
    return wrap.format(f"{var}.{field}")


def _text_before(lines: list[str], unit: Unit, span_node: Node, ins: Insertion) -> str:
    """The function's text up to the insertion; for a webhook branch, without the sibling branches."""
    start = max(unit.node.start_point[0], ins.line - _MAX_LINES_BEFORE)
    if span_node is unit.node or not (unit.node.start_byte <= span_node.start_byte < unit.node.end_byte):
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
    if "arg" in spec:
        args = anchor.node.child_by_field_name("arguments")
        items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        index = int(spec["arg"])
        if index >= len(items):
            return None
        text = doc.node_text(items[index])
        user_vars = set(vocab.user_id.get("vars", []))
        if _IDENT.match(text) and text.rsplit(".", 1)[-1] in user_vars:
            return wrap.format(f"{text}.{path}")
        return None
    if "path" in spec:
        target = _result_binding(doc, anchor.node, unit)
        if target is None:
            return None
        expr = _resolve_path(doc, target, path.split("."))
        return wrap.format(expr) if expr else None
    return None


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
        left = p.child_by_field_name("left")
        return left if left is not None and left.type in ("identifier", "object_pattern") else None
    del unit, doc
    return None


def _resolve_path(doc: ParsedDocument, target: Node, path: list[str]) -> str | None:
    if target.type == "identifier":
        return ".".join([doc.node_text(target), *path])
    if target.type != "object_pattern" or not path:
        return None
    head, rest = path[0], path[1:]
    for child in target.named_children:
        if child.type == "shorthand_property_identifier_pattern" and doc.node_text(child) == head:
            return ".".join([head, *rest])
        if child.type == "pair_pattern":
            key = child.child_by_field_name("key")
            value = child.child_by_field_name("value")
            if key is not None and value is not None and doc.node_text(key) == head:
                return _resolve_path(doc, value, rest) if rest else None
    return None
