"""`posthog-lsp scan` and `posthog-lsp demo` as a user runs them: the JSON v1 contract, SARIF, text, exit codes,
and files that cannot be analysed (binary, huge, odd encodings) reported instead of crashing the run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_server.analysis.parsing import MAX_PARSE_BYTES
from lsp_server.analysis.scan import scan
from lsp_server.demo import demo_root, run_demo
from lsp_server.report import to_sarif

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = ROOT / ".venv" / "bin" / "posthog-lsp"
LEGACY_CAPTURE = "import posthog\n\n\ndef track(user):\n    posthog.capture('user_1', 'clicked')\n"


def cli_base() -> list[str]:
    return [str(CONSOLE)] if CONSOLE.exists() else [sys.executable, "-c", "from lsp_server.cli import main; main()"]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cli_base(), *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def write(root: Path, rel: str, text: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A two-package repo with one stale PostHog call, plus files no analysis can read."""
    write(tmp_path, "web/package.json", json.dumps({"dependencies": {"next": "15.3.1", "posthog-js": "1.449.2"}}))
    write(tmp_path, "web/app/page.tsx", "export default function Page() { return <main>shop</main> }\n")
    write(tmp_path, "api/requirements.txt", "flask==3.1.0\nposthog==7.91.1\n")
    write(tmp_path, "api/events.py", LEGACY_CAPTURE)
    write(tmp_path, "api/logo.py", b"\x89PNG\r\n\x1a\n\x00\x00\x00posthog login")
    write(tmp_path, "web/app/huge.ts", "// posthog login\n" + "const a = 1;\n" * (MAX_PARSE_BYTES // 12))
    write(tmp_path, "web/app/latin.ts", "// caf\xe9 login\nexport function login() {}\n".encode("latin-1"))
    write(tmp_path, "web/app/broken.ts", "export async function login( {{{ posthog.init('phc_' \n")
    write(tmp_path, "web/lib/ph.ts", "import posthog from 'posthog-js'\nposthog.init(process.env.KEY!)\n")
    write(tmp_path, "web/node_modules/posthog-js/dist/module.js", "posthog.capture('user_1', 'x')\n")
    return tmp_path


def test_json_report_follows_contract_v1(workspace: Path):
    proc = cli("scan", str(workspace), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert set(report) == {"version", "root", "packages", "flows", "diagnostics"}
    assert report["version"] == 1 and report["root"] == str(workspace.resolve())
    assert report["packages"] == [
        {"path": "api", "framework": "flask", "language": "python", "posthog": {"installed": True, "init": None}},
        {
            "path": "web",
            "framework": "nextjs-app-router",
            "language": "javascript",
            "posthog": {"installed": True, "init": "web/lib/ph.ts:2"},  # 1-based "path:line"
        },
    ]
    flow_keys = {"path", "symbol", "kind", "line", "end_line", "insert_line", "event", "needs_identify",
                 "identify_present", "confidence"}  # fmt: skip
    for flow in report["flows"]:
        assert set(flow) == flow_keys
        assert 1 <= flow["line"] <= flow["insert_line"] <= flow["end_line"] + 1
    legacy = [d for d in report["diagnostics"] if d["code"] == "posthog/legacy-api"]
    assert legacy, report["diagnostics"]
    for diag in report["diagnostics"]:
        assert set(diag) == {"path", "line", "column", "code", "severity", "message"}
        assert "node_modules" not in diag["path"] and "\\" not in diag["path"]
    # posthog.capture('user_1', ...) is on 0-based line 4, column 4 → 1-based 5:5
    assert (legacy[0]["path"], legacy[0]["line"], legacy[0]["column"]) == ("api/events.py", 5, 5)


def test_unreadable_files_are_reported_not_fatal(workspace: Path):
    result = scan(workspace)
    reasons = {e.path: e.reason for e in result.errors}
    assert reasons["api/logo.py"] == "binary"
    assert reasons["web/app/huge.ts"].startswith("too large")
    analysed = {d.path for d in result.documents}
    assert {"web/app/latin.ts", "web/app/broken.ts", "api/events.py"} <= analysed  # odd but readable: analysed
    assert "web/app/page.tsx" not in analysed  # nothing to find there: the prefilter skipped it
    assert result.files_seen == 9  # node_modules never walked
    assert result.files_parsed == len(analysed)


def test_sarif_report_shape(workspace: Path):
    proc = cli("scan", str(workspace), "--format", "sarif")
    assert proc.returncode == 0, proc.stderr
    sarif = json.loads(proc.stdout)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].startswith("https://")
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "posthog-lsp" and driver["informationUri"].startswith("https://")
    rule_ids = [r["id"] for r in driver["rules"]]
    assert "posthog/missing-identify" in rule_ids
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["helpUri"]
    missing_identify = driver["rules"][rule_ids.index("posthog/missing-identify")]
    assert "login or signup" in missing_identify["shortDescription"]["text"]  # from skills/docs/diagnostics.md
    assert run["results"]
    for res in run["results"]:
        assert res["ruleId"] in rule_ids and rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in {"error", "warning", "note"} and res["message"]["text"]
        location = res["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1


def test_sarif_uris_are_relative_and_escaped(tmp_path: Path):
    write(tmp_path, "my app/events.py", LEGACY_CAPTURE)
    result = to_sarif(scan(tmp_path))["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in result}
    assert uris == {"my%20app/events.py"}


def test_text_report_groups_findings_per_file(workspace: Path):
    proc = cli("scan", str(workspace))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "api/events.py" in lines
    start = lines.index("api/events.py") + 1
    block = lines[start : lines.index("", start)]
    assert any(line.split()[0] == "5" and "posthog/legacy-api" in line for line in block), block
    assert any(line.strip() == "api/logo.py: binary" for line in lines)
    assert "Packages (2)" in lines and "9 files in scope" in lines[-1]


def test_excludes_and_bad_paths(workspace: Path, tmp_path: Path):
    proc = cli("scan", str(workspace), "--format", "json", "--exclude", "api/", "--exclude", "*.tsx")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [p["path"] for p in report["packages"]] == ["web"]
    assert not any(d["path"].startswith("api/") for d in report["diagnostics"])

    missing = cli("scan", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr and not missing.stdout
    not_dir = cli("scan", str(workspace / "api" / "events.py"))
    assert not_dir.returncode == 2 and "not a folder" in not_dir.stderr


def test_prefilter_parses_only_files_that_can_matter(tmp_path: Path):
    for i in range(300):
        write(tmp_path, f"src/widgets/w{i}.ts", f"export function format{i}(n: number) {{ return n * {i} }}\n")
    write(tmp_path, "src/auth.ts", "export async function signUp(email: string) { return db.users.insert(email) }\n")
    write(tmp_path, "src/analytics.ts", "import posthog from 'posthog-js'\nposthog.capture('opened')\n")
    result = scan(tmp_path)
    assert result.files_seen == 302
    assert sorted(d.path for d in result.documents) == ["src/analytics.ts", "src/auth.ts"]


def test_demo_scans_the_bundled_sample_app(capsys: pytest.CaptureFixture[str]):
    assert len([p for p in demo_root().rglob("*") if p.is_file()]) < 20
    assert run_demo() == 0
    out = capsys.readouterr().out
    assert "no API key, no network" in out
    assert "  api  fastapi" in out and "  web  nextjs-app-router" in out
    assert out.count("PostHog: not installed") == 2
    for path in ("api/main.py", "web/app/login/actions.ts", "web/app/api/webhooks/stripe/route.ts"):
        assert f"\n{path}\n" in out


def test_demo_finds_the_sample_apps_flows():
    """The sample exists to show these flows; each is a plain, unambiguous case for the detector."""
    found = {(f.path, f.symbol, str(f.kind)) for d in scan(demo_root()).documents for f in d.flows}
    expected = {
        ("api/main.py", "signup", "signup"),
        ("api/main.py", "login", "login"),
        ("api/main.py", "cancel_subscription", "subscription_cancelled"),
        ("api/main.py", "delete_account", "account_deleted"),
        ("web/app/login/actions.ts", "signup", "signup"),
        ("web/app/login/actions.ts", "login", "login"),
        ("web/app/login/actions.ts", "logout", "logout"),
        ("web/app/account/actions.ts", "cancelSubscription", "subscription_cancelled"),
        ("web/app/account/actions.ts", "deleteAccount", "account_deleted"),
        ("web/app/api/checkout/route.ts", "POST", "checkout_started"),
    }
    assert expected <= found, expected - found
    webhook_kinds = {k for p, _s, k in found if p == "web/app/api/webhooks/stripe/route.ts"}
    assert {"payment_succeeded", "payment_failed", "subscription_cancelled"} <= webhook_kinds


def test_demo_integrates_the_sample_and_its_events_reach_the_local_sink():
    proc = cli("demo")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "+++ b/api/main.py" in out and "# PostHog setup report" in out
    smoke = [line for line in out.split("3/3", 1)[1].splitlines() if "distinct_id=" in line]
    assert [line.split()[0] for line in smoke] == ["user_signed_up", "user_logged_out", "user_logged_in",
                                                   "account_deleted"]
    ids = {line.split("distinct_id=")[1].split()[0] for line in smoke}
    assert len(ids) == 1 and "@" not in ids.pop()  # one real user id, never an email


def test_files_around_the_single_read_size_are_read_whole(tmp_path: Path):
    """Below 64 KB a file is read in one go; the flow at the very end of bigger files is still found."""
    login = "\nexport async function login(email: string, password: string) {\n" \
            "  return supabase.auth.signInWithPassword({ email, password })\n}\n"
    for name, size in (("under", 65_535), ("exact", 65_536), ("over", 65_537), ("big", 300_000)):
        pad = ("// padding\n" * (size // 11 + 1))[: size - len(login) - 1]
        write(tmp_path, f"src/{name}.ts", pad + "\n" + login)
        assert (tmp_path / f"src/{name}.ts").stat().st_size == size
    write(tmp_path, "src/huge.ts", login + "// padding\n" * (MAX_PARSE_BYTES // 11))
    result = scan(tmp_path)
    found = sorted(d.path for d in result.documents if any(f.kind == "login" for f in d.flows))
    assert found == ["src/big.ts", "src/exact.ts", "src/over.ts", "src/under.ts"]
    assert [(e.path, e.reason.split(" (")[0]) for e in result.errors] == [("src/huge.ts", "too large")]


def test_a_file_name_that_is_not_utf8_is_scanned_and_reported_in_every_format(tmp_path: Path):
    write(tmp_path, ".gitignore", "*.log\n")
    name = b"caf\xe9.ts"
    try:
        (tmp_path / os.fsdecode(name)).write_text("export async function signOut() { await auth.signOut() }\n")
    except (OSError, UnicodeError):
        pytest.skip("this file system only takes UTF-8 names")
    result = scan(tmp_path)
    assert not result.errors and [d.path for d in result.documents] == [os.fsdecode(name)]
    for fmt in ("json", "sarif", "text"):
        proc = subprocess.run([*cli_base(), "scan", str(tmp_path), "--format", fmt], capture_output=True, timeout=120,
                              cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        assert b"caf" in proc.stdout
    sarif = json.loads(cli("scan", str(tmp_path), "--format", "sarif").stdout)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "caf%E9.ts"
