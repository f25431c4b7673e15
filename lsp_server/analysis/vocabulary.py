"""Detection vocabulary: what counts as a signup, a login, a Stripe webhook… loaded from `skills/` data.

`skills/detection/flows.toml` holds names, library calls, webhook types, negatives and path excludes;
`skills/events/events.toml` the event names. `load()` returns a cached, compiled `Vocabulary`;
`reload()` re-reads the files; `configure(root)` points at another skills dir (files it lacks fall back
to the bundled ones; a `detection/flows.toml` there is merged over the bundled one, `[[calls]]` appended).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..skills import bundled_skills_root
from .model import FlowKind
from .prefilter import coarse_pattern, prefilter_for, token_pattern

log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def tokens(name: str) -> tuple[str, ...]:
    """'handleSignIn' → ('handle', 'sign', 'in'); 'sign_up_view' → ('sign', 'up', 'view')."""
    return tuple(t.lower() for t in _TOKEN_RE.findall(name))


@dataclass(frozen=True, slots=True)
class CallRule:
    """One `[[calls]]` entry: which callees perform (or support) which flow."""

    kind: FlowKind
    role: str  # "strong" | "support"
    confidence: float
    suffixes: tuple[str, ...] = ()
    callee_re: re.Pattern[str] | None = None
    callee_text_re: re.Pattern[str] | None = None
    args_re: re.Pattern[str] | None = None
    requires_import: re.Pattern[str] | None = None
    event: str | None = None
    user_id: dict[str, Any] | None = None
    label: str = ""
    lasts: tuple[str, ...] = ()  # possible last callee segments of a regex rule (an index, not a filter)
    identify: bool = True  # False: the call only starts a login (redirect, magic link); the user is known later
    trait: str = ""  # a support call's part in a shape ("hash_password" + "insert_user" = a signup)

    def matches(self, dotted: str, callee_text: str, args_text: str) -> bool:
        if self.suffixes and not any(dotted == s or dotted.endswith("." + s) for s in self.suffixes):
            return False
        if self.callee_re is not None and not self.callee_re.fullmatch(dotted):
            return False
        if self.callee_text_re is not None and not self.callee_text_re.search(callee_text):
            return False
        return self.args_re is None or bool(self.args_re.search(args_text))


@dataclass(frozen=True, slots=True)
class KindVocabulary:
    kind: FlowKind
    names: tuple[str, ...]  # " sign in " style phrases, padded for token-boundary matching
    routes: tuple[str, ...]
    negative: frozenset[str]
    yields_to: tuple[FlowKind, ...] = ()
    name_re: re.Pattern[str] | None = None  # any phrase, spaced or compact (" sign in " / " signin ")
    route_re: re.Pattern[str] | None = None
    support_name_re: re.Pattern[str] | None = None  # name phrases that count only next to a supporting call
    shapes: tuple[frozenset[str], ...] = ()  # sets of support traits that together perform the flow
    shape_negative: frozenset[str] = frozenset()  # name tokens that rule a shape out (change / reset password)
    text_negative: re.Pattern[str] | None = None  # function text that vetoes name / route evidence (newsletters)
    state_re: re.Pattern[str] | None = None  # body text that supports a name like a call (`token = null` for logout)
    pending_re: re.Pattern[str] | None = None  # body text: the flow only starts here (a second factor is pending)
    pending_event: str | None = None  # the event of such a start (`login_started`)
    variant_re: re.Pattern[str] | None = None  # body text that makes a name-found flow this kind's variant event
    variant: str | None = None  # that event (`password_reset_completed` for a handler storing a new password)

    def matches_name(self, padded: str) -> str | None:
        """The phrase found in a padded token string (" handle sign in "), if any."""
        m = self.name_re.search(padded) if self.name_re is not None and padded else None
        return m.group(0).strip() if m else None

    def matches_support_name(self, padded: str) -> str | None:
        m = self.support_name_re.search(padded) if self.support_name_re is not None and padded else None
        return m.group(0).strip() if m else None

    def matches_route_extra(self, padded: str) -> str | None:
        """A route-only phrase ("/token"): evidence only next to a supporting call."""
        m = self.route_re.search(padded) if self.route_re is not None and padded else None
        return m.group(0).strip() if m else None


def _phrases_re(phrases: tuple[str, ...], compact: bool) -> re.Pattern[str] | None:
    variants = set(phrases)
    if compact:
        variants.update(" " + p.replace(" ", "") + " " for p in phrases)
    if not variants:
        return None
    # lookahead keeps the trailing space unconsumed so overlapping phrases still match
    return re.compile("|".join(re.escape(v[:-1]) + "(?= )" for v in sorted(variants, key=len, reverse=True)))


@dataclass(frozen=True, slots=True)
class StatusCheck:
    """`[[status_checks]]`: a function fetching a billing object (`checkout.Session.retrieve`) and testing its status
    (`if session.payment_status == "paid":`) completes the flow in that branch."""

    kind: FlowKind
    sources: tuple[str, ...]  # callee suffixes that fetch the object
    condition_re: re.Pattern[str]  # searched in an `if` condition


@dataclass(frozen=True, slots=True)
class Trigger:
    """`[[triggers]]`: a function passed to an auth service's trigger (`functions.auth.user().onCreate(fn)`) runs once
    the flow has happened."""

    kind: FlowKind
    callees: tuple[str, ...]  # dotted suffixes of the registering call, arguments removed
    user_id: str = ""  # the user's id from the function's first parameter (`{0}.uid`)
    requires_import: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class LifecycleHook:
    """Methods of a library config object called after a flow (`NextAuth({ events: { createUser } })`)."""

    container: str  # the property holding the methods ("events")
    methods: dict[str, FlowKind]
    requires_import: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Everything the flow detector knows, compiled once."""

    threshold: float
    scores: dict[str, float]
    path_exclude: re.Pattern[str]
    enclosing_calls: frozenset[str]
    negative_callees: tuple[str, ...]
    negative_lasts: frozenset[str]
    negative_file_re: re.Pattern[str]
    negative_file_markers: tuple[str, ...]
    ignore_name_tokens: frozenset[str]
    handler_prefixes: frozenset[str]
    handler_wrappers: frozenset[str]
    mutation_hooks: frozenset[str]
    success_callbacks: frozenset[str]
    error_condition_re: re.Pattern[str]
    route_register_re: re.Pattern[str]
    decorator_re: re.Pattern[str]
    file_route_res: tuple[re.Pattern[str], ...]
    http_method_names: frozenset[str]
    read_handler_names: frozenset[str]
    view_params: frozenset[str]
    side: dict[str, Any]
    exit_callees: tuple[str, ...]
    exit_assign_re: re.Pattern[str]
    passive_callee_re: re.Pattern[str]
    user_id: dict[str, Any]
    user_context_res: tuple[re.Pattern[str], ...]
    kinds: dict[FlowKind, KindVocabulary]
    webhooks: dict[str, FlowKind]
    calls: tuple[CallRule, ...]
    events: dict[str, str]  # kind → event name
    event_variants: dict[str, str]  # variant event → kind
    any_name_re: re.Pattern[str] | None  # any kind's name phrase: a cheap first test per function
    prefilter_source: str  # the scan's prefilter regex (`prefilter.token_pattern`), compiled where it is used
    prefilter_coarse: str = ""  # its terms without boundaries (`prefilter.coarse_pattern`): Python's re without RE2
    by_last_segment: dict[str, tuple[CallRule, ...]] = field(default_factory=dict)
    regex_rules: tuple[CallRule, ...] = ()
    webhook_bytes: frozenset[bytes] = frozenset()
    # [[webhook_refinements]]: (event type, file text regex, kind) — `checkout.session.completed` of a subscription
    webhook_refinements: tuple[tuple[str, re.Pattern[str], FlowKind], ...] = ()
    exit_last: frozenset[str] = frozenset()
    request_callees: frozenset[str] = frozenset()  # last segments of calls that send a request
    signals: dict[str, FlowKind] = field(default_factory=dict)  # Django / allauth signal → the flow its receiver sees
    webhook_types: dict[str, FlowKind] = field(default_factory=dict)  # `CustomerSubscriptionDeletedEvent` → kind
    webhook_type_re: re.Pattern[str] | None = None  # a typed webhook event in a parameter (`Stripe.InvoicePaidEvent`)
    delete_self_route_re: re.Pattern[str] | None = None  # `DELETE /users/me`: the caller deletes their own account
    hooks: tuple[LifecycleHook, ...] = ()  # `events: { createUser() {} }` in an auth library's config
    status_checks: tuple[StatusCheck, ...] = ()  # `if session.payment_status == "paid":` after a retrieve
    callee_words: dict[str, Any] = field(default_factory=dict)  # [callee_words]: services named for a flow
    router_prefix_re: re.Pattern[str] | None = None  # `router = APIRouter(prefix="/billing")`: (name, prefix)
    triggers: tuple[Trigger, ...] = ()  # `functions.auth.user().onCreate(fn)`: fn runs after a signup
    client_requests: dict[str, Any] = field(default_factory=dict)  # [client_requests]: a flow-named function's POST
    method_route_res: tuple[re.Pattern[str], ...] = ()  # [routes] method_route_re: `export const POST` under routes/
    route_ui_words: frozenset[str] = frozenset()  # [routes] ui_words: component words no kind's negative in a route

    def is_test_code(self, text: str) -> bool:
        """Test / e2e / mock code by its imports (Playwright, Cypress, vitest, pytest, …)."""
        return any(m in text for m in self.negative_file_markers) and bool(self.negative_file_re.search(text))

    @property
    def prefilter(self) -> re.Pattern[str]:
        """`prefilter.search(text)` → the file may hold a flow (with Python's re; a scan runs it on RE2)."""
        return _compiled(self.prefilter_source)

    def might_contain_flow(self, text: str) -> bool:
        """The scan's check before parsing: False means the text holds no flow and no PostHog usage."""
        prefilter = prefilter_for(self.prefilter_source, self.prefilter_coarse or None)  # the scan's, compiled once
        return prefilter.search(text.encode("utf-8", "surrogatepass"))

    def path_may_hold_flow(self, path: str) -> bool:
        """The path alone can name a flow (`routes/login/+page.server.ts`, `events/invoice.paid.js`): a scan
        should parse such a file even when its text passes no prefilter term (the scan runs the prefilter on it)."""
        base = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if base in self.webhooks or self.might_contain_flow(path):
            return True
        padded = " " + " ".join(tokens(path.rsplit(".", 1)[0])) + " "
        return self.any_name_re is not None and self.any_name_re.search(padded) is not None

    def event_for(self, kind: FlowKind, variant: str | None = None) -> str:
        if variant and variant in self.event_variants:
            return variant
        return self.events.get(kind.value, kind.value)

    def call_rules(self, dotted: str, callee_text: str, args_text: str, file_text: str) -> list[CallRule]:
        """Rules matching one call (import requirements checked against the file text)."""
        last = dotted.rsplit(".", 1)[-1]
        out: list[CallRule] = []
        for rule in (*self.by_last_segment.get(last, ()), *self.regex_rules):
            if rule.matches(dotted, callee_text, args_text) and (
                rule.requires_import is None or rule.requires_import.search(file_text)
            ):
                out.append(rule)
        return out

    def is_exit_callee(self, dotted: str) -> bool:
        last = dotted.rsplit(".", 1)[-1]
        if last not in self.exit_last:
            return False
        return any(dotted == s or dotted.endswith("." + s) for s in self.exit_callees)


