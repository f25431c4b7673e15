"""Routes across files: what one file's route registrations say about another file's functions.

What the user sees: `exports.create = async (req, res) => …` in controllers/user.controller.js is a signup when
routes/auth.js registers it with `router.post('/register', userController.create)` (and `app.use('/api/auth', auth)`
prefixes those routes); a service method (`AuthService.signup`) called by a controller route that reports the same
flow (`@Post('signup')`) is not reported a second time. A framework file route's handler export counts as such a
route (Remix / React Router `action` in app/routes/join.tsx calling the model's `createUser`, SvelteKit `actions`,
Next.js route handlers, Nuxt `defineEventHandler`): the route is the flow, and it is tracked when the function it
calls already captures.

Facts are read per file (`file_facts`: one parse, during the workspace scan and on save, never on a keystroke) and
joined into a `RouteIndex`; the detector receives the `FileRoutes` of one path (`RouteIndex.for_path`, a dict lookup)
and applies it with `apply` (routes and mount prefixes onto units) and `reported_by_caller`. Vocabulary:
`skills/detection/routes.toml`. Never raises.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from tree_sitter import Node, QueryCursor

from ..skills import load_detection_toml
from .functions import Call, Unit, dotted_name, extract_units, string_value
from .model import FlowKind
from .parsing import ParsedDocument, language_for_path, parse, query
from .vocabulary import Vocabulary, load, tokens

log = logging.getLogger(__name__)

_ROUTE_PARAM_RE = re.compile(r"/(?::\w+\??|\{[^}/]*\}|<[^>/]*>|\[[^\]/]*\])(?=/|$)")  # :id {id} <int:pk> [id]
_DECORATOR_OWNER_RE = re.compile(r"@\s*([A-Za-z_]\w*)\.\w+\s*\(")  # `@router.post(` → router
_FIRST_STRING_RE = re.compile(r"""\(\s*['"`]([^'"`]*)['"`]""")
_METHODS_RE = re.compile(r"""['"](GET|POST|PUT|PATCH|DELETE)['"]""", re.IGNORECASE)
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "lambda"})
_READ_METHODS = frozenset({"get", "head", "options", "list", "retrieve"})
_PY = "py:"  # a Python module specifier: "py:app.crud", "py:..core.security"
WHOLE = "*"  # the module itself (`require('./login')` used as the handler, `import * as ctrl`)
DEFAULT = "default"

# (method, route, module specifier, symbol, registering router)
_Registration = tuple[str, str, str, str, str]
# (caller symbol, method, own route, caller name, router, module specifier, symbol)
_CallFact = tuple[str, str, str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What one file says about others: routes it registers by reference, routers it mounts, and the functions its
    route handlers call (module specifiers unresolved)."""

    registrations: tuple[_Registration, ...] = ()
    mounts: tuple[tuple[str, str, str, str], ...] = ()  # (prefix, specifier, symbol, mounting router)
    calls: tuple[_CallFact, ...] = ()
    exports: tuple[tuple[str, str, str], ...] = ()  # (name, specifier, symbol) re-exported from another module
    guards: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (method, route, middleware names before the handler)
    # (`module.exports.userService = require('./user.service')`, `export * as authService from './auth'`)
    webhooks: tuple[tuple[str, str, str], ...] = ()  # (event type, specifier, symbol): a webhook map's imported
    # handlers (`{ 'invoice.paid': onPaid }` after `import { onPaid } from './handlers'`)
    captures: tuple[str, ...] = ()  # top-level functions already capturing an event (`createUser` in a model): a
    # route calling one is tracked there


@dataclass(frozen=True, slots=True)
class FileRoutes:
    """What other files say about one file's functions: the detector's input for that file."""

    handlers: Mapping[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)  # symbol → (method,
    # full route, registering file)
    mounts: Mapping[str, str] = field(default_factory=dict)  # router (`*`: every route of the file) → prefix
    callers: Mapping[str, tuple[tuple[str, str, str, str], ...]] = field(default_factory=dict)  # symbol →
    # (method, full route, caller name, caller file) of route handlers calling it
    middleware: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # symbol → the middleware its route
    # runs first, as written (`passport.authenticate('local')`); the calls count as the handler's own middleware
    delegated: frozenset[tuple[str, str]] = frozenset()  # (method, route as written) of this file's registrations
    # whose handler is another file's function (`router.post('/x', catchAsync(ctrl.x))`): reported there
    webhooks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # symbol → the webhook types a map in
    # another file dispatches to it
    webhooks_delegated: frozenset[str] = frozenset()  # webhook types this file's maps send to another file's function
    tracking: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # this file's route handler → the functions
    # of other files it calls that already capture (a flow the route reports is tracked in its helper)


@dataclass(frozen=True, slots=True)
class _Config:
    js_markers: tuple[bytes, ...]
    js_local_imports: tuple[bytes, ...]
    py_markers: tuple[bytes, ...]
    handler_markers: tuple[str, ...]
    url_callees: frozenset[str]
    view_keywords: frozenset[str]
    any_method: str
    mount_callees: frozenset[str]
    prefix_keywords: frozenset[str]
    include_callees: frozenset[str]
    injected: re.Pattern[str] | None
    plugin_mounts: frozenset[str]
    router_methods: frozenset[str]
    aliases: dict[str, list[str]]
    js_extensions: tuple[str, ...]
    capture_marker: str


@cache
def _config() -> _Config:
    data: dict[str, Any] = load_detection_toml("routes.toml")

    def compiled(key: str, flags: int = 0) -> Any:
        try:
            value = data.get(key)
            return re.compile(value, flags) if value else None
        except re.error:
            log.warning("routes.toml: invalid %s", key)
            return None

    return _Config(
        js_markers=tuple(m.encode() for m in data.get("js_markers", [])),
        js_local_imports=tuple(m.encode() for m in data.get("js_local_imports", [])),
        py_markers=tuple(m.encode() for m in data.get("py_markers", [])),
        handler_markers=tuple(data.get("handler_markers", [])),
        url_callees=frozenset(data.get("url_callees", [])),
        view_keywords=frozenset(data.get("view_keywords", [])),
        any_method=str(data.get("any_method", "ANY")),
        mount_callees=frozenset(data.get("mount_callees", [])),
        prefix_keywords=frozenset(data.get("prefix_keywords", [])),
        include_callees=frozenset(data.get("include_callees", [])),
        injected=compiled("injected_re"),
        plugin_mounts=frozenset(data.get("plugin_mounts", [])),
        router_methods=frozenset(data.get("router_methods", [])),
        aliases={k: list(v) for k, v in data.get("aliases", {}).items() if isinstance(v, list)},
        js_extensions=tuple(data.get("js_extensions", [".ts", ".js"])),
        capture_marker=str(data.get("capture_marker", "")),
    )


def might_have_facts(data: bytes, path: str) -> bool:
    """Cheap byte test: can this file register, mount, call or re-export across files? (The scan reads facts only
    then; it asks for every source file of the workspace.)"""
    js, local, python = _byte_tests()
    if path.endswith(".py"):
        return python(data)
    return js(data) and local(data)


def marker_patterns() -> tuple[str, str, str]:
    """`might_have_facts`' marker lists as regexes (JS markers, JS local imports, Python markers): the workspace scan
    tests them in the same pass over the bytes as its flow prefilter (`prefilter.PrefilterSet`)."""
    config = _config()
    lists = (config.js_markers, config.js_local_imports, config.py_markers)
    return tuple("|".join(re.escape(m.decode()) for m in literals) or r"\b\B" for literals in lists)  # type: ignore[return-value]


@cache
def _byte_tests() -> tuple[Callable[[bytes], bool], ...]:
    """One search per marker list: RE2 when installed (one pass), else substring tests (Python's re is slow on an
    alternation of literals)."""
    from .prefilter import prefilter_for

    def build(literals: tuple[bytes, ...]) -> Callable[[bytes], bool]:
        if not literals:
            return lambda _data: False
        compiled = prefilter_for("|".join(re.escape(m.decode()) for m in literals))
        return compiled.search if compiled.engine == "re2" else lambda data: any(m in data for m in literals)

    config = _config()
    return build(config.js_markers), build(config.js_local_imports), build(config.py_markers)


def file_facts(path: str, text: str, vocab: Vocabulary | None = None) -> FileFacts:
    """The cross-file facts of one source file (`path` relative to the workspace root). Never raises."""
    language = language_for_path(path)
    if language is None:
        return FileFacts()
    try:
        doc = parse(text, language)
        if doc is None:
            return FileFacts()
        reader = _PythonReader if language == "python" else _JsReader
        return reader(doc, path, vocab or load()).read()
    except Exception:  # a reader bug costs cross-file facts, never the scan
        log.exception("route facts failed for %s", path)
        return FileFacts()


# --- reading one file ------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, doc: ParsedDocument, path: str, vocab: Vocabulary) -> None:
        self.doc, self.path, self.vocab, self.config = doc, path, vocab, _config()
        self.bindings: dict[str, tuple[str, str]] = {}  # local name → (module specifier, symbol)
        self.registrations: list[_Registration] = []
        self.mounts: list[tuple[str, str, str, str]] = []
        self.calls: list[_CallFact] = []
        self.exports: list[tuple[str, str, str]] = []
        self.guards: list[tuple[str, str, tuple[str, ...]]] = []
        self.webhooks: list[tuple[str, str, str]] = []
        self._units: list[Unit] | None = None

    @property
    def units(self) -> list[Unit]:
        if self._units is None:
            self._units = extract_units(self.doc, self.vocab, self.path)
        return self._units

    def read(self) -> FileFacts:
        self.collect()
        if self.bindings and any(m in self.doc.text for m in self.config.handler_markers):
            self.caller_facts()  # the costly part (every function of the file): only where a handler may be
        if self.bindings and any(w in self.doc.data for w in self.vocab.webhook_bytes):
            self.webhook_map()
        calls = tuple(dict.fromkeys(self.calls))
        return FileFacts(
            tuple(self.registrations), tuple(self.mounts), calls, tuple(self.exports), tuple(self.guards),
            tuple(dict.fromkeys(self.webhooks)), self.captures(),
        )

    def captures(self) -> tuple[str, ...]:
        """Top-level functions whose body captures an event (`posthog.capture(…)`)."""
        marker = self.config.capture_marker
        if not marker or marker not in self.doc.text:
            return ()
        return tuple(dict.fromkeys(
            u.name for u in self.units
            if u.parent is None and u.name and u.body is not None and marker in self.text(u.body)
        ))

    def webhook_map(self) -> None:
        """`{ 'checkout.session.completed': onCheckout }` / `{"invoice.paid": billing.on_paid}` with imported values:
        that module's function handles the type."""
        python = self.doc.language == "python"
        pattern = "(pair key: (string) @k value: [(identifier) (%s)] @v) @n\n" % (
            "attribute" if python else "member_expression"
        )
        webhooks = self.vocab.webhooks
        for pair in self.walk(pattern):
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            event_type = string_value(self.text(key)) if key is not None else ""
            if event_type not in webhooks or value is None:
                continue
            found = self.reference(value)
            if found is not None:
                self.webhooks.append((event_type, *found))

    def reference(self, node: Node) -> tuple[str, str] | None:
        raise NotImplementedError

    def collect(self) -> None:
        raise NotImplementedError

    def text(self, node: Node | None) -> str:
        return self.doc.node_text(node)

    def walk(self, patterns: str) -> Iterable[Node]:
        """The nodes `patterns` (a tree-sitter query capturing `@n`) match, in document order: one query in C
        instead of visiting every node in Python."""
        nodes = QueryCursor(query(self.doc.language, patterns)).captures(self.doc.root).get("n", [])
        return sorted(nodes, key=lambda n: n.start_byte)

    def target(self, name: str, member: str) -> tuple[str, str] | None:
        """(specifier, symbol) of `name` or `name.member`, when `name` is imported. `const { userService } =
        require('../services')` then `userService.createUser` is `userService.createUser` of ../services (followed
        through its re-exports when resolving)."""
        bound = self.bindings.get(name)
        if bound is None:
            return None
        spec, symbol = bound
        if not member:
            return spec, symbol
        return (spec, member) if symbol == WHOLE else (spec, f"{symbol}.{member}")

    def caller_facts(self) -> None:
        """The imported functions that this file's route handlers call (`this.authService.signup(dto)`)."""
        vocab = self.vocab
        directive = vocab.side.get("server_directive", "use server")
        text = self.doc.text
        action_file = self.doc.language != "python" and (f"'{directive}'" in text or f'"{directive}"' in text)
        for unit in self.units:
            if unit.negative or unit.body is None:
                continue
            request = [p for p in unit.params if p not in ("self", "cls")][:1]
            serves = unit.route_method is not None or bool(request and request[0] in vocab.view_params)
            serves = serves or (action_file and unit.server and unit.parent is None)  # a Next.js server action
            # a file route's handler export (Remix / React Router `action`, SvelteKit `actions.default`, a Nuxt
            # `defineEventHandler`): functions.py gave it the file's route (a loader / load is a GET, skipped below)
            serves = serves or (unit.route_path is not None and unit.parent is None and unit.handler)
            if not serves or unit.route_method == "GET":
                continue
            router = self.router_of(unit)
            for call in unit.calls:
                if call.node.start_byte < unit.body.start_byte:
                    continue
                parts = call.dotted.removeprefix("this.").removeprefix("self.").split(".")
                if len(parts) > 2:
                    continue
                found = self.call_target(call.dotted, parts)
                if found is not None:
                    symbol = unit.name if unit.parent is None else ""
                    route = unit.route_path or ""
                    self.calls.append(
                        (symbol, unit.route_method or "", route, unit.name, router, found[0], found[1])
                    )

    def call_target(self, dotted: str, parts: list[str]) -> tuple[str, str] | None:
        return self.target(parts[0], parts[1] if len(parts) == 2 else "")

    def router_of(self, unit: Unit) -> str:
        return ""


class _JsReader(_Reader):
    _IMPORTS = """[(import_statement) (lexical_declaration) (variable_declaration) (export_statement)
 (assignment_expression left: (member_expression)) (call_expression function: (member_expression))] @n
"""
    _OBJECTS = "(object (pair key: (property_identifier) @k (#any-of? @k \"path\" \"handler\"))) @n\n"

    def collect(self) -> None:
        calls: list[Node] = []
        patterns = self._IMPORTS + (self._OBJECTS if "handler" in self.doc.text else "")
        for node in self.walk(patterns):
            if node.type == "import_statement":
                self.import_statement(node)
            elif node.type == "call_expression":
                calls.append(node)
            elif node.type == "export_statement":
                self.export_from(node)
            elif node.type == "assignment_expression":
                self.module_export(node)
            elif node.type == "object":
                self.route_config(node)
            else:
                for decl in node.named_children:
                    if decl.type == "variable_declarator":
                        self.declarator(decl)
        self.this_bindings()
        for call in calls:
            self.registration(call)

    def import_statement(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        if source is None:
            return
        spec = string_value(self.text(source))
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self.bindings[self.text(part)] = (spec, DEFAULT)
                elif part.type == "namespace_import":
                    names = [c for c in part.named_children if c.type == "identifier"]
                    if names:
                        self.bindings[self.text(names[-1])] = (spec, WHOLE)
                elif part.type == "named_imports":
                    for item in part.named_children:
                        if item.type != "import_specifier":
                            continue
                        name = item.child_by_field_name("name")
                        alias = item.child_by_field_name("alias") or name
                        if name is not None and alias is not None:
                            self.bindings[self.text(alias)] = (spec, self.text(name))

    def export_from(self, node: Node) -> None:
        """`export * as authService from './auth'`, `export { default as userService } from './user.service'`."""
        source = node.child_by_field_name("source")
        spec = string_value(self.text(source)) if source is not None else None
        for child in node.named_children:
            if child.type == "namespace_export" and spec is not None:
                names = [c for c in child.named_children if c.type in ("identifier", "string")]
                if names:
                    self.exports.append((string_value(self.text(names[-1])), spec, WHOLE))
            elif child.type == "export_clause":
                for item in child.named_children:
                    name = item.child_by_field_name("name")
                    alias = item.child_by_field_name("alias") or name
                    if item.type != "export_specifier" or name is None or alias is None:
                        continue
                    if spec is not None:
                        self.exports.append((self.text(alias), spec, self.text(name)))
                    elif (bound := self.bindings.get(self.text(name))) is not None:  # import x …; export { x }
                        self.exports.append((self.text(alias), *bound))

    def module_export(self, node: Node) -> None:
        """`module.exports.userService = require('./user.service')`, `module.exports = { authService, … }`."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        target = self.text(left)
        if target in ("module.exports", "exports") and right.type == "object":
            for prop in right.named_children:
                if prop.type == "shorthand_property_identifier":
                    self.export_value(self.text(prop), prop)
                elif prop.type == "pair":
                    key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                    if key is not None and value is not None:
                        self.export_value(string_value(self.text(key)), value)
        elif target.startswith(("module.exports.", "exports.")) and _export_depth(target) == 1:
            self.export_value(target.rsplit(".", 1)[-1], right)  # module.exports.x = …, not ….x.y = …

    def export_value(self, name: str, value: Node) -> None:
        member = ""
        if value.type == "member_expression":  # require('./x').login
            member = self.text(value.child_by_field_name("property"))
            value = value.child_by_field_name("object") or value
        spec = _required(self.doc, value)
        if spec is not None:
            self.exports.append((name, spec, member or WHOLE))
        elif value.type in ("identifier", "shorthand_property_identifier") and not member:
            bound = self.bindings.get(self.text(value))
            if bound is not None:
                self.exports.append((name, *bound))

    def declarator(self, decl: Node) -> None:
        name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
        if name is None or value is None:
            return
        while value.type == "await_expression" and value.named_child_count:
            value = value.named_children[0]
        member = ""
        if value.type == "member_expression":  # require('./x').login
            prop = value.child_by_field_name("property")
            member = self.text(prop)
            value = value.child_by_field_name("object") or value
        if value.type == "new_expression":  # const authController = new AuthController()
            ctor = value.child_by_field_name("constructor")
            bound = self.bindings.get(self.text(ctor)) if ctor is not None else None
            if bound is not None and name.type == "identifier":
                self.bindings[self.text(name)] = bound
            return
        spec = _required(self.doc, value)
        if spec is None:
            return
        if name.type == "identifier":
            self.bindings[self.text(name)] = (spec, member or WHOLE)
        elif name.type == "object_pattern" and not member:
            for prop in name.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    self.bindings[self.text(prop)] = (spec, self.text(prop))
                elif prop.type == "pair_pattern":
                    key, local = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                    if key is not None and local is not None and local.type == "identifier":
                        self.bindings[self.text(local)] = (spec, self.text(key))

    def this_bindings(self) -> None:
        """`constructor(private authService: AuthService)`: `this.authService` is the imported class."""
        pattern = self.config.injected
        if pattern is None or self.doc.language == "javascript":
            return
        for prop, cls in pattern.findall(self.doc.text):
            bound = self.bindings.get(cls)
            if bound is not None and prop not in self.bindings:
                self.bindings["this." + prop] = bound

    def call_target(self, dotted: str, parts: list[str]) -> tuple[str, str] | None:
        if dotted.startswith("this.") and len(parts) == 2:
            bound = self.bindings.get("this." + parts[0])
            return (bound[0], parts[1]) if bound is not None else None
        return super().call_target(dotted, parts)

    def registration(self, call: Node) -> None:
        fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        if fn is None or args is None or fn.type != "member_expression":
            return
        callee_text = self.text(fn)
        m = self.vocab.route_register_re.match(dotted_name(callee_text))
        if m is None:
            self.plugin_mount(fn, args)
            return
        method = m.group(1).lower()
        values = [a for a in args.named_children if a.type != "comment"]
        if not values or method in ("route", "on"):
            return
        handler = values[-1]
        if handler.type in _FUNCTIONS:
            return  # an inline handler: the detector reads it in this file
        first = values[0]
        path = string_value(self.text(first)) if first.type in ("string", "template_string") else None
        if path is None:
            found = _FIRST_STRING_RE.search(callee_text)  # router.route('/login').post(ctrl.login)
            path = found.group(1) if found else None
        if path is None or (len(values) < 2 and not _FIRST_STRING_RE.search(callee_text)):
            return
        target = self.reference(handler)
        if target is None:
            return
        if method == "use":
            self.mounts.append((path, target[0], target[1], ""))
            return
        verb = "DELETE" if method == "del" else method.upper()
        self.registrations.append((verb, path, *target, ""))
        between = values[1:-1] if first.type in ("string", "template_string") else values[:-1]
        names = tuple(n for v in between for n in [self.middleware_name(v)] if n)
        if names:  # `router.post('/logout', requireAuth, ctrl.logout)`: the handler runs behind requireAuth
            self.guards.append((verb, path, names))

    def middleware_name(self, node: Node) -> str:
        """`requireAuth`, `auth.required`, `passport.authenticate('local')` as written; "" for anything else."""
        fn = node.child_by_field_name("function") if node.type == "call_expression" else node
        text = self.text(node)
        return text if fn is not None and fn.type in ("identifier", "member_expression") and len(text) <= 200 else ""

    def route_config(self, node: Node) -> None:
        """Hapi `server.route({ method: 'POST', path: '/signup', handler: UserController.create })` (also under
        `options` / `config`)."""
        pairs = {}
        for pair in node.named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            if key is not None:
                pairs[string_value(self.text(key))] = pair.child_by_field_name("value")
        path, method = pairs.get("path"), pairs.get("method")
        if path is None or method is None or path.type not in ("string", "template_string"):
            return
        handler = pairs.get("handler")
        for nested in ("options", "config"):
            inner = pairs.get(nested)
            if handler is None and inner is not None and inner.type == "object":
                handler = next(
                    (p.child_by_field_name("value") for p in inner.named_children
                     if p.type == "pair" and string_value(self.text(p.child_by_field_name("key"))) == "handler"),
                    None,
                )
        target = self.reference(handler) if handler is not None and handler.type not in _FUNCTIONS else None
        verbs = _METHODS_RE.findall(self.text(method))
        if target is not None and verbs:
            verb = next((v.upper() for v in verbs if v.upper() != "GET"), verbs[0].upper())
            self.registrations.append((verb, string_value(self.text(path)), *target, ""))

    def plugin_mount(self, fn: Node, args: Node) -> None:
        """Fastify `app.register(require('./routes/auth'), { prefix: '/api/auth' })`: a router mounted by option."""
        prop = fn.child_by_field_name("property")
        values = [a for a in args.named_children if a.type != "comment"]
        if prop is None or self.text(prop) not in self.config.plugin_mounts or len(values) != 2:
            return
        options = values[1]
        for pair in options.named_children if options.type == "object" else ():
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if key is None or value is None or string_value(self.text(key)) not in self.config.prefix_keywords:
                continue
            target = self.reference(values[0]) if value.type in ("string", "template_string") else None
            if target is not None:
                self.mounts.append((string_value(self.text(value)), target[0], target[1], ""))

    def reference(self, node: Node, depth: int = 0) -> tuple[str, str] | None:
        """(specifier, symbol) of a handler passed by reference: `ctrl.login`, `login`, `require('./login')`,
        `catchAsync(ctrl.login)`, `ctrl.login.bind(ctrl)`."""
        if depth > 3:
            return None
        if node.type == "identifier":
            return self.target(self.text(node), "")
        if node.type == "member_expression":
            obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            if obj.type == "identifier":
                return self.target(self.text(obj), self.text(prop))
            spec = _required(self.doc, obj)  # require('./auth').login
            return (spec, self.text(prop)) if spec is not None else None
        if node.type == "call_expression":
            spec = _required(self.doc, node)
            if spec is not None:
                return spec, WHOLE
            fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if fn is None or args is None:
                return None
            prop = self.text(fn.child_by_field_name("property")) if fn.type == "member_expression" else ""
            if prop in self.config.router_methods and not args.named_child_count:  # koa `authRouter.routes()`
                inner = fn.child_by_field_name("object")
                return self.reference(inner, depth + 1) if inner is not None else None
            if prop == "bind":
                inner = fn.child_by_field_name("object")
                return self.reference(inner, depth + 1) if inner is not None else None
            values = [a for a in args.named_children if a.type != "comment"]
            if len(values) == 1:  # catchAsync(ctrl.login)
                return self.reference(values[0], depth + 1)
        return None


def _export_depth(target: str) -> int:
    """`exports.x` / `module.exports.x` → 1; `exports.x.y` → 2."""
    return target.count(".") - target.startswith("module.")


def _required(doc: ParsedDocument, node: Node) -> str | None:
    """The specifier of `require('./x')` / `import('./x')`, else None."""
    if node.type != "call_expression":
        return None
    fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    if fn is None or args is None or doc.node_text(fn) not in ("require", "import"):
        return None
    first = args.named_children[0] if args.named_child_count else None
    return string_value(doc.node_text(first)) if first is not None and first.type == "string" else None


class _PythonReader(_Reader):
    _KINDS = "[(import_from_statement) (import_statement) (call)] @n\n"

    def collect(self) -> None:
        calls: list[Node] = []
        for node in self.walk(self._KINDS):
            if node.type == "import_from_statement":
                self.import_from(node)
            elif node.type == "import_statement":
                for item in node.named_children:
                    name = item.child_by_field_name("name") if item.type == "aliased_import" else item
                    alias = item.child_by_field_name("alias") if item.type == "aliased_import" else None
                    if name is not None and alias is not None:
                        self.bindings[self.text(alias)] = (_PY + self.text(name), WHOLE)
                    elif name is not None and "." not in self.text(name):
                        self.bindings[self.text(name)] = (_PY + self.text(name), WHOLE)
            else:
                calls.append(node)
        for call in calls:
            self.call(call)

    def import_from(self, node: Node) -> None:
        module = node.child_by_field_name("module_name")
        if module is None:
            return
        base = self.text(module).replace(" ", "")
        for name_node in node.children_by_field_name("name"):
            if name_node.type == "aliased_import":
                name, alias = name_node.child_by_field_name("name"), name_node.child_by_field_name("alias")
            else:
                name, alias = name_node, name_node
            if name is None or alias is None:
                continue
            # `from app import crud`: a submodule or a function of app/__init__.py, decided when resolving
            self.bindings[self.text(alias)] = (_PY + base, self.text(name))

    def call(self, node: Node) -> None:
        fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if fn is None or args is None:
            return
        callee = self.text(fn)
        last = callee.rsplit(".", 1)[-1]
        config = self.config
        positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
        keywords = {
            self.text(a.child_by_field_name("name")): a.child_by_field_name("value")
            for a in args.named_children
            if a.type == "keyword_argument"
        }
        if last in config.mount_callees and positional:
            prefix = next((keywords[k] for k in config.prefix_keywords if keywords.get(k) is not None), None)
            target = self.reference(positional[0])
            if prefix is not None and prefix.type == "string" and target is not None:
                receiver = callee.rsplit(".", 1)[0] if "." in callee else ""
                self.mounts.append((string_value(self.text(prefix)), target[0], target[1], receiver))
            return
        if last not in config.url_callees or not positional or positional[0].type != "string":
            return
        route = string_value(self.text(positional[0]))
        view = positional[1] if len(positional) > 1 else None
        view = view or next((keywords[k] for k in config.view_keywords if keywords.get(k) is not None), None)
        if view is None:
            return
        if view.type == "call" and self.text(view.child_by_field_name("function")) in config.include_callees:
            inner = view.child_by_field_name("arguments")
            first = inner.named_children[0] if inner is not None and inner.named_child_count else None
            if first is not None and first.type == "string":  # path('accounts/', include('accounts.urls'))
                self.mounts.append((route, _PY + string_value(self.text(first)), WHOLE, ""))
            return
        if view.type == "call":  # Django `SignUpView.as_view()`: the class's methods
            fn = view.child_by_field_name("function")
            attr = fn.child_by_field_name("attribute") if fn is not None and fn.type == "attribute" else None
            inner = fn.child_by_field_name("object") if attr is not None and self.text(attr) == "as_view" else None
            view = inner if inner is not None else view
        target = self.reference(view)
        if target is None:
            return
        methods = _METHODS_RE.findall(self.text(keywords["methods"])) if keywords.get("methods") is not None else []
        method = next((m.upper() for m in methods if m.upper() != "GET"), methods[0].upper() if methods else "")
        self.registrations.append((method or config.any_method, "/" + route.lstrip("^/"), *target, ""))

    def target(self, name: str, member: str) -> tuple[str, str] | None:
        """`crud.authenticate` after `from app import crud`: the module `app.crud`, symbol `authenticate`."""
        bound = self.bindings.get(name)
        if bound is None or not member or bound[1] == WHOLE:
            return super().target(name, member)
        spec, symbol = bound
        return (spec + symbol if spec.endswith(".") else f"{spec}.{symbol}"), member

    def reference(self, node: Node) -> tuple[str, str] | None:
        if node.type == "identifier":
            return self.target(self.text(node), "")
        if node.type == "attribute":
            obj, attr = node.child_by_field_name("object"), node.child_by_field_name("attribute")
            if obj is not None and attr is not None and obj.type == "identifier":
                return self.target(self.text(obj), self.text(attr))
        return None

    def router_of(self, unit: Unit) -> str:
        outer = unit.node.parent
        for dec in outer.named_children if outer is not None and outer.type == "decorated_definition" else ():
            m = _DECORATOR_OWNER_RE.match(self.text(dec))
            if m is not None:
                return m.group(1)
        return ""

    def caller_facts(self) -> None:
        super().caller_facts()
        pattern = self.vocab.router_prefix_re  # `router = APIRouter(prefix="/users")`: part of the callers' routes
        if pattern is None or "prefix" not in self.doc.text:
            return
        own = dict(pattern.findall(self.doc.text))
        self.calls = [
            (s, m, _join(own[r], route) if r in own and route else route, n, r, spec, sym)
            for s, m, route, n, r, spec, sym in self.calls
        ]


# --- the workspace index ----------------------------------------------------------------------------------------


class RouteIndex:
    """Every file's facts, joined: `for_path(path)` is what other files say about `path`'s functions.

    `exists(rel)` tells which workspace-relative files exist (module specifiers are resolved against it)."""

    def __init__(
        self, files: Mapping[str, FileFacts], exists: Callable[[str], bool], paths: TsPaths | None = None
    ) -> None:
        self.files = dict(files)
        self._exists = exists
        self.paths = paths or TsPaths()  # tsconfig / jsconfig `paths` and `baseUrl` of the workspace's packages
        self._by_path: dict[str, FileRoutes] | None = None

    def with_file(self, path: str, facts: FileFacts) -> RouteIndex:
        """A new index with `path`'s facts replaced (a saved file)."""
        files = dict(self.files)
        if facts == FileFacts():
            files.pop(path, None)
        else:
            files[path] = facts
        known = self._exists
        return RouteIndex(files, lambda rel: rel == path or known(rel), self.paths)  # a file created since the scan

    def for_path(self, path: str) -> FileRoutes | None:
        try:
            if self._by_path is None:
                self._by_path = self._join()
            return self._by_path.get(path)
        except Exception:  # a join bug costs cross-file facts, never the analysis
            log.exception("route index failed")
            self._by_path = {}
            return None

    def joined(self) -> Mapping[str, FileRoutes]:
        """Every path's `FileRoutes` (what other files say about it), joined once."""
        self.for_path("")
        return self._by_path or {}

    def targets(self) -> list[str]:
        """Files whose functions are route handlers registered elsewhere, or whose routers are mounted under a prefix
        (the scan analyses them even when they name no flow themselves)."""
        if self._by_path is None:
            self.for_path("")
        return [p for p, routes in (self._by_path or {}).items() if routes.handlers or routes.mounts or routes.webhooks]

    # -- joining --

    def _join(self) -> dict[str, FileRoutes]:
        resolve = _Resolver(self._exists, self.files, self.paths)
        mounts: dict[str, list[tuple[str, str, str, str]]] = {}  # target file → (symbol, prefix, mounting file, router)
        for path, facts in self.files.items():
            for prefix, spec, symbol, router in facts.mounts:
                target = resolve(path, spec, symbol)
                if target is not None:
                    mounts.setdefault(target[0], []).append((target[1], prefix, path, router))

        def mount_prefix(path: str, router: str, depth: int = 0) -> str:
            """Where `path`'s router is mounted (JS: any router of the file; Python: `router` by name)."""
            python = path.endswith(".py")
            for symbol, prefix, outer, outer_router in mounts.get(path, ()):
                if depth < 6 and (not python or symbol in (router, WHOLE)):
                    return _join(mount_prefix(outer, outer_router, depth + 1), prefix)
            return ""

        handlers: dict[str, dict[str, list[tuple[str, str, str]]]] = {}
        delegated: dict[str, set[tuple[str, str]]] = {}
        guarded: dict[str, dict[str, list[str]]] = {}
        for path, facts in self.files.items():
            guards = {(m, r): names for m, r, names in facts.guards}
            for method, route, spec, symbol, router in facts.registrations:
                target = resolve(path, spec, symbol)
                if target is not None:
                    delegated.setdefault(path, set()).add((method, route))
                    guarded.setdefault(target[0], {}).setdefault(target[1], []).extend(guards.get((method, route), ()))
                    full = _join(mount_prefix(path, router), route)
                    handlers.setdefault(target[0], {}).setdefault(target[1], []).append((method, full, path))
        webhooks: dict[str, dict[str, list[str]]] = {}  # handler file → symbol → webhook types
        sent: dict[str, set[str]] = {}  # map file → the webhook types it sends to another file's function
        for path, facts in self.files.items():
            for event_type, spec, symbol in facts.webhooks:
                target = resolve(path, spec, symbol)
                if target is not None and target[0] != path:
                    webhooks.setdefault(target[0], {}).setdefault(target[1], []).append(event_type)
                    sent.setdefault(path, set()).add(event_type)
        callers: dict[str, dict[str, list[tuple[str, str, str, str]]]] = {}
        for path, facts in self.files.items():
            for caller, method, route, name, router, spec, symbol in facts.calls:
                target = resolve(path, spec, symbol)
                if target is None or target[0] == path:
                    continue
                routes = [(method, _join(mount_prefix(path, router), route))] if route else []
                routes += [(m, r) for m, r, _ in handlers.get(path, {}).get(caller, ())] if caller else []
                for m, r in routes or [(method, "")]:
                    if m != "GET":
                        callers.setdefault(target[0], {}).setdefault(target[1], []).append((m, r, name, path))
        tracking: dict[str, dict[str, list[str]]] = {}  # caller file → route handler → capturing callees
        for path, facts in self.files.items():
            for _caller, _method, _route, name, _router, spec, symbol in facts.calls:
                target = resolve(path, spec, symbol)
                captured = self.files.get(target[0]) if target is not None and target[0] != path else None
                if captured is not None and target is not None and target[1] in captured.captures:
                    tracking.setdefault(path, {}).setdefault(name, []).append(target[1])
        out: dict[str, FileRoutes] = {}
        for path in {*handlers, *callers, *mounts, *delegated, *guarded, *webhooks, *sent, *tracking}:
            file_mounts = {}
            for symbol, _prefix, _outer, _router in mounts.get(path, ()):
                key = WHOLE if not path.endswith(".py") else symbol
                prefix = mount_prefix(path, symbol)
                if prefix.strip("/") and key not in file_mounts:
                    file_mounts[key] = prefix
            out[path] = FileRoutes(
                handlers={s: tuple(dict.fromkeys(v)) for s, v in handlers.get(path, {}).items()},
                mounts=file_mounts,
                callers={s: tuple(dict.fromkeys(v)) for s, v in callers.get(path, {}).items()},
                delegated=frozenset(delegated.get(path, ())),
                middleware={s: tuple(dict.fromkeys(v)) for s, v in guarded.get(path, {}).items() if v},
                webhooks={s: tuple(dict.fromkeys(v)) for s, v in webhooks.get(path, {}).items()},
                webhooks_delegated=frozenset(sent.get(path, ())),
                tracking={s: tuple(dict.fromkeys(v)) for s, v in tracking.get(path, {}).items()},
            )
        return out


@dataclass(frozen=True, slots=True)
class TsPaths:
    """Module aliases of the workspace's tsconfig.json / jsconfig.json files, as workspace-relative prefixes."""

    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ("@app/", ("apps/api/src/app/",)); exact: no "/"
    base_urls: tuple[str, ...] = ()


_JSONC_RE = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*[\s\S]*?\*/')
_TRAILING_COMMA_RE = re.compile(r",(\s*[}\]])")


def ts_paths(read: Callable[[str], str | None], folders: Iterable[str]) -> TsPaths:
    """`compilerOptions.paths` / `baseUrl` of `<folder>/tsconfig.json` (or jsconfig.json) for each package folder
    (`read(rel)` gives a file's text or None). Never raises: a broken config adds nothing."""
    aliases: dict[str, tuple[str, ...]] = {}
    bases: list[str] = []
    for folder in dict.fromkeys(folders):
        folder = "" if folder in (".", "") else folder.strip("/")
        for name in ("tsconfig.json", "jsconfig.json"):
            options = _compiler_options(read(posixpath.join(folder, name) if folder else name))
            if options is None:
                continue
            base = posixpath.normpath(posixpath.join(folder, str(options.get("baseUrl") or ".")))
            base = "" if base == "." else base
            if options.get("baseUrl"):
                bases.append(base)
            for key, targets in (options.get("paths") or {}).items():
                if not isinstance(key, str) or not isinstance(targets, list):
                    continue
                prefix = key[:-1] if key.endswith("/*") or key.endswith("*") else key
                aliases.setdefault(prefix, tuple(_alias_target(base, t) for t in targets if isinstance(t, str)))
            break
    ordered = tuple(sorted(aliases.items(), key=lambda item: -len(item[0])))
    return TsPaths(ordered, tuple(dict.fromkeys(bases)))


def _alias_target(base: str, target: str) -> str:
    """`src/*` under baseUrl `api` → `api/src/` (a prefix); `libs/x/index.ts` → `api/libs/x/index.ts`."""
    wildcard = target.endswith("*")
    stem = target[:-1] if wildcard else target
    joined = posixpath.normpath(posixpath.join(base, stem)) if stem else base
    joined = "" if joined == "." else joined
    return joined + "/" if wildcard and joined and not joined.endswith("/") else joined


def _compiler_options(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        data = json.loads(_TRAILING_COMMA_RE.sub(r"\1", _JSONC_RE.sub(lambda m: m.group(1) or "", text)))
    except ValueError:
        return None
    options = data.get("compilerOptions") if isinstance(data, dict) else None
    return options if isinstance(options, dict) else None


def _join(prefix: str, route: str) -> str:
    parts = [p.strip("/") for p in (prefix, route) if p and p.strip("/")]
    return "/" + "/".join(parts) if parts else (route or prefix)


class _Resolver:
    """Module specifiers → workspace files (`../controllers/auth` → controllers/auth.js)."""

    def __init__(self, exists: Callable[[str], bool], files: Mapping[str, FileFacts], paths: TsPaths) -> None:
        self.exists, self.files, self.paths = exists, files, paths
        self.config = _config()
        self._memo: dict[tuple[str, str], str | None] = {}

    def __call__(self, importer: str, spec: str, symbol: str, depth: int = 0) -> tuple[str, str] | None:
        if spec.startswith(_PY):
            found = self._python(importer, spec[len(_PY) :], symbol)
        else:
            key = (posixpath.dirname(importer), spec)
            if key not in self._memo:
                self._memo[key] = self._js(importer, spec)
            path = self._memo[key]
            found = (path, symbol) if path is not None else None
        if found is None:
            return None
        path, symbol = found
        head, _, rest = symbol.partition(".")
        facts = self.files.get(path)
        for name, export_spec, export_symbol in facts.exports if facts is not None and depth < 4 else ():
            if name == head:  # services/index.js: `module.exports.userService = require('./user.service')`
                inner = rest if export_symbol == WHOLE else ".".join(p for p in (export_symbol, rest) if p)
                return self(path, export_spec, inner or export_symbol, depth + 1)
        return path, rest or head  # `AuthController.login` of a class, `default.login` of an instance: the method

    def _file(self, base: str, extensions: Iterable[str]) -> str | None:
        base = posixpath.normpath(base).lstrip("./") if base not in (".", "") else ""
        if not base or base.startswith(".."):
            return None
        stem, dot, ext = base.rpartition(".")
        candidates = [base] if dot and "/" not in ext else []
        if dot and ext in ("js", "jsx", "mjs", "cjs"):  # TypeScript ESM imports name the emitted `.js`
            candidates += [stem + e for e in extensions]
        candidates += [base + e for e in extensions] + [f"{base}/index{e}" for e in extensions]
        return next((c for c in candidates if self.exists(c)), None)

    def _js(self, importer: str, spec: str) -> str | None:
        folder = posixpath.dirname(importer)
        extensions = self.config.js_extensions
        if spec.startswith("."):
            return self._file(posixpath.join(folder, spec), extensions)
        for alias, targets in self.paths.aliases:  # tsconfig `paths`, longest alias first
            if spec == alias.rstrip("/") or (alias.endswith("/") and spec.startswith(alias)):
                rest = spec[len(alias) :] if alias.endswith("/") else ""
                found = next((f for t in targets if (f := self._file(t + rest, extensions)) is not None), None)
                if found is not None:
                    return found
        for base in self.paths.base_urls:  # `baseUrl: "src"`: `services/auth` is src/services/auth
            found = self._file(posixpath.join(base, spec) if base else spec, extensions)
            if found is not None:
                return found
        for alias, replacements in self.config.aliases.items():
            if not spec.startswith(alias):
                continue
            rest = spec[len(alias) :]
            for ancestor in _ancestors(folder):
                for replacement in replacements:
                    found = self._file(posixpath.join(ancestor, replacement + rest), extensions)
                    if found is not None:
                        return found
        return None

    def _python(self, importer: str, module: str, symbol: str) -> tuple[str, str] | None:
        dots = len(module) - len(module.lstrip("."))
        name = module[dots:].replace(".", "/")
        if dots:
            base = posixpath.dirname(importer)
            for _ in range(dots - 1):
                base = posixpath.dirname(base)
            roots = [base]
        else:
            roots = list(_ancestors(posixpath.dirname(importer)))
        for root in roots:
            folder = posixpath.join(root, name) if name else root
            if symbol not in (WHOLE, DEFAULT):  # `from app import crud`: the submodule app/crud.py first
                sub = self._file(posixpath.join(folder, symbol), (".py", "/__init__.py"))
                if sub is not None:
                    return sub, WHOLE
            found = self._file(folder, (".py", "/__init__.py")) if name else None
            if found is not None:
                return found, symbol
        return None


def _ancestors(folder: str) -> Iterable[str]:
    """`a/b/c` → a/b/c, a/b, a, ""."""
    while folder:
        yield folder
        folder = posixpath.dirname(folder)
    yield ""


# --- applying to one file's units (called by the flow detector) -----------------------------------------------------


def apply(units: list[Unit], routes: FileRoutes, doc: ParsedDocument) -> set[int]:
    """Give this file's units what other files say: the route a handler is registered for elsewhere, and the prefix
    its router is mounted under. Units are fresh per analysis (see `extract_units`), so they are updated in place.
    Returns the ids of this file's body-less routes whose handler is another file's function: the handler reports the
    flow (with their middleware, `passport.authenticate('local')`, as its own)."""
    python = doc.language == "python"
    whole = routes.mounts.get(WHOLE, "")
    delegated: set[int] = set()
    for unit in units:
        if not unit.has_body and (unit.route_method, unit.route_path) in routes.delegated:  # (no tree look-up)
            delegated.add(id(unit))  # `router.post('/x', validate(schema), ctrl.x)`
        if unit.route_path is not None and routes.mounts:
            prefix = whole if not python else routes.mounts.get(_decorator_owner(doc, unit), whole)
            if prefix and unit.route_method is not None:
                unit.route_path = _join(prefix, unit.route_path)
            continue
        if unit.parent is not None or unit.route_method is not None or not routes.handlers:
            continue
        registered = routes.handlers.get(unit.name) or routes.handlers.get(unit.symbol)
        if registered is None and _exported_whole(doc, unit):
            registered = routes.handlers.get(DEFAULT) or routes.handlers.get(WHOLE)
        if not registered:
            continue
        method, route, _ = next((r for r in registered if r[0] != "GET"), registered[0])
        if python and unit.symbol.rpartition(".")[2].lower() in _READ_METHODS:
            method = "GET"  # `SignUpView.get` of a class registered with `as_view()` renders the form
        unit.route_method, unit.route_path = method, route
        unit.handler = unit.server = True
        names = routes.middleware.get(unit.name) or routes.middleware.get(unit.symbol) or ()
        unit.middleware += [_middleware_call(unit, n) for n in names if "(" in n]  # calls only, as inline routes
    return delegated


def webhook_handlers(units: list[Unit], routes: FileRoutes) -> list[tuple[Unit, str]]:
    """(function, webhook type) for this file's functions that another file's webhook map dispatches to
    (`{ 'customer.subscription.deleted': onCancel }` after `import { onCancel } from './handlers'`)."""
    if not routes.webhooks:
        return []
    out = []
    for unit in units:
        if unit.body is None or unit.negative or (unit.parent is not None and not unit.symbol.count(".")):
            continue
        for event_type in routes.webhooks.get(unit.name, ()) or routes.webhooks.get(unit.symbol, ()):
            out.append((unit, event_type))
    return out


def reported_by_caller(unit: Unit, kind: FlowKind, routes: FileRoutes, vocab: Vocabulary) -> str | None:
    """The route (or handler) in another file that calls `unit` and itself names `kind` (`POST /auth/signup` calling
    `AuthService.signup`): that caller reports the flow, so `unit` does not. None when there is none."""
    if unit.parent is not None or not routes.callers:
        return None
    kv = vocab.kinds.get(kind)
    if kv is None:
        return None
    for method, route, name, path in routes.callers.get(unit.name, ()):
        if _callee_names(unit.name, kv, vocab):  # the caller's call says the flow (`authService.login(…)`: a login
            return f"{method} {route or name} in {path} (calls {unit.name})".strip()  # call; `[callee_words]`)
        for words, is_route in ((_ROUTE_PARAM_RE.sub("", route), True), (name, False)):
            toks = [t for t in tokens(words) if t]
            if not toks or any(t in vocab.ignore_name_tokens for t in toks):
                continue
            padded = " " + " ".join(toks) + " "
            # a route's words read as in the detector: its route-only phrases (`/join` for a signup) count, the flow
            # being the function it calls; UI words (`auth.form.login`) veto nothing
            named = kv.matches_name(padded) or (is_route and kv.matches_route_extra(padded))
            vetoes = kv.negative.difference(vocab.route_ui_words) if is_route else kv.negative
            if named and vetoes.isdisjoint(toks):
                return f"{method} {route or name} in {path}".strip()
    return None


def tracked_by_callee(unit: Unit, routes: FileRoutes | None) -> bool:
    """This route handler calls another file's function that already captures an event (the model's `createUser`
    capturing `user_signed_up` for the `join` action reporting the signup): the flow is tracked there."""
    return routes is not None and bool(routes.tracking) and unit.parent is None and bool(routes.tracking.get(unit.name))


def _middleware_call(unit: Unit, text: str) -> Call:
    """Another file's `passport.authenticate('local', …)` before this handler, as the handler's own middleware (read
    like `router.post('/login', passport.authenticate('local'), (req, res) => …)`): its arguments come with it."""
    callee, paren, args = text.partition("(")
    return Call(unit.node, dotted_name(callee), callee, paren + args if paren else "")


def _callee_names(name: str, kv: Any, vocab: Vocabulary) -> bool:
    """The caller reads this function's name like a flow's (`[callee_words]`: `upgradeSubscription(…)` in a POST)."""
    ignore = set(vocab.callee_words.get("ignore", []))
    words = [t for t in tokens(name) if t not in ignore]
    if not words or any(t in vocab.ignore_name_tokens for t in words):
        return False
    return bool(kv.matches_name(" " + " ".join(words) + " ")) and kv.negative.isdisjoint(words)


def imports_name(text: str, name: str) -> bool:
    """`name` is imported into this file (`import { upgradeSubscription } from '@/lib/billing'`, `const { cancel } =
    require('./billing')`, `from billing import cancel_plan`), not defined in it."""
    if not name.isidentifier() or name not in text:
        return False
    return _imports_re(name).search(text) is not None


@lru_cache(maxsize=512)
def _imports_re(name: str) -> re.Pattern[str]:
    n = re.escape(name)
    return re.compile(
        rf"""\bimport\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?\{{[^}}]*\b{n}\b[^}}]*\}}\s*from\b"""
        rf"""|\bimport\s+{n}\s+from\b|\{{[^}}]*\b{n}\b[^}}]*\}}\s*=\s*require\s*\("""
        rf"""|\b(?:const|let|var)\s+{n}\s*=\s*require\s*\("""
        rf"""|^[ \t]*from\s+[\w.]+\s+import\s+(?:\([^)]*\b{n}\b|[^\n]*\b{n}\b)""",
        re.MULTILINE,
    )


def _decorator_owner(doc: ParsedDocument, unit: Unit) -> str:
    outer = unit.node.parent
    for dec in outer.named_children if outer is not None and outer.type == "decorated_definition" else ():
        m = _DECORATOR_OWNER_RE.match(doc.node_text(dec))
        if m is not None:
            return m.group(1)
    return ""


def _exported_whole(doc: ParsedDocument, unit: Unit) -> bool:
    """`export default async function (req, res)` / `module.exports = asyncHandler(async (req, res) => …)`."""
    node: Node | None = unit.node
    for _ in range(4):
        node = node.parent if node is not None else None
        if node is None:
            return False
        if node.type == "export_statement":
            return any(c.type == "default" for c in node.children)
        if node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            return left is not None and doc.node_text(left) == "module.exports"
    return False
