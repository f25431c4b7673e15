"""S4-20 over stdio: a "Track …" quick fix that also adds the SDK to the manifest keeps its title ("Track <event> with
PostHog …"), in a client with file operations (Neovim 0.11, VS Code) as in one without (Eglot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import apply_workspace_edit, code_actions, point, write
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_client_capabilities import caps, open_doc, pushed, start

PACKAGE_JSON = '{\n  "name": "shop",\n  "dependencies": {\n    "express": "^4.19.0"\n  }\n}\n'
EXPRESS_LOGIN = """const express = require('express');
const User = require('../models/user');

const router = express.Router();

router.post('/login', async (req, res) => {
  const user = await User.findOne({ email: req.body.email });
  if (!user || !(await user.comparePassword(req.body.password))) {
    return res.status(401).json({ error: 'invalid credentials' });
  }
  req.session.userId = user.id;
  res.json({ ok: true });
});

module.exports = router;
"""
# Neovim 0.11 announces documentChanges and the create/rename/delete resource operations.
NVIM_EDITS = {"documentChanges": True, "resourceOperations": ["rename", "create", "delete"]}


@pytest.mark.parametrize("workspace_edit", [NVIM_EDITS, {"documentChanges": True}], ids=["file-operations", "eglot"])
async def test_the_track_action_is_titled_for_its_capture_when_it_also_adds_posthog_node_to_package_json(
    client: LanguageClient, tmp_path: Path, workspace_edit
):
    write(tmp_path, "package.json", PACKAGE_JSON)
    uri = write(tmp_path, "routes/auth.js", EXPRESS_LOGIN)
    await start(client, caps(workspace__workspaceEdit=workspace_edit), tmp_path, root_form="folders")
    open_doc(client, uri, EXPRESS_LOGIN)
    diagnostics = await pushed(client, uri, 1, lambda d: any(x.code == "posthog/untracked-flow" for x in d))
    flow = next(d for d in diagnostics if d.code == "posthog/untracked-flow")
    actions = await code_actions(client, uri, point(flow.range.start.line, 2), [flow])
    titles = [a.title for a in actions]
    assert "Track user_logged_in with PostHog and identify the user" in titles, titles
    assert not any(t.startswith("Add posthog-node") for t in titles), titles
    track = next(a for a in actions if a.title == "Track user_logged_in with PostHog and identify the user")
    manifest = (tmp_path / "package.json").as_uri()
    edited = [c.text_document.uri for c in track.edit.document_changes if isinstance(c, types.TextDocumentEdit)]
    assert manifest in edited and uri in edited
    after = apply_workspace_edit({manifest: PACKAGE_JSON}, track.edit)[manifest]
    assert '"posthog-node"' in after and '"express": "^4.19.0"' in after
