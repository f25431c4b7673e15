"""Diagnostics a user sees for PostHog usage: what fires on realistic code, what stays quiet on the current API."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Finding, Flow, FlowKind, Package, PosthogSetup, Span
from lsp_server.analysis.parsing import language_for_path, parse
from lsp_server.analysis.rules import evaluate, is_pii_key
from lsp_server.analysis.settings import DEFAULT_SEVERITY, AnalysisSettings
from lsp_server.analysis.usage import find_posthog_calls
from tests import sink

NEXT = Package(
    path=".",
    framework="nextjs-app-router",
    language="typescript",
    package_manager="npm",
    posthog=PosthogSetup(installed=True, sdks=("posthog-js", "posthog-node"), init="instrumentation-client.ts:2"),
)
NEXT_NO_INIT = Package(
    path=".",
    framework="nextjs-app-router",
    language="typescript",
    package_manager="npm",
    posthog=PosthogSetup(installed=True, sdks=("posthog-node",)),
)
DJANGO = Package(
    path=".",
    framework="django",
    language="python",
    package_manager="pip",
    posthog=PosthogSetup(installed=True, sdks=("posthog",), init="app/apps.py:9"),
)
EXPRESS = Package(
    path=".",
    framework="node-express",
    language="javascript",
    package_manager="npm",
    posthog=PosthogSetup(installed=True, sdks=("posthog-node",), init="src/ph.js:2"),
)
NODE_DIR = Path(__file__).parent / "node"


def findings(
    path: str,
    source: str,
    *,
    flows: tuple[Flow, ...] = (),
    package: Package | None = NEXT,
    settings: AnalysisSettings | None = None,
) -> list[Finding]:
    language = language_for_path(path)
    assert language is not None
    doc = parse(source, language)
    assert doc is not None
    calls = find_posthog_calls(doc, path)
    return evaluate(doc, path, flows=flows, calls=calls, package=package, settings=settings or AnalysisSettings())


def codes(items: list[Finding]) -> list[str]:
    return [f.code for f in items]


def only(items: list[Finding], code: str) -> Finding:
    matching = [f for f in items if f.code == code]
    assert len(matching) == 1, items
    return matching[0]


def text_at(source: str, span: Span) -> str:
    assert span.start_line == span.end_line
    return source.split("\n")[span.start_line][span.start_col : span.end_col]


# --- flows ----------------------------------------------------------------------------------------------------------

LOGIN_TSX = """'use client'
import posthog from 'posthog-js'
export function LoginForm() {
  async function onSubmit(values) {
    const { data } = await supabase.auth.signInWithPassword(values)
    router.push('/dashboard')
  }
  return <form onSubmit={onSubmit} />
}
"""


def login_flow(**changes) -> Flow:
    base = dict(
        path="app/login/LoginForm.tsx",
        symbol="onSubmit",
        kind=FlowKind.LOGIN,
        span=Span(3, 2, 6, 3),
        insert_line=5,
        insert_indent="    ",
        event="user_logged_in",
        confidence=0.9,
        side="client",
        anchor=Span(4, 4, 4, 68),
        user_id_expr="data.user.id",
        needs_identify=True,
        tracked=True,
    )
    return Flow(**(base | changes))


def test_login_without_identify_warns_at_the_success_statement():
    result = findings("app/login/LoginForm.tsx", LOGIN_TSX, flows=(login_flow(),))
    finding = only(result, "posthog/missing-identify")
    assert finding.severity == "warning"
    assert finding.span == Span(4, 4, 4, 68)
    assert "posthog.identify()" in finding.message and "won't be tied to the user" in finding.message
    assert finding.data["flow_kind"] == "login" and finding.data["event"] == "user_logged_in"
    assert finding.data["insert_line"] == 5 and finding.data["indent"] == "    "
    assert finding.data["user_id_expr"] == "data.user.id" and finding.data["sdk"] == "posthog-js"
    assert finding.data["docs"].startswith("posthog://docs/")
    json.dumps(finding.data)  # the LSP edge sends it as-is


def test_login_with_identify_is_quiet():
    result = findings("app/login/LoginForm.tsx", LOGIN_TSX, flows=(login_flow(identify_present=True),))
    assert "posthog/missing-identify" not in codes(result)


def test_missing_identify_waits_until_posthog_is_in_the_package():
    bare = Package(path=".", framework="react-spa", language="typescript", package_manager="npm")
    source = LOGIN_TSX.replace("import posthog from 'posthog-js'\n", "import x from 'y'\n")
    result = findings("app/login/LoginForm.tsx", source, flows=(login_flow(tracked=False),), package=bare)
    assert codes(result) == ["posthog/untracked-flow"]


def test_python_login_without_identity_names_the_python_api():
    flow = login_flow(path="app/views.py", side="server", anchor=None, insert_line=1, insert_indent="    ")
    result = findings(
        "app/views.py", "def login(request):\n    auth_login(request, user)\n", flows=(flow,), package=DJANGO
    )
    finding = only(result, "posthog/missing-identify")
    assert "capture(distinct_id=...)" in finding.message and finding.data["sdk"] == "posthog-python"
    assert finding.span == Span(1, 4, 1, len("    auth_login(request, user)"))


def test_client_logout_without_reset_warns():
    flow = login_flow(kind=FlowKind.LOGOUT, event="user_logged_out", needs_identify=False, needs_reset=True)
    result = findings("app/login/LoginForm.tsx", LOGIN_TSX, flows=(flow,))
    finding = only(result, "posthog/missing-reset")
    assert "posthog.reset()" in finding.message
    assert (
        findings(
            "app/login/LoginForm.tsx",
            LOGIN_TSX,
            flows=(flow.__class__(**{**{f: getattr(flow, f) for f in flow.__slots__}, "reset_present": True}),),
        )
        == []
    )


def test_untracked_flow_is_a_hint_on_the_function_line_only():
    flow = login_flow(tracked=False, identify_present=True)
    finding = only(findings("app/login/LoginForm.tsx", LOGIN_TSX, flows=(flow,)), "posthog/untracked-flow")
    assert finding.severity == "hint"
    assert text_at(LOGIN_TSX, finding.span) == "async function onSubmit(values) {"
    assert "user_logged_in" in finding.message and finding.data["kind"] == "login"
    assert finding.data["flow_span"] == [3, 2, 6, 3]


def test_tracked_flow_with_identity_has_no_findings():
    flow = login_flow(identify_present=True)
    assert findings("app/login/LoginForm.tsx", LOGIN_TSX, flows=(flow,)) == []


# --- serverless -----------------------------------------------------------------------------------------------------

ROUTE = """import { PostHog } from 'posthog-node'
const posthog = new PostHog(process.env.NEXT_PUBLIC_POSTHOG_KEY!, { host: process.env.NEXT_PUBLIC_POSTHOG_HOST })
export async function POST(req: Request) {
  const user = await createUser(await req.json())
  posthog.capture({ distinctId: user.id, event: 'user_signed_up' })
  return Response.json(user)
}
"""


def test_posthog_node_in_a_route_handler_without_flush_warns():
    finding = only(findings("app/api/signup/route.ts", ROUTE), "posthog/serverless-no-flush")
    assert text_at(ROUTE, finding.span) == "posthog.capture({ distinctId: user.id, event: 'user_signed_up' })"
    assert finding.data["insert_line"] == 5 and finding.data["indent"] == "  "
    assert finding.data["flush_text"] == "await posthog.flush()" and finding.data["function_is_async"] is True


@pytest.mark.parametrize(
    "fixed",
    [
        ROUTE.replace("  return Response", "  await posthog.flush()\n  return Response"),
        ROUTE.replace("  return Response", "  await posthog.shutdown()\n  return Response"),
        ROUTE.replace("{ host:", "{ flushAt: 1, flushInterval: 0, host:"),
        ROUTE.replace("  posthog.capture(", "  await posthog.captureImmediate("),
        ROUTE.replace("  return Response", "  waitUntil(posthog.flush())\n  return Response"),
    ],
)
def test_flushed_route_handler_is_quiet(fixed: str):
    assert "posthog/serverless-no-flush" not in codes(findings("app/api/signup/route.ts", fixed))


@pytest.mark.parametrize(
    ("path", "prefix"),
    [
        ("pages/api/signup.ts", ""),
        ("netlify/functions/signup.ts", ""),
        ("src/actions.ts", "'use server'\n"),
        ("src/lambda.ts", "export const handler = async () => {}\n"),
    ],
)
def test_other_serverless_handlers_warn(path: str, prefix: str):
    assert "posthog/serverless-no-flush" in codes(findings(path, prefix + ROUTE))


def test_long_running_express_server_is_quiet():
    assert "posthog/serverless-no-flush" not in codes(findings("src/server.ts", ROUTE))


# --- legacy APIs ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingestion() -> Iterator[str]:
    srv, url = sink.start()
    yield url
    srv.shutdown()


def run_python_with_sink(url: str, code: str, receiver: str = "posthog") -> list[dict]:
    """Execute `code` with `receiver` bound to a real posthog-python client sending to the sink."""
    from posthog import Posthog

    token = f"phc_test_{uuid.uuid4().hex}"
    client = Posthog(token, host=url, sync_mode=True)
    try:
        exec(code, {receiver: client})
    finally:
        client.shutdown()
    return [e for e in sink.all_events() if e["api_key"] == token]


def test_python_positional_capture_is_rewritten_to_the_keyword_form_that_sends(ingestion: str):
    source = "import posthog\nposthog.capture('u1', 'evt', {'a': 1})\n"
    finding = only(findings("app/track.py", source, package=DJANGO), "posthog/legacy-api")
    assert finding.data["replacement"] == "posthog.capture('evt', distinct_id='u1', properties={'a': 1})"
    assert text_at(source, finding.span) == "posthog.capture('u1', 'evt', {'a': 1})"
    assert "TypeError" in finding.message
    assert run_python_with_sink(ingestion, text_at(source, finding.span)) == []  # the stale call sends nothing
    events = run_python_with_sink(ingestion, finding.data["replacement"])
    assert [(e["event"], e["distinct_id"], e["properties"]["a"]) for e in events] == [("evt", "u1", 1)]


def test_python_positional_properties_and_extra_keywords_are_kept(ingestion: str):
    source = "import posthog\nph.capture('user_1', 'plan_changed', {'plan': 'pro'}, groups={'company': 'acme'})\n"
    source = source.replace("import posthog\n", "from posthog import Posthog\nph = Posthog('k')\n")
    finding = only(findings("app/track.py", source, package=DJANGO), "posthog/legacy-api")
    replacement = finding.data["replacement"]
    assert (
        replacement == "ph.capture('plan_changed', distinct_id='user_1', properties={'plan': 'pro'}, "
        "groups={'company': 'acme'})"
    )
    events = run_python_with_sink(ingestion, replacement, receiver="ph")
    assert [(e["event"], e["distinct_id"], e["properties"]["$groups"]) for e in events] == [
        ("plan_changed", "user_1", {"company": "acme"})
    ]
    second = only(
        findings("a.py", "import posthog\nposthog.capture('evt', {'a': 1})\n", package=DJANGO), "posthog/legacy-api"
    )
    assert second.data["replacement"] == "posthog.capture('evt', properties={'a': 1})"


def test_python_identify_becomes_set_with_the_user_id(ingestion: str):
    source = "import posthog\nposthog.identify('user_42', {'plan': 'pro'})\n"
    finding = only(findings("app/track.py", source, package=DJANGO), "posthog/legacy-api")
    assert finding.data["replacement"] == "posthog.set(distinct_id='user_42', properties={'plan': 'pro'})"
    events = run_python_with_sink(ingestion, finding.data["replacement"])
    assert [(e["event"], e["distinct_id"], e["$set"]) for e in events] == [("$set", "user_42", {"plan": "pro"})]


def test_python_api_key_assignment_is_rewritten_to_project_api_key():
    source = "import posthog\nposthog.api_key = os.environ['POSTHOG_PROJECT_TOKEN']\n"
    finding = only(findings("app/settings.py", source, package=DJANGO), "posthog/legacy-api")
    assert finding.data["replacement"] == "posthog.project_api_key = os.environ['POSTHOG_PROJECT_TOKEN']"


def test_current_python_api_has_no_legacy_findings():
    source = """import posthog
