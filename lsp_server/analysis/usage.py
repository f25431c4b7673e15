"""Existing PostHog usage: init/capture/identify/reset/... calls in posthog-js, @posthog/react, posthog-node and
posthog-python, found from the file's imports first and receiver names second (vocabulary in
skills/detection/posthog.toml)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from tree_sitter import Node, QueryCursor

from .model import PosthogCall, PosthogCallKind, Sdk
from .parsing import ParsedDocument, query
from .posthog_vocab import PosthogVocabulary, SdkModule, posthog_vocabulary
from .syntax import (
    FUNCTION_TYPES,
    TRANSPARENT,
    arguments,
    enclosing,
    entry,
    function_name,
    object_entries,
    static_string,
    unwrap,
)

log = logging.getLogger(__name__)

_JS_QUERY = """
(import_statement) @import
(variable_declarator value: (call_expression function: (identifier) @req)) @require
(new_expression) @new
(call_expression) @call
"""
_JSX_QUERY = """
(jsx_opening_element) @jsx
(jsx_self_closing_element) @jsx
"""
_TS_QUERY = """
(required_parameter pattern: (identifier) type: (type_annotation)) @typed
(optional_parameter pattern: (identifier) type: (type_annotation)) @typed
"""
_EXTRA_QUERIES = {"javascript": _JSX_QUERY, "typescript": _TS_QUERY, "tsx": _JSX_QUERY + _TS_QUERY}
_PY_QUERY = """
(import_statement) @import
(import_from_statement) @import
(call) @call
(assignment left: (attribute)) @attr_assign
"""
_TEXT_LIMIT = 300
_SDKS: frozenset[str] = frozenset({"posthog-js", "posthog-react", "posthog-node", "posthog-python"})


@dataclass(frozen=True, slots=True)
class _Binding:
    role: str  # client | class | hook | provider | function | factory | namespace
    sdk: str
    module: SdkModule | None = None


@dataclass(slots=True)
class _Scan:
    doc: ParsedDocument
    vocab: PosthogVocabulary
    bindings: dict[str, _Binding] = field(default_factory=dict)
    imported_sdks: set[str] = field(default_factory=set)
    calls: list[PosthogCall] = field(default_factory=list)

    # --- bindings -------------------------------------------------------------------------------------------------
    def bind_from_module(self, module: str, local: str, imported: str | None) -> None:
        """Bind `local` (imported as `imported`, None for the default/whole module) from `module`."""
        spec = self.vocab.modules.get(module)
        if spec is not None:
            self.imported_sdks.add(spec.sdk)
            role = spec.default if imported is None else _role_of(spec, imported)
            if role:
                self.bindings[local] = _Binding(role, spec.sdk, spec)
        elif "posthog" in module.lower() and not module.startswith("@posthog/"):
            # a project module wrapping PostHog (`import { posthog } from '@/lib/posthog'`)
            factory = self.vocab.factory_names.match(local) and not self.vocab.receiver_names.match(local)
            role = "factory" if factory else "client"
            self.bindings[local] = _Binding(role, "unknown")
        elif self.vocab.receiver_names.match(local):
            self.bindings[local] = _Binding("client", "unknown")

    def bind_target(self, node: Node, binding: _Binding) -> str | None:
        """Bind whatever `node` (a construction/hook/factory call) is assigned to."""
        parent = node.parent
        while parent is not None and parent.type in TRANSPARENT:
            parent = parent.parent
        if parent is None:
            return None
        target: str | None = None
        if parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
            target = self.doc.node_text(name) if name is not None and name.type == "identifier" else None
        elif parent.type in ("assignment_expression", "augmented_assignment_expression", "assignment"):
            target = self.doc.node_text(parent.child_by_field_name("left"))
        elif parent.type in ("public_field_definition", "field_definition"):
            name = parent.child_by_field_name("name") or parent.child_by_field_name("property")
            target = f"this.{self.doc.node_text(name)}" if name is not None else None
        if target:
            self.bindings[target] = binding
        return target

    def register_factory(self, node: Node, sdk: str) -> None:
        """`function getClient() { return new PostHog(...) }` makes `getClient()` a PostHog client."""
        name = function_name(self.doc, enclosing(node, FUNCTION_TYPES))
        if name and name not in self.bindings:
            self.bindings[name] = _Binding("factory", sdk)

    def resolve(self, receiver: Node | None) -> str | None:
        """The SDK a receiver expression is a client of, or None when it is not PostHog."""
        receiver = unwrap(receiver)
        if receiver is None:
            return None
        text = self.doc.node_text(receiver)
        bound = self.bindings.get(text)
        if bound is not None:
            return bound.sdk if bound.role == "client" else None
        if receiver.type in ("call_expression", "call"):
            fn = self.doc.node_text(receiver.child_by_field_name("function"))
            b = self.bindings.get(fn)
            if (b is not None and _callable_client(b)) or self.vocab.factory_names.match(fn.split(".")[-1]):
                return b.sdk if b is not None else "unknown"
            return None
        last = text.rsplit(".", 1)[-1]
        if last in self.vocab.bound_only or not self.vocab.receiver_names.match(last):
            return None
        return "unknown"

    def refine(self, sdk: str, first_arg: Node | None, receiver: str = "") -> Sdk:
        """Unknown SDK → the single SDK the file imports, else the call's shape (one object argument = posthog-node)."""
        if self.doc.language == "python":
            return "posthog-python"
        if sdk in _SDKS:
            return sdk  # type: ignore[return-value]
        if receiver.startswith("window."):
            return "posthog-js"  # the browser snippet's global
        js = self.imported_sdks - {"posthog-python"}
        if len(js) == 1:
            return next(iter(js))  # type: ignore[return-value]
        if first_arg is not None and unwrap(first_arg) is not None and unwrap(first_arg).type == "object":
            return "posthog-node"
        return "unknown"

    # --- calls ------------------------------------------------------------------------------------------------------
    def add(self, kind: PosthogCallKind, sdk: Sdk, node: Node, receiver: str, **extra: object) -> None:
        text = self.doc.node_text(node)
        self.calls.append(
            PosthogCall(
                kind=kind, sdk=sdk, span=self.doc.span(node), receiver=receiver, text=text[:_TEXT_LIMIT], **extra
            )  # type: ignore[arg-type]
        )


