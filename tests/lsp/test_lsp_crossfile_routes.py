"""A controller whose route is registered in another file: its diagnostics follow that file as it is saved."""

from __future__ import annotations

import shutil
from pathlib import Path

from lsp_helpers import codes, diagnostics_at, initialize, open_doc, replace_doc, wait_for
from lsprotocol import types
from pytest_lsp import LanguageClient

APP = Path(__file__).parent.parent / "fixtures" / "server_crossfile" / "express"


def _published(client: LanguageClient, uri: str) -> list[types.PublishDiagnosticsParams]:
    return [p for p in client.published if p.uri == uri]


async def test_neutral_controller_registered_for_post_register_is_an_untracked_signup_until_the_route_moves(
    client: LanguageClient, tmp_path
):
    root = tmp_path / "app"
    shutil.copytree(APP, root)
    controller = root / "controllers/user.controller.js"
    routes = root / "routes/auth.js"
    await initialize(client, root)
    uri = controller.as_uri()
    open_doc(client, uri, controller.read_text())
    diags = await diagnostics_at(client, uri, 1)
    [untracked] = [d for d in diags if d.code == "posthog/untracked-flow"]
    assert untracked.range.start.line == 3  # `exports.create = async (req, res) => {`
    assert untracked.data["kind"] == "signup"

    # the routes file now registers the same function for POST /comments, and is saved
    seen = len(_published(client, uri))
    routes_text = routes.read_text().replace("router.post('/register', userController.create)",
                                             "router.post('/comments', userController.create)")
    open_doc(client, routes.as_uri(), routes.read_text())
    replace_doc(client, routes.as_uri(), 2, routes_text)
    routes.write_text(routes_text)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=routes.as_uri()))
    )
    await wait_for(lambda: len(_published(client, uri)) > seen)
    assert "posthog/untracked-flow" not in codes(_published(client, uri)[-1].diagnostics)


async def test_a_service_whose_controller_route_reports_the_signup_gets_no_second_untracked_flow(
    client: LanguageClient, tmp_path
):
    root = tmp_path / "api"
    shutil.copytree(APP.parent / "nest", root)
    await initialize(client, root)
    service, controller = root / "src/auth/auth.service.ts", root / "src/auth/auth.controller.ts"
    open_doc(client, service.as_uri(), service.read_text())
    open_doc(client, controller.as_uri(), controller.read_text())
    controller_diags = await diagnostics_at(client, controller.as_uri(), 1)
    assert [d.data["kind"] for d in controller_diags if d.code == "posthog/untracked-flow"] == ["signup", "login"]
    assert "posthog/untracked-flow" not in codes(await diagnostics_at(client, service.as_uri(), 1))
