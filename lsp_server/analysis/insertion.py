"""Where a capture goes: right after the statement that makes a flow's success certain.

Rules (what the user sees in the inserted code):
- after the anchoring statement, skipping the `if (error) { return … }` guards that follow it; a positive test
  that returns the result (`if (passwordsMatch) return user;`) is the success path: inside it, before the return;
- at a handler's end, before its final return or the statement sending its response (`res.json(…)`, `ctx.body =`);
- before it when it returns, throws or navigates away (`return`, `redirect()`, `router.push`, …); when it returns
  the anchoring call's pending promise (`return auth.signIn(...)`), in a `.then` on it (the planner adds it);
- inside a `.then(cb)` / callback argument's body when success is reported there;
- in a webhook branch: before its trailing `break`/`return`, else at the branch end;
- with no anchoring call, in a view that ends by rendering its form again: inside the form-submitted branch
  (`if form.validate_on_submit(): … return redirect(…)`), not on the GET path;
- after the commit that follows an ORM call that only stages a change (`db.session.add(user)` then
  `db.session.commit()`): the new row's id exists only once it has run;
- before a server call that ends the session or deletes the user (`logout(request)`, `logout_user()`,
  `req.logout(cb)`, `req.session.destroy()`, `request.user.delete()`), while the user's id can still be read.
  The browser's `reset()` still follows `signOut()` (the planner puts it after the capture).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tree_sitter import Node

from .functions import dotted_name
from .model import Span
from .parsing import ParsedDocument
from .vocabulary import Vocabulary

BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default", "block", "module"})
_EXITS = frozenset({"return_statement", "throw_statement", "raise_statement", "break_statement", "continue_statement"})
_FUNCTIONS = frozenset(
    {
        "arrow_function",
        "function_expression",
        "function_declaration",
        "method_definition",
        "function_definition",
        "generator_function_declaration",
        "lambda",
    }
)


@dataclass(frozen=True, slots=True)
class Insertion:
    line: int
    indent: str
    anchor: Span | None = None
    statement: Node | None = None  # the statement the insertion follows or precedes
    note: str | None = None
    also: tuple[tuple[int, str], ...] = ()  # (line, indent) of sibling success branches that get the same calls


def indent_of(doc: ParsedDocument, node: Node) -> str:
    """The leading whitespace of the line `node` starts on."""
    data = doc.data
    start = data.rfind(b"\n", 0, node.start_byte) + 1
    end = start
    while end < len(data) and data[end] in b" \t":
        end += 1
    return data[start:end].decode("utf-8", "replace")


def _indent_unit(doc: ParsedDocument) -> str:
    return "    " if doc.language == "python" else "  "


def statements(block: Node | None) -> list[Node]:
    if block is None:
        return []
    return [c for c in block.named_children if c.type != "comment"]


def _unwrap(node: Node) -> Node:
    while node.type in ("await_expression", "parenthesized_expression", "await") and node.named_child_count:
        node = node.named_children[-1]
    return node


def is_exit(doc: ParsedDocument, stmt: Node, vocab: Vocabulary) -> bool:
    """A statement that leaves the function: return/throw/raise, `redirect(...)`, `router.push(...)`, `location = …`."""
    if stmt.type in _EXITS:
        return True
    if stmt.type != "expression_statement" or not stmt.named_child_count:
        return False
    expr = _unwrap(stmt.named_children[0])
    if expr.type in ("call_expression", "call"):
        return vocab.is_exit_callee(dotted_name(doc.node_text(expr.child_by_field_name("function"))))
    if expr.type in ("assignment_expression", "assignment"):
        return bool(vocab.exit_assign_re.search(doc.node_text(expr.child_by_field_name("left"))))
    return False


def responds(doc: ParsedDocument, stmt: Node, vocab: Vocabulary) -> bool:
    """A statement sending the handler's response without leaving it: `res.status(201).json(…)`, `reply.send(…)`,
    `ctx.body = …` (`responding_re` / `responding_assign_re` in `[user_id]`, skills/detection/flows.toml)."""
    if stmt.type != "expression_statement" or not stmt.named_child_count:
        return False
    expr = _unwrap(stmt.named_children[0])
    if expr.type in ("call_expression", "call"):
        return _callee_matches(doc, expr, vocab, "responding_re")
    if expr.type in ("assignment_expression", "assignment"):
        pattern = vocab.user_id.get("responding_assign_re", {}).get("python" if doc.language == "python" else "js")
        left = expr.child_by_field_name("left")
        return left is not None and _matches(pattern, dotted_name(doc.node_text(left)))
    return False


def _in_callee_chain(call: Node, stmt: Node) -> bool:
    """`call` is a link of the statement's outer call chain (`reply.clearCookie(…)` in `reply.clearCookie(…).send(…)`),
    not inside the response's arguments (`res.json(await User.create(…))`: there the response follows the call)."""
    outer = _unwrap(stmt.named_children[0]) if stmt.named_child_count else None
    args = outer.child_by_field_name("arguments") if outer is not None else None
    return args is not None and not (args.start_byte <= call.start_byte and call.end_byte <= args.end_byte)