# --- loading -------------------------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[Path | None, Vocabulary] = {}
_override: Path | None = None


def configure(root: Path | str | None) -> Vocabulary:
    """Use the skills dir `root` (None: the bundled one) from now on; returns the loaded vocabulary."""
    global _override
    _override = Path(root) if root else None
    return reload()


def load(root: Path | str | None = None) -> Vocabulary:
    """The compiled vocabulary of `root` (default: the configured or bundled skills dir). Cached."""
    key = Path(root) if root else _override
    with _lock:
        vocab = _cache.get(key)
        if vocab is None:
            vocab = _cache[key] = _build(key)
        return vocab


def reload() -> Vocabulary:
    """Forget cached vocabularies and load the current one again (after the skill files changed)."""
    with _lock:
        _cache.clear()
    return load()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return {}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list) and key == "calls":
            out[key] = [*out[key], *value]
        else:
            out[key] = value
    return out


def _data(root: Path | None, rel: str) -> dict[str, Any]:
    bundled = _read_toml(bundled_skills_root() / rel)
    if root is not None and (root / rel).is_file() and root.resolve() != bundled_skills_root().resolve():
        return _merge(bundled, _read_toml(root / rel))
    return bundled


def _compile(pattern: str | None, flags: int = 0) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        log.warning("bad regex in flow vocabulary %r: %s", pattern, exc)
        return re.compile(r"(?!x)x")