from posthog import Posthog, identify_context, new_context
posthog.project_api_key = os.environ["POSTHOG_PROJECT_TOKEN"]
ph = Posthog(os.environ["POSTHOG_PROJECT_TOKEN"], host="https://us.i.posthog.com")
posthog.capture("evt", distinct_id="u1", properties={"plan": "pro"})
ph.set(distinct_id="u1", properties={"email": "a@b.co"})
with new_context():
    identify_context("u1")
"""
    assert findings("app/track.py", source, package=DJANGO) == []


NODE_LEGACY = """const { PostHog } = require('posthog-node')
const client = new PostHog(process.env.POSTHOG_PROJECT_TOKEN, { host: process.env.POSTHOG_HOST })
client.capture('u1', 'evt', { plan: 'pro' })
client.identify('u1')
client.shutdownAsync()
"""


def test_node_positional_calls_are_rewritten_to_the_single_object_form():
    result = [f for f in findings("src/track.js", NODE_LEGACY, package=EXPRESS) if f.code == "posthog/legacy-api"]
    assert [f.data["replacement"] for f in result] == [
        "client.capture({ distinctId: 'u1', event: 'evt', properties: { plan: 'pro' } })",
        "client.identify({ distinctId: 'u1' })",
        "client.shutdown()",
    ]


@pytest.mark.node
@pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_DIR / "node_modules" / "posthog-node").is_dir(),
    reason="needs node and tests/node/node_modules (make node-deps)",
)
def test_node_rewrite_sends_the_event(ingestion: str):
    replacement = next(
        f.data["replacement"]
        for f in findings("src/track.js", NODE_LEGACY, package=EXPRESS)
        if f.data.get("reason") == "node_positional_capture"
    )
    token = f"phc_test_{uuid.uuid4().hex}"
    script = f"""const {{ PostHog }} = require('posthog-node')
