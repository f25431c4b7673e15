"""`integrate` sends each event once, never writes a file it would break, and says what it could not add."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from lsp_server.agent import run as run_module
from lsp_server.agent.events_plan import PLAN_FILE, read_plan
from lsp_server.agent.report import REPORT_FILE
from lsp_server.agent.run import IntegrateOptions, run_integrate
from tests.integrate_smoke.strip import strip_app

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "apps"


def integrate(root: Path) -> tuple[int, str]:
    err = io.StringIO()
    code = run_integrate(IntegrateOptions(root=root, yes=True, agent="off", out=io.StringIO(), err=err))
    return code, err.getvalue()


def test_an_event_found_in_a_route_a_session_helper_and_the_browser_is_sent_once_from_the_route(tmp_path):
    root = strip_app(ROOT / "skills" / "examples" / "nextjs-app-router", tmp_path / "app")
    code, err = integrate(root)
    assert code == 0, err
    files = {e.file for e in read_plan(root) if e.event_name == "user_logged_out"}
    assert files == {"app/api/logout/route.ts"}
    assert "posthog" not in (root / "lib" / "auth.ts").read_text(), "the session helper is not tracked twice"
    page = (root / "app" / "page.tsx").read_text()
    assert "posthog.reset()" in page and "posthog.capture(" not in page, "the browser resets; the server captures"
    assert integrate(root)[1].count("already integrated") == 1


def test_a_file_whose_edit_would_not_parse_is_left_as_it_was_and_the_run_fails(tmp_path, monkeypatch):
    root = tmp_path / "flask"
    shutil.copytree(FIXTURES / "flask", root)
    before = (root / "app" / "auth.py").read_text()
    real = run_module.plan_integration

    def breaking(*args, **kwargs):
        plan = real(*args, **kwargs)
        plan.changes["app/auth.py"].after += "\ndef broken(:\n"
        return plan

    monkeypatch.setattr(run_module, "plan_integration", breaking)
    code, err = integrate(root)
    assert code == 1 and "would not parse: app/auth.py" in err
    assert (root / "app" / "auth.py").read_text() == before
    assert "posthog" in (root / "app" / "billing.py").read_text(), "the other files are written"
    assert "`app/auth.py`: not changed" in (root / REPORT_FILE).read_text()
    code, err = integrate(root)
    assert code == 1 and "already integrated" not in err, "a held-back file is not reported as integrated"
    monkeypatch.setattr(run_module, "plan_integration", real)
    code, err = integrate(root)
    assert code == 0 and "posthog.capture(" in (root / "app" / "auth.py").read_text()


def test_a_planned_event_with_no_place_to_send_it_is_reported_as_not_added(tmp_path):
    root = tmp_path / "flask"
    shutil.copytree(FIXTURES / "flask", root)
    (root / "app" / "exports.py").write_text("def export_report(rows):\n    return ','.join(rows)\n")
    plan = [{"event_name": "report_exported", "event_description": "by hand", "file": "app/exports.py"}]
    (root / PLAN_FILE).write_text(json.dumps(plan))  # the user's plan, before the first run
    assert integrate(root)[0] == 0
    report = (root / REPORT_FILE).read_text()
    assert "| `report_exported` | by hand | `app/exports.py` | not added (see notes) |" in report
    assert "`report_exported` in `app/exports.py`: planned, but no place to send it was found" in report


def test_a_package_without_any_flow_gets_no_sdk_and_no_env_file(tmp_path):
    mono = tmp_path / "mono"
    shutil.copytree(FIXTURES / "flask", mono / "api")
    manifest = json.dumps({"name": "mono", "private": True, "devDependencies": {"turbo": "^2"}}, indent=2) + "\n"
    (mono / "package.json").write_text(manifest)
    code, err = integrate(mono)
    assert code == 0, err
    assert (mono / "package.json").read_text() == manifest and not (mono / ".env").exists()
    assert (mono / "api" / ".env").is_file() and "posthog" in (mono / "api" / "requirements.txt").read_text()


def test_a_utf16_requirements_file_gets_the_sdk_in_utf16(tmp_path):
    root = tmp_path / "flask"
    shutil.copytree(FIXTURES / "flask", root)
    (root / "requirements.txt").write_bytes("flask>=3.0\r\n".encode("utf-16"))  # `pip freeze >` in PowerShell
    code, err = integrate(root)
    assert code == 0, err
    data = (root / "requirements.txt").read_bytes()
    assert data.startswith(b"\xff\xfe") and data.decode("utf-16").startswith("flask>=3.0\r\nposthog>=")


def test_a_manifest_that_cannot_be_read_is_left_alone_and_the_report_says_what_to_add(tmp_path):
    root = tmp_path / "flask"
    shutil.copytree(FIXTURES / "flask", root)
    latin1 = "flask>=3.0  # café\n".encode("latin-1")  # not UTF-8
    (root / "requirements.txt").write_bytes(latin1)
    code, err = integrate(root)
    assert code == 0, err
    assert (root / "requirements.txt").read_bytes() == latin1
    report = (root / REPORT_FILE).read_text()
    assert "`requirements.txt` exists but could not be read" in report and "add `posthog>=" in report
    assert "- `requirements.txt` (new)" not in report and "Dependencies added" not in report


def test_two_signup_routes_are_both_tracked_but_the_helper_they_share_is_not(tmp_path):
    root = tmp_path / "web"
    (root / "app" / "api" / "signup").mkdir(parents=True)
    (root / "app" / "api" / "register").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "package.json").write_text('{"dependencies": {"next": "15.5.4"}}\n')
    (root / "lib" / "users.ts").write_text(
        "export async function createUser(email: string) {\n  const user = await db.user.create({ email })\n"
        "  await sendWelcomeEmail(user.email)\n  return user\n}\n"
        "declare const db: any\ndeclare function sendWelcomeEmail(e: string): Promise<void>\n")
    route = (
        "import { createUser } from '../../../lib/users'\n\nexport async function POST(request: Request) {\n"
        "  const { email } = await request.json()\n  const user = await createUser(email)\n"
        "  return Response.json({ id: user.id }, { status: 201 })\n}\n")
    (root / "app" / "api" / "signup" / "route.ts").write_text(route)
    (root / "app" / "api" / "register" / "route.ts").write_text(route.replace("request.json()", "exchange(request)")
                                                           + "declare function exchange(r: Request): any\n")
    integrate(root)
    files = sorted(e.file for e in read_plan(root) if e.event_name == "user_signed_up")
    assert files == ["app/api/register/route.ts", "app/api/signup/route.ts"]
    assert "posthog" not in (root / "lib" / "users.ts").read_text()


def test_an_app_without_business_flows_gets_nothing_and_is_told_why(tmp_path):
    (tmp_path / "requirements.txt").write_text("requests>=2\n")
    (tmp_path / "main.py").write_text("import requests\n\n\ndef fetch(url):\n    return requests.get(url).text\n")
    code, err = integrate(tmp_path)
    assert code == 0 and "no business flow" in err
    assert (tmp_path / "requirements.txt").read_text() == "requests>=2\n"
    assert not (tmp_path / ".env").exists() and not (tmp_path / "posthog_client.py").exists()


def test_windows_line_endings_are_kept_and_only_the_added_lines_differ(tmp_path):
    (tmp_path / "package.json").write_text('{"name": "r", "type": "module", "dependencies": {"express": "^4"}}\r\n')
    source = (
        "import User from './User.js';\r\n\r\nexport const login = async (req, res) => {\r\n"
        "  const user = await User.findOne({ email: req.body.email });\r\n"
        "  if (!user) return res.status(404).json({});\r\n  res.json({ id: user.id });\r\n};\r\n"
    )
    (tmp_path / "auth.js").write_bytes(source.encode())
    code, err = integrate(tmp_path)
    assert code == 0, err
    after = (tmp_path / "auth.js").read_bytes().decode()
    assert "posthog.capture(" in after and after.count("\n") == after.count("\r\n")
    assert set(source.split("\r\n")) <= set(after.split("\r\n")), "every original line is kept as it was"


def test_next_layout_gets_its_import_and_init_component_from_one_plan_in_the_right_places(tmp_path):
    (tmp_path / "package.json").write_text('{"dependencies": {"next": "14.2.3", "react": "18.3.1"}}\n')
    (tmp_path / "app" / "login").mkdir(parents=True)
    layout = (
        'import { cn } from "@/lib/utils"\nimport "./globals.css"\n\n'
        "export default function RootLayout({ children }: { children: React.ReactNode }) {\n"
        "    return (\n        <html lang=\"en\">\n            <body\n                className={cn(\n"
        '                    "min-h-screen bg-background",\n                    fontSans.variable\n'
        "                )}\n            >\n                {children}\n            </body>\n"
        "        </html>\n    )\n}\n"
    )
    (tmp_path / "app" / "layout.tsx").write_text(layout)
    (tmp_path / "app" / "login" / "page.tsx").write_text(
        "'use client'\nexport default function Login() {\n  async function onLogout() {\n"
        "    await fetch('/api/logout', { method: 'POST' })\n    window.location.assign('/')\n  }\n"
        "  return <button onClick={onLogout}>Log out</button>\n}\n")
    code, err = integrate(tmp_path)
    assert code == 0, err
    after = (tmp_path / "app" / "layout.tsx").read_text()
    assert after.index("<PostHogInit />") > after.index("            >\n"), "inside <body>, after its opening tag"
    assert after.count("PostHogInit") == 2 and "fontSans.variable\n" in after


def test_an_event_is_sent_from_the_controller_not_from_the_route_line_that_registers_it(tmp_path):
    """The route registration `router.post('/forgot-password', validate(...), controller.forgotPassword)` is a
    flow with no body to insert into: the controller, which does the work, sends the event; a rerun adds nothing."""
    (tmp_path / "src" / "routes").mkdir(parents=True)
    (tmp_path / "src" / "controllers").mkdir()
    (tmp_path / "package.json").write_text('{"name": "b", "dependencies": {"express": "^4"}}\n')
    (tmp_path / "src" / "routes" / "auth.route.js").write_text(
        "const express = require('express');\nconst validate = require('../middlewares/validate');\n"
        "const authController = require('../controllers/auth.controller');\n\nconst router = express.Router();\n"
        "router.post('/forgot-password', validate(rules.forgotPassword), authController.forgotPassword);\n\n"
        "module.exports = router;\n")
    controller = (
        "const authService = require('../services/auth.service');\n\n"
        "const forgotPassword = async (req, res) => {\n"
        "  const token = await authService.generateResetPasswordToken(req.body.email);\n"
        "  await authService.sendResetPasswordEmail(req.body.email, token);\n  res.status(204).send();\n};\n\n"
        "module.exports = { forgotPassword };\n")
    (tmp_path / "src" / "controllers" / "auth.controller.js").write_text(controller)
    code, err = integrate(tmp_path)
    assert code == 0, err
    assert [(e.event_name, e.file) for e in read_plan(tmp_path)] == [
        ("password_reset_requested", "src/controllers/auth.controller.js")]
    assert "event: 'password_reset_requested'" in (tmp_path / "src" / "controllers" / "auth.controller.js").read_text()
    assert "posthog" not in (tmp_path / "src" / "routes" / "auth.route.js").read_text()
    assert integrate(tmp_path)[1].count("already integrated") == 1


def test_a_rerun_never_gives_an_event_the_file_already_sends_to_another_flow(tmp_path):
    root = tmp_path / "flask"
    shutil.copytree(FIXTURES / "flask", root)
    plan = [{"event_name": "user_signed_up", "event_description": "only this one", "file": "app/auth.py"}]
    (root / PLAN_FILE).write_text(json.dumps(plan))
    assert integrate(root)[0] == 0
    auth = (root / "app" / "auth.py").read_text()
    assert auth.count("posthog.capture(") == 1 and '"user_signed_up"' in auth
    code, err = integrate(root)
    assert code == 0 and "already integrated" in err
    assert (root / "app" / "auth.py").read_text() == auth


def test_a_key_and_host_the_app_already_sets_in_dot_env_are_not_shadowed_by_a_new_env_local(tmp_path):
    root = strip_app(ROOT / "skills" / "examples" / "react-spa", tmp_path / "app")
    (root / ".env").write_text("VITE_PUBLIC_POSTHOG_KEY=phc_working\nVITE_PUBLIC_POSTHOG_HOST=https://eu.i.posthog.com\n")
    code, err = integrate(root)
    assert code == 0, err
    assert (root / ".env").read_text().startswith("VITE_PUBLIC_POSTHOG_KEY=phc_working\n")
    local = root / ".env.local"
    assert not local.exists() or "VITE_PUBLIC_POSTHOG" not in local.read_text()
    report = (root / REPORT_FILE).read_text()
    assert "`VITE_PUBLIC_POSTHOG_KEY` already in `.env` (kept)" in report and "Set VITE_PUBLIC_POSTHOG_KEY" not in err


def test_login_is_sent_after_the_awaited_call_not_before_a_wrapper_returns_its_promise(tmp_path):
    """`login()` only returns Firebase's promise: a capture there runs before the password is checked. The form
    that awaits it sees the success, so it sends `user_logged_in` (and the wrapper gets nothing)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "package.json").write_text('{"dependencies": {"react": "^18", "firebase": "^10", "vite": "^5"}}\n')
    context = (
        "import { auth } from './firebase'\n\nexport function useAuth() {\n"
        "  function login(email, password) {\n    return auth.signInWithEmailAndPassword(email, password)\n  }\n"
        "  return { login }\n}\n")
    (tmp_path / "src" / "AuthContext.js").write_text(context)
    (tmp_path / "src" / "Login.jsx").write_text(
        "import { useAuth } from './AuthContext'\n\nexport default function Login({ navigate }) {\n"
        "  const { login } = useAuth()\n  async function handleSubmit(e) {\n    e.preventDefault()\n    try {\n"
        "      await login(e.target.email.value, e.target.password.value)\n      navigate('/')\n"
        "    } catch {\n      alert('Failed to log in')\n    }\n  }\n"
        "  return <form onSubmit={handleSubmit} />\n}\n")
    code, err = integrate(tmp_path)
    assert code == 0, err
    assert [(e.event_name, e.file) for e in read_plan(tmp_path)] == [("user_logged_in", "src/Login.jsx")]
    assert (tmp_path / "src" / "AuthContext.js").read_text() == context
