"""The core's fixture apps (tests/fixtures/apps), integrated: no new type error, no new undefined name.

These apps are fragments of real projects (their imports - stripe, supabase, prisma, next-auth, firebase,
flask_login, sqlalchemy - are not installed), so most cannot run; the Django accounts views can, with settings
and URLs the driver supplies, and send their events to the sink. What integrate adds must also type-check:
tsc (checkJs, strict) must report nothing on the lines integrate wrote; Python apps must not gain an undefined
name (ruff F821, before and after compared). Parsing and idempotency of the same runs are covered by
tests/agent/test_integrate_deterministic.py.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from .apps import FIXTURES, TSC, TYPECHECK_MODULES, integrate, link_node_modules, require_node, run_at_sink

NODE_APPS = ["nextjs-app-router", "nextjs-pages-router", "node-express", "react-spa"]
PYTHON_APPS = ["django", "fastapi", "flask"]
TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022", "lib": ["dom", "es2022"], "module": "esnext", "moduleResolution": "bundler",
        "jsx": "react-jsx", "strict": True, "noImplicitAny": False, "noEmit": True, "skipLibCheck": True,
        "allowJs": True, "checkJs": True, "types": ["node"], "baseUrl": ".", "paths": {"@/*": ["./*"]},
    },
    "exclude": ["node_modules"],
}
_TS_ERROR = re.compile(r"^(?P<file>[^(\s]+)\((?P<line>\d+),\d+\): error (?P<code>TS\d+): (?P<message>.*)$", re.M)


@pytest.fixture(scope="module")
def fixture_apps(tmp_path_factory):
    """{name: (the app as it was, the integrated app)}, both copies in a temporary folder."""
    base = tmp_path_factory.mktemp("fixtures")
    apps = {}
    for name in NODE_APPS + PYTHON_APPS:
        before = base / "before" / name
        shutil.copytree(FIXTURES / name, before)
        apps[name] = (before, integrate(FIXTURES / name, base / "after" / name, strip=False))
        assert apps[name][1].code == 0, apps[name][1].err
    return apps


@pytest.fixture(scope="module")
def new_type_errors(fixture_apps):
    """{name: tsc errors on the lines integrate added}, one tsc per app, all at once."""
    require_node(TSC)
    procs = {}
    for name in NODE_APPS:
        root = fixture_apps[name][1].root
        edited = [c.path for c in fixture_apps[name][1].edited if c.path.endswith((".ts", ".tsx", ".js", ".jsx"))]
        (root / "tsconfig.json").write_text(json.dumps({**TSCONFIG, "include": edited}))  # and what they import
        link_node_modules(root, TYPECHECK_MODULES)
        procs[name] = subprocess.Popen([str(TSC), "-p", "tsconfig.json"], cwd=root, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True)
    found = {}
    for name, proc in procs.items():
        added = {c.path: _added_lines(c.before, c.after) for c in fixture_apps[name][1].edited}
        errors = list(_TS_ERROR.finditer(proc.communicate(timeout=180)[0]))
        ours = [m for m in errors if int(m["line"]) in added.get(m["file"], ())]
        # The app's own code has the same error elsewhere (req.user without passport's types): not integrate's.
        theirs = {(m["code"], m["message"]) for m in errors if m not in ours}
        found[name] = [f"{m['file']}:{m['line']}: {m['code']} {m['message']}" for m in ours
                       if (m["code"], m["message"]) not in theirs]
    return found


def _added_lines(before: str | None, after: str) -> set[int]:
    """1-based numbers of the lines of `after` that integrate wrote."""
    old, new = (before or "").splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return {j + 1 for tag, _, _, j1, j2 in matcher.get_opcodes() if tag in ("replace", "insert") for j in range(j1, j2)}


@pytest.mark.parametrize("name", NODE_APPS)
def test_integrate_adds_no_type_error_to_a_node_fixture_app(name, new_type_errors):
    assert new_type_errors[name] == []


def _undefined_names(root: Path) -> Counter:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F821,F811,F823",
                           "--output-format", "json", "."], cwd=root, capture_output=True, text=True, timeout=60)
    return Counter(f"{Path(d['filename']).relative_to(root)}: {d['code']} {d['message']}"
                   for d in json.loads(proc.stdout or "[]"))


@pytest.mark.parametrize("name", PYTHON_APPS)
def test_integrate_adds_no_undefined_name_to_a_python_fixture_app(name, fixture_apps):
    before, after = fixture_apps[name]
    assert sorted((_undefined_names(after.root) - _undefined_names(before)).elements()) == []


HERE = Path(__file__).resolve().parent
ACCOUNT_EVENTS = ["user_signed_up", "user_logged_out", "user_logged_in", "account_deleted"]


@pytest.fixture(scope="module")
def django_accounts(fixture_apps, smoke_sink):
    app = fixture_apps["django"][1]
    return run_at_sink([sys.executable, str(HERE / "drive_django_accounts.py"), str(app.root)], app, smoke_sink)


@pytest.mark.parametrize("event", ACCOUNT_EVENTS)
def test_django_fixture_account_views_send_their_event_once_as_the_user(event, django_accounts, fixture_apps):
    assert event in fixture_apps["django"][1].planned()
    result, events = django_accounts
    assert result["statuses"] == [302] * 4, "each step succeeds and redirects"
    assert [e["distinct_id"] for e in events if e["event"] == event] == [result["user_id"]]
