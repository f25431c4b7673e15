"""Code that looks like a flow and is not one.

What the user sees:
- `updatePassword` / `deleteAccount` / `change_password` functions calling `supabase.auth.signInWithPassword(…)`,
  `bcrypt.compare(…)` or `user.check_password(…)` only to confirm the current password are no logins (S4-3);
- a login handler whose only password check's result is merely logged (`console.log(await bcrypt.compare(…))`)
  completes no login (15-ID-FP-1);
- a logout call reached only when the session already failed (an effect on an expired token, a `.catch`, an axios
  interceptor on 401) is no second logout, and a session-clearing helper called by the file's logout is part of that
  logout (S4-9): one logout per user action.
- a component method calling a same-file service method reporting the same flow (`this.authService.login(…)
  .subscribe(user => …)`) is one flow, not two: the caller's success callback, unless the service makes the library
  call itself (item 8);
- a function found only by its name as a subscription that makes a checkout library call starts a checkout (S4-2).
Vocabulary: `skills/detection/lookalikes.toml`. Pure; never raises.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from tree_sitter import Node

from ..skills import load_detection_toml
from .functions import Call, Unit
from .identify_scope import function_name
from .model import FlowKind
from .parsing import ParsedDocument
from .vocabulary import CallRule, Vocabulary, tokens

log = logging.getLogger(__name__)

_FUNCTIONS = frozenset(
    {"function_declaration", "function_expression", "function", "arrow_function", "method_definition",
     "function_definition", "lambda", "generator_function_declaration"}
)
_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True, slots=True)
class _Config:
    actions: tuple[str, ...]  # padded token phrases: " update password "
    checks: tuple[str, ...]
    callback_callee: re.Pattern[str]
    condition: re.Pattern[str]
    yields_to: dict[FlowKind, frozenset[FlowKind]]
    loggers: re.Pattern[str]  # callees whose arguments are only logged
    services: re.Pattern[str]  # receivers that are the app's own service objects


def _compile(pattern: object) -> re.Pattern[str]:
    try:
        return re.compile(pattern) if isinstance(pattern, str) and pattern else _NEVER
    except re.error:
        log.warning("lookalikes.toml: bad pattern %r", pattern)
        return _NEVER


@cache
def _config() -> _Config:
    data = load_detection_toml("lookalikes.toml")
    reauth: dict[str, Any] = data.get("reauth", {})
    cleanup: dict[str, Any] = data.get("cleanup", {})
    return _Config(
        actions=tuple(_padded(a) for a in reauth.get("actions", []) if isinstance(a, str) and tokens(a)),
        checks=tuple(str(c) for c in reauth.get("password_checks", []) if isinstance(c, str) and c),
        callback_callee=_compile(cleanup.get("callback_callee_re")),
        condition=_compile(cleanup.get("condition_re")),
        yields_to=_kinds_map(data.get("named_only", {}).get("yields_to", {})),
        loggers=_compile(data.get("unused_check", {}).get("logger_re")),
        services=_compile(data.get("service_pairs", {}).get("receiver_re")),
    )


def _kinds_map(raw: object) -> dict[FlowKind, frozenset[FlowKind]]:
    known = set(FlowKind.__members__.values())
    out: dict[FlowKind, frozenset[FlowKind]] = {}
    for kind, others in raw.items() if isinstance(raw, dict) else ():
        if kind in known and isinstance(others, list):
            out[FlowKind(kind)] = frozenset(FlowKind(o) for o in others if o in known)
    return out


def _padded(text: str) -> str:
    toks = tokens(text)
    return " " + " ".join(toks) + " " if toks else ""


def _is_check(dotted: str, checks: tuple[str, ...]) -> bool:
    dotted = dotted.removeprefix("this.").removeprefix("self.")
    return any(dotted == c or dotted.endswith("." + c) for c in checks)


# --- S4-3: password re-checks ----------------------------------------------------------------------------------------


def is_recheck(unit: Unit, kind: FlowKind, rules: Callable[[Call], list[CallRule]], vocab: Vocabulary) -> str | None:
    """Why `unit`'s login is only a password re-check (`updatePassword` calling `signInWithPassword`), else None."""
    if kind != FlowKind.LOGIN:
        return None
    try:
        config = _config()
        own = [kv for k, kv in vocab.kinds.items() if k in (FlowKind.LOGIN, FlowKind.SIGNUP)]
        said = None
        for words in (unit.name, unit.route_path or ""):
            padded = _padded(words)
            if not padded:
                continue
            if any(kv.matches_name(padded) for kv in own):
                return None  # `verifyLogin`, `confirmSignUp`: the name says the flow itself
            said = said or next((a.strip() for a in config.actions if a in padded), None)
        if said is None:
            return None
        calls = [c for c in (*unit.middleware, *unit.calls) if any(r.kind == FlowKind.LOGIN for r in rules(c))]
        if calls and all(_is_check(c.dotted, config.checks) for c in calls):
            return f"'{unit.name or unit.route_path}' ({said}) only re-checks the password"
    except Exception:  # costs nothing but this check
        log.exception("re-check test failed")
    return None