const client = new PostHog({json.dumps(token)}, {{ host: {json.dumps(ingestion)}, flushAt: 1, flushInterval: 0 }})
{replacement}
client.shutdown().then(() => process.exit(0))
"""
    subprocess.run(["node", "-e", script], cwd=NODE_DIR, check=True, timeout=60, capture_output=True)
    events = [e for e in sink.all_events() if e["api_key"] == token]
    assert [(e["event"], e["distinct_id"], e["properties"]["plan"]) for e in events] == [("evt", "u1", "pro")]


def test_legacy_hosts_and_decide_endpoint_are_rewritten():
    source = """import posthog from 'posthog-js'
posthog.init(key, { api_host: 'https://app.posthog.com' })
fetch(`https://us.i.posthog.com/decide/?v=3`)
router.push('/decide')
"""
    result = [f for f in findings("src/main.ts", source) if f.code == "posthog/legacy-api"]
    assert [(f.data["reason"], f.data["replacement"]) for f in result] == [
        ("legacy_host", "'https://us.i.posthog.com'"),
        ("decide_endpoint", "`https://us.i.posthog.com/flags/?v=2`"),
    ]


def test_current_node_and_js_api_has_no_findings():
    source = """import { PostHog } from 'posthog-node'
const client = new PostHog(process.env.POSTHOG_PROJECT_TOKEN!, { host: 'https://us.i.posthog.com' })
client.capture({ distinctId: user.id, event: 'user_signed_up', properties: { plan: 'pro' } })
client.identify({ distinctId: user.id, properties: { email: user.email } })
await client.shutdown()
"""
    assert findings("src/server.ts", source) == []


# --- PII, keys, init ------------------------------------------------------------------------------------------------


def test_email_in_capture_properties_warns_on_the_key():
    source = """import posthog from 'posthog-js'
