"""Flow detector: finds signup, login, logout, password reset, checkout, payment, subscription and account
deletion flows in one parsed JS/TS/Python document.

Algorithm (all vocabulary is data in `skills/detection/flows.toml`, see `vocabulary.py`):
1. Skip test/e2e/seed/story paths and files (`[paths]`, `[negatives]`).
2. Extract functions ("units") with one tree-sitter query: name (variable/property/export/JSX attribute,
   file stem for `export default`), route (`router.post('/login', …)`, `@app.post("/token")`, Next.js
   `app/**/route.ts`, NestJS `@Post`), handler-ness (route, view, server action, `(req, res)`, `handleX`,
   wrapped in createAsyncThunk/addEventListener…), calls and strings (`functions.py`).
3. Per unit and kind, score the evidence: a library call performing the flow (`supabase.auth.signUp`,
   `stripe.checkout.sessions.create`, Django `login()` …) ≈ 0.9; name/route phrase ("handle sign in",
   "/logout") plus a supporting call (bcrypt.compare, jwt.sign, user insert) ≈ 0.8; name with route,
   request URL or handler context ≈ 0.65–0.75 (only if the function does more than UI state / rendering);
   name alone 0.5; a "shape" of support calls that together perform a flow (`bcrypt.hash` + `user.create` =
   signup; reading a `password` field + `cookies.set` = login) ≈ 0.7. Name and route evidence needs a body
   that does something (a stub `@Post('login') login() {}` is no flow). Python view classes also take their
   name from a base class that names a flow (`MyToken(ObtainAuthToken).post`). Report at or above `threshold`.
   React components, hooks (unless they wrap a mutation) and names with UI/data nouns never count by name;
   per-kind negative tokens veto a name, per-kind text (a Mailchimp list) vetoes name-only evidence; calls in
   `catch` blocks are rollbacks, not flows. Calls marked `identify = false` only start a login (OAuth
   redirect, magic link): a flow that has only those asks for no identify.
4. Webhooks: each event-type literal (`case 'invoice.paid':`, `event["type"] == …`, dispatch dicts) gives
   one flow per kind, anchored in its branch. `onClick={signOut}` gives a flow to wrap.
   Also declared flows: a Django / allauth signal receiver, a handler typed with a Stripe event
   (`Stripe.CustomerSubscriptionDeletedEvent`, dispatched from another file), an Auth.js `events.createUser`
   hook, `DELETE /users/me`; and state writes that count like support calls (`ctx.session.user = …` for a login,
   `set({ token: null })` / `del session[…]` for a logout).
   Server handlers (helper: server flows): a route handler that only stores something (`user["plan"] = plan`,
   `del USERS[k]`) does something; route parameters (`/subscriptions/:id/cancel`) are not words; a POST handler
   calling a service named for a flow (`subscriptionService.cancel`, [callee_words]) is that flow after the call;
   `if session.payment_status == "paid":` after `checkout.Session.retrieve` is a payment in that branch
   ([[status_checks]]); a module-level map from webhook types (`EVENTS[event.type]`) gives one flow per kind at the
   end of the reading function, with `only_when` so the capture is guarded by the type.
5. Drop duplicates: a login in a register handler (yields_to, unless in the other arm of a condition),
   an outer function whose evidence an inner callback repeats, a local caller of a function already reported,
   a webhook branch that only calls this file's helper already reported for the same kind.
6. Insertion point, side, user id, identify/reset/capture presence (`insertion.py`, `user_ids.py`).
   A browser login / signup whose request (`fetch('/api/login')`, a `'/signup' | '/login'` path) is followed by a
   call handing the user on (`setUser(data.user)`, a store's `this.user = …`) identifies right before it with that
   user's id (`handoff.py`). A login step leaving a second factor pending only starts the login; a reset storing
   the new password, or a billing-portal session, sends its kind's variant event (`pending_re`, `variant_re`).
   Client code ([client_requests], [[triggers]]): a browser function named for a login / signup / logout / reset that
   sends a write request is that flow even when its URL (`this.baseUrl + '/users'`) names nothing, with the capture in
   the request's success callback (`.subscribe(res => {…})`); an anonymous listener takes its target's words
   (`$('#login-form').on('submit', …)`), a thunk its creator's name, a React Router `action({ request })` is a handler
   anywhere, and a handler calling an imported `signUpApi(…)` is that flow. A function given to an auth service's
   trigger (`functions.auth.user().onCreate`) is that flow, with the user id from its parameter.
   Across files (helper C, `route_refs.py`): with the workspace's route facts, a function registered as a route in
   another file gets that route (and mount prefixes), a body-less route delegating to it reports nothing, and a
   function called by a route reporting the same flow is not reported; the same holds for a route registered in the
   same file (`local_routes.py`: `router.post('/login', handle)`), and a webhook map's handler (`{ 'invoice.paid':
   onPaid }`, inline, local or imported) is its type's flow, never also a flow by its name. Credential helpers
   (`create_access_token`,
   an `authenticate_user` only comparing a hash) are no login (`credential_helpers.py`); SDK enum cases
   (`EventName.SubscriptionCreated`, `webhook_enums.py`) and DRF create views over the user model
   (`create_views.py`) are read like literals and signups.
   Look-alikes (`lookalikes.py`): a password re-check in `updatePassword` / `deleteAccount` is no login, a logout call
   on a failed session (`.catch`, a 401 interceptor, an expiry effect) or a helper the file's logout calls is no second
   logout, a `createSubscription` only opening a Checkout starts a checkout, a password check whose result is only
   logged completes nothing, and a component and the same file's service method are one flow. `identify_present` is
   per flow (`identify_scope.py`): the flow's own function, a same-file caller / callee, the app's identify helper, a
   package function it calls that identifies, or a global identify place (auth listener, provider, middleware).
   Generic names (H8, session 5): a tRPC `create` procedure takes its router's / file's words (`procedures.py`), a
   Promise executor's calls are its handler's (`executors.py`), allauth adapter / signup-form overrides are [[hooks]]
   by base class (`class_bases.py`), and a browser function writing to a billing URL is that flow (`write_kinds`).
Never raises: any failure yields no flows for the document.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from tree_sitter import Node

from . import (
    class_bases,
    create_views,
    credential_helpers,
    executors,
    handoff,
    insertion,
    local_routes,
    procedures,
    route_refs,
    user_ids,
    webhook_enums,
)
from .document_cache import contains_any, is_test_code  # whole-text checks reusing the previous keystroke's answer
from .functions import Call, Unit, dotted_name, extract_units, string_value
from .identify_scope import called_identifier, global_identify, identified_nearby
from .lookalikes import cleanup_path, helpers_of_named, is_recheck, named_only_yields, service_pairs, unused_check
from .model import Flow, FlowKind, Package, PosthogCall, Side, Span
from .parsing import ParsedDocument
from .vocabulary import CallRule, KindVocabulary, Trigger, Vocabulary, load, tokens
from .workspace import frameworks_with

log = logging.getLogger(__name__)

_LOGIN_KINDS = frozenset({FlowKind.LOGIN, FlowKind.SIGNUP})
_MUTATION_FN_RE = re.compile(r"^\(\s*([A-Za-z_$][\w$]*)\s*[,)]|\bmutationFn\s*:\s*([A-Za-z_$][\w$]*)\s*[,}]")
_MUTATION_SUFFIX_RE = re.compile(r"Mutation$|_mutation$")
_IDENTIFY_KINDS = frozenset({"identify", "identify_context", "set"})
_TEMPLATE_SUB_RE = re.compile(r"\$\{[^}]*\}")
_SIGNAL_CONNECT_RE = re.compile(r"\b([A-Za-z_]\w*)\.connect\(\s*([A-Za-z_]\w*)")
_LISTENER_CALLS = frozenset({"addEventListener", "on", "once", "addListener"})
_SHORTHAND_EVENTS = frozenset({"submit", "click"})  # jQuery's `.submit(fn)`: the method is the event
_ASSIGNMENTS = frozenset(
    {"assignment", "augmented_assignment", "assignment_expression", "augmented_assignment_expression"}
)
_STORED_TARGETS = frozenset({"subscript", "attribute", "member_expression", "subscript_expression"})
_NESTED_FUNCTIONS = frozenset(
    {
        "function_definition",
        "lambda",
        "arrow_function",
        "function_expression",
        "function_declaration",
        "class_definition",
        "class_declaration",
    }
)
_SUBSCRIPT_RE = re.compile(r"\[[^\]]*\]")
_DECORATOR_OWNER_RE = re.compile(r"@\s*([A-Za-z_]\w*)\.\w+\s*\(")  # `@router.post(` → router
_ROUTE_PARAM_RE = re.compile(r"/(?::\w+\??|\{[^}/]*\}|<[^>/]*>|\[[^\]/]*\])(?=/|$)")  # :id {id} <int:pk> [id]
_URL_KEYS = frozenset({"url", "uri", "endpoint", "path"})  # request config objects: `axios({ url })`, `$.ajax({ url })`
_CONDITIONAL_PARTS = frozenset(  # code below these runs only on some calls
    {
        "if_statement",
        "ternary_expression",
        "conditional_expression",
        "switch_case",
        "catch_clause",
        "except_clause",
        "else_clause",
        "elif_clause",
        "case_clause",
        "binary_expression",
        "boolean_operator",
    }
)
_CONDITION_PARTS = frozenset(  # what lies between an event-type literal and its `if`
    {
        "binary_expression",
        "parenthesized_expression",
        "comparison_operator",
        "boolean_operator",
        "tuple",
        "list",
        "array",
        "set",
        "not_operator",
        "unary_expression",
    }
)


def detect_flows(
    doc: ParsedDocument,
    path: str,
    *,
    calls: Sequence[PosthogCall] = (),
    package: Package | None = None,
    vocabulary: Vocabulary | None = None,
    routes: route_refs.FileRoutes | None = None,
) -> list[Flow]:
    """Flows in `doc` (`path` relative to the workspace root, '/' separators). `routes`: what other files of the
    workspace say about this one's functions (route_refs.py). Never raises."""
    try:
        detector = _Detector(doc, path.replace("\\", "/"), calls, package, vocabulary or load())
        detector.routes = routes
        return detector.run()
    except Exception:  # a detector bug must cost findings, never the caller
        log.exception("flow detection failed for %s", path)
        return []


@dataclass(slots=True)
class _Candidate:
    unit: Unit
    kind: FlowKind
    score: float
    evidence: list[str]
    anchor: Call | None = None
    anchor_rule: CallRule | None = None
    strong: bool = False
    name_hit: bool = False
    branch: list[Node] = field(default_factory=list)  # webhook branch statements
    branch_block: Node | None = None
    branch_node: Node | None = None  # the case/if node (span of the flow)
    symbol: str | None = None  # instead of the unit's (a JSX handler reference)
    reference: bool = False  # the anchor is a handler passed by name, not a call
    starts_only: bool = False  # every call found only starts a login (redirect, magic link): no identify here
    handoff: insertion.Insertion | None = None  # browser login: before the call handing the user on (handoff.py)
    handoff_user: str | None = None  # the user id there
    variant: str | None = None  # an event variant found in the body (`password_reset_completed`, `login_started`)
    only_when: tuple[str, tuple[str, ...]] | None = None  # (event-type expression, its values for this kind)
    posts_form: bool = False  # found by its name and a write request: its parameters are the form, with no id yet