# --- S4-9: session cleanup paths -------------------------------------------------------------------------------------


def cleanup_path(
    doc: ParsedDocument, kind: FlowKind, named: bool, anchor: Node | None, vocab: Vocabulary
) -> str | None:
    """Why a logout found through the call at `anchor` only cleans up a failed session (`.catch(() => signout())`,
    `useEffect` on an expired token, an interceptor's 401 branch), else None. `named`: the function's own name says
    logout (then it is the user's logout)."""
    if kind != FlowKind.LOGOUT or named or anchor is None:
        return None
    try:
        config, logout = _config(), vocab.kinds.get(FlowKind.LOGOUT)
        why = None
        cur: Node | None = anchor.parent
        while cur is not None:
            if cur.type in _FUNCTIONS:
                name = function_name(doc, cur)
                if name and logout is not None and logout.matches_name(_padded(name)):
                    return None  # `LogoutPage`'s effect signing out: the user came to log out
                callee = _callback_callee(doc, cur)
                if why is None and callee and config.callback_callee.search(callee):
                    why = f"runs in a {callee.rsplit('.', 1)[-1]} callback"
            elif cur.type in ("catch_clause", "except_clause") and why is None:
                why = "runs when a request failed"
            elif cur.type == "if_statement" and why is None:
                condition = cur.child_by_field_name("condition")
                if condition is not None and config.condition.search(doc.node_text(condition)):
                    why = "runs when the session failed"
            cur = cur.parent
        return why
    except Exception:  # costs nothing but this check
        log.exception("cleanup path test failed")
        return None


def _callback_callee(doc: ParsedDocument, fn: Node) -> str:
    args = fn.parent
    if args is None or args.type not in ("arguments", "argument_list"):
        return ""
    call = args.parent
    callee = call.child_by_field_name("function") if call is not None else None
    return re.sub(r"\s+", "", doc.node_text(callee)) if callee is not None else ""


class _Candidate(Protocol):
    unit: Unit
    kind: FlowKind
    strong: bool
    name_hit: bool
    anchor: Call | None


def helpers_of_named(candidates: Sequence[_Candidate]) -> set[int]:
    """ids of the candidates that are a same-file helper (`clearAuth()`, `this.clearSession()`) called by a function
    named for the same flow (`logout`): that function is the user's flow, the helper part of it. Only helpers found
    without a library call of their own (a `logout()` calling `supabase.auth.signOut()` reports it)."""
    out: set[int] = set()
    try:
        named = [c for c in candidates if c.name_hit and c.kind == FlowKind.LOGOUT]
        for c in candidates:
            if c.kind != FlowKind.LOGOUT or c.strong or not c.unit.name:
                continue
            for o in named:
                if o.unit is c.unit or o.unit.name == c.unit.name:
                    continue
                if any(call.dotted.removeprefix("this.") == c.unit.name for call in o.unit.calls):
                    out.add(id(c))
                    break
    except Exception:  # costs nothing but this check
        log.exception("helper test failed")
    return out


def named_only_yields(candidates: Sequence[_Candidate]) -> set[int]:
    """ids of the candidates found without a library call whose function makes a library call of a kind they yield
    to (`createSubscription` calling only `stripe.checkout.sessions.create`: a checkout start, S4-2)."""
    out: set[int] = set()
    try:
        yields = _config().yields_to
        for c in candidates:
            wins = yields.get(c.kind)
            if c.strong or not wins:
                continue
            if any(o.unit is c.unit and o.strong and o.kind in wins for o in candidates):
                out.add(id(c))
    except Exception:  # costs nothing but this check
        log.exception("named-only test failed")
    return out


