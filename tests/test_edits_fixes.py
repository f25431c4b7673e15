"""Quick fixes and ignore comments: what the user gets from the lightbulb on a PostHog diagnostic."""

from __future__ import annotations

import random
import string

from lsp_server.analysis.model import Finding, FlowKind, Span
from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking, plan_ignore, plan_quick_fix
from tests.edits_support import error_nodes, flow, package

SNIPPETS = BundledSnippets()


def _finding(code: str, span: Span, **data) -> Finding:
    return Finding(code, "message", span, "warning", data)


def _flow_data(kind: str, event: str, line: int, indent: str, side: str, user: str | None) -> dict:
    """The data analysis/rules.py attaches to flow findings."""
    return {
        "kind": kind,
        "flow_kind": kind,
        "event": event,
        "insert_line": line,
        "indent": indent,
        "side": side,
        "user_id_expr": user,
        "symbol": "handler",
        "flow_span": [0, 0, 40, 0],
        "needs_identify": kind == "login",
        "needs_reset": kind == "logout",
    }


def test_ignore_comment_sits_above_the_finding_with_its_indentation():
    ts = "function a() {\n    posthog.capture('x')\n}\n"
    edit = plan_ignore(ts, "a.ts", _finding("posthog/legacy-api", Span(1, 4, 1, 24)))
    assert (
        apply_edits(ts, [edit])
        == "function a() {\n    // posthog-ignore: posthog/legacy-api\n    posthog.capture('x')\n}\n"
    )
    py = "def a():\r\n\tposthog.capture('x')\r\n"
    edit = plan_ignore(py, "a.py", _finding("posthog/pii-in-properties", Span(1, 1, 1, 10)))
    assert (
        apply_edits(py, [edit])
        == "def a():\r\n\t# posthog-ignore: posthog/pii-in-properties\r\n\tposthog.capture('x')\r\n"
    )


def test_legacy_call_is_replaced_with_the_current_api_and_only_once():
    text = "import posthog\nposthog.capture('user_1', 'signed_up')\n"
    replacement = "posthog.capture('signed_up', distinct_id='user_1')"
    finding = _finding("posthog/legacy-api", Span(1, 0, 1, 39), replacement=replacement)
    edits = plan_quick_fix(text, "a.py", finding, None, SNIPPETS)
    fixed = apply_edits(text, edits)
    assert fixed == "import posthog\n" + replacement + "\n"
    assert (
        plan_quick_fix(
            fixed,
            "a.py",
            _finding("posthog/legacy-api", Span(1, 0, 1, len(replacement)), replacement=replacement),
            None,
            SNIPPETS,
        )
        == []
    )


def test_hardcoded_key_in_a_vite_app_is_read_from_import_meta_env():
    text = "import posthog from 'posthog-js'\nposthog.init('phc_abcdefghijklmnop', { api_host: HOST })\n"
    finding = _finding("posthog/hardcoded-key", Span(1, 13, 1, 35), env_var="VITE_PUBLIC_POSTHOG_KEY")
    fixed = apply_edits(
        text, plan_quick_fix(text, "src/main.js", finding, package("react-spa", "javascript"), SNIPPETS)
    )
    assert "posthog.init(import.meta.env.VITE_PUBLIC_POSTHOG_KEY, { api_host: HOST })" in fixed


def test_hardcoded_key_uses_the_replacement_analysis_chose_and_skips_partial_strings():
    text = "const c = new PostHog('phc_abcdefghijklmnop')\n"
    span = Span(0, 22, 0, 44)
    data = {"env_var": "POSTHOG_PROJECT_TOKEN", "replacement": "process.env.POSTHOG_PROJECT_TOKEN"}
    fixed = apply_edits(
        text, plan_quick_fix(text, "a.js", _finding("posthog/hardcoded-key", span, **data), None, SNIPPETS)
    )
    assert fixed == "const c = new PostHog(process.env.POSTHOG_PROJECT_TOKEN)\n"
    partial = {"env_var": "POSTHOG_PROJECT_TOKEN", "replacement": None}
    assert plan_quick_fix(text, "a.js", _finding("posthog/hardcoded-key", span, **partial), None, SNIPPETS) == []