def is_guard(doc: ParsedDocument, stmt: Node, vocab: Vocabulary) -> bool:
    """`if (error) { …; return }` with no else: the failure path; success continues after it."""
    if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return False
    consequence = stmt.child_by_field_name("consequence")
    if consequence is None:
        return False
    body = statements(consequence) if consequence.type in ("statement_block", "block") else [consequence]
    return bool(body) and len(body) <= 6 and is_exit(doc, body[-1], vocab) and not success_exit(doc, stmt, vocab)


def success_exit(doc: ParsedDocument, stmt: Node, vocab: Vocabulary) -> bool:
    """`if (passwordsMatch) return user;`: a positive test whose body returns a result is the success path, not
    a guard; the capture goes inside it, before that return."""
    if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return False
    condition, consequence = stmt.child_by_field_name("condition"), stmt.child_by_field_name("consequence")
    if condition is None or consequence is None:
        return False
    test = doc.node_text(condition)
    conf = vocab.user_id
    if _matches(conf.get("failure_test_re"), test) or vocab.error_condition_re.match(test):
        return False
    body = statements(consequence) if consequence.type in ("statement_block", "block") else [consequence]
    if not body or body[-1].type != "return_statement" or not conf.get("failure_result_re"):
        return False
    result = doc.node_text(body[-1]).strip().removeprefix("return")
    return not _matches(conf["failure_result_re"], result)


def _inside_success(doc: ParsedDocument, stmt: Node, vocab: Vocabulary, anchor: Node) -> Insertion:
    """Before the return of a success branch; a braceless one (`if (ok) return user;`) is anchored on its return,
    which the planner wraps in braces."""
    consequence = stmt.child_by_field_name("consequence")
    assert consequence is not None
    if consequence.type in ("statement_block", "block"):
        return _block_start(doc, consequence, vocab, anchor)
    line = consequence.start_point[0]
    return Insertion(line, indent_of(doc, stmt), doc.span(consequence), consequence, note="success branch")


def statement_of(node: Node, stop: Node | None) -> Node:
    """The statement (direct child of a block) containing `node`, not leaving `stop`."""
    cur = node
    while cur.parent is not None and cur.parent.type not in BLOCKS and cur.parent != stop:
        if cur.parent.type in _FUNCTIONS:
            return cur  # an expression-bodied arrow: the expression is the "statement"
        cur = cur.parent
    return cur


def is_error_check(doc: ParsedDocument, stmt: Node, vocab: Vocabulary) -> bool:
    """`if (error) …` / `if err:`: the failure test that follows a call."""
    if stmt.type != "if_statement":
        return False
    condition = stmt.child_by_field_name("condition")
    return condition is not None and bool(vocab.error_condition_re.match(doc.node_text(condition)))


def success_branch(stmt: Node) -> Node | None:
    """The else (or first else-if) block of an `if (error) … else …`."""
    alternative = stmt.child_by_field_name("alternative")
    while alternative is not None:
        if alternative.type in ("else_clause", "elif_clause"):
            inner = alternative.child_by_field_name("body") or alternative.child_by_field_name("consequence")
            if inner is None:
                inner = alternative.named_children[-1] if alternative.named_child_count else None
            if inner is not None and inner.type == "if_statement":
                return inner.child_by_field_name("consequence")
            return inner
        return None
    return None


