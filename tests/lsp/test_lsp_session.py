"""The server as an editor meets it: start-up, capabilities, progress, watchers, logs, robustness."""

from __future__ import annotations

import asyncio
import sys

from lsp_helpers import diagnostics_at, initialize, open_doc, replace_doc, wait_for, write
from lsprotocol import types
from pytest_lsp import LanguageClient

SIGNUP_VIEW = '''from flask import Flask, request
from werkzeug.security import generate_password_hash

app = Flask(__name__)


@app.post("/signup")
def signup():
    user = User(email=request.form["email"], password_hash=generate_password_hash(request.form["password"]))
    db.session.add(user)
    db.session.commit()
    return {"id": user.id}, 201
'''
NEXT_PACKAGE = '{"name": "shop", "dependencies": {"next": "15.3.1", "react": "19.0.0", "posthog-node": "5.0.0"}}'


async def test_server_advertises_incremental_sync_actions_lenses_and_commands(client: LanguageClient, tmp_path):
    result = await initialize(client, tmp_path)
    caps = result.capabilities
    assert caps.text_document_sync.change == types.TextDocumentSyncKind.Incremental
    assert caps.code_action_provider.resolve_provider is True
    assert "source.posthog.trackAll" in caps.code_action_provider.code_action_kinds
    assert caps.code_lens_provider is not None
    assert caps.diagnostic_provider is None  # VS Code 1.65 cannot pull: it is pushed to (pull: test below)
    commands = caps.execute_command_provider.commands
    assert {"posthog.trackFlow", "posthog.scanWorkspace"} <= set(commands)
    assert result.server_info.name == "posthog-lsp"


async def test_startup_scan_reports_progress_and_registers_manifest_watchers(client: LanguageClient, tmp_path):
    write(tmp_path, "web/package.json", NEXT_PACKAGE)
    write(tmp_path, "api/requirements.txt", "flask==3.1.0\n")
    write(tmp_path, "api/app.py", SIGNUP_VIEW)
    await initialize(client, tmp_path)
    (reports,) = [r for r in client.progress_reports.values() if r and r[0].kind == "begin"]
    assert reports[0].title == "PostHog: scanning workspace"
    assert reports[-1].message.startswith("2 package(s), 1 flow(s) (1 untracked), 1 finding(s)")
    await wait_for(lambda: client.registrations)
    (registration,) = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = {w["globPattern"] for w in registration.register_options["watchers"]}
    assert {"**/package.json", "**/pyproject.toml", "**/requirements*.txt", "**/.gitignore"} <= globs
    assert any("posthog-lsp" in m.message and "started" in m.message for m in client.log_messages)


PROVIDERS = """'use client'

import posthog from 'posthog-js'

posthog.init('phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', { api_host: 'https://us.i.posthog.com' })
"""


async def test_new_package_json_changes_the_suggested_fix_without_a_restart(client: LanguageClient, tmp_path):
    uri = write(tmp_path, "app/providers.tsx", PROVIDERS)
    await initialize(client, tmp_path)
    open_doc(client, uri, PROVIDERS)
    (key,) = await diagnostics_at(client, uri, 1)
    assert key.data["replacement"] == "process.env.POSTHOG_PROJECT_TOKEN"  # no package known yet
    published = len(client.published)
    manifest = write(tmp_path, "package.json", NEXT_PACKAGE)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=manifest, type=types.FileChangeType.Created)])
    )
    await wait_for(lambda: len(client.published) > published)
    (key,) = client.published[-1].diagnostics
    assert key.data["replacement"] == "process.env.NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN"  # Next.js reads NEXT_PUBLIC_ vars
    scan = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.scanWorkspace", arguments=[])
    )
    assert scan["version"] == 1 and [p["framework"] for p in scan["packages"]] == ["nextjs-app-router"]
    assert [d["code"] for d in scan["diagnostics"]] == ["posthog/hardcoded-key"]
    assert scan["summary"].startswith("1 package(s), 0 flow(s) (0 untracked), 1 finding(s)")


GARBAGE = {
    "garbage.ts": "\x00\x01\ufffd" * 1000 + "\x89PNG\r\n\x1a\n",
    "huge.py": "def login():\n    pass\n" * 150_000,  # ~3 MB: above the parser's limit
    "unbalanced.tsx": "export default function SignUp() { return <form onSubmit={(((" * 200,
    "surrogates.js": "const s = '\ud83d';\n" * 10,  # a lone surrogate, as a broken editor buffer may hold
}


async def test_garbage_or_huge_documents_do_not_kill_the_server(client: LanguageClient, tmp_path):
    await initialize(client, tmp_path)
    for name, text in GARBAGE.items():
        uri = (tmp_path / name).as_uri()
        open_doc(client, uri, text)
        assert await diagnostics_at(client, uri, 1) == []
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert not lenses
    uri = write(tmp_path, "app.py", SIGNUP_VIEW)
    open_doc(client, uri, SIGNUP_VIEW)
    assert [d.code for d in await diagnostics_at(client, uri, 1)] == ["posthog/untracked-flow"]


async def test_typing_burst_publishes_only_the_latest_version(client: LanguageClient, tmp_path):
    await initialize(client, tmp_path, {"diagnosticsDelay": 300})
    uri = (tmp_path / "views.py").as_uri()
    open_doc(client, uri, "a = 1\n")
    await diagnostics_at(client, uri, 1)
    for version in (2, 3, 4):
        replace_doc(client, uri, version, f"a = {version}\n")
    await diagnostics_at(client, uri, 4)
    await asyncio.sleep(0.4)  # a stale check would have published by now
    assert [p.version for p in client.published if p.uri == uri] == [1, 4]


async def test_pull_clients_get_reports_refreshes_and_no_pushed_diagnostics(client: LanguageClient, tmp_path):
    import pytest_lsp

    caps = pytest_lsp.client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    uri = write(tmp_path, "app.py", SIGNUP_VIEW)
    result = await initialize(client, tmp_path, capabilities=caps)
    assert result.capabilities.diagnostic_provider.identifier == "posthog"
    open_doc(client, uri, SIGNUP_VIEW)
    ident = types.TextDocumentIdentifier(uri=uri)
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=ident))
    (item,) = report.items
    assert report.kind == "full" and item.code == "posthog/untracked-flow"
    assert item.severity == types.DiagnosticSeverity.Hint
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=ident, previous_result_id=report.result_id)
    )
    assert again.kind == "unchanged"

    refreshes = client.diagnostic_refresh_count
    client.set_configuration({"severity": {"posthog/untracked-flow": "warning"}}, section="posthog")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for(lambda: client.diagnostic_refresh_count > refreshes)
    after = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=ident, previous_result_id=report.result_id)
    )
    assert after.kind == "full" and after.items[0].severity == types.DiagnosticSeverity.Warning
    assert client.published == []  # never pushed to a client that pulls


def test_python_m_lsp_server_speaks_lsp_on_stdio():
    """What editors launch: `python -m lsp_server` answers initialize on stdout and exits cleanly."""
    import json
    import subprocess

    def frame(payload: dict) -> bytes:
        body = json.dumps(payload).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": None}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "lsp_server", "--stdio"],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        timeout=30,
    )
    assert b'"posthog-lsp"' in proc.stdout
    assert proc.returncode == 0, proc.stderr.decode()