def test_missing_identify_fix_adds_only_identify_with_the_users_id():
    text = (
        "import posthog from 'posthog-js'\n\nasync function login(form) {\n  const user = await api.login(form)\n"
        "  posthog.capture('user_logged_in')\n}\n"
    )
    data = _flow_data("login", "user_logged_in", 4, "  ", "client", "user.id")
    edits = plan_quick_fix(
        text,
        "src/login.js",
        _finding("posthog/missing-identify", Span(3, 2, 3, 10), **data),
        package("react-spa", "javascript"),
        SNIPPETS,
    )
    fixed = apply_edits(text, edits)
    assert "  posthog.identify(String(user.id))\n  posthog.capture('user_logged_in')\n" in fixed
    assert fixed.count("posthog.capture") == 1 and len(edits) == 1


def test_missing_reset_fix_adds_reset_on_logout():
    text = "import posthog from 'posthog-js'\n\nexport async function logout() {\n  await auth.signOut()\n}\n"
    data = _flow_data("logout", "user_logged_out", 4, "  ", "client", None)
    fixed = apply_edits(
        text,
        plan_quick_fix(
            text,
            "src/logout.ts",
            _finding("posthog/missing-reset", Span(3, 2, 3, 22), **data),
            package("react-spa"),
            SNIPPETS,
        ),
    )
    assert fixed.endswith("  await auth.signOut()\n  posthog.reset()\n}\n")


def test_serverless_no_flush_fix_awaits_flush_after_the_last_capture():
    text = (
        "import { posthog } from '@/lib/ph'\n\nexport async function POST(req) {\n"
        "  posthog.capture({ distinctId: 'u1', event: 'checkout_started' })\n  return Response.json({})\n}\n"
    )
    data = {
        "sdk": "posthog-node",
        "receiver": "posthog",
        "insert_line": 4,
        "indent": "  ",
        "flush_text": "await posthog.flush()",
        "function_is_async": True,
    }
    finding = _finding("posthog/serverless-no-flush", Span(3, 2, 3, 66), **data)
    edits = plan_quick_fix(text, "app/api/checkout/route.ts", finding, package("nextjs-app-router"), SNIPPETS)
    fixed = apply_edits(text, edits)
    assert "checkout_started' })\n  await posthog.flush()\n  return Response.json({})" in fixed
    assert len(edits) == 1 and error_nodes(fixed, "route.ts") == []
    assert plan_quick_fix(fixed, "app/api/checkout/route.ts", finding, package("nextjs-app-router"), SNIPPETS) == []


def test_serverless_no_flush_on_the_constructor_adds_flush_options():
    text = 'const posthog = new PostHog(process.env.KEY, { host: "https://eu.i.posthog.com" })\n'
    finding = _finding("posthog/serverless-no-flush", Span(0, 16, 0, 82))
    fixed = apply_edits(text, plan_quick_fix(text, "lib/ph.js", finding, package("nextjs-app-router"), SNIPPETS))
    assert (
        fixed == "const posthog = new PostHog(process.env.KEY, { flushAt: 1, flushInterval: 0, host: "
        '"https://eu.i.posthog.com" })\n'
    )
    bare = "const posthog = new PostHog(process.env.KEY)\n"
    fixed = apply_edits(
        bare,
        plan_quick_fix(bare, "lib/ph.js", _finding("posthog/serverless-no-flush", Span(0, 16, 0, 44)), None, SNIPPETS),
    )
    assert fixed == "const posthog = new PostHog(process.env.KEY, { flushAt: 1, flushInterval: 0 })\n"