def _callable_client(binding: _Binding) -> bool:
    """Calling it yields a client: a hook, a factory, or a project wrapper we cannot see into."""
    return binding.role in ("factory", "hook") or (binding.role == "client" and binding.sdk == "unknown")


def _role_of(spec: SdkModule, name: str) -> str | None:
    for role, names in (
        ("client", spec.clients),
        ("class", spec.classes),
        ("hook", spec.hooks),
        ("provider", spec.providers),
        ("function", spec.functions),
    ):
        if name in names:
            return role
    return None


def _keys(scan: _Scan, node: Node | None) -> tuple[str, ...]:
    return tuple(key for key, _, _ in object_entries(scan.doc, node))


# --- JavaScript / TypeScript ------------------------------------------------------------------------------------------


def _js_imports(scan: _Scan, node: Node) -> None:
    doc = scan.doc
    module = static_string(doc, node.child_by_field_name("source"))
    if module is None:
        return
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    for part in clause.named_children if clause is not None else ():
        if part.type == "identifier":
            scan.bind_from_module(module, doc.node_text(part), None)
        elif part.type == "namespace_import":
            ident = next((c for c in part.named_children if c.type == "identifier"), None)
            spec = scan.vocab.modules.get(module)
            if ident is not None and spec is not None:
                scan.imported_sdks.add(spec.sdk)
                scan.bindings[doc.node_text(ident)] = _Binding("namespace", spec.sdk, spec)
        elif part.type == "named_imports":
            for spec_node in part.named_children:
                if spec_node.type != "import_specifier":
                    continue
                name, alias = spec_node.child_by_field_name("name"), spec_node.child_by_field_name("alias")
                scan.bind_from_module(module, doc.node_text(alias or name), doc.node_text(name))


