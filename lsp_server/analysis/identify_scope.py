"""Which logins an existing identify covers (S4-15).

What the user sees: `posthog/missing-identify` goes away for a login or signup only when *that* flow identifies the
user — in its own function (or a callback inside it), in a same-file function it calls or that calls it, through the
app's own identify helper (`identifyUser(user)`), or in a "global identify place" that runs for every sign-in (an
auth-state listener, an effect on the user, a PostHog provider / identify component, a Django `user_logged_in`
receiver, a middleware). One identify in the signup no longer silences every other login of the package.
Vocabulary: `skills/detection/identify_scope.toml`. Pure; never raises.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from tree_sitter import Node

from ..skills import load_detection_toml
from .functions import Unit
from .model import PosthogCall, Span
from .parsing import ParsedDocument
from .vocabulary import Vocabulary, load, tokens

log = logging.getLogger(__name__)

IDENTIFY_KINDS = frozenset({"identify", "identify_context", "set"})
_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "function_definition",
        "lambda",
    }
)
_CLASSES = frozenset({"class_declaration", "class_definition", "class"})
_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True, slots=True)
class _Places:
    listeners: frozenset[str]
    function_name: re.Pattern[str]
    class_name: re.Pattern[str]
    decorator: re.Pattern[str]
    signals: frozenset[str]
    helper: re.Pattern[str]


def _compile(pattern: object) -> re.Pattern[str]:
    try:
        return re.compile(pattern) if isinstance(pattern, str) and pattern else _NEVER
    except re.error:
        log.warning("identify_scope.toml: bad pattern %r", pattern)
        return _NEVER


@cache
def _places() -> _Places:
    data = load_detection_toml("identify_scope.toml")
    return _Places(
        listeners=frozenset(str(n) for n in data.get("listener_callees", [])),
        function_name=_compile(data.get("function_name_re")),
        class_name=_compile(data.get("class_name_re")),
        decorator=_compile(data.get("decorator_re")),
        signals=frozenset(str(n) for n in data.get("connected_signals", [])),
        helper=_compile(data.get("helper_callee_re")),
    )


def _node_at(doc: ParsedDocument, span: Span) -> Node | None:
    """The smallest node starting at `span`'s start (columns are code points, tree-sitter's are bytes)."""
    col = len(doc.line_text(span.start_line)[: span.start_col].encode("utf-8"))
    return doc.root.descendant_for_point_range((span.start_line, col), (span.start_line, col))


def function_name(doc: ParsedDocument, fn: Node) -> str:
    """`login` for `function login()`, `const login = () =>`, `login() {}`, `{ login: () => … }`, `this.login = …`."""
    name = fn.child_by_field_name("name")
    if name is not None:
        return doc.node_text(name)
    parent = fn.parent
    if parent is None:
        return ""
    if parent.type == "variable_declarator":
        return doc.node_text(parent.child_by_field_name("name"))
    if parent.type == "pair":
        return doc.node_text(parent.child_by_field_name("key")).strip("'\"")
    if parent.type in ("public_field_definition", "field_definition"):
        return doc.node_text(parent.child_by_field_name("name") or parent.child_by_field_name("property"))
    if parent.type in ("assignment_expression", "assignment"):
        return doc.node_text(parent.child_by_field_name("left")).rsplit(".", 1)[-1]
    return ""


def _callback_of(doc: ParsedDocument, fn: Node) -> str | None:
    """The last segment of the call `fn` is an argument of (`useEffect` for `useEffect(() => …)`), else None."""
    args = fn.parent
    if args is None or args.type not in ("arguments", "argument_list"):
        return None
    call = args.parent
    callee = call.child_by_field_name("function") if call is not None else None
    if callee is None:
        return None
    return re.split(r"[.?]+", doc.node_text(callee).replace("\n", ""))[-1].strip()


def _decorated(doc: ParsedDocument, fn: Node, places: _Places) -> bool:
    parent = fn.parent
    if parent is None or parent.type != "decorated_definition":
        return False
    return any(places.decorator.search(doc.node_text(d)) for d in parent.named_children if d.type == "decorator")


def _names_a_flow(name: str, vocab: Vocabulary) -> bool:
    toks = tokens(name)
    pattern = vocab.any_name_re
    return bool(toks) and pattern is not None and pattern.search(" " + " ".join(toks) + " ") is not None


def _connected(doc: ParsedDocument, places: _Places) -> frozenset[str]:
    """Functions connected to a sign-in signal in this file: `user_logged_in.connect(identify_user)`."""
    if ".connect(" not in doc.text or not places.signals:
        return frozenset()
    found = re.findall(r"\b(\w+)\.connect\(\s*([A-Za-z_]\w*)", doc.text)
    return frozenset(fn for signal, fn in found if signal in places.signals)


def is_global(doc: ParsedDocument, node: Node, vocab: Vocabulary | None = None) -> bool:
    """The call at `node` runs for every sign-in of the app (see the module docstring), not inside one flow."""
    places, vocab = _places(), vocab or load()
    connected = None
    passed_function = False
    cur: Node | None = node.parent
    while cur is not None:
        if cur.type in _FUNCTIONS:
            passed_function = True
            callee = _callback_of(doc, cur)
            if callee is not None and callee in places.listeners:
                return True
            name = function_name(doc, cur)
            if name:
                if places.function_name.search(name) or _decorated(doc, cur, places):
                    return True
                if connected is None:
                    connected = _connected(doc, places)
                if name in connected:
                    return True
                if _names_a_flow(name, vocab) or places.helper.search(name):
                    return False  # `const login = async () => { …identify… }` inside `AuthProvider`: login's; an
                    # `identify(user)` helper (in a provider or a `PostHogService`) runs where it is called
        elif cur.type in _CLASSES:
            name = cur.child_by_field_name("name")
            if name is not None and places.class_name.search(doc.node_text(name)):
                return True
        cur = cur.parent
    return not passed_function  # module top level: a script identifying once


def global_identify(doc: ParsedDocument, calls: Iterable[PosthogCall], kinds: Iterable[str] = IDENTIFY_KINDS) -> bool:
    """Some identify call of the document sits in a global identify place. Never raises."""
    wanted = frozenset(kinds)
    try:
        for call in calls:
            if call.kind not in wanted:
                continue
            node = _node_at(doc, call.span)
            if node is not None and is_global(doc, node):
                return True
    except Exception:  # a scope bug must not cost the package its facts
        log.exception("identify scope failed")
    return False


def identifying_functions(doc: ParsedDocument, calls: Iterable[PosthogCall]) -> tuple[str, ...]:
    """Names of the functions identifying the user outside a global place (`login` for `const login = async () => {
    …; posthog.identify(id) }`), when they name a flow or an identify helper: a flow in another file calling one of
    them is identified. Never raises."""
    names: list[str] = []
    try:
        places, vocab = _places(), load()
        for call in calls:
            if call.kind not in IDENTIFY_KINDS:
                continue
            node = _node_at(doc, call.span)
            cur = node.parent if node is not None else None
            while cur is not None:
                if cur.type in _FUNCTIONS:
                    name = function_name(doc, cur)
                    if name:  # only names a caller elsewhere means (`login`, `identifyUser`), not `handleSubmit`
                        if _names_a_flow(name, vocab) or places.helper.search(name):
                            names.append(name)
                        break
                cur = cur.parent
    except Exception:
        log.exception("identify scope failed")
    return tuple(dict.fromkeys(names))


def called_identifier(unit: Unit, names: frozenset[str]) -> str | None:
    """The call in `unit` to a function of the package that identifies (`await login(email, pw)` where the auth
    context's `login` identifies), else None."""
    if not names:
        return None
    for call in unit.calls:
        last = call.dotted.rsplit(".", 1)[-1]
        if last in names and last != unit.name:
            return call.dotted
    return None


def _within(span: Span, node: Node) -> bool:
    (sr, _), (er, _) = node.start_point, node.end_point
    return sr <= span.start_line <= er


def _has_identify(unit: Unit, calls: Sequence[PosthogCall]) -> bool:
    return any(c.kind in IDENTIFY_KINDS and _within(c.span, unit.node) for c in calls)


def _called_name(dotted: str) -> str:
    """`login` for `login(…)`, `this.login(…)` and `this.authService.login(…)` (a same-file method)."""
    return dotted.removeprefix("this.").rsplit(".", 1)[-1] if dotted.startswith("this.") else dotted


def identified_nearby(unit: Unit, units: Sequence[Unit], calls: Sequence[PosthogCall]) -> str | None:
    """Why `unit` (a login / signup) counts as identified without an identify of its own: the app's identify helper
    called in it, or a same-file function it calls or that calls it identifying. None when nothing does."""
    try:
        places = _places()
        local: set[str] | None = None  # the file's function names: made only for a helper-like call (keystroke-perf)
        for call in unit.calls:  # an imported `identifyUser(user)`; one defined here counts only if it identifies
            last = call.dotted.rsplit(".", 1)[-1]
            if places.helper.search(last) and "posthog" not in call.dotted.lower():
                local = local if local is not None else {u.name for u in units if u.name and u is not unit}
                if last not in local:
                    return f"calls {call.dotted}"
        if not any(c.kind in IDENTIFY_KINDS for c in calls):  # no function here identifies (keystroke-perf helper)
            return None
        by_name: dict[str, list[Unit]] = {}
        for u in units:
            if u.name and u is not unit:
                by_name.setdefault(u.name, []).append(u)
        for call in unit.calls:  # a callee it hands the user to
            for callee in by_name.get(_called_name(call.dotted), ()):
                if _has_identify(callee, calls):
                    return f"{callee.symbol} identifies"
        if unit.name:  # a caller whose success callback identifies
            for other in units:
                if other is unit or _inside(unit, other):
                    continue
                if any(_called_name(c.dotted) == unit.name for c in other.calls) and _has_identify(other, calls):
                    return f"{other.symbol} identifies"
    except Exception:
        log.exception("identify scope failed")
    return None


def _inside(a: Unit, b: Unit) -> bool:
    """`b` contains `a` (an enclosing component is no caller)."""
    return b.start <= a.start and a.end <= b.end  # Unit.start / end: no tree look-up while typing (functions.py)
