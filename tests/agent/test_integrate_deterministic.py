"""`posthog-lsp integrate` without a model: complete, idempotent, previewable and safe to interrupt.

Runs on PostHog-free copies of the fixture apps and of two small runnable apps (tests/agent/apps), whose
smoke paths then send real SDK traffic to the local sink.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from lsp_server.agent import run as run_module
from lsp_server.agent.events_plan import PLAN_FILE, read_plan
from lsp_server.agent.pipeline import plan_integration
from lsp_server.agent.report import REPORT_FILE
from lsp_server.agent.run import IntegrateOptions, run_integrate, syntax_problems
from lsp_server.analysis.parsing import parse
from lsp_server.cli import main as cli_main
from tests import sink

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "apps"
APPS = HERE / "apps"
NODE_MODULES = ROOT / "tests" / "node" / "node_modules"
TYPECHECK_MODULES = ROOT / "tests" / "typecheck" / "node_modules"
APP_NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def copy_app(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / src.name
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    return dest


def integrate(root: Path, **kw) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    opts = IntegrateOptions(root=root, yes=True, agent="off", out=out, err=err, **kw)
    code = run_integrate(opts)
    return code, out.getvalue(), err.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", APP_NAMES)
def test_every_fixture_app_is_integrated_cleanly_and_a_second_run_changes_nothing(name, tmp_path, monkeypatch):
    monkeypatch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)
    root = copy_app(FIXTURES / name, tmp_path)
    plan = plan_integration(root)
    assert plan.edited and syntax_problems(plan.edited) == []
    code, _, err = integrate(root)
    assert code == 0, err
    events = read_plan(root)
    assert events, "the events plan is written"
    sources = {e.file for e in events}
    assert all("posthog" in (root / f).read_text() for f in sources), "every planned file calls PostHog"
    report = (root / REPORT_FILE).read_text()
    assert all(f"`{e.event_name}`" in report for e in events)
    assert "Verify before merging" in report and "Set `" in report  # no key given: the report says what to set
    assert "project token" in err
    sources = [p for p in root.rglob("*.*") if p.suffix in (".py", ".js", ".ts", ".tsx")]
    todos = [f"`{p.relative_to(root).as_posix()}:{n}`" for p in sources
             for n, line in enumerate(p.read_text().splitlines(), 1) if "TODO(posthog)" in line]
    assert all(t in report for t in todos), "every id placeholder is listed for the user"
    before = snapshot(root)
    code, _, err = integrate(root)
    assert code == 0 and "already integrated" in err
    assert snapshot(root) == before


def test_nextjs_15_gets_instrumentation_client_and_older_next_an_app_init(tmp_path):
    app_router = copy_app(FIXTURES / "nextjs-app-router", tmp_path)
    pages = copy_app(FIXTURES / "nextjs-pages-router", tmp_path)
    integrate(app_router)
    integrate(pages)
    init = (app_router / "instrumentation-client.js").read_text()
    assert "posthog.init(posthogKey" in init and "process.env.NEXT_PUBLIC_POSTHOG_HOST" in init
    app = (pages / "pages" / "_app.js").read_text()
    assert "posthog.init(posthogKey" in app and "export default function App" in app
    deps = json.loads((app_router / "package.json").read_text())["dependencies"]
    assert {"posthog-js", "posthog-node"} <= set(deps) and deps["next"] == "15.3.1"


def test_existing_posthog_config_is_kept_and_only_missing_pieces_are_added(tmp_path):
    root = copy_app(FIXTURES / "nextjs-app-router", tmp_path)
    custom = (
        "import posthog from 'posthog-js';\n\nposthog.init(process.env.NEXT_PUBLIC_POSTHOG_KEY!, {\n"
        "  api_host: '/ingest',\n  ui_host: 'https://eu.posthog.com',\n});\n"
    )
    (root / "instrumentation-client.ts").write_text(custom)
    (root / ".env.local").write_text("NEXT_PUBLIC_POSTHOG_HOST=https://eu.i.posthog.com\n")
    integrate(root, api_key="phc_given")
    assert (root / "instrumentation-client.ts").read_text() == custom
    assert not (root / "instrumentation-client.js").exists()
    env = (root / ".env.local").read_text()
    assert "NEXT_PUBLIC_POSTHOG_HOST=https://eu.i.posthog.com" in env and "NEXT_PUBLIC_POSTHOG_KEY=phc_given" in env
    assert "phc_given" not in (root / REPORT_FILE).read_text()


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path):
    root = copy_app(FIXTURES / "node-express", tmp_path)
    before = snapshot(root)
    code, out, err = integrate(root, dry_run=True)
    assert code == 0
    assert "+++ b/src/routes/auth.js" in out and "+++ b/src/lib/posthog-server.js" in out
    assert "posthog.capture(" in out and "nothing written" in err
    assert snapshot(root) == before


def test_user_edited_plan_is_kept_renamed_events_are_used_and_removed_ones_stay_out(tmp_path):
    root = copy_app(FIXTURES / "flask", tmp_path)
    plan = plan_integration(root)
    entries = [
        {"event_name": "member_logged_in" if e.event_name == "user_logged_in" else e.event_name,
         "event_description": e.event_description, "file": e.file}
        for e in plan.events_plan
        if e.event_name != "subscription_changed"
    ]
    (root / PLAN_FILE).write_text(json.dumps(entries, indent=2))
    integrate(root)
    auth = (root / "app" / "auth.py").read_text()
    assert '"member_logged_in"' in auth and '"user_logged_in"' not in auth
    assert "subscription_changed" not in (root / "app" / "billing.py").read_text()
    assert json.loads((root / PLAN_FILE).read_text()) == entries


def test_a_run_killed_mid_write_leaves_whole_files_and_a_rerun_completes(tmp_path, monkeypatch):
    root = copy_app(FIXTURES / "node-express", tmp_path)
    real = run_module.writes.atomic_write
    calls = {"n": 0}

    def dying_write(path, text, *encoding):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        real(path, text, *encoding)

    monkeypatch.setattr(run_module.writes, "atomic_write", dying_write)
    with pytest.raises(KeyboardInterrupt):
        integrate(root)
    monkeypatch.setattr(run_module.writes, "atomic_write", real)
    assert not list(root.rglob("*.posthog-tmp"))
    for path in root.rglob("*.js"):  # every file on disk is whole: old or new, never half
        assert parse(path.read_text(), "javascript").root.has_error is False, path
    code, _, err = integrate(root)
    assert code == 0, err
    assert integrate(root)[2].count("already integrated") == 1
    full = plan_integration(root)
    assert full.edited == []


def test_cli_integrate_subcommand_runs_offline(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    root = copy_app(FIXTURES / "fastapi", tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["integrate", str(root), "--yes", "--region", "eu"])
    assert exit_info.value.code == 0
    assert "POSTHOG_HOST=https://eu.i.posthog.com" in (root / ".env").read_text()
    assert "posthog>=" in (root / "requirements.txt").read_text()
    assert "Set POSTHOG_PROJECT_TOKEN" in capsys.readouterr().err


def test_unknown_package_is_a_clear_error(tmp_path):
    root = copy_app(FIXTURES / "flask", tmp_path)
    code, _, err = integrate(root, package="nope")
    assert code == 2 and "no package at 'nope'" in err


def test_monorepo_package_option_integrates_only_that_package(tmp_path):
    mono = tmp_path / "mono"
    copy_app(FIXTURES / "flask", mono)
    copy_app(FIXTURES / "node-express", mono)
    code, _, err = integrate(mono, package="flask")
    assert code == 0, err
    assert (mono / "flask" / "posthog_client.py").is_file()
    assert "posthog" not in (mono / "node-express" / "package.json").read_text()


EXAMPLES = ROOT / "skills" / "examples"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_already_integrated_model_airplanes_keep_every_posthog_line(name, tmp_path):
    root = copy_app(EXAMPLES / name, tmp_path)
    before = {k: v.decode() for k, v in snapshot(root).items() if k.endswith((".py", ".js", ".ts", ".tsx", ".json"))}
    code, _, err = integrate(root)
    assert code == 0, err
    for path, text in before.items():
        after = (root / path).read_text()
        kept = [line for line in text.splitlines() if "posthog" in line.lower()]
        assert all(line in after.splitlines() for line in kept), f"{path}: existing PostHog code was rewritten"
    assert not (root / "instrumentation-client.js").exists()
    assert plan_integration(root).edited == []


def test_bundled_demo_monorepo_gets_both_packages_integrated(tmp_path):
    root = copy_app(ROOT / "skills" / "demo" / "acme-shop", tmp_path)
    code, _, err = integrate(root, api_key="phc_demo")
    assert code == 0, err
    assert (root / "api" / "posthog_client.py").is_file() and (root / "web" / "instrumentation-client.ts").is_file()
    assert "NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN=phc_demo" in (root / "web" / ".env.local").read_text()
    assert "POSTHOG_PROJECT_TOKEN=phc_demo" in (root / "api" / ".env").read_text()
    assert "NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN=" in (root / "web" / ".env.example").read_text()
    report = (root / REPORT_FILE).read_text()
    assert "api (fastapi)" in report and "web (nextjs-app-router)" in report and "phc_demo" not in report
    assert integrate(root)[2].count("already integrated") == 1


# -- smoke paths against the local sink -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sink_url():
    server, url = sink.start()
    yield url
    server.shutdown()


def _smoke(command: list[str], cwd: Path, sink_url: str, extra_env: dict[str, str] | None = None) -> list[dict]:
    token = "phc_test_" + uuid.uuid4().hex
    env = {**os.environ, "POSTHOG_PROJECT_TOKEN": token, "POSTHOG_HOST": sink_url, "NODE_ENV": "test",
           **(extra_env or {})}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return [e for e in sink.all_events() if e["api_key"] == token]


def test_integrated_flask_app_sends_the_planned_events_with_the_real_sdk(tmp_path, sink_url):
    root = copy_app(APPS / "flask_shop", tmp_path)
    code, _, err = integrate(root)
    assert code == 0, err
    planned = {e.event_name for e in read_plan(root)}
    assert planned == {"user_signed_up", "user_logged_in", "user_logged_out"}
    events = _smoke([sys.executable, "smoke.py"], root, sink_url)
    names = [e["event"] for e in events]
    assert planned <= set(names)
    signed_up = next(e for e in events if e["event"] == "user_signed_up")
    assert signed_up["distinct_id"] == "1"
    assert any(e["event"] == "$set" and e["distinct_id"] == "1" for e in events)  # identify's person properties


@pytest.mark.skipif(shutil.which("node") is None or not (NODE_MODULES / "posthog-node").is_dir()
                    or not (NODE_MODULES / "express").is_dir(), reason="needs node and `npm install` in tests/node")
def test_integrated_express_app_sends_the_planned_events_and_identifies_with_the_real_sdk(tmp_path, sink_url):
    root = copy_app(APPS / "express_shop", tmp_path)
    code, _, err = integrate(root)
    assert code == 0, err
    events = _smoke(["node", "smoke.js"], root, sink_url, {"NODE_PATH": str(NODE_MODULES)})
    names = {e["event"] for e in events}
    assert {"user_signed_up", "user_logged_in", "$identify"} <= names
    assert {e["distinct_id"] for e in events if e["event"] == "user_logged_in"} == {"1"}


@pytest.mark.skipif(shutil.which("node") is None or not (TYPECHECK_MODULES / ".bin" / "tsc").exists(),
                    reason="needs node and `make typecheck-deps`")
def test_integrated_nextjs_typescript_app_passes_its_own_typecheck_in_the_revise_stage(tmp_path):
    root = copy_app(APPS / "next_shop", tmp_path)
    (root / "node_modules").symlink_to(TYPECHECK_MODULES, target_is_directory=True)
    code, _, err = integrate(root)
    assert code == 0, err
    report = (root / REPORT_FILE).read_text()
    assert "`npm run typecheck` in `.`: passed" in report
    assert {e.event_name for e in read_plan(root)} == {"user_signed_up", "user_logged_in", "user_logged_out"}
    login = (root / "app" / "api" / "login" / "route.ts").read_text()
    assert "posthog.identify(" in login and "await posthog.flush()" in login
    assert "posthog.reset()" in (root / "components" / "LogoutButton.tsx").read_text()
    assert (root / "instrumentation-client.ts").is_file()


def test_a_failing_project_check_fails_the_run_and_its_output_is_in_the_report(tmp_path):
    root = copy_app(FIXTURES / "node-express", tmp_path)
    manifest = json.loads((root / "package.json").read_text())
    (root / "package.json").write_text(json.dumps({**manifest, "scripts": {"lint": "eslint src"}}, indent=2))
    fake = root / "node_modules" / ".bin" / "eslint"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho 'src/app.js: 1 problem (no-undef DISTINCT_ID)'\nexit 1\n")
    fake.chmod(0o755)
    code, _, _ = integrate(root)
    assert code == 1
    report = (root / REPORT_FILE).read_text()
    assert "`npm run lint` in `.`: FAILED" in report and "no-undef DISTINCT_ID" in report


def test_offline_demo_shows_the_diff_and_the_report_without_touching_the_bundled_sample():
    from lsp_server.agent.demo import run_integrate_demo

    sample = ROOT / "skills" / "demo" / "acme-shop"
    before = snapshot(sample)
    out, err = io.StringIO(), io.StringIO()
    assert run_integrate_demo(out, err) == 0, err.getvalue()
    text = out.getvalue()
    assert "+++ b/web/instrumentation-client.ts" in text and "+++ b/api/posthog_client.py" in text
    assert "# PostHog setup report" in text and "Verify before merging" in text
    assert snapshot(sample) == before
