"""Diagnostics on real code, their quick fixes applied by the client, and the user's severity settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_helpers import (
    apply_action,
    code_actions,
    codes,
    diagnostics_at,
    initialize,
    open_doc,
    position_of,
    wait_for,
    write,
)
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

KEY = "phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
NODE_PACKAGE = '{"name": "api", "dependencies": {"express": "4.21.0", "posthog-node": "5.0.0"}}'
NODE_SERVER = f"""const {{ PostHog }} = require('posthog-node')

const client = new PostHog('{KEY}', {{ host: 'https://us.i.posthog.com' }})

async function recordSignup(user) {{
  client.capture(user.id, 'user_signed_up')
}}

module.exports = {{ recordSignup }}
"""


async def _open_node_server(client: LanguageClient, root, text: str = NODE_SERVER, name: str = "server.js"):
    write(root, "package.json", NODE_PACKAGE)
    uri = write(root, name, text)
    return uri


async def test_hardcoded_key_and_positional_capture_are_flagged_with_code_docs_and_fix_data(
    client: LanguageClient, tmp_path
):
    uri = await _open_node_server(client, tmp_path)
    await initialize(client, tmp_path)
    open_doc(client, uri, NODE_SERVER)
    diags = await diagnostics_at(client, uri, 1)
    assert codes(diags) == ["posthog/hardcoded-key", "posthog/legacy-api"]
    key = next(d for d in diags if d.code == "posthog/hardcoded-key")
    assert key.source == "posthog"
    assert key.severity == types.DiagnosticSeverity.Warning
    assert key.range.start == position_of(NODE_SERVER, f"'{KEY}'")
    doc, _, anchor = key.code_description.href.partition("#")  # the bundled doc, at the rule's section
    assert anchor == "hardcoded-key" and f"## {anchor}\n" in Path(to_fs_path(doc)).read_text(encoding="utf-8")
    assert key.data["version"] == 1 and key.data["code"] == "posthog/hardcoded-key"
    assert key.data["replacement"] == "process.env.POSTHOG_PROJECT_TOKEN"


async def test_every_quick_fix_applied_by_the_editor_removes_its_warning(client: LanguageClient, tmp_path):
    uri = await _open_node_server(client, tmp_path)
    await initialize(client, tmp_path)
    text, version = NODE_SERVER, 1
    open_doc(client, uri, text)
    diags = await diagnostics_at(client, uri, version)
    for code in ("posthog/hardcoded-key", "posthog/legacy-api"):
        diag = next(d for d in diags if d.code == code)
        actions = await code_actions(client, uri, diag.range, [diag])
        (fix,) = [a for a in actions if a.is_preferred]
        assert fix.kind == types.CodeActionKind.QuickFix and fix.diagnostics[0].code == code
        text, _ = await apply_action(client, uri, text, version, fix.edit)
        version += 1
        diags = await diagnostics_at(client, uri, version)
        assert code not in codes(diags)
    assert "process.env.POSTHOG_PROJECT_TOKEN" in text
    assert "client.capture({ distinctId: user.id, event: 'user_signed_up' })" in text
    assert codes(diags) == []


async def test_ignore_comment_silences_the_warning_on_that_line_only(client: LanguageClient, tmp_path):
    uri = await _open_node_server(client, tmp_path)
    await initialize(client, tmp_path)
    open_doc(client, uri, NODE_SERVER)
    diags = await diagnostics_at(client, uri, 1)
    legacy = next(d for d in diags if d.code == "posthog/legacy-api")
    actions = await code_actions(client, uri, legacy.range, [legacy])
    (ignore,) = [a for a in actions if a.title == "Ignore posthog/legacy-api on this line"]
    text, _ = await apply_action(client, uri, NODE_SERVER, 1, ignore.edit)
    assert "  // posthog-ignore: posthog/legacy-api\n  client.capture(user.id" in text
    assert codes(await diagnostics_at(client, uri, 2)) == ["posthog/hardcoded-key"]


async def test_severity_from_initialization_options_and_code_switched_off(client: LanguageClient, tmp_path):
    uri = await _open_node_server(client, tmp_path)
    await initialize(client, tmp_path, {"severity": {"posthog/hardcoded-key": "error", "posthog/legacy-api": "off"}})
    open_doc(client, uri, NODE_SERVER)
    (diag,) = await diagnostics_at(client, uri, 1)
    assert diag.code == "posthog/hardcoded-key" and diag.severity == types.DiagnosticSeverity.Error


async def test_changing_workspace_configuration_re_diagnoses_open_files(client: LanguageClient, tmp_path):
    uri = await _open_node_server(client, tmp_path)
    await initialize(client, tmp_path)
    open_doc(client, uri, NODE_SERVER)
    assert len(await diagnostics_at(client, uri, 1)) == 2
    client.set_configuration(
        {"severity": {"posthog/legacy-api": "hint", "posthog/hardcoded-key": "off"}}, section="posthog"
    )
    published = len(client.published)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for(lambda: len(client.published) > published)
    (diag,) = client.published[-1].diagnostics
    assert diag.code == "posthog/legacy-api" and diag.severity == types.DiagnosticSeverity.Hint
    assert client.code_lens_refreshes >= 1

    client.set_configuration({"enable": False}, section="posthog")
    published = len(client.published)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for(lambda: len(client.published) > published)
    assert list(client.published[-1].diagnostics) == []


async def test_invalid_settings_are_logged_and_ignored(client: LanguageClient, tmp_path):
    uri = await _open_node_server(client, tmp_path)
    await initialize(client, tmp_path, {"severity": {"posthog/legacy-api": "loud"}, "enable": "sometimes"})
    open_doc(client, uri, NODE_SERVER)
    assert len(await diagnostics_at(client, uri, 1)) == 2
    await wait_for(lambda: any("loud" in m.message for m in client.log_messages))


async def test_emoji_before_a_finding_moves_its_utf16_column(client: LanguageClient, tmp_path):
    text = NODE_SERVER.replace("const client =", "const greeting = '👋🏽 hi'; const client =")
    uri = await _open_node_server(client, tmp_path, text)
    await initialize(client, tmp_path)
    open_doc(client, uri, text)
    diags = await diagnostics_at(client, uri, 1)
    key = next(d for d in diags if d.code == "posthog/hardcoded-key")
    assert key.range.start == position_of(text, f"'{KEY}'")
    assert key.range.end.character - key.range.start.character == len(KEY) + 2
    actions = await code_actions(client, uri, key.range, [key])
    (fix,) = [a for a in actions if a.is_preferred]
    fixed, _ = await apply_action(client, uri, text, 1, fix.edit)
    assert "const greeting = '👋🏽 hi'; const client = new PostHog(process.env.POSTHOG_PROJECT_TOKEN, {" in fixed
    assert "posthog/hardcoded-key" not in codes(await diagnostics_at(client, uri, 2))


async def test_crlf_document_gets_crlf_edits_and_exact_ranges(client: LanguageClient, tmp_path):
    text = NODE_SERVER.replace("\n", "\r\n")
    uri = await _open_node_server(client, tmp_path, text)
    await initialize(client, tmp_path)
    open_doc(client, uri, text)
    diags = await diagnostics_at(client, uri, 1)
    legacy = next(d for d in diags if d.code == "posthog/legacy-api")
    assert legacy.range.start == position_of(text, "client.capture(user.id")
    actions = await code_actions(client, uri, legacy.range, [legacy])
    (ignore,) = [a for a in actions if a.title.startswith("Ignore")]
    fixed, _ = await apply_action(client, uri, text, 1, ignore.edit)
    assert "\r\n  // posthog-ignore: posthog/legacy-api\r\n  client.capture(user.id" in fixed
    assert "\n" not in fixed.replace("\r\n", "")
    assert codes(await diagnostics_at(client, uri, 2)) == ["posthog/hardcoded-key"]


async def test_form_feed_and_unicode_line_separator_do_not_shift_incremental_edits(client: LanguageClient, tmp_path):
    text = "const sep = '\u2028'\f\n" + NODE_SERVER  # not line breaks for LSP, but for str.splitlines
    uri = await _open_node_server(client, tmp_path, text)
    await initialize(client, tmp_path)
    open_doc(client, uri, text)
    key = next(d for d in await diagnostics_at(client, uri, 1) if d.code == "posthog/hardcoded-key")
    assert key.range.start == position_of(text, f"'{KEY}'")
    (fix,) = [a for a in await code_actions(client, uri, key.range, [key]) if a.is_preferred]
    fixed, _ = await apply_action(client, uri, text, 1, fix.edit)  # sent as a range change
    assert fixed.startswith("const sep = '\u2028'\f\n")
    assert "posthog/hardcoded-key" not in codes(await diagnostics_at(client, uri, 2))


async def test_closing_a_file_with_warnings_clears_them(client: LanguageClient, tmp_path):
    uri = await _open_node_server(client, tmp_path)
    await initialize(client, tmp_path)
    open_doc(client, uri, NODE_SERVER)
    assert await diagnostics_at(client, uri, 1)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    await wait_for(lambda: client.published[-1].uri == uri and client.published[-1].version is None)
    assert list(client.published[-1].diagnostics) == []
    await asyncio.sleep(0.05)
    assert list(client.diagnostics[uri]) == []


async def test_gitignored_and_excluded_files_get_no_diagnostics(client: LanguageClient, tmp_path):
    write(tmp_path, ".gitignore", "generated/\n")
    ignored = await _open_node_server(client, tmp_path, name="generated/server.js")
    excluded = write(tmp_path, "legacy/server.js", NODE_SERVER)
    await initialize(client, tmp_path, {"excludes": ["legacy/"]})
    open_doc(client, ignored, NODE_SERVER)
    open_doc(client, excluded, NODE_SERVER)
    assert await diagnostics_at(client, ignored, 1) == []
    assert await diagnostics_at(client, excluded, 1) == []


async def test_unsaved_untitled_buffer_is_checked_by_its_language(client: LanguageClient, tmp_path):
    await initialize(client, tmp_path)
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="javascript", version=1, text=NODE_SERVER)
        )
    )
    diags = await diagnostics_at(client, uri, 1)
    assert codes(diags) == ["posthog/hardcoded-key", "posthog/legacy-api"]
    legacy = next(d for d in diags if d.code == "posthog/legacy-api")
    (fix,) = [a for a in await code_actions(client, uri, legacy.range, [legacy]) if a.is_preferred]
    (change,) = fix.edit.document_changes
    assert change.text_document.uri == uri and change.text_document.version == 1