def _after(doc: ParsedDocument, stmt: Node, vocab: Vocabulary) -> Insertion:
    last = stmt
    sib = stmt.next_named_sibling
    while sib is not None and (
        sib.type == "comment"
        or is_guard(doc, sib, vocab)
        or is_error_check(doc, sib, vocab)
        or success_exit(doc, sib, vocab)
    ):
        if success_exit(doc, sib, vocab):
            return _inside_success(doc, sib, vocab, stmt)
        if sib.type != "comment":
            branch = None if is_guard(doc, sib, vocab) else success_branch(sib)
            if branch is not None and branch.type in ("statement_block", "block"):
                return _with_siblings(doc, sib, branch, vocab, stmt)  # `if (error) {…} else { here }`
            last = sib
        sib = sib.next_named_sibling
    return Insertion(last.end_point[0] + 1, indent_of(doc, stmt), doc.span(stmt), stmt)


def _with_siblings(doc: ParsedDocument, chain: Node, branch: Node, vocab: Vocabulary, anchor: Node) -> Insertion:
    """The start of the success `branch` of an `if (error) … else if (a) {…} else if (b) {…}` chain, and of the later
    else-if branches doing the same thing (Supabase `signUp`: `else if (data.session)` signs the user in, `else if
    (data.user)` asks to confirm the email: both created the account)."""
    ins = _block_start(doc, branch, vocab, anchor)
    also = []
    for condition, body in _else_ifs(chain):
        later = body != branch and body.start_byte > branch.start_byte
        if not later or not _same_outcome(doc, vocab, condition, body, branch):
            continue
        other = _block_start(doc, body, vocab, anchor)
        also.append((other.line, other.indent))
    return replace(ins, also=tuple(also)) if also else ins


def _else_ifs(chain: Node) -> list[tuple[Node, Node]]:
    """(condition, body) of each `else if` / `elif` of an if statement."""
    found: list[tuple[Node, Node]] = []
    node: Node | None = chain
    while node is not None and node.type == "if_statement":
        alternatives = [c for c in node.children if c.type in ("else_clause", "elif_clause")]
        node = None
        for alternative in alternatives:
            if alternative.type == "elif_clause":  # Python: every elif is a child of the one if_statement
                condition = alternative.child_by_field_name("condition")
                body = alternative.child_by_field_name("consequence")
                if condition is not None and body is not None:
                    found.append((condition, body))
                continue
            inner = alternative.named_children[-1] if alternative.named_child_count else None
            if inner is not None and inner.type == "if_statement":  # JS: `else if` nests the next if
                condition, body = inner.child_by_field_name("condition"), inner.child_by_field_name("consequence")
                if condition is not None and body is not None:
                    found.append((condition, body))
                node = inner
    return found


def _same_outcome(doc: ParsedDocument, vocab: Vocabulary, condition: Node, body: Node, branch: Node) -> bool:
    """An else-if branch whose test reads as success and whose body makes the same calls as `branch` (the same
    `getStatusRedirect('/', 'Success!', …)`), none of them reading as a failure."""
    conf = vocab.user_id
    test = doc.node_text(condition)
    if _matches(conf.get("failure_test_re"), test) or vocab.error_condition_re.match(test.strip("() ")):
        return False
    own = branch.parent.child_by_field_name("condition") if branch.parent is not None else None
    if any(_LITERAL_TEST.search(doc.node_text(c)) for c in (condition, own) if c is not None):
        return False  # `event.type === 'a'` / `=== 'b'`: branches for different cases, however alike
    if body.type not in ("statement_block", "block") or _matches(conf.get("failure_result_re"), doc.node_text(body)):
        return False
    mine = _callees(doc, branch)
    return bool(mine) and _callees(doc, body) == mine


_LITERAL_TEST = re.compile(r"""(?:===?|!==?|\bin\b)\s*[\[(]?\s*['"`]|['"`]\s*(?:===?|!==?)""")


def _callees(doc: ParsedDocument, block: Node) -> frozenset[str]:
    """Dotted names of the calls in `block` (not inside nested functions)."""
    names, stack = set(), list(block.named_children)
    while stack:
        node = stack.pop()
        if node.type in _FUNCTIONS:
            continue
        if node.type in ("call_expression", "call"):
            callee = node.child_by_field_name("function")
            if callee is not None:
                names.add(dotted_name(doc.node_text(callee)))
        stack.extend(node.named_children)
    return frozenset(names)


def at_start(doc: ParsedDocument, block: Node, vocab: Vocabulary) -> Insertion:
    """At the start of a callback body that runs on success (`onSuccess`), after its guards."""
    return _block_start(doc, block, vocab, block)


