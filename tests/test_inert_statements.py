"""While a large file is typed in, functions whose statement can give no flow evidence are skipped by the detector's
per-function passes (analysis/inert.py) — and what the user sees is still exactly what a cold analysis gives, also
when a keystroke elsewhere (a router prefix, a signal connection) gives such a function its flow."""

from __future__ import annotations

import pytest

from lsp_server.analysis import flows
from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.inert import is_inert
from lsp_server.analysis.vocabulary import load
from tests.test_analysis_memo import FILLER, LOGIN, cold_analysis, large_document

PY_FILLER = "def helper_{i}(rows):\n    total = 0\n    for r in rows:\n        total += r * {i}\n    return total\n\n\n"
PY_FILLERS = "".join(PY_FILLER.format(i=i) for i in range(60))
QUIET_ROUTE = '@router.post("/")\ndef do_it(plan_id: int):\n    store.put_away(plan_id)\n\n\n'
QUIET_RECEIVER = "def track(sender, user, request, **kwargs):\n    audit_log.write(sender)\n\n\n"


def typed(path: str, texts: list[str]):
    """Analyse each version in turn, as the server does while the user types; the last version's analysis."""
    result = None
    for text in texts:
        result = analyze_document(path, text)
        assert result == cold_analysis(path, text), text
    return result


def versions(text: str, n: int = 3) -> list[str]:
    """`text` with `n` keystrokes typed in a comment at its end (the statements above stay as they are)."""
    comment = "\n# " if text.lstrip().startswith(("from", "import", "def")) else "\n// "
    return [text + comment + "x" * i for i in range(1, n + 1)]


def kinds(analysis) -> list[tuple[str, str]]:
    return [(f.kind.value, f.symbol) for f in analysis.flows]


def test_statements_without_flow_words_callees_or_webhook_types_are_inert():
    vocab = load()
    assert is_inert(FILLER.format(i=3), "app/login/actions.ts", vocab)
    assert is_inert(QUIET_RECEIVER, "app/signals.py", vocab)
    assert not is_inert(LOGIN, "app/login/actions.ts", vocab)  # a name and a library call
    assert not is_inert("function f() { return x.signInWithPassword(a) }", "lib/a.ts", vocab)  # a callee
    assert not is_inert("function f(e) { if (e.type === 'invoice.paid') go() }", "lib/a.ts", vocab)  # a webhook type
    # `export default function (req, res)` is named by its file: pages/api/login.ts is a login
    quiet = "export default function (req, res) { res.end() }"
    assert is_inert(quiet, "pages/api/helpers.ts", vocab)
    assert not is_inert(quiet, "pages/api/login.ts", vocab)


def test_a_keystroke_in_a_large_file_evaluates_only_the_functions_that_can_be_flows(monkeypatch: pytest.MonkeyPatch):
    path = "app/login/actions.ts"
    texts = versions(large_document(), 4)
    evaluated: list[str] = []
    original = flows._Detector._unit_candidates

    def counting(self, unit):
        evaluated.append(unit.name)
        return original(self, unit)

    monkeypatch.setattr(flows._Detector, "_unit_candidates", counting)
    typed(path, texts[:3])  # a statement's functions are remembered once it was seen unchanged twice
    evaluated.clear()
    last = analyze_document(path, texts[3])
    assert kinds(last) == [("login", "login")]
    assert evaluated == ["login"]  # 120 helpers were skipped, the login was not
    assert last == cold_analysis(path, texts[3])


def test_a_router_prefix_typed_above_a_quiet_route_makes_it_a_cancellation():
    path = "app/api.py"
    before = "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n" + PY_FILLERS + QUIET_ROUTE
    *_, last = texts = versions(before)
    assert kinds(typed(path, texts)) == []
    after = last.replace("APIRouter()", 'APIRouter(prefix="/subscription/cancel")')  # a paste at the top
    assert kinds(typed(path, [after])) == [("subscription_cancelled", "do_it")]
    assert kinds(typed(path, [last])) == []  # and undoing it takes the flow away again


def test_connecting_a_quiet_function_to_the_login_signal_makes_it_a_login():
    path = "app/signals.py"
    before = "from django.contrib.auth.signals import user_logged_in\n\n\n" + PY_FILLERS + QUIET_RECEIVER
    assert kinds(typed(path, versions(before))) == []
    connected = before + "user_logged_in.connect(track)\n"
    assert kinds(typed(path, [connected])) == [("login", "track")]
    assert kinds(typed(path, [before + "user_logged_in.connect(trac)\n"])) == []  # a keystroke breaks it again


def test_a_keystroke_changing_a_flows_kind_or_deleting_it_updates_the_flows():
    path = "app/login/actions.ts"
    text = large_document()
    assert kinds(typed(path, versions(text))) == [("login", "login")]
    logout = text.replace("signInWithPassword({", "signOut({").replace("function login(", "function logout(")
    assert kinds(typed(path, [logout])) == [("logout", "logout")]
    assert kinds(typed(path, [text.replace(LOGIN, "")])) == []
    assert kinds(typed(path, [text])) == [("login", "login")]