def _any_re(patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    parts = [p for p in patterns if _compile(p) is not None]
    return re.compile("|".join(f"(?:{p})" for p in parts) or r"(?!x)x", flags)


def _phrase(text: str) -> str:
    return " " + " ".join(tokens(text)) + " "


def _build(root: Path | None) -> Vocabulary:
    flows = _data(root, "detection/flows.toml")
    events_data = _data(root, "events/events.toml")
    kinds: dict[FlowKind, KindVocabulary] = {}
    for kind in FlowKind:
        entry = flows.get("kinds", {}).get(kind.value, {})
        names = tuple(_phrase(n) for n in entry.get("names", []))
        routes = tuple(_phrase(n) for n in entry.get("routes", []))
        kinds[kind] = KindVocabulary(
            kind=kind,
            names=names,
            routes=routes,
            negative=frozenset(t.lower() for t in entry.get("negative", [])),
            yields_to=tuple(FlowKind(k) for k in entry.get("yields_to", []) if k in FlowKind.__members__.values()),
            name_re=_phrases_re(names, compact=True),
            route_re=_phrases_re(routes, compact=False),
            support_name_re=_phrases_re(tuple(_phrase(n) for n in entry.get("support_names", [])), compact=True),
            shapes=tuple(frozenset(shape) for shape in entry.get("shapes", [])),
            shape_negative=frozenset(t.lower() for t in entry.get("shape_negative", [])),
            text_negative=_compile(entry.get("text_negative_re")),
            state_re=_compile(entry.get("state_re")),
            pending_re=_compile(entry.get("pending_re")),
            pending_event=entry.get("pending_event"),
            variant_re=_compile(entry.get("variant_re")),
            variant=entry.get("variant"),
        )
    calls: list[CallRule] = []
    for entry in flows.get("calls", []):
        try:
            kind = FlowKind(entry["kind"])
        except (KeyError, ValueError):
            log.warning("flow vocabulary call entry without a known kind: %r", entry)
            continue
        suffixes = tuple(entry.get("callee", []))
        calls.append(
            CallRule(
                kind=kind,
                role=entry.get("role", "strong"),
                confidence=float(entry.get("confidence", flows.get("scores", {}).get("strong", 0.9))),
                suffixes=suffixes,
                callee_re=_compile(entry.get("callee_re")),
                callee_text_re=_compile(entry.get("callee_text_re")),
                args_re=_compile(entry.get("args_re")),
                requires_import=_compile(entry.get("requires_import"), re.MULTILINE),
                event=entry.get("event"),
                user_id=entry.get("user_id"),
                label=", ".join(suffixes) or entry.get("callee_re") or entry.get("callee_text_re") or "",
                lasts=tuple(entry.get("last", [])),
                identify=entry.get("identify", True) is not False,
                trait=str(entry.get("trait", "")),
            )
        )
    # specific rules first: a call matching `subscriptions.update` + cancel_at_period_end is a cancellation
    calls.sort(key=lambda r: (r.args_re is None, r.requires_import is None))
    by_last: dict[str, list[CallRule]] = {}
    regex_rules: list[CallRule] = []
    for rule in calls:
        lasts = {s.rsplit(".", 1)[-1] for s in rule.suffixes} or set(rule.lasts)
        for last in lasts:
            by_last.setdefault(last, []).append(rule)
        if not lasts:
            regex_rules.append(rule)
    webhooks = {}
    for event_type, kind in flows.get("webhooks", {}).items():
        if kind in FlowKind.__members__.values():
            webhooks[event_type] = FlowKind(kind)
    statements = flows.get("statements", {})
    exit_callees = tuple(statements.get("exit_callees", []))
    user_id = flows.get("user_id", {})
    routes = flows.get("routes", {})
    negatives = flows.get("negatives", {})
    names = flows.get("names", {})
    prefilter_source, prefilter_coarse = _prefilter(flows, webhooks)
    signals = {
        name: FlowKind(kind) for name, kind in flows.get("signals", {}).items() if kind in FlowKind.__members__.values()
    }
    typed = flows.get("webhook_types", {})
    webhook_types = {_event_type_name(e): k for e, k in webhooks.items() if "." in e}
    return Vocabulary(
        threshold=float(flows.get("threshold", 0.6)),
        scores={k: float(v) for k, v in flows.get("scores", {}).items()},
        path_exclude=_any_re(flows.get("paths", {}).get("exclude", [])),
        enclosing_calls=frozenset(negatives.get("enclosing_calls", [])),
        negative_callees=tuple(negatives.get("callees", [])),
        negative_lasts=frozenset(c.rsplit(".", 1)[-1] for c in negatives.get("callees", [])),
        negative_file_re=_compile(negatives.get("file_re"), re.MULTILINE) or re.compile(r"(?!x)x"),
        negative_file_markers=tuple(negatives.get("file_markers", [])),
        ignore_name_tokens=frozenset(negatives.get("name_tokens", [])),
        handler_prefixes=frozenset(names.get("handler_prefixes", [])),
        handler_wrappers=frozenset(names.get("handler_wrappers", [])),
        mutation_hooks=frozenset(names.get("mutation_hooks", [])),
        success_callbacks=frozenset(names.get("success_callbacks", [])),
        error_condition_re=_compile(statements.get("error_condition_re")) or re.compile(r"(?!x)x"),
        route_register_re=_compile(routes.get("register_callee_re")) or re.compile(r"(?!x)x"),
        decorator_re=_compile(routes.get("decorator_re")) or re.compile(r"(?!x)x"),
        file_route_res=tuple(p for p in (_compile(r) for r in routes.get("file_route_re", [])) if p),
        http_method_names=frozenset(routes.get("http_method_names", [])),
        read_handler_names=frozenset(routes.get("read_handler_names", [])),
        view_params=frozenset(routes.get("view_params", [])),
        side={
            **flows.get("side", {}),
            "server_imports": _compile(flows.get("side", {}).get("server_imports_re")),
            "client_imports": _compile(flows.get("side", {}).get("client_imports_re")),
            "server_paths": _compile(flows.get("side", {}).get("server_paths_re")),
            "client_paths": _compile(flows.get("side", {}).get("client_paths_re")),
        },
        exit_callees=exit_callees,
        exit_assign_re=_compile(statements.get("exit_assign_re")) or re.compile(r"(?!x)x"),
        passive_callee_re=_compile(statements.get("passive_callee_re")) or re.compile(r"(?!x)x"),
        user_id=user_id,
        user_context_res=tuple(p for p in (_compile(r) for r in user_id.get("context_re", [])) if p),
        kinds=kinds,
        webhooks=webhooks,
        calls=tuple(calls),
        events=dict(events_data.get("kinds", {})),
        event_variants={k: v.get("kind", "") for k, v in events_data.get("variants", {}).items()},
        any_name_re=_phrases_re(
            tuple(
                _phrase(n)
                for e in flows.get("kinds", {}).values()
                for key in ("names", "routes", "support_names")
                for n in e.get(key, [])
            ),
            compact=True,
        ),
        prefilter_source=prefilter_source,
        prefilter_coarse=prefilter_coarse,
        by_last_segment={k: tuple(v) for k, v in by_last.items()},
        regex_rules=tuple(regex_rules),
        webhook_bytes=frozenset(w.encode() for w in webhooks),
        webhook_refinements=tuple(
            (str(r["type"]), pattern, FlowKind(r["kind"]))
            for r in flows.get("webhook_refinements", [])
            if r.get("type") in webhooks and r.get("kind") in FlowKind.__members__.values()
            and (pattern := _compile(r.get("file_re"))) is not None
        ),
        exit_last=frozenset(s.rsplit(".", 1)[-1] for s in exit_callees),
        request_callees=frozenset(s.rsplit(".", 1)[-1] for s in statements.get("request_callees", [])),
        signals=signals,
        webhook_types=webhook_types,
        webhook_type_re=_compile(typed.get("type_re")),
        delete_self_route_re=_compile(routes.get("delete_self_re")),
        hooks=tuple(
            LifecycleHook(
                container=str(h.get("container", "")),
                methods={m: FlowKind(k) for m, k in h.get("methods", {}).items() if k in FlowKind.__members__.values()},
                requires_import=_compile(h.get("requires_import"), re.MULTILINE),
            )
            for h in flows.get("hooks", [])
            if h.get("container")
        ),
        callee_words=dict(flows.get("callee_words", {})),
        router_prefix_re=_compile(routes.get("router_prefix_re"), re.MULTILINE),
        triggers=tuple(
            Trigger(
                FlowKind(t["kind"]),
                tuple(t.get("callee", [])),
                str(t.get("user_id", "")),
                _compile(t.get("requires_import"), re.MULTILINE),
            )
            for t in flows.get("triggers", [])
            if t.get("kind") in FlowKind.__members__.values() and t.get("callee")
        ),
        client_requests=dict(flows.get("client_requests", {})),
        method_route_res=tuple(p for p in (_compile(r) for r in routes.get("method_route_re", [])) if p),
        route_ui_words=frozenset(routes.get("ui_words", [])),
        status_checks=tuple(
            StatusCheck(FlowKind(c["kind"]), tuple(c.get("sources", [])), pattern)
            for c in flows.get("status_checks", [])
            if c.get("kind") in FlowKind.__members__.values() and (pattern := _compile(c.get("condition_re")))
        ),
    )


def _event_type_name(event_type: str) -> str:
    """`customer.subscription.deleted` → `CustomerSubscriptionDeletedEvent` (the Stripe SDK's type name)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", event_type) if part) + "Event"


def _longest_segment(suffix: str) -> str:
    return max(suffix.split("."), key=lambda seg: (len(tokens(seg)), len(seg)))


def _prefilter_terms(
    flows: dict[str, Any], webhooks: dict[str, FlowKind]
) -> tuple[set[tuple[str, ...]], set[str], set[str]]:
    """Words (matched on identifier-token boundaries), plain substrings and raw regexes that, between them, match
    every text a flow can be found in."""
    literal: set[tuple[str, ...]] = set()
    plain: set[str] = {"posthog", "phc_"}
    raw: set[str] = {  # a bad regex (a workspace override's) is logged and left out, not the whole prefilter
        r for r in flows.get("prefilter", {}).get("regex", []) if getattr(_compile(str(r)), "pattern", None) == r
    }
    generic = {w.lower() for w in flows.get("prefilter", {}).get("generic_segments", [])}
    for entry in flows.get("kinds", {}).values():
        for phrase in (*entry.get("names", []), *entry.get("support_names", [])):
            if words := tokens(phrase):
                literal.add(words)
        for phrase in entry.get("routes", []):
            if len(words := tokens(phrase)) > 1:  # one-word route phrases ("token") ride on a name or call
                literal.add(words)
    for entry in flows.get("calls", []):
        if entry.get("role", "strong") != "strong":
            continue
        if entry.get("prefilter"):
            terms = entry["prefilter"]
            plain.update(t.lower() for t in ([terms] if isinstance(terms, str) else terms) if t)
        else:
            for suffix in entry.get("callee", []):
                segment = _longest_segment(suffix)
                if segment.lower() in generic or len(segment) < 5:
                    literal.add((suffix.lower(),))  # `request.login`, not every file saying "request"
                elif words := tokens(segment):
                    literal.add(words)
    literal.update((w.lower(),) for w in webhooks)
    return literal, plain, raw


def _prefilter(flows: dict[str, Any], webhooks: dict[str, FlowKind]) -> tuple[str, str]:
    """The scan's prefilter regex (case-sensitive: it spells out the cases each term may take), and its coarse form."""
    literal, plain, raw = _prefilter_terms(flows, webhooks)
    return token_pattern(literal, plain, sorted(raw)), coarse_pattern(literal, plain, sorted(raw))


@functools.cache
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source)