posthog.capture('user_signed_up', { plan: 'pro', userEmail: user.email, email_verified: true })
"""
    finding = only(findings("src/signup.ts", source), "posthog/pii-in-properties")
    assert text_at(source, finding.span) == "userEmail"
    assert finding.data["key"] == "userEmail" and finding.data["event"] == "user_signed_up"


def test_pii_in_node_and_python_properties_warns():
    node = "const c = new PostHog(k)\nc.capture({ distinctId: id, event: 'paid', properties: { card_number: n } })\n"
    assert text_at(node, only(findings("a.ts", node), "posthog/pii-in-properties").span) == "card_number"
    py = "import posthog\nposthog.capture('paid', distinct_id=uid, properties={'phone': p, 'amount': 3})\n"
    assert text_at(py, only(findings("a.py", py, package=DJANGO), "posthog/pii-in-properties").span) == "'phone'"


def test_pii_on_the_person_is_where_it_belongs():
    source = """import posthog from 'posthog-js'
posthog.identify(user.id, { email: user.email, phone: user.phone })
posthog.capture('user_signed_up', { plan: 'pro', $set: { email: user.email } })
"""
    assert findings("src/signup.ts", source) == []


@pytest.mark.parametrize(
    "key",
    [
        "email",
        "userEmail",
        "password",
        "credit_card",
        "cardNumber",
        "cvv",
        "ssn",
        "access_token",
        "ip_address",
        "ip",
        "first_name",
        "fullName",
        "street_address",
    ],
)
def test_personal_property_names_are_pii(key: str):
    assert is_pii_key(key)


@pytest.mark.parametrize(
    "key", ["plan", "email_verified", "token_count", "$ip", "ipo_round", "shipping_method", "tip", "name", "card_brand"]
)
def test_ordinary_property_names_are_not_pii(key: str):
    assert not is_pii_key(key)


def test_hardcoded_project_key_warns_with_the_framework_env_var():
    source = "import posthog from 'posthog-js'\nposthog.init('phc_7Hq2mVbXk1NzPcR4sTuWyA9dEfGh3JkL5', {})\n"
    finding = only(findings("instrumentation-client.ts", source), "posthog/hardcoded-key")
    assert text_at(source, finding.span) == "'phc_7Hq2mVbXk1NzPcR4sTuWyA9dEfGh3JkL5'"
    assert finding.data["env_var"] == "NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN"
    assert finding.data["replacement"] == "process.env.NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN"
    existing = Package(**{**{f: getattr(NEXT, f) for f in NEXT.__slots__}, "env_key_var": "NEXT_PUBLIC_PH_TOKEN"})
    assert (
        only(findings("instrumentation-client.ts", source, package=existing), "posthog/hardcoded-key").data["env_var"]
        == "NEXT_PUBLIC_PH_TOKEN"
    )
    py = 'from posthog import Posthog\nph = Posthog("phc_7Hq2mVbXk1NzPcR4sTuWyA9dEfGh3JkL5")\n'
    assert (
        only(findings("app/ph.py", py, package=DJANGO), "posthog/hardcoded-key").data["replacement"]
        == 'os.environ.get("POSTHOG_PROJECT_TOKEN")'
    )


def test_key_from_env_or_placeholder_is_quiet():
    source = """import posthog from 'posthog-js'
