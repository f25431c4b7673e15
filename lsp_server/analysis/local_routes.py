"""Routes registered in the same file as their handler: `router.post('/login', handle)` under
`async function handle(req, res)` makes `handle` the POST /login handler, exactly as a routes file in another folder
would (route_refs.py).

What the user sees: a neutrally named handler (`handle`, `create`, `enter`) declared next to its registration is
reported as the flow its route path names — Express / Hono / Fastify `app.post('/signup', validate, create)`, Fastify
`fastify.route({ method: 'POST', url: '/logout', handler: bye })`, Flask `app.add_url_rule('/login', view_func=enter,
methods=['POST'])`, Starlette `Route('/login', login, methods=['POST'])`, Django `path('login/', login_view)`.
Read on every analysis (keystrokes included) after a byte test: most files register nothing. Vocabulary:
`[same_file]` of `skills/detection/routes.toml`. Never raises.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache, cached_property

from tree_sitter import Node

from ..skills import load_detection_toml
from .document_cache import mentions, statement_captures
from .functions import Call, Unit, dotted_name, string_value
from .parsing import ParsedDocument
from .vocabulary import Vocabulary

log = logging.getLogger(__name__)

_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function"})
_METHODS_RE = re.compile(r"""['"](GET|POST|PUT|PATCH|DELETE)['"]""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Config:
    js_markers: tuple[str, ...]
    py_markers: tuple[str, ...]
    js_methods: tuple[str, ...]
    config_methods: tuple[str, ...]
    path_keys: frozenset[str]
    url_callees: tuple[str, ...]
    view_keywords: frozenset[str]
    any_method: str


@cache
def _config() -> _Config:
    data = load_detection_toml("routes.toml")
    local = data.get("same_file", {})
    return _Config(
        js_markers=tuple(local.get("js_markers", [])),
        py_markers=tuple(local.get("py_markers", [])),
        js_methods=tuple(local.get("js_methods", [])),
        config_methods=tuple(local.get("config_methods", [])),
        path_keys=frozenset(local.get("path_keys", ["path", "url"])),
        url_callees=tuple(data.get("url_callees", [])),
        view_keywords=frozenset(data.get("view_keywords", [])),
        any_method=str(data.get("any_method", "ANY")),
    )


def _any_of(values: tuple[str, ...]) -> str:
    return " ".join('"' + v.replace('"', "") + '"' for v in values)


@cache
def _js_query() -> str:
    config = _config()
    return (
        f"(call_expression function: (member_expression property: (property_identifier) @p "
        f"(#any-of? @p {_any_of(config.js_methods + config.config_methods)})) arguments: (arguments)) @n\n"
    )


@cache
def _py_query() -> str:
    names = _any_of(_config().url_callees)
    return (
        f"(call function: (identifier) @p (#any-of? @p {names}) arguments: (argument_list)) @n\n"
        f"(call function: (attribute attribute: (identifier) @p) (#any-of? @p {names}) arguments: (argument_list)) @n\n"
    )


def apply(units: list[Unit], doc: ParsedDocument, vocab: Vocabulary) -> set[int]:
    """Give this file's functions the routes this file registers them for (units are fresh per analysis: updated in
    place). Returns the ids of body-less route units (`router.post('/login', passport.authenticate('local'), handle)`)
    whose handler is one of these functions: the handler reports the flow, with their middleware as its own."""
    try:
        config = _config()
        python = doc.language == "python"
        markers = config.py_markers if python else config.js_markers
        if not units or not mentions(doc, markers):  # (document_cache: both reuse the last keystroke's answers)
            return set()
        reader = _Python(doc, units, config) if python else _Js(doc, units, config, vocab)
        for node in sorted(
            statement_captures(doc, _py_query() if python else _js_query(), "n"),
            key=lambda n: n.start_byte,
        ):
            reader.registration(node)
        return reader.delegated
    except Exception:  # a reader bug costs same-file routes, never the analysis
        log.exception("same-file routes failed")
        return set()


class _Reader:
    def __init__(self, doc: ParsedDocument, units: list[Unit], config: _Config) -> None:
        self.doc, self.units, self.config = doc, units, config
        self.delegated: set[int] = set()

    # built on the first registration that names a function: most calls the query finds (`formData.get('email')`)
    # are none, and a keystroke in a large file should not index its functions for nothing (keystroke-perf helper)
    @cached_property
    def by_name(self) -> dict[str, list[Unit]]:
        by_name: dict[str, list[Unit]] = {}
        for unit in self.units:
            if unit.has_body:  # (start, end, has_body: no tree look-up for a function remembered while typing)
                for key in dict.fromkeys((unit.name, unit.symbol)):
                    if key:
                        by_name.setdefault(key, []).append(unit)
        return by_name

    @cached_property
    def by_node(self) -> dict[tuple[int, int], Unit]:
        return {(u.start, u.end): u for u in self.units if u.has_body}

    @cached_property
    def bodiless(self) -> dict[int, Unit]:
        return {u.start: u for u in self.units if not u.has_body and u.route_method is not None}

    def text(self, node: Node | None) -> str:
        return self.doc.node_text(node)

    def named(self, name: str, at: Node) -> Unit | None:
        """The function `name` seen from `at`: of two `handler`s in two plugin functions, the one in the scope holding
        the registration (the innermost), else the first."""
        found = self.by_name.get(name)
        if not found or len(found) == 1:
            return found[0] if found else None
        pos = at.start_byte
        visible = [u for u in found if u.parent is None or u.parent.start <= pos < u.parent.end]
        return max(visible, key=lambda u: u.parent.start if u.parent is not None else -1, default=found[0])

    def give(self, unit: Unit, method: str, route: str, middleware: list[Call], registration: Node) -> None:
        """The unit serves `method route`; a GET route never replaces a write route the unit already has."""
        if unit.route_method is not None and (unit.route_method != "GET" or method == "GET"):
            return
        unit.route_method, unit.route_path = method, route
        unit.handler = unit.server = True
        unit.middleware += middleware
        bodiless = self.bodiless.get(registration.start_byte)
        if bodiless is not None and bodiless.node.end_byte == registration.end_byte:
            self.delegated.add(id(bodiless))


class _Js(_Reader):
    def __init__(self, doc: ParsedDocument, units: list[Unit], config: _Config, vocab: Vocabulary) -> None:
        super().__init__(doc, units, config)
        self.vocab = vocab

    def registration(self, call: Node) -> None:
        fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        if fn is None or args is None:
            return
        values = [a for a in args.named_children if a.type != "comment"]
        if not values:
            return
        prop = self.text(fn.child_by_field_name("property"))
        if prop in self.config.config_methods and values[0].type == "object":
            self.route_config(values[0], call)
            return
        if len(values) == 1 and prop in self.config.js_methods:  # router.route('/login').post(handle).get(show)
            path, unit = self.chained_path(fn.child_by_field_name("object")), self.handler(values[0])
            if path is not None and unit is not None:
                self.give(unit, "DELETE" if prop == "del" else prop.upper(), path, [], call)
            return
        m = self.vocab.route_register_re.match(dotted_name(self.text(fn)))
        if m is None or m.group(1).lower() in ("use", "route", "on") or len(values) < 2:
            return
        first = values[0]
        if first.type not in ("string", "template_string"):
            return
        unit = self.handler(values[-1])
        if unit is None:
            return
        method = "DELETE" if m.group(1).lower() == "del" else m.group(1).upper()
        middleware = [
            Call(v, dotted_name(t), t)
            for v in values[1:-1]
            if v.type == "call_expression"
            for t in [self.text(v.child_by_field_name("function"))]
        ]
        self.give(unit, method, string_value(self.text(first)) or "/", middleware, call)

    def route_config(self, node: Node, call: Node) -> None:
        """Fastify `fastify.route({ method: 'POST', url: '/logout', handler: bye })` (Hapi names it `path`)."""
        pairs: dict[str, Node] = {}
        for pair in node.named_children:
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if pair.type == "pair" and key is not None and value is not None:
                pairs[string_value(self.text(key))] = value
        path = next((pairs[k] for k in self.config.path_keys if k in pairs), None)
        method, handler = pairs.get("method"), pairs.get("handler")
        if path is None or method is None or handler is None or path.type not in ("string", "template_string"):
            return
        verbs = [v.upper() for v in _METHODS_RE.findall(self.text(method))]
        unit = self.handler(handler)
        if unit is not None and verbs:
            verb = next((v for v in verbs if v != "GET"), verbs[0])
            self.give(unit, verb, string_value(self.text(path)), [], call)

    def chained_path(self, node: Node | None) -> str | None:
        """The path of `router.route('/login')` at the start of a chain of method registrations."""
        for _ in range(8):
            fn = node.child_by_field_name("function") if node is not None and node.type == "call_expression" else None
            if fn is None or fn.type != "member_expression":
                return None
            if self.text(fn.child_by_field_name("property")) in self.config.config_methods:
                args = node.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_child_count else None
                ok = first is not None and first.type in ("string", "template_string")
                return string_value(self.text(first)) if ok else None
            node = fn.child_by_field_name("object")
        return None

    def handler(self, node: Node, depth: int = 0) -> Unit | None:
        """This file's function passed as the handler: `handle`, `ctrl.login` (a local object's method), an inline
        function of a route config, `catchAsync(handle)`, `handle.bind(this)`."""
        if depth > 3:
            return None
        if node.type in _FUNCTIONS:
            return self.by_node.get((node.start_byte, node.end_byte))
        if node.type in ("identifier", "member_expression"):
            return self.named(self.text(node).removeprefix("this."), node)
        if node.type == "call_expression":
            fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if fn is None or args is None:
                return None
            if fn.type == "member_expression" and self.text(fn.child_by_field_name("property")) == "bind":
                inner = fn.child_by_field_name("object")
                return self.handler(inner, depth + 1) if inner is not None else None
            values = [a for a in args.named_children if a.type != "comment"]
            if len(values) == 1:
                return self.handler(values[0], depth + 1)
        return None


class _Python(_Reader):
    def registration(self, call: Node) -> None:
        args = call.child_by_field_name("arguments")
        if args is None:
            return
        positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
        keywords = {
            self.text(a.child_by_field_name("name")): a.child_by_field_name("value")
            for a in args.named_children
            if a.type == "keyword_argument"
        }
        if not positional or positional[0].type != "string":
            return
        # Flask `add_url_rule('/login', 'login', login)`: the endpoint name comes before the view
        views = [*positional[1:3], *(keywords[k] for k in self.config.view_keywords if keywords.get(k) is not None)]
        view = next((v for v in views if v.type in ("identifier", "attribute")), None)
        unit = self.named(self.text(view), view) if view is not None else None
        if unit is None:
            return
        listed = keywords.get("methods")
        methods = [m.upper() for m in _METHODS_RE.findall(self.text(listed))] if listed is not None else []
        method = next((m for m in methods if m != "GET"), methods[0] if methods else self.config.any_method)
        self.give(unit, method, "/" + string_value(self.text(positional[0])).lstrip("^/"), [], call)