class _Detector:
    def __init__(
        self,
        doc: ParsedDocument,
        path: str,
        calls: Sequence[PosthogCall],
        package: Package | None,
        vocab: Vocabulary,
    ) -> None:
        self.doc, self.path, self.calls, self.package, self.vocab = doc, path, calls, package, vocab
        self._import_ok: dict[int, bool] = {}
        self.mutation_hooks: set[int] = set()  # ids of units wrapping useMutation
        self.mutation_fns: set[str] = set()  # local functions passed to useMutation as the mutation
        self._state_calls: set[int] = set()  # ids of pseudo calls standing for a state write (`session.user = …`)
        self._connected: list[tuple[str, str]] = []  # (signal, function) of `user_logged_in.connect(fn)`
        self._webhook_words = True
        self._receivers = True
        self._hook_containers: set[str] = set()
        self._prefixes: dict[str, str] | None = None  # Python routers declared with a prefix: name → prefix
        self.routes: route_refs.FileRoutes | None = None  # cross-file route facts (helper C: route_refs.py)
        self._triggers: list[Trigger] = []  # [[triggers]] this file may register (its import is there)
        self._trigger_refs: dict[str, str] | None = None  # functions passed to a trigger by name
        self._server_file: bool | None = None  # certainly server code: a file route or a server library import
        self._client_kinds = frozenset(vocab.client_requests.get("kinds", []) if doc.language != "python" else ())
        self._writes: dict[int, Call | None] = {}  # per unit: its write request ([client_requests])
        # billing / account kinds whose flow-named function sending a write request is the flow (`cancelSubscription`)
        self._write_kinds = frozenset(vocab.client_requests.get("write_kinds", []) if doc.language != "python" else ())
        self._global_identify: bool | None = None  # an identify in a global identify place (identify_scope.py)

    def run(self) -> list[Flow]:
        vocab, doc = self.vocab, self.doc
        if vocab.path_exclude.search(self.path) or is_test_code(doc, vocab):
            return []
        units = self.units = extract_units(doc, vocab, self.path)
        executors.adopt(units, doc)  # `new Promise((res) => { c.cookie(…) })`: the executor's calls are the handler's
        procedures.rename(units, doc, vocab, self.path)  # tRPC `signUpRouter = router({ create: … })`: create = signup
        # body-less routes whose handler is this file's function (local_routes.py: `router.post('/login', handle)`)
        delegated: set[int] = local_routes.apply(units, doc, vocab)
        if self.routes is not None:  # routes registered for these functions in other files, mount prefixes
            delegated |= route_refs.apply(units, self.routes, doc)
        for unit in units if doc.language != "python" else ():  # `@UseGuards(LocalAuthGuard)`: like middleware
            if unit.route_method is not None:  # only routed methods have guards (no per-function call while typing)
                unit.middleware += [c for c in credential_helpers.guard_calls(doc, unit) if self._rules(c)]
        self.lines = doc.lines()  # split once per document: rules and insertion read the same list
        self.file_side = self._file_side()
        candidates: list[_Candidate] = []
        by_name = {u.name: u for u in units if u.name}
        self.local_names = set(by_name)
        self._connected = _SIGNAL_CONNECT_RE.findall(doc.text) if vocab.signals and ".connect(" in doc.text else []
        # per-document guards for the declared evidence: most files have no webhook words and no hook containers
        typed = vocab.webhook_type_re is not None and _search(vocab.webhook_type_re, doc.text)
        self._webhook_words = typed or contains_any(doc, vocab.webhook_bytes)
        self._receivers = bool(vocab.signals) and ("receiver(" in doc.text or bool(self._connected))
        self._hook_containers = {h.container for h in vocab.hooks if h.container in doc.text}
        self._triggers = self._file_triggers()
        if self._client_kinds:  # `action({ request })` outside file routes is a route action (helper B)
            self._route_actions(units)
            self._composables(units)
        for unit in units:  # `onClick={deleteAccount}` makes the local deleteAccount an event handler
            for attr, ref in unit.references:
                target = by_name.get(ref.dotted.removeprefix("this."))
                if attr.startswith("on") and target is not None:
                    target.handler = True
        event_file = self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]  # events/customer.subscription.deleted.js
        file_kind = vocab.webhooks.get(event_file)
        # keystroke-perf: a function whose statement has no flow word, vocabulary callee or webhook type gives no
        # evidence (inert.py); `sig.connect(fn)` can make any function a receiver, so then none is skipped
        active = [u for u in units if not u.negative and not (u.skippable and not self._connected)]
        for unit in active:
            if file_kind is not None and unit.parent is None and unit.name == event_file.split(".", 1)[0]:
                evidence = [f"file is named after webhook '{event_file}'"]
                candidates.append(_Candidate(unit, file_kind, vocab.scores.get("webhook", 0.9), evidence, strong=True))
            if self._triggers:  # before the unit's own evidence: the trigger says more than its name
                candidates.extend(self._trigger_candidates(unit))
            candidates.extend(self._unit_candidates(unit))
            candidates.extend(self._declared_candidates(unit))
            candidates.extend(self._webhook_candidates(unit, by_name))
            candidates.extend(self._reference_candidates(unit))
        if self._webhook_words or (self.routes is not None and self.routes.webhooks):
            candidates = _map_handlers_decide(candidates, self._map_dispatch_candidates(units, by_name))
        if self._client_kinds:  # last: `await signUpApi(values)` in a handler says less than the handler's own name
            candidates.extend(c for u in active for c in self._handler_callee_candidates(u))
        if vocab.callee_words.get("kinds"):  # last: a name, route or library call of the same kind says more
            candidates.extend(c for u in active for c in self._callee_word_candidates(u))
        if vocab.status_checks:  # first: the checked branch is more precise than the same function's name
            candidates[:0] = [c for u in active for c in self._status_check_candidates(u)]
        for unit, kind, score, why, saved in create_views.find(doc, units):  # DRF CreateAPIView over users (helper C)
            candidates.append(_Candidate(unit, kind, score, [why], saved, handoff_user=create_views.user_id(doc, unit)))
        candidates.extend(self._handoff_candidates(candidates, by_name))
        self._body_variants(candidates)
        # credential helpers (`create_access_token`, `authenticate_user` only comparing a hash): the route calling
        # them is the login (helper C: credential_helpers.py)
        candidates = [c for c in candidates if not credential_helpers.is_helper(c.unit, c.kind, c.strong, self._rules)]
        # look-alikes (lookalikes.py): `updatePassword` re-checking the current password is no login (S4-3); a logout
        # call on a failed session (`.catch(() => signout())`, a 401 interceptor) and a helper the file's logout calls
        # are no second logout (S4-9)
        candidates = [c for c in candidates if not is_recheck(c.unit, c.kind, self._rules, self.vocab)]
        candidates = [c for c in candidates if not self._cleanup(c)]
        candidates = [c for c in candidates if not unused_check(doc, c.unit, c.kind, c.strong, self._rules, vocab)]
        helpers = helpers_of_named(candidates) | named_only_yields(candidates)  # and `createSubscription` = checkout
        helpers |= service_pairs(candidates)  # `this.authService.login(…)` and the same file's AuthService.login: one
        candidates = [c for c in candidates if id(c) not in helpers]
        candidates = [
            c for c in candidates if not credential_helpers.clears_session(c.kind, c.strong, c.anchor, self._rules)
        ]
        self._credit_delegates(candidates)
        routes = self.routes
        if delegated:  # `router.post('/login', passport.authenticate('local'), authController.login)`: reported there
            candidates = [c for c in candidates if id(c.unit) not in delegated]
        if routes is not None and routes.callers:  # a route in another file calling it reports the flow
            candidates = [c for c in candidates if not route_refs.reported_by_caller(c.unit, c.kind, routes, vocab)]
        kept = self._dedupe(candidates, units)
        return [self._flow(c) for c in kept]

    # --- evidence ------------------------------------------------------------------------------------------

    def _rules(self, call: Call) -> list[CallRule]:
        vocab, doc = self.vocab, self.doc
        last = call.dotted.rsplit(".", 1)[-1]
        out: list[CallRule] = []
        if last in vocab.negative_lasts and any(
            call.dotted == n or call.dotted.endswith("." + n) for n in vocab.negative_callees
        ):
            return out
        for rule in (*vocab.by_last_segment.get(last, ()), *vocab.regex_rules):
            if rule.suffixes and not any(call.dotted == s or call.dotted.endswith("." + s) for s in rule.suffixes):
                continue
            if rule.callee_re is not None and not rule.callee_re.fullmatch(call.dotted):
                continue
            if rule.callee_text_re is not None and not rule.callee_text_re.search(call.callee_text.replace(" ", "")):
                continue
            if rule.args_re is not None and not rule.args_re.search(call.args_text(doc)):
                continue
            if rule.requires_import is not None:
                ok = self._import_ok.get(id(rule))
                if ok is None:
                    ok = self._import_ok[id(rule)] = bool(rule.requires_import.search(doc.text))
                if not ok:
                    continue
            out.append(rule)
        return out

    def _padded(self, name: str, *, for_name: bool) -> str:
        memo = _padded_memo(self.vocab)  # the same few names come back on every keystroke (keystroke-perf helper)
        padded = memo.get((name, for_name))
        if padded is not None:
            return padded
        toks = _tokens(name)
        if not toks or (for_name and any(t in self.vocab.ignore_name_tokens for t in toks)):
            padded = ""
        else:
            padded = " " + " ".join(toks) + " "
        if len(memo) >= 16384:
            memo.clear()
        memo[(name, for_name)] = padded
        return padded

    def _url_requests(self, unit: Unit) -> list[tuple[str, Call]]:
        """Requests to a URL literal (`fetch('/api/auth/logout')`) as (padded URL tokens, the call)."""
        out = []
        for s in unit.strings:
            concat = self._concatenated_url(s)  # `this.baseUrl + '/register'`, `API + 'signin'` (helper B)
            bare = concat is None and self._bare_request_path(s)  # `useApi('login', …)`, `api.post('register')`
            if concat is None and not bare and (
                s.end_byte - s.start_byte > 200 or self.doc.data[s.start_byte + 1 : s.start_byte + 2] not in b"/ha$"
            ):
                continue
            holder = s.parent if concat is None else concat.parent
            if holder is not None and holder.type in ("pair", "keyword_argument"):  # axios({ url: '/api/login' })
                key = holder.child_by_field_name("key") or holder.child_by_field_name("name")
                obj = holder.parent
                if key is None or string_value(self.doc.node_text(key)) not in _URL_KEYS or obj is None:
                    continue
                holder = obj.parent if obj.type in ("object", "dictionary") else obj
            if holder is None or holder.type not in ("arguments", "argument_list"):
                continue
            call = holder.parent
            callee = call.child_by_field_name("function") if call is not None else None
            text = self.doc.node_text(callee) if callee is not None else ""
            if callee is None or not self._is_request(text.rsplit(".", 1)[-1]):
                continue  # redirect("/login") navigates; only requests name a flow
            value = string_value(self.doc.node_text(s))
            if value.startswith(("/", "http", "api/", "auth/", "${")) or bare or (
                concat is not None and _PATH_PART_RE.fullmatch(value) and holder.named_children[0] == concat
            ):
                words = _TEMPLATE_SUB_RE.sub("/", value.split("?", 1)[0])  # `${this.apiUrl}/login` names login only
                out.append((" " + " ".join(tokens(words)) + " ", Call(call, dotted_name(text), text)))
        return out

    def _unit_candidates(self, unit: Unit) -> list[_Candidate]:
        vocab, scores = self.vocab, self.vocab.scores
        strong: dict[FlowKind, list[tuple[Call, CallRule]]] = {}
        support: dict[FlowKind, list[Call]] = {}
        traits: dict[str, Call] = {}
        for call in (*unit.middleware, *unit.calls):
            best: dict[FlowKind, CallRule] = {}
            specific: set[str] = set()  # suffixes claimed by a rule that also checked the arguments
            for rule in self._rules(call):
                if rule.role == "support":
                    support.setdefault(rule.kind, []).append(call)
                    if rule.trait:
                        traits.setdefault(rule.trait, call)
                    continue
                if rule.args_re is None and specific.intersection(rule.suffixes):
                    continue  # `subscriptions.update(…cancel_at_period_end: true)` is a cancellation only
                if rule.args_re is not None:
                    specific.update(rule.suffixes)
                if rule.kind not in best or rule.confidence > best[rule.kind].confidence:
                    best[rule.kind] = rule
            if best and self._in_error_path(call.node, unit.node):
                continue  # `catch { await user.delete() }` rolls a signup back; it deletes no account
            for kind, rule in best.items():
                strong.setdefault(kind, []).append((call, rule))
        mutation_calls = (
            [c for c in unit.calls if c.dotted.rsplit(".", 1)[-1] in vocab.mutation_hooks]
            if unit.is_hook or unit.is_component
            else []
        )  # useLogin = () => useMutation({ onSuccess }); also `function LoginUser() { return useMutation(…) }`
        mutation_hook = bool(mutation_calls)
        if mutation_hook:
            self.mutation_hooks.add(id(unit))
            for call in mutation_calls:  # the fetcher it wraps runs before success: the hook reports the flow
                args = call.args_text(self.doc)
                self.mutation_fns.update(m.group(1) or m.group(2) for m in _MUTATION_FN_RE.finditer(args))
        named = not (unit.is_component or unit.is_hook) or mutation_hook
        # `useSignInMutation`: "mutation" is a UI/data noun elsewhere, here it only says how the hook works
        name = _MUTATION_SUFFIX_RE.sub("", unit.name) if mutation_hook else unit.name
        selector = ""  # `$('#login-form').on('submit', …)`: the listener's target names it (helper B)
        if (not name or name in _DOM_EVENT_PROPS) and named and self._client_kinds:
            outer = unit.parent
            if not name and outer is not None and outer.body == unit.node and not (outer.is_component or outer.is_hook):
                name = outer.name  # a thunk: `register = (name, email) => async (dispatch) => {…}` is register
            else:
                name = selector = self._selector_name(unit)
        name_pad = self._padded(name, for_name=True) if named else ""
        # `/subscriptions/:id/cancel` names a cancellation like `/subscriptions/cancel`: parameters say nothing
        full_route = self._full_route(unit)
        route_pad = self._padded(_ROUTE_PARAM_RE.sub("", full_route), for_name=True)
        deletes_self = (  # `DELETE /users/me`: the REST way to close one's own account, whatever the handler's name
            unit.route_method == "DELETE"
            and vocab.delete_self_route_re is not None
            and vocab.delete_self_route_re.search(full_route) is not None
        )
        requests = self._url_requests(unit) if name_pad or unit.handler else []
        url_pad = "".join(padded for padded, _ in requests)
        any_name = vocab.any_name_re
        if any_name is not None:  # most functions name no flow at all: one regex instead of one per kind
            name_pad = name_pad if _names_a_flow(any_name, name_pad) else ""
            route_pad = route_pad if _names_a_flow(any_name, route_pad) else ""
            url_pad = url_pad if _names_a_flow(any_name, url_pad) else ""
        if not strong and not name_pad and not route_pad and not url_pad and len(traits) < 2 and not deletes_self:
            return []
        out: list[_Candidate] = []
        name_toks, route_toks, url_toks = set(name_pad.split()), set(route_pad.split()), set(url_pad.split())
        unit_toks = set(tokens(unit.name)) | set(tokens(unit.route_path or "")) if len(traits) > 1 else set()
        for kind, kv in vocab.kinds.items():
            negative = kv.negative
            name_hit = kv.matches_name(name_pad)
            write: Call | None = None  # a write request making the name credible (helper B)
            sup = support.get(kind, [])
            if not sup and kv.state_re is not None and (name_pad or route_pad):
                state = self._state_support(unit, kv.state_re)
                sup = [state] if state is not None else sup
            if not name_hit and sup:
                name_hit = kv.matches_support_name(name_pad)
            if name_hit and not negative.isdisjoint(name_toks):
                name_hit = None
            route_hit = kv.matches_name(route_pad)
            if route_pad and not route_hit and sup:
                route_hit = kv.matches_route_extra(route_pad)
            if route_hit and not negative.isdisjoint(route_toks - vocab.route_ui_words):
                route_hit = None
            self_delete = deletes_self and kind == FlowKind.ACCOUNT_DELETED and self._does_something(unit)
            url_hit = kv.matches_name(url_pad)
            if url_hit and not negative.isdisjoint(url_toks):
                url_hit = None
            # `cancel() { axios.post('/subscription/cancel') }`: a billing URL written to is the flow anywhere (H8)
            url_handler = bool(url_hit) and (
                unit.handler or (kind.value in self._write_kinds and self._write_request(unit) is not None)
            )
            hits = strong.get(kind, [])
            shape = self._shape(kv, traits, unit_toks)
            if (
                not hits
                and not name_hit
                and not route_hit
                and not url_handler
                and shape is None
                and not self_delete
            ):
                continue
            evidence: list[str] = []
            score = 0.0
            if hits:
                score = max(rule.confidence for _, rule in hits)
                evidence.extend(f"calls {c.dotted}" for c, _ in hits[:3])
            if name_hit:
                evidence.append(f"name '{name if selector else unit.name or name}' says {name_hit}")
                score = max(score, scores.get("name_only", 0.5))
                if (unit.handler or mutation_hook) and not selector and self._does_something(unit):
                    score = max(score, scores.get("name_and_handler", 0.65))
                if url_hit:
                    score = max(score, scores.get("name_and_url", 0.7))
                elif (
                    (kind.value in self._client_kinds or kind.value in self._write_kinds)
                    and not (url_pad and any(k.matches_name(url_pad) for k in vocab.kinds.values()))
                    and (write := self._write_request(unit))
                ):  # a URL naming another flow (`login()` posting to /logout) is that flow's
                    evidence.append(f"sends a write request ({write.dotted})")  # the Angular service's register()
                    score = max(score, scores.get("name_and_url", 0.7))
                if route_hit and self._does_something(unit):  # `@Post('login') login() { return 'abc' }` is a stub
                    score = max(score, scores.get("name_and_route", 0.75))
                if sup:
                    score = max(score, scores.get("name_and_support", 0.85))
            if route_hit:
                evidence.append(f"route {unit.route_method or ''} {full_route}".replace("  ", " "))
                if self._does_something(unit):  # a stub that only logs and redirects is no flow
                    score = max(score, scores.get("route_only", 0.6))
                if sup:
                    score = max(score, scores.get("route_and_support", 0.8))
            if self_delete:
                evidence.append(f"route DELETE {full_route} deletes the caller's own account")
                score = max(score, scores.get("delete_self_route", 0.75))
            if url_handler:
                evidence.append(f"requests a {url_hit} URL")
                score = max(score, scores.get("name_and_handler", 0.65))
            if shape is not None:  # hashes a password and inserts a user row: a signup whatever its name
                evidence.append(f"calls {' and '.join(c.dotted for c in shape)}")
                score = max(score, scores.get("shape", 0.7))
            if sup and (name_hit or route_hit):
                verb = (
                    "calls" if id(sup[-1]) not in self._state_calls else "clears" if kind == FlowKind.LOGOUT else "sets"
                )
                evidence.append(f"{verb} {sup[-1].dotted}")
            if unit.route_method == "GET" and not hits:
                score -= scores.get("get_route_penalty", 0.2)
            if score + 1e-9 < vocab.threshold:
                continue
            if not hits and not sup and shape is None and self._passes_on(unit):
                continue  # `verifyAccessToken(req, res, next)`: a guard checks a login, it completes none (helper B)
            if (
                not hits
                and not sup
                and shape is None
                and kv.text_negative is not None
                and kv.text_negative.search(self.doc.node_text(unit.node))
            ):
                continue  # POST /signup that adds an email to a Mailchimp list: a newsletter, not an account
            anchor, rule = hits[-1] if hits else (None, None)
            if anchor is None and sup and (name_hit or route_hit):
                anchor = sup[-1]
            if anchor is None and shape is not None:
                anchor = max(shape, key=lambda call: call.node.end_byte)
            if anchor is None and url_hit:
                anchor = next((call for padded, call in reversed(requests) if kv.matches_name(padded)), None)
            success = None
            if anchor is None and write is not None and name_hit:
                anchor, success = write, self._request_success(write.node)
            if anchor is not None and anchor in unit.middleware:
                anchor = None  # passport.authenticate before the handler: success is the handler's start
            client = bool(self._client_kinds & {kind.value} or self._write_kinds & {kind.value})
            client = client and anchor is not None and id(anchor) not in self._state_calls
            if success is None and client and anchor is not None:  # `login(…).subscribe({ next: (user) => {…} })`
                success = self._request_success(anchor.node)
            candidate = _Candidate(
                unit, kind, round(min(score, 1.0), 2), evidence, anchor, rule, bool(hits), bool(name_hit)
            )
            candidate.starts_only = bool(hits) and all(not r.identify for _, r in hits)
            candidate.handoff = success  # the request's success callback (`.subscribe(res => {…})`)
            candidate.posts_form = write is not None
            if kind in _LOGIN_KINDS and not hits and not sup and anchor is None and self._placeholder(unit):
                candidate.starts_only = True  # `setItem('userToken', 'abc')`: a docs placeholder, nobody to identify
            out.append(candidate)
        return _call_beats_name(out)

    def _state_support(self, unit: Unit, state_re: re.Pattern[str]) -> Call | None:
        """The statement writing the signed-in state (`ctx.session.user = …`, `set({ token: null })`) as a pseudo call:
        it supports the unit's name like a call would, and the capture goes after it."""
        body = unit.body
        if body is None:
            return None
        text = self.doc.data[body.start_byte : body.end_byte].decode("utf-8", "replace")
        m = state_re.search(text)
        if m is None:
            return None
        at = body.start_byte + len(text[: m.start()].encode("utf-8"))
        node = self.doc.root.descendant_for_byte_range(at, at + max(1, len(m.group(0).encode("utf-8"))))
        if node is None:
            return None
        written = m.group(0).removeprefix("del").split("=", 1)[0].split(":", 1)[0].strip().rstrip("[").strip()
        call = Call(node, dotted_name(written) or written, written)
        self._state_calls.add(id(call))
        return call

    def _declared_candidates(self, unit: Unit) -> list[_Candidate]:
        """Flows a function is registered for rather than named after: a Django / allauth signal receiver
        (`@receiver(user_signed_up)`, `user_logged_in.connect(fn)`), a typed webhook event parameter
        (`event: Stripe.CustomerSubscriptionDeletedEvent`, dispatched from another file's `case`), or an auth
        library's lifecycle hook (`NextAuth({ events: { createUser } })`)."""
        vocab, doc = self.vocab, self.doc
        found: dict[FlowKind, str] = {}
        if self._receivers:
            parent = unit.node.parent
            if parent is not None and parent.type == "decorated_definition":
                for dec in parent.named_children:
                    text = doc.node_text(dec) if dec.type == "decorator" else ""
                    if "receiver(" in text:
                        for name in re.findall(r"\b(\w+)\b", text.split("sender", 1)[0]):
                            if name in vocab.signals:
                                found.setdefault(vocab.signals[name], f"receives signal '{name}'")
            if unit.name and unit.parent is None:
                for signal, fn in self._connected:
                    if fn == unit.name and signal in vocab.signals:
                        found.setdefault(vocab.signals[signal], f"receives signal '{signal}'")
        params = None
        if self._webhook_words:
            params = unit.node.child_by_field_name("parameters") or unit.node.child_by_field_name("parameter")
        params_text = doc.node_text(params) if params is not None else ""
        if params is not None and vocab.webhook_type_re is not None and "Event" in params_text:
            for m in vocab.webhook_type_re.finditer(params_text):
                kind = vocab.webhook_types.get(m.group(1))
                if kind is not None:
                    found.setdefault(kind, f"takes a {m.group(0)}")
        if params is not None and ('"' in params_text or "'" in params_text):
            for s in unit.strings:  # `data: SWHMap["customer.subscription.deleted"]`
                raw = doc.data[s.start_byte + 1 : s.end_byte - 1]
                if params.start_byte <= s.start_byte < params.end_byte and raw in vocab.webhook_bytes:
                    found.setdefault(vocab.webhooks[raw.decode()], f"takes a '{raw.decode()}' event")
        for hook in vocab.hooks if unit.name and self._hook_containers else ():
            kind = hook.methods.get(unit.name) or hook.methods.get(unit.symbol.rsplit(".", 1)[-1])  # `Form.save`
            containers = (self._container(unit.node), *class_bases.of_method(doc, unit.node))  # allauth: a base class
            if kind is None or hook.container not in containers:
                continue
            if hook.requires_import is None or hook.requires_import.search(doc.text):
                found.setdefault(kind, f"is the '{hook.container}.{unit.symbol.rsplit('.', 1)[-1]}' hook")
        score = vocab.scores.get("declared", 0.85)
        return [_Candidate(unit, kind, score, [why], strong=True) for kind, why in found.items()]

    def _container(self, fn: Node) -> str:
        """The property an object method sits under: `events` for `{ events: { async signIn() {} } }`."""
        node = fn.parent if fn.parent is not None and fn.parent.type == "pair" else fn
        obj = node.parent
        pair = obj.parent if obj is not None and obj.type == "object" else None
        key = pair.child_by_field_name("key") if pair is not None and pair.type == "pair" else None
        return string_value(self.doc.node_text(key)) if key is not None else ""

    @staticmethod
    def _shape(kv: KindVocabulary, traits: dict[str, Call], name_toks: set[str]) -> list[Call] | None:
        """The calls of a complete shape of this kind (`bcrypt.hash` + `user.create`), unless the name rules it out."""
        if len(traits) < 2 or not kv.shapes or not kv.shape_negative.isdisjoint(name_toks):
            return None
        for shape in kv.shapes:
            if shape.issubset(traits):
                return [traits[t] for t in sorted(shape)]
        return None

    def _reference_candidates(self, unit: Unit) -> list[_Candidate]:
        """`<button onClick={signOut}>`: the library function itself is the handler."""
        out = []
        for attr, ref in unit.references:
            if not attr.startswith("on") or ref.dotted.removeprefix("this.") in self.local_names:
                continue  # formAction={login}, onClick={localFn}: the flow is reported where it is defined
            for rule in self._rules(ref):
                if rule.role == "strong" and rule.confidence >= self.vocab.threshold:
                    symbol = f"{unit.symbol}.{attr}" if attr else unit.symbol
                    evidence = [f"{attr or 'handler'} is {ref.dotted}", "handler reference: wrap it to add a capture"]
                    candidate = _Candidate(unit, rule.kind, rule.confidence, evidence, ref, rule, True, symbol=symbol)
                    candidate.reference = True
                    candidate.starts_only = not rule.identify
                    out.append(candidate)
                    break
        return out

    # --- auth triggers and browser requests named for a flow (helper B: client-side detector, session 4) ---------

    def _file_triggers(self) -> list[Trigger]:
        """The `[[triggers]]` this document may register: its import is there and so is a callee's last segment."""
        text = self.doc.text
        return [
            t
            for t in self.vocab.triggers
            if any(c.rsplit(".", 1)[-1] + "(" in text for c in t.callees)
            and (t.requires_import is None or t.requires_import.search(text) is not None)
        ]

    def _trigger_candidates(self, unit: Unit) -> list[_Candidate]:
        """A function an auth service runs once the flow happened (`functions.auth.user().onCreate((user) => …)`):
        that flow at the function's end, with the user's id read from its first parameter (`user.uid`)."""
        args = unit.node.parent
        call = args.parent if args is not None and args.type == "arguments" else None
        callee = call.child_by_field_name("function") if call is not None else None
        if unit.body is None:
            return []
        if callee is None:  # `functions.auth.user().onCreate(createProfile)` with `function createProfile(user)` here
            registered = self._registered_triggers().get(unit.name) if unit.parent is None and unit.name else None
            return self._triggered(unit, registered) if registered else []
        return self._triggered(unit, dotted_name(self.doc.node_text(callee)))

    def _registered_triggers(self) -> dict[str, str]:
        """This file's functions passed by name to a trigger: function name → the trigger's dotted callee."""
        if self._trigger_refs is None:
            lasts = "|".join(re.escape(c.rsplit(".", 1)[-1]) for t in self._triggers for c in t.callees)
            pattern = rf"((?:[\w$]+(?:\([^()]*\))?\.)*(?:{lasts}))\(\s*([A-Za-z_$][\w$]*)\s*\)"
            self._trigger_refs = {m.group(2): dotted_name(m.group(1)) for m in re.finditer(pattern, self.doc.text)}
        return self._trigger_refs

    def _triggered(self, unit: Unit, dotted: str) -> list[_Candidate]:
        for trigger in self._triggers:
            if not any(dotted == c or dotted.endswith("." + c) for c in trigger.callees):
                continue
            if not self._does_something(unit):
                return []  # `onCreate((user) => {})`: a stub
            candidate = _Candidate(unit, trigger.kind, self.vocab.scores.get("declared", 0.85), [f"runs on {dotted}"])
            candidate.strong = True
            if trigger.user_id and unit.params:
                candidate.handoff_user = trigger.user_id.replace("{0}", unit.params[0])
            return [candidate]
        return []

    def _bare_request_path(self, s: Node) -> bool:
        """`s` is a bare path (`'login'`) given first to a call that can only be a request (`useApi('login')`,
        `api.post('register')`; not `params.get('login')`: `client_handoff.getters` are lookups too)."""
        args = s.parent
        if args is None or args.type != "arguments" or s.type != "string" or s.end_byte - s.start_byte > 62:
            return False
        first = next((a for a in args.named_children if a.type != "comment"), None)
        call = args.parent
        callee = call.child_by_field_name("function") if call is not None and first == s else None
        if callee is None:
            return False
        last = self.doc.node_text(callee).rsplit(".", 1)[-1]
        getters = self.vocab.user_id.get("client_handoff", {}).get("getters", ())
        if not self._is_request(last) or last in getters:
            return False
        return _PATH_PART_RE.fullmatch(string_value(self.doc.node_text(s))) is not None

    def _concatenated_url(self, s: Node) -> Node | None:
        """The outermost `+` chain holding the string `s` (`this.baseUrl + '/users'`), None when it is in none."""
        top = None
        cur = s.parent
        while cur is not None and cur.type == "binary_expression" and s.end_byte - s.start_byte <= 200:
            op = cur.child_by_field_name("operator")
            if op is None or op.type != "+":
                return None
            top, cur = cur, cur.parent
        return top

    def _is_request(self, last: str) -> bool:
        """`last` (a callee's last segment) sends a request: a known client, or in JS an app helper shaped like one
        (`fetchPost`, `apiDelete`: [client_requests] wrapper_re)."""
        if last in self.vocab.request_callees:
            return True
        wrapper = _compiled(self.vocab.client_requests.get("wrapper_re", "")) if self.doc.language != "python" else None
        return wrapper is not None and wrapper.match(last) is not None

    def _write_request(self, unit: Unit) -> Call | None:
        """The unit's first request that writes (`this.http.post(…)`, `fetch(url, { method: 'POST' })`), outside server
        code ([client_requests]); None when there is none."""
        key = id(unit)
        if key in self._writes:
            return self._writes[key]
        found = None
        if not self._certainly_server(unit):
            conf = self.vocab.client_requests
            writes, method_re = frozenset(conf.get("callees", [])), _compiled(conf.get("method_re", ""))
            for call in unit.calls:
                last = call.dotted.rsplit(".", 1)[-1]
                if not self._is_request(last):
                    continue
                if last in writes or (last not in self.vocab.request_callees and _WRITE_WORD_RE.search(last)):
                    args = call.node.child_by_field_name("arguments")
                    routes = self.vocab.route_register_re.match(call.dotted) is not None
                    if routes and args is not None and any(a.type in _FUNCTION_ARGS for a in args.named_children):
                        continue  # `app.post('/x', handler)` registers a route
                    found = call
                    break
                if method_re is not None and method_re.search(call.args_text(self.doc)):
                    found = call
                    break
        self._writes[key] = found
        return found

    def _posts_param(self, unit: Unit, name: str, c: _Candidate) -> bool:
        """`name` is a parameter of this browser login / signup that it sends in a request (`http.post(url, user)`): the
        submitted form, which has no id yet."""
        if name not in unit.params or c.kind not in _LOGIN_KINDS or not self._client_kinds:
            return False
        if self._certainly_server(unit) or self._side(unit) != "client":
            return False  # a server `signup(user: Users)` saving the entity it is given: its id is set by the save
        if c.posts_form:
            return True
        word = re.compile(rf"(?<![\w$.]){re.escape(name)}\b")
        return any(  # a request, or any awaited call (`await fetchAuth(user)`): it is sent, not handed on
            (call.dotted.rsplit(".", 1)[-1] in self.vocab.request_callees or _awaited(call.node))
            and word.search(call.args_text(self.doc))
            for call in unit.calls
        )

    def _placeholder(self, unit: Unit) -> bool:
        """The body only stores literal values (`AsyncStorage.setItem('userToken', 'abc')`) besides navigating: a
        placeholder sign-in from a tutorial, with no user to identify ([client_requests] placeholder_*)."""
        conf, body = self.vocab.client_requests, unit.body
        stores, literal = frozenset(conf.get("placeholder_callees", ())), _compiled(conf.get("placeholder_args_re", ""))
        if body is None or literal is None or not self._client_kinds:
            return False
        found = False
        for call in unit.calls:
            last = call.dotted.rsplit(".", 1)[-1]
            if call.node.start_byte < body.start_byte or self.vocab.passive_callee_re.match(call.dotted):
                continue
            if last in stores and literal.search(call.args_text(self.doc)):
                found = True
            elif not self.vocab.is_exit_callee(call.dotted) and last not in ("navigate", "replace", "push", "reset"):
                return False
        return found

    def _passes_on(self, unit: Unit) -> bool:
        """Express-style middleware: `(req, res, next)` with no route of its own, calling `next()` to let the request
        through (a guard); a login controller answers instead."""
        if unit.route_path or len(unit.params) < 3 or unit.params[2] != "next" or self.doc.language == "python":
            return False
        return _NEXT_CALL_RE.search(self.doc.node_text(unit.node)) is not None

    def _certainly_server(self, unit: Unit) -> bool:
        """Server code for sure: a route handler / server action, or a server file by its route or imports (a file on
        the server only by its folder, `services/auth.js`, may be a browser API client)."""
        u: Unit | None = unit
        while u is not None:
            if u.server:
                return True
            u = u.parent
        if self._server_file is None:
            imports = self.vocab.side.get("server_imports")
            self._server_file = self.file_side == "server" and (
                any(p.search(self.path) for p in self.vocab.file_route_res)
                or ".server." in self.path
                or (imports is not None and imports.search(self.doc.text) is not None)
            )
        return self._server_file

    def _request_success(self, request: Node) -> insertion.Insertion | None:
        """The start of the request's success callback: chained (`.subscribe(res => {…})`, `.then`, `.done`,
        `.pipe(tap(…))`, `.subscribe({ next })`) or jQuery's own (`$.post(url, data, function (res) {…})`)."""
        names = frozenset(self.vocab.client_requests.get("success_callbacks", []))
        callee = request.child_by_field_name("function")
        if callee is not None and self.doc.node_text(callee).split(".", 1)[0] in ("$", "jQuery"):
            args = request.child_by_field_name("arguments")
            for i, arg in enumerate(args.named_children if args is not None else ()):
                body = self._callback_body(arg, "success") if i or arg.type == "object" else None
                if body is not None:  # `$.post(url, data, function (res) {…})`, `$.ajax({ success(res) {…} })`
                    return insertion.at_start(self.doc, body, self.vocab)
        node = request
        for _ in range(6):  # `post(…).pipe(map(…), tap(…)).subscribe(…)`
            member = node.parent
            chained = member.parent if member is not None else None
            if member is None or member.type != "member_expression" or chained is None:
                return None
            if chained.type != "call_expression":
                return None
            prop = member.child_by_field_name("property")
            method = self.doc.node_text(prop) if prop is not None else ""
            args = chained.child_by_field_name("arguments")
            items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            if method == "pipe":  # `.pipe(tap((res) => {…}))`
                items = [
                    op_args.named_children[0]
                    for a in items
                    if a.type == "call_expression"
                    and (op := a.child_by_field_name("function")) is not None
                    and self.doc.node_text(op) in names
                    and (op_args := a.child_by_field_name("arguments")) is not None
                    and op_args.named_child_count
                ]
            if method in names or method == "pipe":
                body = self._callback_body(items[0], "next") if items else None
                if body is not None:
                    return insertion.at_start(self.doc, body, self.vocab)
            node = chained
        return None

    def _callback_body(self, arg: Node, key: str) -> Node | None:
        """The block body of a callback argument (or of its `key:` in an options object), if it has statements."""
        fn: Node | None = arg
        if arg.type == "object":
            fn = None
            for pair in arg.named_children:
                k = pair.child_by_field_name("key") if pair.type == "pair" else None
                k = pair.child_by_field_name("name") if pair.type == "method_definition" else k
                if k is not None and self.doc.node_text(k) == key:
                    fn = pair.child_by_field_name("value") if pair.type == "pair" else pair
                    break
        if fn is None or fn.type not in (*_FUNCTION_ARGS, "method_definition"):
            return None
        body = fn.child_by_field_name("body")
        stmts = insertion.statements(body) if body is not None and body.type == "statement_block" else []
        # `.done(() => { go('/') })` on one line has no line to insert before inside it
        return body if body is not None and stmts and stmts[0].start_point[0] > body.start_point[0] else None

    def _selector_name(self, unit: Unit) -> str:
        """The words of an anonymous listener's target, less UI nouns: `$('#login-form').on('submit', fn)`,
        `$('#signup-form').submit(fn)`, `loginForm.addEventListener('submit', fn)` → "login" / "signup"."""
        args = unit.node.parent
        conf = self.vocab.client_requests
        left = args.child_by_field_name("left") if args is not None and args.type == "assignment_expression" else None
        if left is not None and left.type == "member_expression":  # `loginForm.onsubmit = (e) => …`
            prop, target = left.child_by_field_name("property"), left.child_by_field_name("object")
            if prop is None or target is None or self.doc.node_text(prop) not in _DOM_EVENT_PROPS:
                return ""
            text = self.doc.node_text(target)
        else:
            call = args.parent if args is not None and args.type == "arguments" else None
            callee = call.child_by_field_name("function") if call is not None else None
            if callee is None or callee.type != "member_expression" or args is None:
                return ""
            prop, target = callee.child_by_field_name("property"), callee.child_by_field_name("object")
            if prop is None or target is None or self.doc.node_text(prop) not in conf.get("listener_calls", ()):
                return ""
            text = self.doc.node_text(target)
            items = [a for a in args.named_children if a.type != "comment"]
            if len(items) > 2 and items[1].type == "string" and items[2] == unit.node:  # `.on('submit', '#login', fn)`
                text = self.doc.node_text(items[1])
        if len(text) > 80:
            return ""
        # `$('#login-form')`, `getElementById('loginForm')`, `$('form[name="signup"]')`, `loginForm`: their words
        ignore = frozenset(conf.get("selector_ignore", ()))
        words = [w for w in _tokens(_NON_WORD_RE.sub(" ", text)) if w not in ignore]
        return "_".join(words)

    def _route_actions(self, units: list[Unit]) -> None:
        """React Router data-router actions live anywhere (`export async function action({ request })`,
        `SignUpAction = async ({ request }: ActionFunctionArgs) => …`): handlers, never components. In a file without
        JSX (`.ts`, or a `.js` with no tag) a PascalCase function is no component either."""
        conf = self.vocab.client_requests
        names = frozenset(conf.get("route_action_names", ()))
        typed = _compiled(conf.get("route_action_params_re", ""))
        source, language = self.doc.text, self.doc.language
        tagless = language == "javascript" and not self.path.endswith(".jsx") and "</" not in source
        no_jsx = "createElement" not in source and "/>" not in source and (language == "typescript" or tagless)
        for unit in units:
            if not (unit.is_component or (unit.name in names and not unit.handler)):
                continue
            params = unit.node.child_by_field_name("parameters") or unit.node.child_by_field_name("parameter")
            text = self.doc.node_text(params) if params is not None else ""
            if typed is not None and typed.search(text) and (unit.name in names or unit.is_component):
                unit.handler, unit.is_component = True, False
            elif unit.is_component and no_jsx and not any(_HOOK_CALL_RE.match(c.dotted) for c in unit.calls):
                unit.is_component = False  # (one calling hooks is a component, or wraps `useMutation` like a hook)

    def _composables(self, units: list[Unit]) -> None:
        """Vue / Nuxt composables (`export const useLogin = async (form) => …` in `composables/`) and `async use…`
        functions are plain functions, not React hooks: their names count ([client_requests] composable_file_re)."""
        hooks = [u for u in units if u.is_hook]
        if not hooks:
            return
        pattern = _compiled(self.vocab.client_requests.get("composable_file_re", ""))
        vue = pattern is not None and pattern.search(self.path + "\n" + self.doc.text) is not None
        for unit in hooks:
            if any(c.dotted.rsplit(".", 1)[-1] in self.vocab.mutation_hooks for c in unit.calls):
                continue  # `useLogin = () => useMutation({ onSuccess })`: the mutation hook rule reads it
            if vue or self.doc.node_text(unit.node).startswith("async"):
                unit.is_hook = False

    def _handler_callee_candidates(self, unit: Unit) -> list[_Candidate]:
        """A handler calling a function this file does not define whose name says the flow (`await signUpApi(values)`,
        `dispatch(registerAction(data))`): that flow after the call, like a request to a URL naming it."""
        body = unit.body
        if not unit.handler or unit.is_component or body is None or not unit.calls or self._certainly_server(unit):
            return []
        conf, vocab = self.vocab.client_requests, self.vocab
        strip, veto = frozenset(conf.get("callee_strip", ())), frozenset(conf.get("callee_veto", ()))
        out: dict[FlowKind, _Candidate] = {}
        for call in unit.calls:
            last = call.dotted.rsplit(".", 1)[-1]
            if call.node.start_byte < body.start_byte or last in self.local_names:
                continue
            if vocab.passive_callee_re.match(call.dotted):
                continue
            if "." in call.dotted:
                continue  # `persistence.register(…)`: a method of something else; `authApi.register` has its rule
            all_words = _tokens(last)
            words = [t for t in all_words if t not in strip]
            if len(words) == len(all_words):
                continue  # a bare `register(…)` / `register_once(…)`: only `signUpApi`, `loginRequest` say "a call"
            if not words or not veto.isdisjoint(words) or any(t in vocab.ignore_name_tokens for t in words):
                continue
            padded = " " + " ".join(words) + " "
            if vocab.any_name_re is not None and not _names_a_flow(vocab.any_name_re, padded):
                continue
            if self._rules(call):
                continue  # `loginUser(…)`, `authApi.register(…)`: a library call, scored with the unit's own evidence
            for kind in (FlowKind(k) for k in self._client_kinds if k in FlowKind.__members__.values()):
                kv = vocab.kinds[kind]
                hit = kv.matches_name(padded)
                if not hit or kind in out or not kv.negative.isdisjoint(words):
                    continue
                if not self._in_error_path(call.node, unit.node):
                    score, evidence = vocab.scores.get("name_and_handler", 0.65), [f"calls {call.dotted} (says {hit})"]
                    out[kind] = _Candidate(unit, kind, score, evidence, call)
        return list(out.values())

    # --- browser logins handing the user on (helper: client-side detector) ----------------------------------------

    def _handoff_candidates(self, candidates: list[_Candidate], by_name: dict[str, Unit]) -> list[_Candidate]:
        """Browser logins / signups whose success is the call handing the user on after a request to a login or
        signup URL (`setUser(data.user)` after `fetch('/api/login')`): identify goes right there (`handoff.py`)."""
        conf = handoff.config(self.vocab) if self.doc.language != "python" else None
        if conf is None:
            return []
        existing: dict[int, list[_Candidate]] = {}
        for c in candidates:
            if c.kind in _LOGIN_KINDS and c.branch_block is None and not c.reference:
                existing.setdefault(id(c.unit), []).append(c)
        out: list[_Candidate] = []
        for c in candidates:  # `useLogin = () => useMutation({ onSuccess: (res) => setUser(res.data.user) })`
            if c.kind in _LOGIN_KINDS and id(c.unit) in self.mutation_hooks and c.anchor_rule is None:
                for child in self.units:
                    if child.parent is c.unit and child.name in self.vocab.success_callbacks:
                        handed = handoff.in_success_callback(self.doc, conf, child, self.units, by_name)
                        if handed is not None:
                            c.handoff_user = handoff.user_id(self.doc, self.vocab, handed[0])
                            c.evidence.append(f"hands the user to {handed[1]}")
                        break
        for unit in self.units:
            if unit.negative or unit.is_component or unit.is_hook or self._side(unit) != "client":
                continue
            olds = existing.get(id(unit), [])
            names_auth, request = self._auth_kinds, None
            if any(c.posts_form for c in olds):  # `register(user) { this.http.post(this.url + '/users', …) }`
                names_auth = _any_url
                written = self._writes.get(id(unit))
                request = written.node if written is not None else None
            found = handoff.find(self.doc, self.vocab, conf, unit, self.units, by_name, names_auth, request)
            if found is None:
                continue
            if any(c.starts_only or (c.anchor_rule and c.anchor and c.anchor.node != found.call) for c in olds):
                continue  # a library call (`signInWithPassword`) already says where success is and who the user is
            kinds = self._auth_kinds(found.urls) or {c.kind for c in olds if c.posts_form}
            kind = FlowKind.LOGIN if FlowKind.LOGIN in kinds else FlowKind.SIGNUP  # either way the user is signed in
            target = found.target
            expr = found.user_expr or (target.params[0] if target is not None and target.params else None)
            if expr is None:
                continue
            user = handoff.user_id(self.doc, self.vocab, expr)
            url = next((u for u in found.urls if kind in self._auth_kinds((u,))), found.urls[0])
            evidence = [f"requests a {kind.value} URL ('{url}')", f"hands the user to {found.callee}"]
            if target is None and olds:
                for c in olds:
                    c.handoff, c.handoff_user = found.insertion, user
                    c.evidence.append(evidence[-1])
                continue
            anchor = Call(found.call, found.callee, found.callee) if target is None else None
            score = self.vocab.scores.get("name_and_url", 0.7)
            owner = target or unit
            candidate = _Candidate(owner, kind, score, evidence if target is None else [*evidence, f"in {unit.symbol}"])
            candidate.anchor, candidate.handoff, candidate.handoff_user = anchor, found.insertion, user
            out.append(candidate)
        return out

    def _body_variants(self, candidates: list[_Candidate]) -> None:
        """Flows found by name / route / support calls whose body says more: a login step leaving a second factor
        pending only starts the login (`pending_re`); a reset storing the new password completes it (`variant_re`)."""
        for c in candidates:
            kv = self.vocab.kinds.get(c.kind)
            body = c.unit.body
            if kv is None or body is None or c.anchor_rule is not None or c.branch_block is not None:
                continue
            if kv.pending_re is not None and not c.starts_only and c.handoff_user is None:  # a user handed on: done
                named = f"{c.unit.name} {c.unit.route_path or ''}"
                if not kv.pending_re.search(named) and self._unconditional_match(kv.pending_re, body):
                    c.starts_only, c.variant = True, kv.pending_event
                    c.evidence.append("a second factor is still pending: the login completes after it")
                    continue
            if kv.variant_re is not None and kv.variant and kv.variant_re.search(self.doc.node_text(body)):
                c.variant = kv.variant

    def _unconditional_match(self, pattern: re.Pattern[str], body: Node) -> bool:
        """`pattern` matches only code of `body` that runs on every call: none of its matches is in an `if`, a ternary
        or a catch (`if (mfaRequired) return …` means the other path completes the login)."""
        text = self.doc.data[body.start_byte : body.end_byte].decode("utf-8", "replace")
        found = False
        for m in pattern.finditer(text):
            at = body.start_byte + len(text[: m.start()].encode("utf-8"))
            node = self.doc.root.descendant_for_byte_range(at, at + 1)
            while node is not None and node != body and node.type not in _CONDITIONAL_PARTS:
                node = node.parent
            if node != body:
                return False
            found = True
        return found

    def _auth_kinds(self, urls: Sequence[str]) -> set[FlowKind]:
        """The login / signup kinds some URL names (`/api/auth/login` → login)."""
        out: set[FlowKind] = set()
        for url in urls:
            padded = " " + " ".join(_tokens(url.split("?", 1)[0])) + " "
            for kind in _LOGIN_KINDS:
                kv = self.vocab.kinds.get(kind)
                if kv is not None and kv.matches_name(padded) and kv.negative.isdisjoint(padded.split()):
                    out.add(kind)
        return out

    @staticmethod
    def _in_error_path(node: Node, stop: Node) -> bool:
        cur = node.parent
        while cur is not None and cur != stop:
            if cur.type in ("catch_clause", "except_clause"):
                return True
            cur = cur.parent
        return False

    def _does_something(self, unit: Unit) -> bool:
        """Some call in the body beyond UI state and response building (`setShowLogin(true)`, `render(...)`);
        decorators and parameters (`@Post('login') login(@Body() dto) {}`) do not count."""
        body = unit.body
        calls = unit.calls if body is None else [c for c in unit.calls if body.start_byte <= c.node.start_byte]
        if any(not self.vocab.passive_callee_re.match(c.dotted) for c in (*unit.middleware, *calls)):
            return True
        request = [p for p in unit.params if p not in ("self", "cls")][:1]  # `(req, res)`, `def view(request)`
        serves = bool(unit.route_path) or bool(request and request[0] in self.vocab.view_params)
        return serves and body is not None and self._writes_state(body)

    def _writes_state(self, body: Node) -> bool:
        """A route handler that stores something (`user["plan"] = plan`, `req.user.plan = plan`, `del USERS[k]`)
        does something even without a call; writes to the response (`response.status_code = 201`) do not."""
        stack = list(body.named_children)
        while stack:
            node = stack.pop()
            kind = node.type
            if kind in _NESTED_FUNCTIONS:
                continue
            if kind == "delete_statement" or (kind == "unary_expression" and node.children[0].type == "delete"):
                return True
            if kind in _ASSIGNMENTS:
                left = node.child_by_field_name("left")
                if left is not None and left.type in _STORED_TARGETS:
                    target = dotted_name(_SUBSCRIPT_RE.sub("", self.doc.node_text(left)))
                    if not self.vocab.passive_callee_re.match(target):
                        return True
            stack.extend(node.named_children)
        return False

    def _webhook_candidates(self, unit: Unit, by_name: dict[str, Unit]) -> list[_Candidate]:
        vocab, doc = self.vocab, self.doc
        out: dict[FlowKind, _Candidate] = {}
        literals = ((s, doc.data[s.start_byte + 1 : s.end_byte - 1]) for s in unit.strings)
        found = [(s, raw.decode()) for s, raw in literals if raw in vocab.webhook_bytes]
        found += webhook_enums.members(doc, unit, vocab.webhooks)  # `case EventName.SubscriptionCreated:` (helper C)
        for s, event_type in found:
            kind = vocab.webhooks[event_type]
            for refined_type, file_re, refined in vocab.webhook_refinements:  # a Checkout that starts a subscription
                if refined_type == event_type and file_re.search(doc.text):
                    kind = refined
                    break
            if kind in out:
                continue
            target = self._branch(s, by_name, unit)
            if target is None:
                continue
            owner, branch_node, stmts, block = target
            out[kind] = _Candidate(
                owner,
                kind,
                vocab.scores.get("webhook", 0.9),
                [f"handles webhook '{event_type}'"],
                strong=True,
                branch=stmts,
                branch_block=block,
                branch_node=branch_node,
            )
        return list(out.values())

    # --- webhooks dispatched through a map (helper: server flows) ------------------------------------------------

    def _map_dispatch_candidates(self, units: list[Unit], by_name: dict[str, Unit]) -> list[_Candidate]:
        """`EVENTS = {"invoice.paid": "payment_succeeded", …}` read with the event's type (`EVENTS.get(hook["type"])`,
        `EVENTS[event.type]`): one flow per kind in the function reading it, at its end. No statement there runs for
        one type only, so each flow carries `only_when` (the type expression and this kind's types) for a guard.
        Maps whose values are this file's functions are dispatch tables, reported in those functions."""
        doc, vocab = self.doc, self.vocab
        maps: dict[str, dict[FlowKind, list[str]]] = {}
        out: list[_Candidate] = []
        routes = self.routes
        for handler, event_type in route_refs.webhook_handlers(units, routes) if routes is not None else ():
            out.append(self._map_handler_candidate(handler, event_type))  # a map in another file dispatches to it
        delegated = routes.webhooks_delegated if routes is not None else frozenset()
        for m in _webhook_literal_re(vocab.webhook_bytes).finditer(doc.data):
            node = doc.root.descendant_for_byte_range(m.start(), m.end())
            while node is not None and node.type != "string" and node.end_byte - node.start_byte <= m.end() - m.start():
                node = node.parent
            pair = node.parent if node is not None else None
            if pair is None or pair.type != "pair" or pair.child_by_field_name("key") != node:
                continue
            value = pair.child_by_field_name("value")
            if value is None:
                continue
            handler = self._map_value_unit(value, by_name)  # `HANDLERS = {"invoice.paid": on_paid}`: on_paid handles it
            if handler is not None:
                if handler.body is not None and not handler.negative:
                    out.append(self._map_handler_candidate(handler, m.group(1).decode()))
                continue
            if m.group(1).decode() in delegated:  # an imported handler, reported in its own file (route_refs.py)
                continue
            holder = pair.parent.parent if pair.parent is not None else None
            while holder is not None and holder.type in _MAP_WRAPPERS:
                holder = holder.parent
            name = None
            if holder is not None and holder.type in ("assignment", "variable_declarator", "assignment_expression"):
                target = holder.child_by_field_name("left") or holder.child_by_field_name("name")
                name = doc.node_text(target) if target is not None and target.type == "identifier" else None
            if name:
                event_type = m.group(1).decode()
                maps.setdefault(name, {}).setdefault(vocab.webhooks[event_type], []).append(event_type)
        for name, kinds in maps.items():
            for m in re.finditer(rb"(?<![\w$.])" + re.escape(name.encode()) + rb"\s*(?:\.get\s*\(|\[)", doc.data):
                subject = self._map_key(doc.root.descendant_for_byte_range(m.start(), m.start() + len(name)))
                owner = min(
                    (u for u in units if u.start <= m.start() < u.node.end_byte),
                    key=lambda u: u.node.end_byte - u.start,
                    default=None,
                )
                if subject is None or owner is None or owner.negative:
                    continue
                for kind, types in kinds.items():
                    evidence = [f"dispatches webhook '{types[0]}' through {name}"]
                    candidate = _Candidate(owner, kind, vocab.scores.get("webhook", 0.9), evidence, strong=True)
                    candidate.only_when = (subject, tuple(types))
                    out.append(candidate)
        return out

    def _map_value_unit(self, value: Node, by_name: dict[str, Unit]) -> Unit | None:
        """This file's function a webhook map sends a type to: `on_paid`, or an inline `async (event) => {…}`."""
        if value.type == "identifier":
            return by_name.get(self.doc.node_text(value))
        if value.type in ("arrow_function", "function_expression", "function", "lambda"):
            return next((u for u in self.units if u.node.start_byte == value.start_byte and u.node.end_byte ==
                         value.end_byte and u.body is not None), None)
        return None

    def _map_handler_candidate(self, handler: Unit, event_type: str) -> _Candidate:
        """The function a webhook map dispatches `event_type` to is that type's flow, inserted in its body."""
        vocab = self.vocab
        evidence = [f"handles webhook '{event_type}'"]
        score = vocab.scores.get("webhook", 0.9)
        candidate = _Candidate(handler, vocab.webhooks[event_type], score, evidence, strong=True)
        if handler.body is not None:
            candidate.branch, candidate.branch_block = insertion.statements(handler.body), handler.body
        candidate.branch_node = handler.node
        return candidate

    def _full_route(self, unit: Unit) -> str:
        """The route with its Python router's prefix: `@router.post("/cancel")` under
        `router = APIRouter(prefix="/subscription")` is `/subscription/cancel`."""
        route = unit.route_path or ""
        pattern = self.vocab.router_prefix_re
        if not route or pattern is None or self.doc.language != "python" or "prefix" not in self.doc.text:
            return route
        if self._prefixes is None:
            self._prefixes = {name: prefix for name, prefix in pattern.findall(self.doc.text)}
        outer = unit.node.parent
        for dec in outer.named_children if outer is not None and outer.type == "decorated_definition" else ():
            m = _DECORATOR_OWNER_RE.match(self.doc.node_text(dec))
            if m is not None and m.group(1) in self._prefixes:
                return self._prefixes[m.group(1)].rstrip("/") + "/" + route.lstrip("/")
        return route

    def _callee_word_candidates(self, unit: Unit) -> list[_Candidate]:
        """A POST/DELETE handler calling the app's own service named for a flow (`subscriptionService.cancel(…)`,
        `billing.start_checkout(user)`): the callee's words, without generic nouns, read like a name."""
        conf, vocab = self.vocab.callee_words, self.vocab
        request = [p for p in unit.params if p not in ("self", "cls")][:1]
        serves = bool(unit.route_path) or bool(request and request[0] in vocab.view_params)
        if not serves or unit.route_method == "GET" or unit.body is None or unit.is_component:
            return []
        data, types = self.doc.data, vocab.webhook_bytes
        if self._webhook_words and any(data[s.start_byte + 1 : s.end_byte - 1] in types for s in unit.strings):
            return []  # a webhook handler: its branches say which event happened, its calls only react to it
        kinds = {FlowKind(k) for k in conf.get("kinds", []) if k in FlowKind.__members__.values()}
        ignore = frozenset(conf.get("ignore", []))
        out: dict[FlowKind, _Candidate] = {}
        for call in unit.calls:
            dotted = call.dotted.removeprefix("this.").removeprefix("self.")
            if call.node.start_byte < unit.body.start_byte:
                continue
            if "." not in dotted and not route_refs.imports_name(self.doc.text, dotted):
                continue  # a bare `cancel_subscription()` defined in this file is reported where it is defined
            obj, last = dotted.rsplit(".", 2)[-2:] if "." in dotted else ("", dotted)  # imported: `upgradePlan()`
            words = [t for t in (*_tokens(obj), *_tokens(last)) if t not in ignore]
            if not words or any(t in vocab.ignore_name_tokens for t in words):
                continue
            padded = " " + " ".join(words) + " "
            if vocab.any_name_re is not None and not _names_a_flow(vocab.any_name_re, padded):
                continue
            for kind in kinds:
                kv = vocab.kinds[kind]
                hit = kv.matches_name(padded)
                if not hit or kind in out or not kv.negative.isdisjoint(words):
                    continue
                if set(hit.split()).isdisjoint(_tokens(last)):
                    continue  # `db.purchase.create` records a purchase: the method must say the flow too
                if self._in_error_path(call.node, unit.node):
                    continue
                evidence = [f"calls {call.dotted} (says {hit})"]
                out[kind] = _Candidate(unit, kind, vocab.scores.get("callee_words", 0.7), evidence, call)
        return list(out.values())

    def _status_check_candidates(self, unit: Unit) -> list[_Candidate]:
        """`session = stripe.checkout.Session.retrieve(id)` … `if session.payment_status == "paid":` — the payment
        succeeded in that branch (a success page that does not wait for the webhook)."""
        out: list[_Candidate] = []
        body = unit.body
        if body is None or not unit.calls:  # no source call to check (most functions): keystroke-perf helper
            return out
        for check in self.vocab.status_checks:
            lasts = {s.rsplit(".", 1)[-1] for s in check.sources}
            source = next(
                (
                    c
                    for c in unit.calls
                    if c.dotted.rsplit(".", 1)[-1] in lasts
                    and any(c.dotted == s or c.dotted.endswith("." + s) for s in check.sources)
                ),
                None,
            )
            if source is None or body is None:
                continue
            stack = list(body.named_children)
            while stack:
                node = stack.pop()
                if node.type in _NESTED_FUNCTIONS:
                    continue
                stack.extend(node.named_children)
                condition = node.child_by_field_name("condition") if node.type == "if_statement" else None
                block = node.child_by_field_name("consequence") if condition is not None else None
                if block is None or node.start_byte < source.node.end_byte:
                    continue
                m = check.condition_re.search(self.doc.node_text(condition))
                if m is None:
                    continue
                stmts = insertion.statements(block) if block.type in ("statement_block", "block") else [block]
                evidence = [f"calls {source.dotted}", f"checks {m.group(0)}"]
                score = self.vocab.scores.get("status_check", 0.8)
                candidate = _Candidate(unit, check.kind, score, evidence, source, strong=True)
                candidate.branch, candidate.branch_block, candidate.branch_node = stmts, block, node
                out.append(candidate)
                break
        return out

    def _map_key(self, ident: Node | None) -> str | None:
        """The key expression of `NAME.get(key)` / `NAME[key]` (`webhook["type"]`), None for a literal key."""
        parent = ident.parent if ident is not None else None
        key = None
        if parent is not None and parent.type in ("subscript", "subscript_expression"):
            key = parent.child_by_field_name("subscript") or parent.child_by_field_name("index")
        elif parent is not None and parent.type in ("attribute", "member_expression") and parent.parent is not None:
            args = parent.parent.child_by_field_name("arguments")
            key = args.named_children[0] if args is not None and args.named_child_count else None
        if key is None or key.type in ("string", "number", "integer", "template_string"):
            return None
        text = self.doc.node_text(key)
        return text if "\n" not in text and len(text) <= 80 else None

    def _branch(self, s: Node, by_name: dict[str, Unit], unit: Unit) -> tuple[Unit, Node, list[Node], Node] | None:
        """The statements run when the event type equals the literal `s`, and the unit they belong to."""
        doc = self.doc
        p = s.parent
        if p is None:
            return None
        if p.type == "switch_case":
            case = p
            while case is not None:
                value = case.child_by_field_name("value")
                stmts = [c for c in case.named_children if c.type != "comment" and c != value]
                if stmts:
                    return unit, p, stmts, case
                case = case.next_named_sibling
            return None
        if p.type in ("pair", "dictionary"):
            value = p.child_by_field_name("value")
            if value is not None and value.type == "identifier" and (target := by_name.get(doc.node_text(value))):
                body = target.body
                return target, target.node, insertion.statements(body), body
            return None
        cur, hops = s, 0
        while cur.parent is not None and hops < 6:
            cur, hops = cur.parent, hops + 1
            if cur.type == "case_pattern" or cur.type == "case_clause":
                clause = cur if cur.type == "case_clause" else cur.parent
                if clause is None:
                    return None
                block = clause.child_by_field_name("consequence") or clause.named_children[-1]
                return unit, clause, insertion.statements(block), block
            if cur.type in ("if_statement", "elif_clause"):
                cond = cur.child_by_field_name("condition")
                block = cur.child_by_field_name("consequence")
                if cond is None or block is None or not (cond.start_byte <= s.start_byte < cond.end_byte):
                    return None
                stmts = insertion.statements(block) if block.type in ("statement_block", "block") else [block]
                return unit, cur, stmts, block
            if cur.type not in _CONDITION_PARTS:
                return None
        return None

    # --- deduplication -------------------------------------------------------------------------------------

    def _dedupe(self, candidates: list[_Candidate], units: list[Unit]) -> list[_Candidate]:
        by_unit: dict[int, list[_Candidate]] = {}
        for c in candidates:
            by_unit.setdefault(id(c.unit), []).append(c)
        flow_names = {(c.unit.name, c.kind) for c in candidates if c.strong and c.unit.name}
        kept: list[_Candidate] = []
        seen: set[tuple[int, FlowKind, str | None]] = set()
        for c in candidates:
            key = (id(c.unit), c.kind, c.symbol)
            if key in seen:
                continue
            same_unit = [o for o in by_unit[id(c.unit)] if o.symbol == c.symbol]
            yields = self.vocab.kinds[c.kind].yields_to
            if (
                yields
                and not c.name_hit
                and any(o.kind in yields and not _exclusive(c, o) for o in same_unit if o is not c)
            ):
                continue
            if self._inner_has(c, candidates) or self._branch_delegates(c, candidates):
                continue
            if self._hook_reports(c, candidates):
                continue
            if c.anchor is not None and c.anchor_rule is not None and "." not in c.anchor.dotted.removeprefix("this."):
                callee = c.anchor.dotted.removeprefix("this.")
                if (callee, c.kind) in flow_names and callee != c.unit.name:
                    continue  # `login(email, pw)` calling this file's own login(): reported there
            seen.add(key)
            kept.append(c)
        return kept

    @staticmethod
    def _credit_delegates(candidates: list[_Candidate]) -> None:
        """`case 'subscription_created': await handleSubscriptionCreated(event)`: the helper reports the flow (see
        `_branch_delegates`) with the branch's evidence and confidence, not only its name's (helper C)."""
        branches = [c for c in candidates if c.branch_block is not None and c.strong]
        for c in branches:
            block = c.branch_block
            called = {
                call.dotted.removeprefix("this.")
                for call in c.unit.calls
                if block is not None and block.start_byte <= call.node.start_byte < block.end_byte
            }
            for o in candidates:
                why = f"called when it {c.evidence[0]}" if c.evidence else "called from a webhook"
                if o.kind == c.kind and o.branch_block is None and not o.strong and o.unit.name in called:
                    o.score = max(o.score, c.score)
                    o.evidence += [why] if why not in o.evidence else []

    def _hook_reports(self, c: _Candidate, candidates: list[_Candidate]) -> bool:
        """`useMutation(fetchLogin, { onSuccess })`: success is the hook's onSuccess, not the fetcher's request."""
        if c.strong or c.unit.name not in self.mutation_fns or id(c.unit) in self.mutation_hooks:
            return False
        return any(id(o.unit) in self.mutation_hooks and o.kind == c.kind for o in candidates)

    @staticmethod
    def _branch_delegates(c: _Candidate, candidates: list[_Candidate]) -> bool:
        """`if (type === 'user.deleted') return deleteUser(data)` where this file's deleteUser is itself reported."""
        block = c.branch_block
        if block is None:
            return False
        called = {
            call.dotted.removeprefix("this.")
            for call in c.unit.calls
            if block.start_byte <= call.node.start_byte < block.end_byte
        }
        return any(
            o is not c and o.kind == c.kind and o.branch_block is None and o.unit.name in called and o.unit.name
            for o in candidates
        )

    @staticmethod
    def _inner_has(c: _Candidate, candidates: list[_Candidate]) -> bool:
        """A nested function reports this kind more precisely: c has only a name, or the nested function is the
        callback of c's own anchoring call (`passport.authenticate('local', (err, user) => { req.logIn… })`)."""
        for other in candidates:
            if other is c or other.kind != c.kind or other.branch_block is not None or c.branch_block is not None:
                continue
            u = other.unit.parent
            while u is not None and u is not c.unit:
                u = u.parent
            if u is None:
                continue
            if not c.strong:
                return True
            anchor = c.anchor.node if c.anchor is not None else None
            if other.strong and anchor is not None and anchor.start_byte <= other.unit.start < anchor.end_byte:
                return True
        return False

    # --- the Flow ------------------------------------------------------------------------------------------

    def _flow(self, c: _Candidate) -> Flow:
        doc, vocab, unit = self.doc, self.vocab, c.unit
        if c.handoff is not None:
            ins = c.handoff
            span_node = unit.node
        elif c.branch_block is not None:
            ins = insertion.in_branch(doc, c.branch, vocab, c.branch_block)
            span_node = c.branch_node or unit.node
        elif c.reference and c.anchor is not None:
            node = c.anchor.node
            ins = insertion.Insertion(node.start_point[0], insertion.indent_of(doc, node), doc.span(node), node)
            span_node = unit.node
        elif (success := self._success_callback(unit)) is not None:
            ins = insertion.at_start(doc, success, vocab)
            span_node = unit.node
        elif c.anchor is not None:
            strong = c.anchor_rule is not None and c.anchor_rule.role == "strong"  # a library call: a promise in JS
            ins = insertion.after_call(doc, c.anchor.node, unit.node, vocab, promise=strong)
            span_node = unit.node
        else:
            ins = insertion.at_end(doc, unit.node, unit.body, vocab)
            span_node = unit.node
        side = self._side(unit)
        scope = doc.span(span_node) if c.branch_block is not None else doc.span(unit.node)
        fn_span = doc.span(unit.node)
        user_id = c.handoff_user or user_ids.resolve(
            doc, vocab, unit, c.kind, c.anchor, c.anchor_rule, ins, span_node, self.lines
        )
        if not c.handoff_user and user_id and self._posts_param(unit, re.split(r"[.?\[]", user_id)[0], c):
            user_id = None  # `register(user)` posts the form it is given: no id there yet (helper B)
        bound = None if user_id else user_ids.bind_result(doc, unit, c.anchor, c.anchor_rule, c.kind)
        user_id, binding = bound if bound else (user_id, None)
        evidence = list(c.evidence)
        if ins.note:
            evidence.append(ins.note)
        return Flow(
            path=self.path,
            symbol=c.symbol or self._symbol(unit),
            kind=c.kind,
            span=doc.span(span_node),
            insert_line=ins.line,
            insert_indent=ins.indent,
            event=vocab.event_for(c.kind, c.variant or (c.anchor_rule.event if c.anchor_rule else None)),
            confidence=c.score,
            side=side,
            anchor=ins.anchor,
            user_id_expr=user_id,
            user_id_binding=binding,
            needs_identify=c.kind in _LOGIN_KINDS and not c.starts_only,
            identify_present=self._has(fn_span, _IDENTIFY_KINDS)
            or self._captures_as_user(fn_span)
            or (c.kind in _LOGIN_KINDS and self._identified_elsewhere(unit)),
            needs_reset=c.kind == FlowKind.LOGOUT and side == "client",
            reset_present=self._has(fn_span, {"reset"}),
            tracked=self._has(scope, {"capture"}) or route_refs.tracked_by_callee(unit, self.routes),  # (helper H10)
            evidence=tuple(evidence),
            only_when=c.only_when,
            also_insert=ins.also,
        )

    def _symbol(self, unit: Unit) -> str:
        """What the user sees for the unit: a file-routed `export default defineEventHandler(…)` is its route file
        (`server/api/auth/login.post.ts`), an anonymous listener its target and event (`signupForm submit`)."""
        parent = unit.node.parent
        if unit.symbol == "default" and unit.route_path and (parent is None or parent.type != "pair"):
            return self.path  # SvelteKit's `actions = { default: … }` keeps its action name
        u: Unit | None = unit
        while u is not None and u.symbol == "<anonymous>":  # `.then(cb)` inside the listener: name the listener
            listener = self._listener_name(u.node)
            if listener:
                return listener
            u = u.parent
        return unit.symbol

    def _listener_name(self, fn: Node) -> str:
        """`form.addEventListener('submit', fn)` → "form submit"; "" when `fn` is not a listener."""
        args = fn.parent
        call = args.parent if args is not None and args.type == "arguments" else None
        callee = call.child_by_field_name("function") if call is not None else None
        if callee is None or callee.type != "member_expression" or args is None:
            return ""
        prop, target = callee.child_by_field_name("property"), callee.child_by_field_name("object")
        first = args.named_children[0] if args.named_child_count else None
        method = self.doc.node_text(prop) if prop is not None else ""
        if method in _SHORTHAND_EVENTS and first == fn and target is not None:  # jQuery `$('#signup').submit(fn)`
            event = method
        elif prop is None or target is None or first is None or method not in _LISTENER_CALLS:
            return ""
        else:
            event = string_value(self.doc.node_text(first)) if first.type == "string" else ""
        where = self.doc.node_text(target)
        where = where if len(where) <= 40 and "\n" not in where else where.split("(", 1)[0][:40]
        return f"{where} {event}".strip() if event else ""

    def _success_callback(self, unit: Unit) -> Node | None:
        """The block body of `onSuccess: (…) => {…}` inside a mutation hook."""
        if id(unit) not in self.mutation_hooks:
            return None
        for child in self.units:
            body = child.body
            if child.parent is unit and child.name in self.vocab.success_callbacks and body is not None:
                return body if body.type == "statement_block" else None
        return None

    def _cleanup(self, c: _Candidate) -> bool:
        anchor = c.anchor.node if c.anchor is not None and not c.reference and c.branch_block is None else None
        return cleanup_path(self.doc, c.kind, c.name_hit, anchor, self.vocab) is not None

    def _identified_elsewhere(self, unit: Unit) -> bool:
        """S4-15 (identify_scope.py): an identify outside the flow's own function covers it only from a global identify
        place (auth-state listener, provider, signal receiver, middleware: here or in the package) or a same-file
        function it calls or that calls it, not from another login's function."""
        if self.package is not None and (
            self.package.posthog.has_identify or called_identifier(unit, self.package.posthog.identify_functions)
        ):
            return True
        if self._global_identify is None:
            self._global_identify = global_identify(self.doc, self.calls)
        return self._global_identify or identified_nearby(unit, self.units, self.calls) is not None

    def _captures_as_user(self, span: Span) -> bool:
        """posthog-python has no identify(): a capture sent with `distinct_id=` is what ties the user to the person."""
        if self.doc.language != "python":
            return False
        start, end = (span.start_line, span.start_col), (span.end_line, span.end_col)
        return any(
            call.kind == "capture" and "distinct_id=" in call.text
            and start <= (call.span.start_line, call.span.start_col) < end
            for call in self.calls
        )

    def _has(self, span: Span, kinds: set[str] | frozenset[str]) -> bool:
        start, end = (span.start_line, span.start_col), (span.end_line, span.end_col)
        for call in self.calls:
            if call.kind in kinds and start <= (call.span.start_line, call.span.start_col) < end:
                return True
        return False

    # --- side ----------------------------------------------------------------------------------------------

    def _file_side(self) -> Side:
        doc, side, path = self.doc, self.vocab.side, self.path
        if doc.language == "python":
            return "server"
        if _directive_first(doc, side.get("client_directive", "use client")):
            return "client"
        if _directive_first(doc, side.get("server_directive", "use server")):
            return "server"
        component = _compiled(side.get("client_file_re", ""))
        if component is not None and component.search(path):  # a Svelte / Vue component's script runs in the browser
            return "client"
        for pattern in self.vocab.file_route_res:
            if pattern.search(path):
                return "server"
        if path.endswith((".server.ts", ".server.js", ".server.tsx")):
            return "server"
        client_imports, server_imports = side.get("client_imports"), side.get("server_imports")
        server_import = server_imports is not None and bool(server_imports.search(doc.text))
        client_import = client_imports is not None and bool(client_imports.search(doc.text))
        if client_import and (not server_import or path.endswith((".tsx", ".jsx"))):
            return "client"
        if server_import:
            return "server"
        client_text = _compiled(side.get("client_text_re", ""))
        if client_text is not None and client_text.search(doc.text):  # `localStorage`, `$('#login-form')` (helper B)
            return "client"
        static = _compiled(side.get("static_paths_re", ""))
        if static is not None and static.search(path):  # `public/js/login.js`: served to the browser as it is
            return "client"
        composables = _compiled(self.vocab.client_requests.get("composable_file_re", ""))
        if composables is not None and composables.search(path):  # Nuxt `composables/useAuth.ts` (auto-imports)
            return "client"
        if side.get("server_paths") is not None and side["server_paths"].search(path):
            return "server"
        framework = self.package.framework if self.package is not None else ""
        if side.get("client_paths") is not None and side["client_paths"].search(path):
            return "server" if framework in frameworks_with("server_default") else "client"
        if framework in frameworks_with("client_default"):  # a React SPA: frameworks.toml says so
            return "client"
        return "server"

    def _side(self, unit: Unit) -> Side:
        u: Unit | None = unit
        while u is not None:
            if u.server:
                return "server"
            u = u.parent
        return self.file_side