posthog.init(process.env.NEXT_PUBLIC_POSTHOG_KEY!, {})
const example = 'phc_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
"""
    assert findings("instrumentation-client.ts", source) == []


def test_capture_in_a_package_without_init_warns_once():
    source = """import { posthog } from '@/lib/posthog'
posthog.capture({ distinctId: id, event: 'a' })
posthog.capture({ distinctId: id, event: 'b' })
"""
    finding = only(findings("src/track.ts", source, package=NEXT_NO_INIT), "posthog/capture-before-init")
    assert finding.span.start_line == 1
    assert findings("src/track.ts", source, package=NEXT) == []
    assert findings("src/track.ts", source, package=None) == []
    with_init = "import { PostHog } from 'posthog-node'\nconst posthog = new PostHog(k)\n" + source.split("\n", 1)[1]
    assert "posthog/capture-before-init" not in codes(findings("src/track.ts", with_init, package=NEXT_NO_INIT))


# --- suppression, severity, docs ------------------------------------------------------------------------------------

PII = "import posthog from 'posthog-js'\nposthog.capture('evt', { email: e })\n"


@pytest.mark.parametrize(
    "source",
    [
        PII.replace("e })\n", "e }) // posthog-ignore\n"),
        PII.replace("posthog.capture", "// posthog-ignore: posthog/pii-in-properties\nposthog.capture"),
        PII.replace("posthog.capture", "/* posthog-ignore: legacy-api, pii-in-properties */\nposthog.capture"),
    ],
)
def test_posthog_ignore_comment_suppresses(source: str):
    assert findings("src/a.ts", source) == []


def test_posthog_ignore_for_another_code_does_not_suppress():
    source = PII.replace("posthog.capture", "// posthog-ignore: legacy-api\nposthog.capture")
    assert codes(findings("src/a.ts", source)) == ["posthog/pii-in-properties"]
    trailing = PII.replace("posthog-js'\n", "posthog-js' // posthog-ignore\n")
    # a trailing comment belongs to its own line, not to the next one
    assert codes(findings("src/a.ts", trailing)) == ["posthog/pii-in-properties"]


def test_python_hash_comment_suppresses():
    source = "import posthog\n# posthog-ignore: legacy-api\nposthog.capture('u1', 'evt')\n"
    assert findings("a.py", source, package=DJANGO) == []


def test_severity_setting_changes_or_switches_off_a_code():
    settings = AnalysisSettings(severity={"posthog/pii-in-properties": "error"})
    assert [f.severity for f in findings("src/a.ts", PII, settings=settings)] == ["error"]
    assert findings("src/a.ts", PII, settings=AnalysisSettings(severity={"posthog/pii-in-properties": "off"})) == []
    assert findings("src/a.ts", PII, settings=AnalysisSettings(enable=False)) == []


def test_every_code_links_to_its_docs():
    from lsp_server.analysis.posthog_vocab import posthog_vocabulary
    from lsp_server.skills import bundled_skills_root

    docs = posthog_vocabulary().docs
    assert set(DEFAULT_SEVERITY) <= set(docs)
    for link in docs.values():  # posthog://docs/<name>#<anchor> → skills/docs/<name>.md with a "## <anchor>" heading
        name, _, anchor = link.removeprefix("posthog://docs/").partition("#")
        page = (bundled_skills_root() / "docs" / f"{name}.md").read_text()
        assert f"\n## {anchor}\n" in page, link


# --- end to end and robustness ----------------------------------------------------------------------------------------


def test_analyze_document_reports_calls_and_findings_for_a_real_file():
    result = analyze_document("app/api/signup/route.ts", ROUTE, package=NEXT)
    assert result.parse_error is None
    assert [c.kind for c in result.calls] == ["init", "capture"]
    assert "posthog/serverless-no-flush" in codes(list(result.findings))


def test_flows_from_the_detector_reach_the_rules():
    source = """import posthog from 'posthog-js'