def _block_start(doc: ParsedDocument, block: Node, vocab: Vocabulary, anchor: Node) -> Insertion:
    body = statements(block)
    i = 0
    while i < len(body) and (is_guard(doc, body[i], vocab) or is_error_check(doc, body[i], vocab)):
        branch = None if is_guard(doc, body[i], vocab) else success_branch(body[i])
        if branch is not None and branch.type in ("statement_block", "block"):
            return _with_siblings(doc, body[i], branch, vocab, anchor)
        i += 1
    if i < len(body):
        first = body[i]
        return Insertion(first.start_point[0], indent_of(doc, first), doc.span(anchor), first)
    if body:
        return Insertion(body[-1].end_point[0] + 1, indent_of(doc, body[-1]), doc.span(anchor))
    base = indent_of(doc, block)
    return Insertion(block.start_point[0] + 1, base + _indent_unit(doc), doc.span(anchor))


def _callback_block(call: Node) -> Node | None:
    """The block body of a `.then(cb)` following `call`, or of a callback passed as its last argument."""
    parent = call.parent
    if parent is not None and parent.type == "await_expression":
        parent = parent.parent
    if parent is not None and parent.type == "member_expression":
        prop = parent.child_by_field_name("property")
        outer = parent.parent
        if prop is not None and prop.text == b"then" and outer is not None and outer.type == "call_expression":
            args = outer.child_by_field_name("arguments")
            fn = args.named_children[0] if args is not None and args.named_child_count else None
            if fn is not None and fn.type in ("arrow_function", "function_expression"):
                body = fn.child_by_field_name("body")
                return body if body is not None and body.type == "statement_block" else None
    args = call.child_by_field_name("arguments")
    if args is not None and args.named_child_count:
        last = args.named_children[-1]
        if last.type in ("arrow_function", "function_expression"):
            body = last.child_by_field_name("body")
            return body if body is not None and body.type == "statement_block" else None
    return None


def ends_session(doc: ParsedDocument, call: Node, vocab: Vocabulary) -> bool:
    """`logout(request)`, `logout_user()`, `req.session.destroy()`: after it the user is anonymous (or deleted)."""
    callee = call.child_by_field_name("function")
    if callee is None:
        return False
    dotted = dotted_name(doc.node_text(callee))
    lang = "python" if doc.language == "python" else "js"
    conf = vocab.user_id
    if dotted in conf.get("ends_session", {}).get(lang, []):
        return True
    server = conf.get("ends_session_server", {})
    if dotted in server.get(lang, []) and _matches(server.get("file_re"), doc.text):
        return True  # Auth.js v5 `await signOut()` in a server action throws its redirect: nothing after it runs
    return _matches(conf.get("ends_session_re", {}).get(lang), dotted)


def throws_redirect(doc: ParsedDocument, call: Node, vocab: Vocabulary) -> bool:
    """remix-auth `authenticate('form', request, { successRedirect })` throws its success redirect: nothing after it
    runs (`[user_id] throws_redirect`)."""
    throws = vocab.user_id.get("throws_redirect", {})
    callee, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    lang = "python" if doc.language == "python" else "js"
    if callee is None or args is None or not _matches(throws.get(lang), dotted_name(doc.node_text(callee))):
        return False
    return _matches(throws.get("args_re"), doc.node_text(args))


def _matches(pattern: str | None, text: str) -> bool:
    try:
        return bool(pattern) and re.search(pattern, text) is not None
    except re.error:
        return False


def _session_end_statement(doc: ParsedDocument, stmt: Node, vocab: Vocabulary) -> bool:
    """A statement that is (or awaits) a call ending the session."""
    if stmt.type != "expression_statement" or not stmt.named_child_count:
        return False
    expr = _unwrap(stmt.named_children[0])
    return expr.type in ("call_expression", "call") and ends_session(doc, expr, vocab)


def _before(doc: ParsedDocument, stmt: Node) -> Insertion:
    return Insertion(stmt.start_point[0], indent_of(doc, stmt), doc.span(stmt), stmt, note="before the session ends")


def _callee_matches(doc: ParsedDocument, call: Node, vocab: Vocabulary, key: str) -> bool:
    """Whether the call's dotted callee matches the `[user_id]` pattern `key` for this language."""
    callee = call.child_by_field_name("function")
    pattern = vocab.user_id.get(key, {}).get("python" if doc.language == "python" else "js")
    if callee is None or not pattern:
        return False
    try:
        return re.search(pattern, dotted_name(doc.node_text(callee))) is not None
    except re.error:
        return False