# --- performance (helper A): memos of pure string functions; the same names come back on every keystroke -------


@lru_cache(maxsize=16384)
def _tokens(name: str) -> tuple[str, ...]:
    return tokens(name)


_name_memo: tuple[re.Pattern[str] | None, dict[str, bool]] = (None, {})  # for one pattern (hashing one is slow)


def _names_a_flow(pattern: re.Pattern[str], padded: str) -> bool:
    """`pattern.search(padded)` (a big alternation: ~6 µs a name) as a bool."""
    global _name_memo
    held, memo = _name_memo
    if held is not pattern:
        held, memo = _name_memo = (pattern, {})
    hit = memo.get(padded)
    if hit is None:
        if len(memo) >= 16384:
            memo.clear()
        hit = memo[padded] = pattern.search(padded) is not None
    return hit


@lru_cache(maxsize=64)
def _without_boundary(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` less a leading `\\b`, which keeps `re` from skipping ahead to its literal prefix (60 KB: 2.7 ms)."""
    return re.compile(pattern.pattern[2:], pattern.flags) if pattern.pattern.startswith("\\b") else None


_padded_held: tuple[Vocabulary | None, dict[tuple[str, bool], str]] = (None, {})


def _padded_memo(vocab: Vocabulary) -> dict[tuple[str, bool], str]:
    """`_Detector._padded` results for one vocabulary (its ignored name tokens decide them)."""
    global _padded_held
    held, memo = _padded_held
    if held is not vocab:
        held, memo = _padded_held = (vocab, {})
    return memo


def _search(pattern: re.Pattern[str], text: str) -> bool:
    """`pattern.search(text) is not None`, faster for patterns starting with `\\b` (keystroke-perf helper)."""
    weak = _without_boundary(pattern)
    if weak is None:
        return pattern.search(text) is not None
    pos = 0
    while (m := weak.search(text, pos)) is not None:  # every match of `pattern` starts where `weak` matches
        if pattern.match(text, m.start()):
            return True
        pos = m.start() + 1
    return False


def _map_handlers_decide(candidates: list[_Candidate], mapped: list[_Candidate]) -> list[_Candidate]:
    """A function a webhook map dispatches to is its types' flows only: `onCheckout` handling
    `checkout.session.completed` is a payment, not a checkout started by its name."""
    handled: dict[int, set[FlowKind]] = {}
    for c in mapped:
        if c.only_when is None:
            handled.setdefault(id(c.unit), set()).add(c.kind)
    kept = [c for c in candidates if c.strong or c.kind in handled.get(id(c.unit), (c.kind,))]
    return kept + mapped


_MAP_WRAPPERS = frozenset({"as_expression", "satisfies_expression", "parenthesized_expression", "type_assertion"})
_FUNCTION_ARGS = ("arrow_function", "function_expression", "function")
_HOOK_CALL_RE = re.compile(r"(?:React\.)?use[A-Z]")  # `useNavigate()`, `React.useState()`
_NEXT_CALL_RE = re.compile(r"(?<![\w$.])next\(\s*\)")  # a middleware letting the request through
_DOM_EVENT_PROPS = frozenset({"onsubmit", "onclick"})  # `form.onsubmit = fn`: the form names the flow
_PATH_PART_RE = re.compile(r"/?[\w-]+(?:/[\w-]+)*/?")  # `'signin'` in `API_URL + 'signin'`
_WRITE_WORD_RE = re.compile(r"(?i)post|put|patch|delete")  # the method word of a request helper (`fetchPost`)


def _awaited(call: Node) -> bool:
    parent = call.parent
    return parent is not None and parent.type == "await_expression"


def _any_url(urls: Sequence[str]) -> set[FlowKind]:
    """For a function named for a login / signup: whatever its request's URL says, it is that flow's."""
    return {FlowKind.SIGNUP} if urls else set()
_NON_WORD_RE = re.compile(r"[^\w$]+")


def _call_beats_name(found: list[_Candidate]) -> list[_Candidate]:
    """A `signup()` whose only auth call is `signOut()` logs out: a flow found by the name alone yields to a library
    call of the opposite auth kind in the same function (signing in or up vs signing out)."""
    called = {c.kind for c in found if c.strong}
    if not called:
        return found

    def contradicted(c: _Candidate) -> bool:
        if c.strong or not c.name_hit or len(c.evidence) != 1:
            return False
        return bool(called & {FlowKind.LOGOUT}) if c.kind in _LOGIN_KINDS else (
            c.kind == FlowKind.LOGOUT and bool(called & _LOGIN_KINDS)
        )

    return [c for c in found if not contradicted(c)]


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """A vocabulary regex kept as text in its section ([client_requests] method_re), compiled once."""
    try:
        return re.compile(pattern) if pattern else None
    except re.error:
        return None
_webhook_literal_memo: tuple[frozenset[bytes] | None, re.Pattern[bytes] | None] = (None, None)


def _webhook_literal_re(types: frozenset[bytes]) -> re.Pattern[bytes]:
    """A quoted webhook event type (`"invoice.paid"`, group 1 the type), compiled once per vocabulary."""
    global _webhook_literal_memo
    held, pattern = _webhook_literal_memo
    if held is not types or pattern is None:
        alternation = b"|".join(re.escape(t) for t in sorted(types, key=len, reverse=True)) or b"(?!)"
        pattern = re.compile(rb"""['"`](""" + alternation + rb""")['"`]""")
        _webhook_literal_memo = (types, pattern)
    return pattern


def _exclusive(a: _Candidate, b: _Candidate) -> bool:
    """The two anchors sit in different arms of one condition (`isSignUp ? signUp() : signIn()`)."""
    if a.anchor is None or b.anchor is None:
        return False
    x, y = a.anchor.node, b.anchor.node
    cur = x.parent
    while cur is not None and not (cur.start_byte <= y.start_byte and y.end_byte <= cur.end_byte):
        cur = cur.parent
    return cur is not None and cur.type in ("ternary_expression", "conditional_expression", "if_statement")


def _directive_first(doc: ParsedDocument, directive: str) -> bool:
    root = doc.root  # the first three statements, without listing all of them (keystroke-perf helper)
    for child in [root.named_child(i) for i in range(min(3, root.named_child_count))]:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count == 1:
            inner = child.named_children[0]
            return inner.type == "string" and string_value(doc.node_text(inner)) == directive
        return False
    return False
