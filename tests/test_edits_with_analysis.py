"""Planning against what analysis really reports: tracked flows stop being reported and plan nothing again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Package, PosthogSetup
from lsp_server.analysis.workspace import find_packages, package_for
from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking, plan_quick_fix
from tests.edits_support import error_nodes

SNIPPETS = BundledSnippets()
SKILLS_EXAMPLES = Path(__file__).resolve().parent.parent / "skills" / "examples"
NEXT = Package(path=".", framework="nextjs-app-router", language="typescript", package_manager="npm")
FLASK = Package(path=".", framework="flask", language="python", package_manager="pip")

NEXT_LOGIN_ACTION = """'use server'

import { redirect } from 'next/navigation'
import { createClient } from '@/utils/supabase/server'

export async function login(formData: FormData) {
  const supabase = await createClient()
  const { data, error } = await supabase.auth.signInWithPassword({
    email: formData.get('email') as string,
    password: formData.get('password') as string,
  })
  if (error) {
    redirect('/error')
  }
  redirect('/account')
}
"""
FLASK_LOGIN = """from flask import Flask, redirect, request, session

from .models import User

app = Flask(__name__)


@app.post("/login")
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not user.check_password(request.form["password"]):
        return {"error": "invalid credentials"}, 401
    session["user_id"] = user.id
    return redirect("/dashboard")
"""


def _track_all(path: str, text: str, package: Package) -> str:
    analysis = analyze_document(path, text, package=package)
    assert analysis.flows, "the detector should find the flow"
    edits = [e for f in analysis.flows for e in plan_flow_tracking(text, path, f, package, SNIPPETS)]
    return apply_edits(text, [e for e in edits if e.path == path])


def test_tracking_a_detected_next_server_action_login_leaves_nothing_to_track():
    path = "app/login/actions.ts"
    edited = _track_all(path, NEXT_LOGIN_ACTION, NEXT)
    assert "distinctId: String(data.user.id)" in edited and "await posthog.flush()" in edited
    assert error_nodes(edited, path) == []
    after = analyze_document(path, edited, package=NEXT)
    assert all(f.tracked and f.identify_present for f in after.flows)
    assert "posthog/untracked-flow" not in {f.code for f in after.findings}
    assert [e for f in after.flows for e in plan_flow_tracking(edited, path, f, NEXT, SNIPPETS)] == []


def test_tracking_a_detected_flask_login_leaves_nothing_to_track():
    path = "app/views.py"
    edited = _track_all(path, FLASK_LOGIN, FLASK)
    assert 'posthog.capture(\n        "user_logged_in",\n        distinct_id=str(user.id),' in edited
    assert error_nodes(edited, path) == []
    after = analyze_document(path, edited, package=FLASK)
    assert after.flows and all(f.tracked and f.identify_present for f in after.flows)
    assert {"posthog/untracked-flow", "posthog/missing-identify"}.isdisjoint(f.code for f in after.findings)
    assert [e for f in after.flows for e in plan_flow_tracking(edited, path, f, FLASK, SNIPPETS)] == []


def _fix_until_gone(path: str, text: str, package: Package, code: str) -> str:
    findings = [f for f in analyze_document(path, text, package=package).findings if f.code == code]
    assert findings, f"analysis should report {code}"
    edits = plan_quick_fix(text, path, findings[0], package, SNIPPETS)
    assert edits
    fixed = apply_edits(text, edits)
    assert code not in {f.code for f in analyze_document(path, fixed, package=package).findings}
    return fixed


def test_quick_fixes_make_the_reported_diagnostics_go_away():
    legacy = "import posthog\nposthog.capture('user_1', 'signed_up', {'plan': 'pro'})\n"
    fixed = _fix_until_gone("app.py", legacy, FLASK, "posthog/legacy-api")
    assert "posthog.capture('signed_up', distinct_id='user_1'" in fixed
    route = (
        "import { PostHog } from 'posthog-node'\n"
        "const posthog = new PostHog(process.env.NEXT_PUBLIC_POSTHOG_KEY!, {\n"
        "  host: process.env.NEXT_PUBLIC_POSTHOG_HOST,\n})\n\n"
        "export async function POST(req: Request) {\n"
        "  posthog.capture({ distinctId: 'u1', event: 'checkout_started' })\n"
        "  return Response.json({})\n}\n"
    )
    fixed = _fix_until_gone("app/api/checkout/route.ts", route, NEXT, "posthog/serverless-no-flush")
    assert "checkout_started' })\n  await posthog.flush()\n  return" in fixed


def test_tracking_every_flow_in_the_example_apps_keeps_them_parsing_and_leaves_nothing_to_track():
    """The bundled example apps, as a user would open them: packages detected, flows tracked, files re-analysed."""
    root = SKILLS_EXAMPLES
    packages = find_packages(root)
    planned = 0
    for file in sorted(root.rglob("*")):
        if file.suffix not in {".py", ".ts", ".tsx", ".js", ".jsx", ".mjs"} or "node_modules" in file.parts:
            continue
        path, text = file.relative_to(root).as_posix(), file.read_text(encoding="utf-8")
        package = package_for(path, packages)
        flows = analyze_document(path, text, package=package).flows
        planned_edits = [e for f in flows for e in plan_flow_tracking(text, path, f, package, SNIPPETS)]
        edits = list({(e.path, e.span, e.new_text): e for e in planned_edits}.values())  # one shared import
        if not edits:
            continue
        planned += 1
        edited = apply_edits(text, [e for e in edits if e.path == path])
        assert len(error_nodes(edited, path)) <= len(error_nodes(text, path)), path
        after = analyze_document(path, edited, package=package)
        assert "posthog/untracked-flow" not in {f.code for f in after.findings}, path
        assert [e for f in after.flows for e in plan_flow_tracking(edited, path, f, package, SNIPPETS)] == [], path
        for created_path, content in ((e.path, e.new_text) for e in edits if e.create_file):
            assert error_nodes(content, created_path) == [], created_path
    assert planned >= 5


def test_missing_identify_fix_on_an_error_only_supabase_login_binds_the_result_and_goes_away():
    path = "app/login/actions.ts"
    error_only = NEXT_LOGIN_ACTION.replace("const { data, error }", "const { error }")
    installed = PosthogSetup(installed=True, sdks=("posthog-js", "posthog-node"), init="instrumentation-client.ts:1")
    fixed = _fix_until_gone(path, error_only, replace(NEXT, posthog=installed), "posthog/missing-identify")
    assert "const { data, error } = await supabase.auth.signInWithPassword({" in fixed
    assert "distinctId: String(data.user.id)" in fixed and error_nodes(fixed, path) == []


def test_a_one_line_exported_arrow_logout_action_gets_a_block_body_with_the_capture_first():
    path = "app/routes/logout.jsx"
    text = (
        'import { logout } from "~/session.server";\n\n'
        "export const action = async ({ request }) => logout(request);\n"
    )
    node = Package(path=".", framework="node", language="javascript", package_manager="npm")
    edited = _track_all(path, text, node)
    # one statement a line, as the file would lay it out (S4-17), flushed before the handler returns
    assert "=> {\n  posthog.capture({\n" in edited and "  return logout(request);\n};\n" in edited
    assert error_nodes(edited, path) == []
    assert all(f.tracked for f in analyze_document(path, edited, package=node).flows)