def test_untracked_flow_fix_is_the_flow_tracking_plan():
    text = "from app.db import save\n\n\ndef signup(form):\n    user = save(form)\n    return user\n"
    data = _flow_data("signup", "user_signed_up", 5, "    ", "server", "user.id")
    edits = plan_quick_fix(
        text, "app/views.py", _finding("posthog/untracked-flow", Span(3, 0, 3, 10), **data), None, SNIPPETS
    )
    fixed = apply_edits(text, [e for e in edits if not e.create_file])
    assert "from posthog_client import posthog" in fixed and 'posthog.capture(\n        "user_signed_up",' in fixed
    assert [e.path for e in edits if e.create_file] == ["posthog_client.py"]


def test_findings_without_fix_data_plan_nothing():
    text = "x = 1\n"
    assert plan_quick_fix(text, "a.py", _finding("posthog/missing-identify", Span(0, 0, 0, 1)), None, SNIPPETS) == []
    assert plan_quick_fix(text, "a.py", _finding("posthog/pii-in-properties", Span(0, 0, 0, 1)), None, SNIPPETS) == []
    assert (
        plan_quick_fix(text, "a.py", _finding("posthog/legacy-api", Span(0, 0, 0, 1), replacement=None), None, SNIPPETS)
        == []
    )


def test_planning_survives_garbage_without_logging_an_internal_error(caplog):
    rng = random.Random(7)
    alphabet = string.printable + "éü🔐\t\r{}()'\"`"
    frameworks = [None, "nextjs-app-router", "react-spa", "node-express", "django", "python", "no-such-framework"]
    for i in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        path = rng.choice(["a.py", "a.ts", "a.tsx", "a.mjs", "a.cjs", "a.txt"])
        fw = rng.choice(frameworks)
        pkg = package(fw, "javascript", rng.choice([".", "src"])) if fw else None
        line = rng.randint(-2, 12)
        kind = rng.choice(list(FlowKind))
        f = flow(path, kind, line, rng.choice(["", "\t"]), event=f"e{i}", side=rng.choice(["client", "server"]))
        span = Span(rng.randint(-2, 8), rng.randint(-2, 8), rng.randint(-2, 8), rng.randint(-2, 40))
        data = rng.choice([{}, {"insert_line": line, "kind": "bogus", "replacement": 3}, {"insert_line": line}])
        code = rng.choice(["posthog/missing-reset", "posthog/legacy-api", "posthog/hardcoded-key", "posthog/x"])
        finding = Finding(code, "m", span, "warning", data)
        for edits in (
            plan_flow_tracking(text, path, f, pkg, SNIPPETS),
            plan_quick_fix(text, path, finding, pkg, SNIPPETS),
            [plan_ignore(text, path, finding)],
        ):
            apply_edits(text, edits)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


def test_the_quick_fix_of_a_supabase_signup_tracks_both_branches_that_create_the_account():
    """F25 through the lightbulb: the diagnostic's data carries the sibling success branch (`else if (data.user)`,
    the email-confirmation default) besides `else if (data.session)`, and a malformed list is ignored."""
    from lsp_server.analysis.document import analyze_document
    from tests.test_generated_code_runs import SUPABASE_SIGNUP_MJS

    path, pkg = "app/auth/actions.mjs", package("nextjs-app-router", "javascript")
    [finding] = [f for f in analyze_document(path, SUPABASE_SIGNUP_MJS, package=pkg).findings
                 if f.code == "posthog/untracked-flow"]

    def fixed(f: Finding) -> str:
        planned = plan_quick_fix(SUPABASE_SIGNUP_MJS, path, f, pkg, SNIPPETS)
        return apply_edits(SUPABASE_SIGNUP_MJS, [e for e in planned if e.path == path])

    assert fixed(finding).count("event: 'user_signed_up'") == 2 and not error_nodes(fixed(finding), path)
    broken = Finding(finding.code, finding.message, finding.span, finding.severity,
                     {**finding.data, "also_insert": [["x", 1], 7, [3]]})
    assert fixed(broken).count("event: 'user_signed_up'") == 1