def _js_require(scan: _Scan, decl: Node) -> None:
    doc = scan.doc
    value = decl.child_by_field_name("value")
    if value is None or doc.node_text(value.child_by_field_name("function")) != "require":
        return
    positional, _ = arguments(value)
    module = static_string(doc, positional[0]) if positional else None
    target = decl.child_by_field_name("name")
    if module is None or target is None:
        return
    if target.type == "identifier":
        scan.bind_from_module(module, doc.node_text(target), None)
    elif target.type == "object_pattern":
        for part in target.named_children:
            if part.type == "shorthand_property_identifier_pattern":
                scan.bind_from_module(module, doc.node_text(part), doc.node_text(part))
            elif part.type == "pair_pattern":
                key, value_node = part.child_by_field_name("key"), part.child_by_field_name("value")
                scan.bind_from_module(module, doc.node_text(value_node), doc.node_text(key))


def _class_sdk(scan: _Scan, ctor: Node | None) -> str | None:
    """The SDK a constructor expression (`PostHog`, `ph.PostHog`) belongs to, if it is a PostHog class."""
    text = scan.doc.node_text(ctor)
    bound = scan.bindings.get(text)
    if bound is not None and bound.role == "class":
        return bound.sdk
    head, _, tail = text.rpartition(".")
    ns = scan.bindings.get(head) if head else None
    if ns is not None and ns.module is not None and tail in ns.module.classes:  # `posthog.Posthog(...)`
        return ns.sdk
    if ctor is not None and text in ("PostHog", "Posthog"):
        return "unknown"
    return None


def _js_new(scan: _Scan, node: Node) -> None:
    sdk = _class_sdk(scan, node.child_by_field_name("constructor"))
    if sdk is None:
        return
    resolved = scan.refine(sdk, None) if sdk != "unknown" else _node_if_only(scan)
    target = scan.bind_target(node, _Binding("client", resolved))
    scan.add("init", resolved, node, target or scan.doc.node_text(node.child_by_field_name("constructor")))
    scan.register_factory(node, resolved)


def _node_if_only(scan: _Scan) -> Sdk:
    # `new PostHog(...)` without an import: posthog-node unless the file imports another SDK
    js = scan.imported_sdks - {"posthog-python"}
    return next(iter(js)) if len(js) == 1 else "posthog-node"  # type: ignore[return-value]


def _js_typed(scan: _Scan, node: Node) -> None:
    """`function track(client: PostHog)` binds `client` to the class's SDK."""
    annotation = node.child_by_field_name("type")
    name = node.child_by_field_name("pattern")
    if annotation is None or name is None:
        return
    for part in scan.doc.node_text(annotation).lstrip(":").split("|"):
        bound = scan.bindings.get(part.strip())
        if bound is not None and bound.role == "class":
            scan.bindings[scan.doc.node_text(name)] = _Binding("client", bound.sdk)
            return


def _js_binding_call(scan: _Scan, node: Node) -> None:
    """`usePostHog()` / `getPostHogClient()` assigned to a name binds that name."""
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "identifier":
        return
    name = scan.doc.node_text(fn)
    bound = scan.bindings.get(name)
    if bound is not None and _callable_client(bound):
        scan.bind_target(node, _Binding("client", bound.sdk))
    elif bound is None and scan.vocab.factory_names.match(name):
        scan.bind_target(node, _Binding("client", "unknown"))


