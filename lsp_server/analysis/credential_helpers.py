"""Credential helpers: the functions a login or signup route calls to mint or check a credential.

What the user sees: `create_access_token`, `generate_token`, `make_jwt`, `verify_password`, `get_password_hash` and
an `authenticate_user(db, email, password)` that only compares a password hash and returns the user are not reported
as logins; the route calling them (`@router.post("/login/access-token")`) is. Vocabulary: `[helpers]` of
`skills/detection/routes.toml`. Pure; never raises.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..skills import load_detection_toml
from .functions import Call, Unit, dotted_name
from .model import FlowKind
from .parsing import ParsedDocument
from .vocabulary import CallRule, tokens

log = logging.getLogger(__name__)
_PARTICLES = frozenset({"in", "up", "out", "on", "off"})  # `signInWithToken` is a sign-in, not a token signer


@dataclass(frozen=True, slots=True)
class _Helpers:
    kinds: frozenset[FlowKind]
    verbs: frozenset[str]
    objects: frozenset[str]
    words: frozenset[str]  # objects and the modifiers around them
    check_names: re.Pattern[str] | None
    check_callees: tuple[str, ...]


@cache
def _helpers() -> _Helpers:
    data: dict[str, Any] = load_detection_toml("routes.toml").get("helpers", {})
    names = [" " + " ".join(tokens(n)) + " " for n in data.get("check_names", []) if tokens(n)]
    variants = {*names, *(" " + n.replace(" ", "") + " " for n in names)}
    pattern = "|".join(re.escape(v[:-1]) + "(?= )" for v in sorted(variants, key=len, reverse=True))
    return _Helpers(
        kinds=frozenset(FlowKind(k) for k in data.get("kinds", []) if k in FlowKind.__members__.values()),
        verbs=frozenset(data.get("verbs", [])),
        objects=frozenset(data.get("objects", [])),
        words=frozenset([*data.get("objects", []), *data.get("modifiers", [])]),
        check_names=re.compile(pattern) if pattern else None,
        check_callees=tuple(data.get("check_callees", [])),
    )


def is_helper(unit: Unit, kind: FlowKind, strong: bool, rules: Callable[[Call], list[CallRule]]) -> bool:
    """`unit`'s `kind` evidence comes from a credential helper's name or work, not from a flow. `rules` gives the
    vocabulary rules a call matches (the detector's)."""
    try:
        return _is_helper(unit, kind, strong, rules)
    except Exception:  # a helper bug costs nothing but this check
        log.exception("credential helper check failed")
        return False


def _is_helper(unit: Unit, kind: FlowKind, strong: bool, rules: Callable[[Call], list[CallRule]]) -> bool:
    config = _helpers()
    if kind not in config.kinds or unit.handler or unit.route_method is not None or not unit.name:
        return False
    if strong:  # a library call performing the flow (`signInWithCustomToken`) is the flow whatever the name
        return False
    toks = tokens(unit.name)
    verb = len(toks) > 1 and toks[0] in config.verbs and toks[1] not in _PARTICLES
    if verb and not config.objects.isdisjoint(toks[1:]) and all(t in config.words for t in toks[1:]):
        return True  # create_access_token, generateAuthTokens, make_jwt, get_password_hash
    if kind != FlowKind.LOGIN or config.check_names is None:
        return False
    if config.check_names.search(" " + " ".join(toks) + " ") is None:
        return False
    support = [c for c in unit.calls if any(r.kind == kind and r.role == "support" for r in rules(c))]
    return bool(support) and all(_is_check(c.dotted, config.check_callees) for c in support)


def _is_check(dotted: str, callees: tuple[str, ...]) -> bool:
    dotted = dotted.removeprefix("this.").removeprefix("self.")
    return any(dotted == c or dotted.endswith("." + c) for c in callees)


def clears_session(kind: FlowKind, strong: bool, anchor: Call | None, rules: Callable[[Call], list[CallRule]]) -> bool:
    """A login / signup found through a support call that empties the session instead (`set_cookie("session", "",
    max_age=0)`, `setSession(null)`): that call is a logout's, never a login's."""
    if strong or anchor is None or kind not in (FlowKind.LOGIN, FlowKind.SIGNUP):
        return False
    try:
        return any(r.kind == FlowKind.LOGOUT and r.role == "support" and r.args_re is not None for r in rules(anchor))
    except Exception:  # costs nothing but this check
        log.exception("session check failed")
        return False


def guard_calls(doc: ParsedDocument, unit: Unit) -> list[Call]:
    """The decorator calls of a routed class method (`@UseGuards(LocalAuthGuard)`): a guard checking credentials
    before the handler runs is evidence like route middleware (`passport.authenticate('local')`)."""
    if unit.route_method is None:  # before reading the node: most units have no route (no tree look-up while typing)
        return []
    node = unit.node
    if node.type != "method_definition":
        return []
    decorators = [c for c in node.children if c.type == "decorator"]  # JavaScript: inside the method
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type in ("decorator", "comment"):  # TypeScript: before it
        decorators.append(sibling)
        sibling = sibling.prev_named_sibling
    out = []
    for dec in decorators:
        call = dec.named_children[0] if dec.type == "decorator" and dec.named_child_count else None
        fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if fn is not None:
            text = doc.node_text(fn)
            out.append(Call(call, dotted_name(text), text))
    return out