export async function handleLogin(email: string, password: string) {
  const { data, error } = await supabase.auth.signInWithPassword({ email, password })
  if (error) throw error
  router.push('/dashboard')
}
"""
    result = analyze_document("src/auth/login.ts", source, package=NEXT)
    assert [f.kind for f in result.flows] == [FlowKind.LOGIN]
    identify = only(list(result.findings), "posthog/missing-identify")
    assert text_at(source, identify.span).startswith("const { data, error } = await supabase.auth.signInWithPassword")
    untracked = only(list(result.findings), "posthog/untracked-flow")
    assert text_at(source, untracked.span).startswith("export async function handleLogin(")
    tracked = source.replace(
        "  router.push", "  posthog.identify(data.user.id)\n  posthog.capture('user_logged_in')\n  router.push"
    )
    assert analyze_document("src/auth/login.ts", tracked, package=NEXT).findings == ()


SOURCES = [
    ("src/a.tsx", LOGIN_TSX),
    ("app/api/signup/route.ts", ROUTE),
    ("src/track.js", NODE_LEGACY),
    ("a.py", "import posthog\nposthog.capture('u1', 'evt', {'email': 1})\nposthog.identify('u', {})\n"),
]


@pytest.mark.parametrize(("path", "source"), SOURCES)
def test_half_typed_files_never_raise(path: str, source: str):
    flow = login_flow(tracked=False)
    for cut in range(0, len(source), 7):
        result = analyze_document(path, source[:cut] + "(({'\"`", package=NEXT)
        assert result.parse_error is None
        language = language_for_path(path)
        doc = parse(source[:cut], language) if language else None
        if doc is not None:
            evaluate(
                doc, path, flows=(flow,), calls=find_posthog_calls(doc, path), package=NEXT, settings=AnalysisSettings()
            )


def test_bare_identify_import_is_flagged_without_a_rewrite_that_would_call_builtin_set():
    source = "from posthog import identify\nidentify('user_1', {'plan': 'pro'})\n"
    finding = only(findings("a.py", source, package=DJANGO), "posthog/legacy-api")
    assert finding.data["reason"] == "python_identify" and finding.data["replacement"] is None


def test_key_in_a_jsx_attribute_is_replaced_by_an_expression_container():
    source = (
        "import { PostHogProvider } from '@posthog/react'\n"
        'export const App = () => <PostHogProvider apiKey="phc_7Hq2mVbXk1NzPcR4sTuWyA9dEfGh3JkL5" />\n'
    )
    finding = only(findings("src/App.tsx", source), "posthog/hardcoded-key")
    assert finding.data["replacement"] == "{process.env.NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN}"


def test_legacy_host_in_a_docstring_is_not_a_finding():
    source = '"""Events used to go to https://app.posthog.com."""\nimport posthog\n'
    assert findings("a.py", source, package=DJANGO) == []