def _js_call(scan: _Scan, node: Node) -> None:
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "member_expression":
        return
    method = scan.doc.node_text(fn.child_by_field_name("property"))
    kind = scan.vocab.js_methods.get(method)
    if kind is None:
        return
    receiver_node = fn.child_by_field_name("object")
    sdk = scan.resolve(receiver_node)
    if sdk is None:
        return
    positional, _ = arguments(node)
    first = unwrap(positional[0]) if positional else None
    receiver = scan.doc.node_text(unwrap(receiver_node))
    resolved = scan.refine(sdk, first, receiver)
    if kind == "init" and resolved == "posthog-node":
        return  # posthog-node has no init(); something else named like a client
    object_style = first is not None and first.type == "object"
    event: str | None = None
    props: Node | None = None
    legacy: str | None = None
    if kind == "capture":
        if object_style:
            event = static_string(scan.doc, unwrap(entry(scan.doc, first, "event")))
            props = entry(scan.doc, first, "properties")
        else:
            event = static_string(scan.doc, first)
            props = positional[1] if len(positional) > 1 else None
            if sdk == "posthog-node" and positional:  # only when the file itself says posthog-node
                legacy = "node_positional_capture"
                event = static_string(scan.doc, positional[1]) if len(positional) > 1 else event
                props = positional[2] if len(positional) > 2 else None
    elif kind == "identify":
        if object_style:
            props = entry(scan.doc, first, "properties")
        else:
            props = positional[1] if len(positional) > 1 else None
            if sdk == "posthog-node" and positional:
                legacy = "node_positional_identify"
    elif kind == "set":
        props = first
    if method == "shutdownAsync":
        legacy = "node_shutdown_async"
    scan.add(
        kind,
        resolved,
        node,
        receiver,
        event=event,
        property_keys=_keys(scan, props),  # type: ignore[arg-type]
        legacy=legacy,
    )


def _js_jsx(scan: _Scan, node: Node) -> None:
    """`<PostHogProvider apiKey=...>` initialises posthog-js itself."""
    name = scan.doc.node_text(node.child_by_field_name("name"))
    bound = scan.bindings.get(name)
    if not ((bound is not None and bound.role == "provider") or name == "PostHogProvider"):
        return
    for attr in node.named_children:
        if (
            attr.type == "jsx_attribute"
            and attr.named_child_count
            and scan.doc.node_text(attr.named_children[0]) in ("apiKey", "api_key")
        ):
            scan.add("init", "posthog-react", node, name)
            return


def _scan_js(scan: _Scan) -> None:
    src = _JS_QUERY + _EXTRA_QUERIES.get(scan.doc.language, "")
    caps = QueryCursor(query(scan.doc.language, src)).captures(scan.doc.root)
    for node in caps.get("import", ()):
        _js_imports(scan, node)
    for node in caps.get("require", ()):
        _js_require(scan, node)
    for node in caps.get("typed", ()):
        _js_typed(scan, node)
    for node in sorted(caps.get("new", ()), key=lambda n: n.start_byte):
        _js_new(scan, node)
    calls = sorted(caps.get("call", ()), key=lambda n: n.start_byte)
    for node in calls:
        _js_binding_call(scan, node)
    for node in calls:
        _js_call(scan, node)
    for node in caps.get("jsx", ()):
        _js_jsx(scan, node)


# --- Python -----------------------------------------------------------------------------------------------------------


def _py_imports(scan: _Scan, node: Node) -> None:
    doc = scan.doc
    if node.type == "import_statement":
        for part in node.named_children:
            name = part.child_by_field_name("name") if part.type == "aliased_import" else part
            alias = part.child_by_field_name("alias") if part.type == "aliased_import" else None
            module = doc.node_text(name)
            if module in scan.vocab.modules:
                scan.bind_from_module(module, doc.node_text(alias) if alias else module, None)
        return
    module = doc.node_text(node.child_by_field_name("module_name"))
    for part in node.children_by_field_name("name"):
        name = part.child_by_field_name("name") if part.type == "aliased_import" else part
        alias = part.child_by_field_name("alias") if part.type == "aliased_import" else None
        imported = doc.node_text(name)
        if module == "posthog" or module.startswith("posthog."):
            if module == "posthog":
                scan.bind_from_module(module, doc.node_text(alias or name), imported)
        else:
            scan.bind_from_module(module.lstrip("."), doc.node_text(alias or name), imported)