def _call_of(stmt: Node) -> Node | None:
    if stmt.type != "expression_statement" or not stmt.named_child_count:
        return None
    expr = _unwrap(stmt.named_children[0])
    return expr if expr.type in ("call_expression", "call") else None


def _persisted_by(doc: ParsedDocument, stmt: Node, vocab: Vocabulary) -> Node | None:
    """`db.session.add(user)` then `db.session.commit()`: the commit (the id exists only once it has run)."""
    last = None
    sib = stmt.next_named_sibling
    while sib is not None:
        call = _call_of(sib) if sib.type != "comment" else None
        persisting = call is not None and _callee_matches(doc, call, vocab, "persisting_re")
        staging = call is not None and _callee_matches(doc, call, vocab, "staging_re")
        if sib.type != "comment" and not persisting and not staging:
            break
        last = sib if persisting else last
        sib = sib.next_named_sibling
    return last


def _returns_pending(stmt: Node, call: Node) -> bool:
    """`return auth.signInWithEmailAndPassword(...)` (JS, not awaited): the statement returns the call's promise."""
    if stmt.type != "return_statement" or call.type != "call_expression" or not stmt.named_child_count:
        return False
    value = stmt.named_children[0]
    while value.type == "parenthesized_expression" and value.named_child_count:
        value = value.named_children[0]
    return value == call


def after_call(
    doc: ParsedDocument, call: Node, unit_node: Node, vocab: Vocabulary, *, promise: bool = True
) -> Insertion:
    """Insertion for a flow anchored on `call` inside the function `unit_node`. `promise`: the call is known to return
    one (an auth library's); a returned call that may not (`return localStorage.clear()`) is captured before the
    return, unless the function is async (the planner then awaits it: awaiting a plain value is harmless)."""
    if ends_session(doc, call, vocab):
        stmt = statement_of(call, unit_node)
        if stmt.parent is not None and stmt.parent.type in BLOCKS:
            return _before(doc, stmt)  # `logout(request)`: read the user first, so the capture goes before it
    if throws_redirect(doc, call, vocab):
        stmt = statement_of(call, unit_node)
        if stmt.parent is not None and stmt.parent.type in BLOCKS:
            row = stmt.start_point[0]
            return Insertion(row, indent_of(doc, stmt), doc.span(stmt), stmt, note="before its redirect")
    block = _callback_block(call)
    if block is not None:
        return _block_start(doc, block, vocab, call)
    stmt = statement_of(call, unit_node)
    if stmt.parent is not None and stmt.parent.type in _FUNCTIONS:
        row = stmt.start_point[0]
        return Insertion(row, indent_of(doc, stmt), doc.span(stmt), stmt, note="expression-bodied arrow")
    if responds(doc, stmt, vocab) and _in_callee_chain(call, stmt):
        # `reply.clearCookie('token').send(…)`: the anchor is part of the response: before it, like a return
        return Insertion(stmt.start_point[0], indent_of(doc, stmt), doc.span(stmt), stmt)
    if is_exit(doc, stmt, vocab):
        awaitable = promise or (_is_async(unit_node) and not _callee_matches(doc, call, vocab, "synchronous_re"))
        if _returns_pending(stmt, call) and awaitable:  # `return auth.signIn(...)`: success is known once it resolves
            return Insertion(stmt.start_point[0], indent_of(doc, stmt), doc.span(call), call, note="pending promise")
        return Insertion(stmt.start_point[0], indent_of(doc, stmt), doc.span(stmt), stmt)
    if stmt.type == "if_statement":
        condition = stmt.child_by_field_name("condition")
        inside_condition = condition is not None and condition.start_byte <= call.start_byte < condition.end_byte
        consequence = stmt.child_by_field_name("consequence")
        if inside_condition and success_exit(doc, stmt, vocab):
            return _inside_success(doc, stmt, vocab, call)  # `if (await bcrypt.compare(...)) return user;`
        if inside_condition and not is_guard(doc, stmt, vocab) and consequence is not None:
            if consequence.type not in ("statement_block", "block"):
                return _after(doc, stmt, vocab)
            return _block_start(doc, consequence, vocab, call)  # `if (await bcrypt.compare(...)) { … }`
    if _callee_matches(doc, call, vocab, "staging_re"):
        committed = _persisted_by(doc, stmt, vocab)
        if committed is not None:
            after = _after(doc, committed, vocab)
            return Insertion(after.line, indent_of(doc, stmt), doc.span(stmt), committed, after.note)
    return _after(doc, stmt, vocab)