def test_flush_inside_after_callback_covers_captures_in_nested_callbacks():
    source = ROUTE.replace(
        "  posthog.capture({ distinctId: user.id, event: 'user_signed_up' })\n",
        "  items.forEach((i) => posthog.capture({ distinctId: user.id, event: 'item_added' }))\n",
    )
    finding = only(findings("app/api/signup/route.ts", source), "posthog/serverless-no-flush")
    assert finding.data["insert_line"] == 5  # after the forEach statement, in the handler itself, before return
    fixed = source.replace("  return Response", "  after(async () => { await posthog.flush() })\n  return Response")
    assert "posthog/serverless-no-flush" not in codes(findings("app/api/signup/route.ts", fixed))


def test_flush_goes_before_a_return_that_captures():
    source = ROUTE.replace(
        "  posthog.capture({ distinctId: user.id, event: 'user_signed_up' })\n  return Response.json(user)\n",
        "  return posthog.capture({ distinctId: user.id, event: 'user_signed_up' })\n",
    )
    assert only(findings("app/api/signup/route.ts", source), "posthog/serverless-no-flush").data["insert_line"] == 4


def test_flow_findings_carry_what_the_quick_fix_rebuilds_the_flow_from():
    from lsp_server.edits.fixes import flow_from_finding

    flow = login_flow(tracked=False)
    for finding in findings("app/login/LoginForm.tsx", LOGIN_TSX, flows=(flow,)):
        rebuilt = flow_from_finding(flow.path, finding)
        assert rebuilt is not None, finding.code
        assert (
            rebuilt.kind,
            rebuilt.event,
            rebuilt.insert_line,
            rebuilt.insert_indent,
            rebuilt.span,
            rebuilt.side,
            rebuilt.user_id_expr,
        ) == (flow.kind, flow.event, flow.insert_line, flow.insert_indent, flow.span, flow.side, flow.user_id_expr)
