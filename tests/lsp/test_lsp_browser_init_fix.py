"""Over stdio: a posthog-js capture in a package that never initialises posthog-js gets `capture-before-init` with a
quick fix that writes the framework's init (here a Vite React app: `src/main.jsx`), and the warning goes once the
edited entry file is saved — also when the package already has a posthog-node client (a different side)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import apply_workspace_edit, code_actions, write
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_client_capabilities import caps, open_doc, pushed, start

from lsp_server.analysis.parsing import parse

PACKAGE_JSON = ('{\n  "name": "shop",\n  "dependencies": {\n    "react": "^18.3.1",\n    "react-dom": "^18.3.1",\n'
                '    "posthog-js": "^1.449.2"\n  },\n  "devDependencies": {\n    "vite": "^5.4.0"\n  }\n}\n')
MAIN = """import React from 'react'
import ReactDOM from 'react-dom/client'
import App from './App'

ReactDOM.createRoot(document.getElementById('root')).render(<App />)
"""
LOGOUT = """import posthog from 'posthog-js'

export function LogoutButton({ onLogout }) {
  const logout = async () => {
    await onLogout()
    posthog.capture('user_logged_out')
    posthog.reset()
  }
  return <button onClick={logout}>Log out</button>
}
"""
SERVER_CLIENT = """import { PostHog } from 'posthog-node'

export const serverPosthog = new PostHog(process.env.POSTHOG_PROJECT_TOKEN, { host: process.env.POSTHOG_HOST })
"""
EDITS = {"documentChanges": True, "resourceOperations": ["create"]}


@pytest.mark.parametrize("server_client", [False, True], ids=["no-client", "server-client-only"])
async def test_the_init_quick_fix_initialises_posthog_js_and_the_warning_goes(
    client: LanguageClient, tmp_path: Path, server_client: bool
):
    write(tmp_path, "package.json", PACKAGE_JSON)
    main = write(tmp_path, "src/main.jsx", MAIN)
    if server_client:
        write(tmp_path, "server/posthog.js", SERVER_CLIENT)
    uri = write(tmp_path, "src/LogoutButton.jsx", LOGOUT)
    await start(client, caps(workspace__workspaceEdit=EDITS), tmp_path, root_form="folders")
    open_doc(client, uri, LOGOUT)
    diagnostics = await pushed(client, uri, 1, lambda d: any(x.code == "posthog/capture-before-init" for x in d))
    warning = next(d for d in diagnostics if d.code == "posthog/capture-before-init")
    assert warning.range.start.line == 5
    actions = await code_actions(client, uri, warning.range, [warning])
    fix = next(a for a in actions if a.is_preferred)
    assert fix.title == "Initialise PostHog in src/main.jsx", [a.title for a in actions]
    files = apply_workspace_edit({main: MAIN, (tmp_path / "package.json").as_uri(): PACKAGE_JSON}, fix.edit)
    new_main = files[main]
    assert "posthog.init(" in new_main and "import posthog from" in new_main
    tree = parse(new_main, "tsx")
    assert tree is not None and not tree.root.has_error
    # the manifest already declares posthog-js: it is left as it was
    assert files[(tmp_path / "package.json").as_uri()] == PACKAGE_JSON
    # the editor saves the entry file it edited: the package now initialises posthog-js
    (tmp_path / "src/main.jsx").write_text(new_main, encoding="utf-8")
    open_doc(client, main, new_main)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(main)))
    after = await pushed(client, uri, 1, lambda d: all(x.code != "posthog/capture-before-init" for x in d))
    assert all(d.code != "posthog/capture-before-init" for d in after)
