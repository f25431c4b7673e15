"""Untracked flows: the lens, the "Track …" action and the file-wide source action, applied by the editor."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import (
    LANGUAGE,
    apply_action,
    apply_workspace_edit,
    code_actions,
    codes,
    diagnostics_at,
    initialize,
    open_doc,
    point,
    position_of,
    replace_doc,
    wait_for,
    write,
)
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

NEXT_PACKAGE = (
    '{"name": "shop", "dependencies": {"next": "15.3.1", "react": "19.0.0", "@supabase/ssr": "0.5.2",'
    ' "posthog-node": "5.0.0"}}'
)
NEXT_LOGIN_ACTION = """'use server'

// 🔐 sign-in form posts here
import { redirect } from 'next/navigation'
import { createClient } from '@/utils/supabase/server'

export async function login(formData: FormData) {
  const supabase = await createClient()
  const { data, error } = await supabase.auth.signInWithPassword({
    email: formData.get('email') as string,
    password: formData.get('password') as string,
  })
  if (error) {
    redirect('/error')
  }
  redirect('/account')
}
"""
FLASK_REQUIREMENTS = "flask==3.1.0\nposthog==7.0.0\n"
FLASK_LOGIN = """from flask import Flask, redirect, request, session
from werkzeug.security import check_password_hash

from .models import User

app = Flask(__name__)


@app.post("/login")
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not check_password_hash(user.password_hash, request.form["password"]):
        return {"error": "invalid credentials"}, 401
    session["user_id"] = user.id
    return redirect("/dashboard")
