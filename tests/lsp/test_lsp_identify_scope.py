"""S4-15 in the editor: identifying the user in one login (through its quick fix) leaves another login of the package
warned; an identify component that runs for every sign-in clears the warning everywhere once saved."""

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
    replace_doc,
    wait_for,
    write,
)
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

PACKAGE = '{"name": "spa", "dependencies": {"react": "18.2.0", "firebase": "10.0.0", "posthog-js": "1.200.0"}}'
SIGNUP = """import { createUserWithEmailAndPassword } from 'firebase/auth'
import { auth } from './firebase'

export async function handleSignup(email, password) {
  const cred = await createUserWithEmailAndPassword(auth, email, password)
  return cred.user
}
"""
LOGIN = """import { signInWithEmailAndPassword } from 'firebase/auth'
import { auth } from './firebase'

export async function handleLogin(email, password) {
  const cred = await signInWithEmailAndPassword(auth, email, password)
  return cred.user
}
"""
IDENTIFY_COMPONENT = """import posthog from 'posthog-js'
import { useAuth } from './AuthContext'

export function PostHogIdentify() {
  const { user } = useAuth()
  if (user) posthog.identify(user.uid)
  return null
}
"""
MISSING = "posthog/missing-identify"


def _latest(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    return list([p for p in client.published if p.uri == uri][-1].diagnostics)


def _save(client: LanguageClient, uri: str, text: str) -> None:
    Path(to_fs_path(uri)).write_text(text, encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))


async def test_identify_fix_in_the_signup_leaves_the_other_login_warned(client: LanguageClient, tmp_path):
    write(tmp_path, "package.json", PACKAGE)
    write(tmp_path, "src/posthog.js", "import posthog from 'posthog-js'\nposthog.init('phc_test', {})\n")
    signup = write(tmp_path, "src/signup.js", SIGNUP)
    login = write(tmp_path, "src/login.js", LOGIN)
    await initialize(client, tmp_path)
    open_doc(client, signup, SIGNUP)
    open_doc(client, login, LOGIN)
    diags = await diagnostics_at(client, signup, 1)
    assert MISSING in codes(await diagnostics_at(client, login, 1))
    (warning,) = [d for d in diags if d.code == MISSING]
    fixes = [a for a in await code_actions(client, signup, warning.range, [warning]) if a.is_preferred]
    assert fixes, "the missing-identify warning offers a quick fix"
    text, _ = await apply_action(client, signup, SIGNUP, 1, fixes[0].edit)
    body = text[text.index("export async function handleSignup") :]
    assert "posthog.identify(" in body  # the identify goes into the signup it was offered on
    assert MISSING not in codes(await diagnostics_at(client, signup, 2))
    _save(client, signup, text)
    await asyncio.sleep(0.5)  # time for a package refresh, were the signup's identify taken for the package's
    replace_doc(client, login, 2, LOGIN + "\n")
    assert MISSING in codes(await diagnostics_at(client, login, 2))  # the login is still not identified: still told

    component = write(tmp_path, "src/PostHogIdentify.js", IDENTIFY_COMPONENT)
    open_doc(client, component, IDENTIFY_COMPONENT)
    _save(client, component, IDENTIFY_COMPONENT)
    await wait_for(lambda: MISSING not in codes(_latest(client, login)))  # every sign-in passes the component
