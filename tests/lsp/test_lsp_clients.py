"""Other editors: Neovim 0.11 (pull diagnostics, UTF-8 positions) and Emacs 29 (UTF-32 positions)."""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsp_helpers import initialize, open_doc, write
from lsprotocol import types
from pytest_lsp import LanguageClient

KEY = "phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
SOURCE = f"""const {{ PostHog }} = require('posthog-node')
const hello = '👋🏽 é'; const client = new PostHog('{KEY}')
"""
PREFIX = SOURCE.splitlines()[1].split("'phc_")[0]


@pytest.mark.parametrize(
    ("profile", "encoding", "column"),
    [
        ("neovim@v0.11.0", "utf-8", len(PREFIX.encode("utf-8"))),
        ("emacs@v29.1", "utf-32", len(PREFIX)),
    ],
)
async def test_positions_follow_the_negotiated_encoding(client: LanguageClient, tmp_path, profile, encoding, column):
    write(tmp_path, "package.json", '{"dependencies": {"posthog-node": "5.0.0"}}')
    uri = write(tmp_path, "server.js", SOURCE)
    result = await initialize(client, tmp_path, capabilities=pytest_lsp.client_capabilities(profile))
    assert result.capabilities.position_encoding == encoding
    open_doc(client, uri, SOURCE)
    ident = types.TextDocumentIdentifier(uri=uri)
    if result.capabilities.diagnostic_provider is not None:  # a client that pulls and can be asked to pull again
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=ident))
        diagnostics = list(report.items)
    else:
        while not [p for p in client.published if p.uri == uri]:
            await asyncio.sleep(0.01)
        diagnostics = list(client.published[-1].diagnostics)
    (key,) = [d for d in diagnostics if d.code == "posthog/hardcoded-key"]
    assert key.range.start == types.Position(1, column)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=ident, range=key.range, context=types.CodeActionContext([key]))
    )
    (fix,) = [a for a in actions if a.is_preferred]
    edits = fix.edit.changes[uri] if fix.edit.changes else fix.edit.document_changes[0].edits
    assert [(e.range, e.new_text) for e in edits] == [(key.range, "process.env.POSTHOG_PROJECT_TOKEN")]
    if encoding == "utf-8":  # Neovim 0.11 pulls but cannot be asked to pull again: it is pushed to instead
        assert result.capabilities.diagnostic_provider is None and client.published