"""


async def _lenses(client: LanguageClient, uri: str) -> list[types.CodeLens]:
    result = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    return list(result or [])


async def _next_login(client: LanguageClient, root) -> str:
    write(root, "package.json", NEXT_PACKAGE)
    uri = write(root, "app/login/actions.ts", NEXT_LOGIN_ACTION)
    await initialize(client, root)
    open_doc(client, uri, NEXT_LOGIN_ACTION)
    return uri


async def test_lens_over_untracked_server_action_login_tracks_it_through_apply_edit(client: LanguageClient, tmp_path):
    uri = await _next_login(client, tmp_path)
    await diagnostics_at(client, uri, 1)
    (lens,) = await _lenses(client, uri)
    assert lens.command.title == "Track user_logged_in"
    assert lens.command.command == "posthog.trackFlow"
    assert lens.range.start.line == position_of(NEXT_LOGIN_ACTION, "export async function login").line
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments)
    )
    assert result == {"applied": True, "event": "user_logged_in"}
    (applied,) = client.applied_edits
    assert applied.label == "Track user_logged_in with PostHog"
    text, others = await apply_action(client, uri, NEXT_LOGIN_ACTION, 1, applied.edit)
    assert "user_logged_in" in text
    created = [c.uri for c in applied.edit.document_changes if isinstance(c, types.CreateFile)]
    assert created == [(tmp_path / "lib/posthog-server.ts").as_uri()]  # the server-side PostHog client module
    # S4-13: Neovim creates the file (and its missing folder) only when not told to ignore an existing one
    [create] = [c for c in applied.edit.document_changes if isinstance(c, types.CreateFile)]
    assert create.options is not None and not create.options.ignore_if_exists and not create.options.overwrite
    assert "new PostHog(" in others[created[0]]
    for other_uri, body in others.items():  # the editor saves what it created
        path = Path(to_fs_path(other_uri))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    diags = await diagnostics_at(client, uri, 2)
    assert "posthog/untracked-flow" not in codes(diags)
    assert await _lenses(client, uri) == []


async def test_track_action_at_the_cursor_in_a_flask_login_view(client: LanguageClient, tmp_path):
    write(tmp_path, "requirements.txt", FLASK_REQUIREMENTS)
    uri = write(tmp_path, "app.py", FLASK_LOGIN)
    await initialize(client, tmp_path)
    open_doc(client, uri, FLASK_LOGIN)
    await diagnostics_at(client, uri, 1)
    cursor = position_of(FLASK_LOGIN, "session[")
    here = types.Range(start=cursor, end=cursor)
    actions = await code_actions(client, uri, here)
    (track,) = [a for a in actions if a.title.startswith("Track user_logged_in with PostHog")]
    assert track.kind == "refactor.rewrite.posthog"
    outside = await code_actions(client, uri, types.Range(start=types.Position(0, 0), end=types.Position(0, 0)))
    assert not [a for a in outside if a.title.startswith("Track")]
    text, _ = await apply_action(client, uri, FLASK_LOGIN, 1, track.edit)
    assert "user_logged_in" in text and "distinct_id=" in text
    await diagnostics_at(client, uri, 2)
    again = await code_actions(client, uri, here)
    assert not [a for a in again if a.title.startswith("Track")]  # planning over tracked code plans nothing


async def test_track_all_source_action_is_resolved_lazily(client: LanguageClient, tmp_path):
    uri = await _next_login(client, tmp_path)
    await diagnostics_at(client, uri, 1)
    start = types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
    (action,) = await code_actions(client, uri, start, only=[types.CodeActionKind.Source])
    assert action.kind == "source.posthog.trackAll" and action.edit is None
    assert action.data == {"uri": uri, "version": 1}
    resolved = await client.code_action_resolve_async(action)
    assert resolved.disabled is None
    assert resolved.edit.change_annotations  # VS Code shows each planned event as a labelled change
    text, _ = await apply_action(client, uri, NEXT_LOGIN_ACTION, 1, resolved.edit)
    assert "event: 'user_logged_in'" in text
    assert "posthog/untracked-flow" not in codes(await diagnostics_at(client, uri, 2))
    assert await code_actions(client, uri, start, only=[types.CodeActionKind.Source]) == []


async def test_stale_versions_get_no_edit(client: LanguageClient, tmp_path):
    uri = await _next_login(client, tmp_path)
    await diagnostics_at(client, uri, 1)
    start = types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
    (action,) = await code_actions(client, uri, start, only=[types.CodeActionKind.Source])
    (lens,) = await _lenses(client, uri)
    edited = NEXT_LOGIN_ACTION.replace("redirect('/account')", "redirect('/dashboard')")
    replace_doc(client, uri, 2, edited)
    await diagnostics_at(client, uri, 2)
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is None and resolved.disabled.reason
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments)
    )
    assert result["applied"] is False and client.applied_edits == []


async def test_rejected_apply_edit_is_reported(client: LanguageClient, tmp_path):
    client.apply_edit_result = False
    uri = await _next_login(client, tmp_path)
    await diagnostics_at(client, uri, 1)
    (lens,) = await _lenses(client, uri)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments)
    )
    assert result["applied"] is False
    await wait_for(lambda: any("did not apply" in m.message for m in client.log_messages))


NEXT_TRACKED_LOGIN = NEXT_LOGIN_ACTION.replace(  # tracked, but nobody is identified and nothing is flushed
    "import { createClient } from '@/utils/supabase/server'\n",
    "import { createClient } from '@/utils/supabase/server'\nimport { posthog } from '@/lib/posthog-server'\n",
).replace(
    "  redirect('/account')",
    "  posthog.capture({ distinctId: data.user.id, event: 'user_logged_in' })\n  redirect('/account')",
)
LOGOUT_BUTTON = """'use client'

import posthog from 'posthog-js'
import { createClient } from '@/utils/supabase/client'