def _py_call(scan: _Scan, node: Node) -> None:
    doc, vocab = scan.doc, scan.vocab
    fn = node.child_by_field_name("function")
    if fn is None:
        return
    fn_text = doc.node_text(fn)
    if _class_sdk(scan, fn) is not None:
        target = scan.bind_target(node, _Binding("client", "posthog-python"))
        scan.add("init", "posthog-python", node, target or fn_text)
        scan.register_factory(node, "posthog-python")
        return
    if fn.type == "identifier":
        bound = scan.bindings.get(fn_text)
        if bound is not None and _callable_client(bound):
            scan.bind_target(node, _Binding("client", "posthog-python"))
            return
        if bound is None and vocab.factory_names.match(fn_text):
            scan.bind_target(node, _Binding("client", "posthog-python"))
            return
        if bound is None or bound.role != "function":
            return
        method, receiver = fn_text, ""
    elif fn.type == "attribute":
        method = doc.node_text(fn.child_by_field_name("attribute"))
        receiver_node = fn.child_by_field_name("object")
        if method not in vocab.python_methods or scan.resolve(receiver_node) is None:
            return
        receiver = doc.node_text(unwrap(receiver_node))
    else:
        return
    kind = vocab.python_methods.get(method)
    if kind is None:
        return
    positional, keywords = arguments(node)
    event: str | None = None
    props: Node | None = keywords.get("properties")
    legacy: str | None = None
    if kind == "capture":
        event = static_string(doc, positional[0] if positional else keywords.get("event"))
        if len(positional) >= 2:
            if unwrap(positional[1]) is not None and unwrap(positional[1]).type == "dictionary":
                legacy, props = "python_positional_properties", positional[1]
            else:
                legacy, event = "python_positional_capture", static_string(doc, positional[1])
                props = positional[2] if len(positional) > 2 else props
    elif kind == "identify":
        legacy = "python_identify"
        props = positional[1] if len(positional) > 1 else props
    scan.add(
        kind,
        "posthog-python",
        node,
        receiver,
        event=event,
        property_keys=_keys(scan, props),  # type: ignore[arg-type]
        legacy=legacy,
    )


def _py_attr_assign(scan: _Scan, node: Node) -> None:
    """`posthog.project_api_key = ...` configures (initialises) the module-level client."""
    left = node.child_by_field_name("left")
    attr = scan.doc.node_text(left.child_by_field_name("attribute")) if left is not None else ""
    if attr not in scan.vocab.python_key_attributes:
        return
    receiver = scan.doc.node_text(left.child_by_field_name("object"))
    bound = scan.bindings.get(receiver)
    if (bound is None or bound.role != "client") and receiver != "posthog":
        return
    legacy = "python_api_key" if attr == "api_key" else None
    scan.add("init", "posthog-python", node, receiver, legacy=legacy)


def _scan_python(scan: _Scan) -> None:
    caps = QueryCursor(query("python", _PY_QUERY)).captures(scan.doc.root)
    for node in caps.get("import", ()):
        _py_imports(scan, node)
    for node in sorted([*caps.get("call", ()), *caps.get("attr_assign", ())], key=lambda n: n.start_byte):
        if node.type == "call":
            _py_call(scan, node)
        else:
            _py_attr_assign(scan, node)


def _same_receiver_same_sdk(calls: list[PosthogCall]) -> list[PosthogCall]:
    """`posthog.flush()` on a client from the app's own module is as posthog-node as its `capture({...})`."""
    known: dict[str, set[str]] = {}
    for call in calls:
        if call.sdk != "unknown":
            known.setdefault(call.receiver, set()).add(call.sdk)
    return [
        replace(call, sdk=next(iter(known[call.receiver])))  # type: ignore[arg-type]
        if call.sdk == "unknown" and len(known.get(call.receiver, ())) == 1
        else call
        for call in calls
    ]


def find_posthog_calls(doc: ParsedDocument, path: str) -> list[PosthogCall]:
    """Every PostHog SDK call and client construction in `doc`, in document order. Never raises."""
    try:
        if "posthog" not in doc.text.lower():
            return []  # every import, constructor and receiver name we recognise contains it
        scan = _Scan(doc=doc, vocab=posthog_vocabulary())
        if doc.language == "python":
            _scan_python(scan)
        else:
            _scan_js(scan)
        return sorted(_same_receiver_same_sdk(scan.calls), key=lambda c: (c.span.start_line, c.span.start_col))
    except Exception:  # a surprise in the tree costs findings, never the caller
        log.exception("PostHog usage scan failed for %s", path)
        return []
