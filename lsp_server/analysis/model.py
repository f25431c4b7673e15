"""The findings analysis produces: plain, immutable data shared by every edge (LSP, MCP, CLI, agent).

Positions here are 0-based lines and columns counted in Python `str` characters (code points).
Only the LSP edge converts them to UTF-16; the CLI adds 1 for its 1-based JSON contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal


class FlowKind(StrEnum):
    SIGNUP = "signup"
    LOGIN = "login"
    LOGOUT = "logout"
    PASSWORD_RESET = "password_reset"
    CHECKOUT_STARTED = "checkout_started"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    SUBSCRIPTION_CREATED = "subscription_created"
    SUBSCRIPTION_CHANGED = "subscription_changed"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    ACCOUNT_DELETED = "account_deleted"


Language = Literal["python", "javascript", "typescript", "tsx", "svelte", "vue"]  # svelte/vue: parsed as their scripts
Side = Literal["client", "server"]
Severity = Literal["error", "warning", "information", "hint"]


@dataclass(frozen=True, slots=True)
class Span:
    """A range in a document: 0-based lines, columns in code points, end exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class Flow:
    """A business-critical flow found in one function (or one webhook branch)."""

    path: str  # relative to the workspace root, '/' separators
    symbol: str  # enclosing function/handler name ("POST /login" style for anonymous route handlers)
    kind: FlowKind
    span: Span  # the enclosing function or branch
    insert_line: int  # 0-based: the capture goes on a new line inserted *before* this line
    insert_indent: str  # indentation of the inserted line(s)
    event: str  # suggested event name from skills/events taxonomy
    confidence: float  # 0..1
    side: Side  # client (browser) or server code
    anchor: Span | None = None  # the statement that makes success certain, if any
    user_id_expr: str | None = None  # expression naming the user's stable id at the insertion point
    # (where, text): an insertion that binds user_id_expr first (`data, ` into `const { error } = await …signUp()`)
    user_id_binding: tuple[Span, str] | None = None
    needs_identify: bool = False  # login/signup success
    identify_present: bool = False
    needs_reset: bool = False  # client-side logout
    reset_present: bool = False
    tracked: bool = False  # a capture already exists in the flow's function
    evidence: tuple[str, ...] = ()  # short human-readable reasons, e.g. "calls supabase.auth.signUp"
    # (expression, values): the capture must run only when the expression equals one of the values, e.g.
    # ('webhook["type"]', ("invoice.paid",)) for a webhook dispatched through a map, where no branch is per type
    only_when: tuple[str, tuple[str, ...]] | None = None
    # (line, indent): further places the same calls go, each before its line: sibling success branches of one
    # `if (error) … else if (data.session) {…} else if (data.user) {…}` chain (Supabase signUp with or without email
    # confirmation); edits that plan the main place plan these too
    also_insert: tuple[tuple[int, str], ...] = ()


PosthogCallKind = Literal[
    "init", "capture", "identify", "reset", "alias", "group", "set", "flush", "shutdown", "identify_context"
]
Sdk = Literal["posthog-js", "posthog-react", "posthog-node", "posthog-python", "unknown"]
# where an SDK's client lives: a capture needs an init on its own side (a server client does not start posthog-js)
SIDE_OF_SDK: dict[str, str] = {"posthog-js": "browser", "posthog-react": "browser", "posthog-node": "node",
                               "posthog-python": "python"}


@dataclass(frozen=True, slots=True)
class PosthogCall:
    """An existing PostHog SDK call (or client construction) in a document."""

    kind: PosthogCallKind
    sdk: Sdk
    span: Span
    receiver: str  # e.g. "posthog", "client", "ph"
    text: str  # the call's source text (truncated to 300 chars)
    event: str | None = None  # literal event name of a capture, when static
    property_keys: tuple[str, ...] = ()  # literal keys of the properties object/dict
    legacy: str | None = None  # why this call is a stale API, if it is


@dataclass(frozen=True, slots=True)
class Finding:
    """A diagnostic in analysis terms; the LSP edge maps it to a Diagnostic."""

    code: str  # stable, e.g. "posthog/missing-identify"
    message: str
    span: Span
    severity: Severity
    data: dict[str, Any] = field(default_factory=dict)  # what the quick fix needs (JSON-serialisable)


@dataclass(frozen=True, slots=True)
class PosthogSetup:
    """Where and how a package already uses PostHog."""

    installed: bool = False  # an SDK is a declared dependency
    sdks: tuple[str, ...] = ()  # dependency names, e.g. ("posthog-js", "posthog-node")
    versions: dict[str, str] = field(default_factory=dict)  # declared version specs
    init: str | None = None  # "path:line" (1-based line) of the first init/construction, if any
    # the sides initialised (SIDE_OF_SDK values; "any" for an init seen without its SDK); empty: not known
    init_sides: frozenset[str] = frozenset()
    # an identify in a global identify place (auth-state listener, provider, middleware, signal receiver, top level):
    # every login of the package is identified (identify_scope.py; one inside a login covers that login only)
    has_identify: bool = False
    # functions of the package that identify the user (`login` in the auth context): a flow calling one is identified
    identify_functions: frozenset[str] = frozenset()
    module_client: bool = False  # posthog-python's module-level client is configured (`posthog.project_api_key = …`)


@dataclass(frozen=True, slots=True)
class Package:
    """One package of a (mono)repo: a folder with package.json, pyproject.toml, requirements*.txt or manage.py."""

    path: str  # relative to root, "." for the root itself
    framework: str  # nextjs-app-router | nextjs-pages-router | react-spa | node-express | django | flask
    # | fastapi | python | node
    language: Literal["javascript", "typescript", "python"]
    package_manager: str  # npm | pnpm | yarn | bun | pip | poetry | uv | pipenv
    framework_version: str | None = None  # e.g. next "15.3.1" (declared spec with ^/~ stripped)
    posthog: PosthogSetup = field(default_factory=PosthogSetup)
    env_key_var: str | None = None  # env var already holding the project key, if found
    env_host_var: str | None = None
    uses_instrumentation_client: bool = False  # Next.js >= 15.3: init in instrumentation-client.ts
    # package.json `dependencies` (installed in production), or the Python manifests' requirement names (normalised)
    dependencies: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DocumentAnalysis:
    path: str
    language: Language | None
    flows: tuple[Flow, ...] = ()
    calls: tuple[PosthogCall, ...] = ()
    findings: tuple[Finding, ...] = ()
    parse_error: str | None = None  # why the document could not be (fully) analysed
