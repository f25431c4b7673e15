"""pytest-lsp fixture: the real server (`python -m lsp_server`) over stdio, driven like an editor would."""

from __future__ import annotations

import sys
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, make_test_lsp_client


def _fix_code_action_union(client: LanguageClient) -> None:
    """lsprotocol 2025.0.0 parses any CodeAction carrying a `command` object as a Command; decide by its type."""
    conv = client.protocol._converter

    def hook(obj: Any, _: Any) -> Any:
        if isinstance(obj.get("command"), str):
            return conv.structure(obj, types.Command)
        return conv.structure(obj, types.CodeAction)

    conv.register_structure_hook(types.Command | types.CodeAction, hook)


def make_client() -> LanguageClient:
    """The default test client, plus a record of every publish, applyEdit and registration."""
    client = make_test_lsp_client()
    _fix_code_action_union(client)
    client.published = []  # every publishDiagnostics, in order
    client.applied_edits = []
    client.registrations = []
    client.apply_edit_result = True
    client.code_lens_refreshes = 0
    del client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.applied_edits.append(params)
        return types.ApplyWorkspaceEditResult(applied=client.apply_edit_result)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(params: None) -> None:
        client.code_lens_refreshes += 1

    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "lsp_server"], client_factory=make_client)
)
async def client(lsp_client: LanguageClient):
    """Started but not initialised: each test initialises with its own root, options and capabilities."""
    yield
    await lsp_client.shutdown_session()