export function LogoutButton() {
  const handleLogout = async () => {
    const supabase = createClient()
    await supabase.auth.signOut()
    posthog.capture('user_logged_out')
    window.location.href = '/login'
  }
  return <button onClick={handleLogout}>Log out</button>
}
"""


@pytest.mark.parametrize(
    ("manifest", "path", "source", "expected"),
    [
        ("package.json", "app/login/actions.ts", NEXT_TRACKED_LOGIN,
         {"posthog/missing-identify", "posthog/serverless-no-flush"}),
        # nothing initialises posthog-js in that app: the init quick fix is offered too
        ("package.json", "components/logout-button.tsx", LOGOUT_BUTTON,
         {"posthog/missing-reset", "posthog/capture-before-init"}),
        ("requirements.txt", "app.py", FLASK_LOGIN, {"posthog/untracked-flow", "posthog/missing-identify"}),
    ],
)
async def test_every_offered_quick_fix_applied_removes_its_diagnostic(
    client: LanguageClient, tmp_path, manifest, path, source, expected
):
    write(tmp_path, manifest, MANIFESTS[manifest])
    uri = write(tmp_path, path, source)
    await initialize(client, tmp_path)
    text, version = source, 1
    open_doc(client, uri, text)
    fixed: list[str] = []
    while True:
        diags = await diagnostics_at(client, uri, version)
        offered = []
        for diag in diags:
            actions = await code_actions(client, uri, diag.range, [diag])
            offered += [(diag, a) for a in actions if a.is_preferred and diag.code not in fixed]
        if version == 1:
            assert {str(d.code) for d, _ in offered} == expected
        if not offered:
            break
        diag, fix = offered[0]
        if uri in _edited(fix.edit):
            text, created = await apply_action(client, uri, text, version, fix.edit)
            version += 1
        else:  # the init fix edits other files only (the entry file, package.json): the document stays as it is
            on_disk = {u: Path(to_fs_path(u)).read_text(encoding="utf-8") for u in _edited(fix.edit)
                       if Path(to_fs_path(u)).is_file()}
            created = apply_workspace_edit(on_disk, fix.edit)
        for other_uri, body in created.items():  # the editor opens and saves the other files the fix edited
            target = Path(to_fs_path(other_uri))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
            if target.suffix not in LANGUAGE:  # package.json: written, not a document the server follows
                continue
            open_doc(client, other_uri, body)
            client.text_document_did_save(
                types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=other_uri))
            )
        # the init fix edits other files only: its warning goes once they are saved
        await wait_for(lambda d=diag: d.code not in codes(_last(client, uri).diagnostics))
        fixed.append(str(diag.code))
    assert fixed and not expected & set(codes(diags))
    if path == "app.py":  # the created posthog_client.py initialises PostHog: no "capture before init" once saved
        await wait_for(lambda: "posthog/capture-before-init" not in codes(_last(client, uri).diagnostics))

MANIFESTS = {"package.json": NEXT_PACKAGE, "requirements.txt": FLASK_REQUIREMENTS}


def _edited(edit: types.WorkspaceEdit) -> set[str]:
    uris = {c.text_document.uri for c in edit.document_changes or [] if isinstance(c, types.TextDocumentEdit)}
    return uris | set(edit.changes or {})


def _last(client: LanguageClient, uri: str) -> types.PublishDiagnosticsParams:
    return [p for p in client.published if p.uri == uri][-1]


async def test_a_repeated_code_action_is_planned_once_but_never_recreates_a_file_that_now_exists(
    client: LanguageClient, tmp_path
):
    uri = await _next_login(client, tmp_path)
    cursor = point(position_of(NEXT_LOGIN_ACTION, "export async function login").line + 1, 2)

    async def creates() -> list[str]:
        actions = await code_actions(client, uri, cursor)
        track = next(a for a in actions if a.title.startswith("Track user_logged_in"))
        return [c.uri for c in track.edit.document_changes if isinstance(c, types.CreateFile)]

    module = tmp_path / "lib" / "posthog-server.ts"
    assert await creates() == [module.as_uri()]
    assert await creates() == [module.as_uri()]  # same version: the kept plan
    module.parent.mkdir(parents=True)
    module.write_text("import { PostHog } from 'posthog-node'\nexport const posthog = new PostHog('x')\n")
    assert await creates() == []  # the module exists now: planned again, imported instead of created
