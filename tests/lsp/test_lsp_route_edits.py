"""A controller's diagnostics follow the routes file as it is typed in (didChange, no save): the route facts of the
routing file are read again once typing pauses, and only the files they speak about are checked again."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from lsp_helpers import codes, diagnostics_at, initialize, open_doc, replace_doc, wait_for
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_server.features import route_refresh

APP = Path(__file__).parent.parent / "fixtures" / "server_crossfile" / "express"
REGISTER = "router.post('/register', userController.create)"


def _published(client: LanguageClient, uri: str) -> list[types.PublishDiagnosticsParams]:
    return [p for p in client.published if p.uri == uri]


async def test_typing_a_new_path_into_the_routes_file_updates_the_controllers_untracked_signup_without_a_save(
    client: LanguageClient, tmp_path
):
    root = tmp_path / "app"
    shutil.copytree(APP, root)
    controller, routes = root / "controllers/user.controller.js", root / "routes/auth.js"
    on_disk = routes.read_text()
    await initialize(client, root)
    uri, routes_uri = controller.as_uri(), routes.as_uri()
    open_doc(client, uri, controller.read_text())
    assert "posthog/untracked-flow" in codes(await diagnostics_at(client, uri, 1))
    open_doc(client, routes_uri, on_disk)
    await diagnostics_at(client, routes_uri, 1)

    # an edit that changes no route (a comment): the controller is not checked again
    seen = len(_published(client, uri))
    replace_doc(client, routes_uri, 2, "// auth routes\n" + on_disk)
    await diagnostics_at(client, routes_uri, 2)
    await asyncio.sleep(route_refresh.PAUSE_S + 0.3)
    assert len(_published(client, uri)) == seen

    # the same function registered for POST /comments instead: no signup any more, with nothing saved
    replace_doc(client, routes_uri, 3, on_disk.replace(REGISTER, REGISTER.replace("/register", "/comments")))
    await wait_for(lambda: len(_published(client, uri)) > seen)
    assert "posthog/untracked-flow" not in codes(_published(client, uri)[-1].diagnostics)
    assert routes.read_text() == on_disk  # nothing was saved

    # typed back: the signup returns
    seen = len(_published(client, uri))
    replace_doc(client, routes_uri, 4, on_disk)
    await wait_for(lambda: len(_published(client, uri)) > seen)
    [untracked] = [d for d in _published(client, uri)[-1].diagnostics if d.code == "posthog/untracked-flow"]
    assert untracked.data["kind"] == "signup"


async def test_closing_the_routes_file_without_saving_brings_back_the_routes_on_disk(client: LanguageClient, tmp_path):
    root = tmp_path / "app"
    shutil.copytree(APP, root)
    controller, routes = root / "controllers/user.controller.js", root / "routes/auth.js"
    on_disk = routes.read_text()
    await initialize(client, root)
    uri, routes_uri = controller.as_uri(), routes.as_uri()
    open_doc(client, uri, controller.read_text())
    await diagnostics_at(client, uri, 1)
    open_doc(client, routes_uri, on_disk)
    seen = len(_published(client, uri))
    replace_doc(client, routes_uri, 2, on_disk.replace(REGISTER, ""))  # the route deleted, not saved
    await wait_for(lambda: len(_published(client, uri)) > seen)
    assert "posthog/untracked-flow" not in codes(_published(client, uri)[-1].diagnostics)

    seen = len(_published(client, uri))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=routes_uri))
    )
    await wait_for(lambda: len(_published(client, uri)) > seen)
    [untracked] = [d for d in _published(client, uri)[-1].diagnostics if d.code == "posthog/untracked-flow"]
    assert untracked.data["kind"] == "signup"


async def test_a_pulling_client_is_asked_to_pull_again_and_gets_the_controller_without_its_signup(
    client: LanguageClient, tmp_path
):
    import pytest_lsp

    caps = pytest_lsp.client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    root = tmp_path / "app"
    shutil.copytree(APP, root)
    controller, routes = root / "controllers/user.controller.js", root / "routes/auth.js"
    on_disk = routes.read_text()
    await initialize(client, root, capabilities=caps)
    open_doc(client, controller.as_uri(), controller.read_text())
    ident = types.TextDocumentIdentifier(uri=controller.as_uri())
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=ident))
    assert "posthog/untracked-flow" in codes(report.items)

    refreshes = client.diagnostic_refresh_count
    open_doc(client, routes.as_uri(), on_disk)
    replace_doc(client, routes.as_uri(), 2, on_disk.replace(REGISTER, REGISTER.replace("/register", "/comments")))
    await wait_for(lambda: client.diagnostic_refresh_count > refreshes)
    after = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=ident, previous_result_id=report.result_id)
    )
    assert after.kind == "full" and "posthog/untracked-flow" not in codes(after.items)