# --- 15-ID-FP-1: a password check nobody acts on ---------------------------------------------------------------------

_WRITTEN = {"variable_declarator": "name", "assignment": "left", "assignment_expression": "left"}


def unused_check(
    doc: ParsedDocument, unit: Unit, kind: FlowKind, strong: bool, rules: Callable[[Call], list[CallRule]],
    vocab: Vocabulary,
) -> str | None:
    """Why `unit`'s login completes nothing: every login call is a password check whose result is only logged or never
    read (`const result = await bcrypt.compare(…); console.log(result)`), and no session is written. Else None."""
    if kind != FlowKind.LOGIN or strong or unit.body is None:
        return None
    try:
        config = _config()
        calls = [c for c in (*unit.middleware, *unit.calls) if any(r.kind == FlowKind.LOGIN for r in rules(c))]
        if not calls or not all(_is_check(c.dotted, config.checks) for c in calls):
            return None
        kv = vocab.kinds.get(FlowKind.LOGIN)
        if kv is not None and kv.state_re is not None and kv.state_re.search(doc.node_text(unit.body)):
            return None  # `ctx.session.user = …`: a session is written
        for call in calls:
            name = _bound_name(doc, call.node)
            if name is None or _read_beyond_logs(doc, unit.body, name):
                return None
        return f"the result of {calls[0].dotted} is only logged"
    except Exception:  # costs nothing but this check
        log.exception("unused check test failed")
        return None


def _bound_name(doc: ParsedDocument, call: Node) -> str | None:
    """`result` for `const result = await bcrypt.compare(…)`; None when the call's value is used in place."""
    node = call
    while node.parent is not None and node.parent.type in ("await_expression", "await", "parenthesized_expression"):
        node = node.parent
    holder = node.parent
    if holder is None:
        return None
    if holder.type == "variable_declarator" and holder.child_by_field_name("value") == node:
        target = holder.child_by_field_name("name")
    elif holder.type in ("assignment", "assignment_expression") and holder.child_by_field_name("right") == node:
        target = holder.child_by_field_name("left")
    else:
        return None
    return doc.node_text(target) if target is not None and target.type == "identifier" else None


def _read_beyond_logs(doc: ParsedDocument, body: Node, name: str) -> bool:
    """`name` is read somewhere in `body` other than as an argument of a logging call."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "identifier" and doc.node_text(node) == name:
            parent = node.parent
            field = _WRITTEN.get(parent.type, "") if parent is not None else ""
            if field and parent is not None and parent.child_by_field_name(field) == node:
                continue  # the binding itself
            if not _in_logger(doc, node, body, _config().loggers):
                return True
        stack.extend(node.named_children)
    return False


def _in_logger(doc: ParsedDocument, node: Node, stop: Node, loggers: re.Pattern[str]) -> bool:
    cur = node.parent
    while cur is not None and cur != stop:
        if cur.type in ("call_expression", "call"):
            callee = cur.child_by_field_name("function")
            return callee is not None and loggers.match(doc.node_text(callee)) is not None
        cur = cur.parent
    return False


# --- item 8: a handler and the same-file service method it calls -----------------------------------------------------


def service_pairs(candidates: Sequence[_Candidate]) -> set[int]:
    """ids of the candidates reported twice for one user action: a handler whose evidence is a member call
    (`this.authService.login(…)`) to a same-file method reporting the same kind. The method goes unless it makes the
    library call itself (then the handler goes): one flow, where the user (and the identify) is."""
    out: set[int] = set()
    try:
        services = _config().services
        for g in candidates:
            anchor = g.anchor
            receiver, _, called = anchor.dotted.rpartition(".") if anchor is not None else ("", "", "")
            if not (receiver.startswith("this.") or services.search(receiver)):
                continue  # `supabase.auth.signUp(…)` is the library's, whatever this file calls its own functions
            for f in candidates:
                if f is g or f.kind != g.kind or f.unit is g.unit or f.unit.name != called:
                    continue
                if _contains(f.unit, g.unit) or _contains(g.unit, f.unit):
                    continue
                out.add(id(g) if f.strong else id(f))
    except Exception:  # costs nothing but this check
        log.exception("service pair test failed")
    return out


def _contains(a: Unit, b: Unit) -> bool:
    return a.node.start_byte <= b.node.start_byte and b.node.end_byte <= a.node.end_byte