def _returning_branch(stmt: Node) -> Node | None:
    """The body of an `if` without else that ends with a return (a function ending in a throw succeeds there)."""
    if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return None
    body = stmt.child_by_field_name("consequence")
    inner = statements(body) if body is not None and body.type in ("statement_block", "block") else []
    return body if inner and inner[-1].type == "return_statement" else None


def _is_async(function: Node) -> bool:
    """`async function f()`, `async () =>`, `static async m()`."""
    return any(c.type == "async" for c in function.children[:3])


def at_end(doc: ParsedDocument, unit_node: Node, body: Node | None, vocab: Vocabulary) -> Insertion:
    """No anchoring call: before the final return/redirect of the function, else at its end."""
    if body is None:  # a route whose handler is middleware only
        row = unit_node.start_point[0]
        return Insertion(row, indent_of(doc, unit_node), None, unit_node, note="no handler body: add one to capture")
    if body.type not in ("statement_block", "block"):
        target = body
        return Insertion(target.start_point[0], indent_of(doc, target), None, target, note="expression-bodied arrow")
    stmts = statements(body)
    submitted = _submitted_branch(doc, stmts, vocab)
    if submitted is not None:  # `if form.validate_on_submit(): …; return redirect(…)`: the final return is the GET
        return in_branch(doc, statements(submitted), vocab, submitted)
    return in_branch(doc, stmts, vocab, body)


def _submitted_branch(doc: ParsedDocument, stmts: list[Node], vocab: Vocabulary) -> Node | None:
    """The body of the form-submitted `if` of a view that ends by rendering the form again, when that body exits."""
    pattern = vocab.user_id.get("submitted_re", {}).get("python" if doc.language == "python" else "js")
    if not pattern or len(stmts) < 2 or not is_exit(doc, stmts[-1], vocab):
        return None
    for stmt in reversed(stmts[:-1]):
        condition = stmt.child_by_field_name("condition") if stmt.type == "if_statement" else None
        consequence = stmt.child_by_field_name("consequence") if condition is not None else None
        if consequence is None or stmt.child_by_field_name("alternative") is not None:
            continue
        body = statements(consequence)
        try:
            submitted = re.search(pattern, doc.node_text(condition)) is not None
        except re.error:
            return None
        if submitted and body and is_exit(doc, body[-1], vocab):
            return consequence
    return None


def in_branch(doc: ParsedDocument, stmts: list[Node], vocab: Vocabulary, block: Node) -> Insertion:
    """A webhook branch / function body: before its trailing break/return, else after its last statement."""
    if len(stmts) == 1 and stmts[0].type == "statement_block":
        block, stmts = stmts[0], statements(stmts[0])
    if not stmts:
        base = indent_of(doc, block)
        return Insertion(block.start_point[0] + 1, base + _indent_unit(doc))
    last = stmts[-1]
    throws = last.type in ("throw_statement", "raise_statement") and len(stmts) > 1
    success = _returning_branch(stmts[-2]) if throws else None
    if success is not None:  # `if (user) { …; return res.json(…) } throw new Error(…)`: success is that return
        return in_branch(doc, statements(success), vocab, success)
    if is_exit(doc, last, vocab) or responds(doc, last, vocab):
        # `res.status(200).json(…); return;` / `res.json(user)` ends the handler: before the response is sent
        at = len(stmts) - 1
        if at > 0 and is_exit(doc, last, vocab) and responds(doc, stmts[at - 1], vocab):
            at -= 1
        # `logout_user(); return redirect(...)`: before the session ends, not between it and the return
        previous = stmts[at - 1] if at > 0 else None
        if previous is not None and _session_end_statement(doc, previous, vocab):
            return _before(doc, previous)
        return Insertion(stmts[at].start_point[0], indent_of(doc, stmts[at]), None, stmts[at])
    if _session_end_statement(doc, last, vocab):
        return _before(doc, last)
    body = last.child_by_field_name("body") if last.type == "try_statement" else None
    if body is not None and statements(body):  # `try { … } catch {}` ends the function: its success is the try's end
        return in_branch(doc, statements(body), vocab, body)
    return Insertion(last.end_point[0] + 1, indent_of(doc, stmts[0]), None, last)
