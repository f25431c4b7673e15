"""Editors we have not seen: the server over stdio with the small, partial capabilities real clients send.

Emacs 28's Eglot 1.9 (no file creation, no resolve, no progress), clients with no workspace folders (rootUri only,
rootPath only, neither), no `workspace/configuration`, no `workspace/applyEdit`, commands-only code actions,
UTF-8-only positions, `initializationOptions: null`, a client that never sends `initialized`, full-text didChange.
"""

from __future__ import annotations

import asyncio
import copy
import warnings
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import LANGUAGE, apply_workspace_edit, code_actions, point, position_of, wait_for, write
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, LspSpecificationWarning

KEY = "phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
OPTIONS = {"diagnosticsDelay": 0, "mcp": {"mode": "off"}}
FLASK_LOGIN = '''from flask import Blueprint, redirect, request
from flask_login import login_user

from .models import User

auth = Blueprint("auth", __name__)


@auth.route("/login", methods=["POST"])
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    login_user(user)
    return redirect("/")
'''
NODE_KEY = f"""const {{ PostHog }} = require('posthog-node')
const hello = '👋🏽 é'; const client = new PostHog('{KEY}')
"""
# What Emacs 28's Eglot 1.9 (Debian 12 `elpa-eglot`) sends, from its `eglot-client-capabilities`.
EGLOT_1_9: dict[str, Any] = {
    "workspace": {"applyEdit": True, "executeCommand": {"dynamicRegistration": False},
                  "workspaceEdit": {"documentChanges": True},
                  "didChangeWatchedFiles": {"dynamicRegistration": True}, "symbol": {"dynamicRegistration": False},
                  "configuration": True, "workspaceFolders": True},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "willSave": True, "willSaveWaitUntil": True, "didSave": True},
        "codeAction": {"dynamicRegistration": False, "isPreferredSupport": True, "codeActionLiteralSupport": {
            "codeActionKind": {"valueSet": ["quickfix", "refactor", "refactor.extract", "refactor.inline",
                                            "refactor.rewrite", "source", "source.organizeImports"]}}},
        "publishDiagnostics": {"relatedInformation": False, "codeDescriptionSupport": False,
                               "tagSupport": {"valueSet": [1, 2]}},
    },
    "experimental": {},
}
# What Vim's ALE 3.3 (Debian 12 `vim-ale`) sends, from `s:SendInitMessage`: no applyEdit, no workspaceEdit
# capabilities at all (so plain `changes`), no folders, no configuration; it always sends the full text on change.
ALE_3_3: dict[str, Any] = {
    "workspace": {"applyEdit": False, "didChangeConfiguration": {"dynamicRegistration": False},
                  "symbol": {"dynamicRegistration": False}, "workspaceFolders": False, "configuration": False},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "willSave": False, "willSaveWaitUntil": False,
                            "didSave": True},
        "publishDiagnostics": {"relatedInformation": True},
        "codeAction": {"dynamicRegistration": False, "codeActionLiteralSupport": {"codeActionKind": {"valueSet": []}}},
    },
}


def caps(base: dict[str, Any] | None = None, drop: tuple[str, ...] = (), **set_: Any) -> types.ClientCapabilities:
    """Client capabilities from LSP JSON: `base` (default Eglot 1.9) minus the dotted paths in `drop`, plus `set_`
    (dotted paths with "__" for ".")."""
    raw = copy.deepcopy(EGLOT_1_9 if base is None else base)
    for path in drop:
        *parents, last = path.split(".")
        node = raw
        for name in parents:
            node = node.get(name, {})
        node.pop(last, None)
    for path, value in set_.items():
        *parents, last = path.split("__")
        node = raw
        for name in parents:
            node = node.setdefault(name, {})
        node[last] = value
    return default_converter().structure(raw, types.ClientCapabilities)


async def start(
    client: LanguageClient,
    capabilities: types.ClientCapabilities,
    root: Path | None,
    *,
    root_form: str = "uri",
    options: Any = OPTIONS,
    initialized: bool = True,
) -> types.InitializeResult:
    """Initialise as a minimal client: `root_form` "uri" (rootUri only), "path" (rootPath only), "both", "folders"
    (also workspaceFolders) or "none"."""
    params = types.InitializeParams(
        capabilities=capabilities,
        initialization_options=options,
        root_uri=root.as_uri() if root is not None and root_form in ("uri", "both", "folders") else None,
        root_path=str(root) if root is not None and root_form in ("path", "both") else None,
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]
        if root is not None and root_form == "folders" else None,
    )
    client.capabilities = capabilities
    result = await client.initialize_async(params)
    if initialized:
        client.initialized(types.InitializedParams())
    return result


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    item = types.TextDocumentItem(uri=uri, language_id=LANGUAGE[Path(uri).suffix], version=version, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))


async def pushed(client: LanguageClient, uri: str, version: int, predicate: Any = bool) -> list[types.Diagnostic]:
    """The latest diagnostics pushed for `uri` at `version` once `predicate(diagnostics)` holds."""

    def latest() -> list[types.Diagnostic] | None:
        found = [p for p in client.published if p.uri == uri and p.version == version]
        return list(found[-1].diagnostics) if found else None

    await wait_for(lambda: latest() is not None and predicate(latest()))
    return latest() or []


async def execute(client: LanguageClient, command: str, *arguments: Any) -> Any:
    params = types.ExecuteCommandParams(command=command, arguments=list(arguments))
    return await client.workspace_execute_command_async(params)


def flask_app(root: Path) -> str:
    write(root, "requirements.txt", "flask==3.1.0\nflask-login==0.6.3\n")
    write(root, "app/__init__.py", "")
    return write(root, "app/auth.py", FLASK_LOGIN)


def no_spec_warnings(recorded: list[warnings.WarningMessage]) -> None:
    """The server sent nothing the client did not announce (pytest-lsp checks progress and configuration)."""
    assert [str(w.message) for w in recorded if issubclass(w.category, LspSpecificationWarning)] == []


# -- Eglot (Emacs 28, Debian 12) ------------------------------------------------------------------------------------
async def test_eglot_gets_squiggles_a_track_action_whose_new_module_the_server_writes_and_no_progress(
    client: LanguageClient, tmp_path: Path, recwarn: pytest.WarningsRecorder
):
    uri = flask_app(tmp_path)
    result = await start(client, caps(), tmp_path, root_form="folders")
    assert result.capabilities.position_encoding in (None, "utf-16")
    open_doc(client, uri, FLASK_LOGIN)
    (flow,) = await pushed(client, uri, 1)
    assert flow.code == "posthog/untracked-flow"
    actions = await code_actions(client, uri, point(11, 4), [flow])
    track = next(a for a in actions if a.title.startswith("Track user_logged_in with PostHog"))
    # Eglot announces no `create` resource operation: the edit touches auth.py only, the command writes the module
    assert all(isinstance(c, types.TextDocumentEdit) for c in track.edit.document_changes)
    requirements = (tmp_path / "requirements.txt").as_uri()  # S4-16: the SDK the new module imports, as Integrate adds
    assert {c.text_document.uri for c in track.edit.document_changes} == {uri, requirements}
    manifest = apply_workspace_edit({requirements: "flask==3.1.0\nflask-login==0.6.3\n"}, track.edit)[requirements]
    assert manifest.startswith("flask==3.1.0\nflask-login==0.6.3\nposthog")
    assert track.command is not None and track.command.command == "posthog.createFiles"
    new_text = apply_workspace_edit({uri: FLASK_LOGIN}, track.edit)[uri]
    assert "from posthog_client import posthog" in new_text and '"user_logged_in"' in new_text
    assert await execute(client, track.command.command, *track.command.arguments) == {
        "created": [str(tmp_path / "posthog_client.py")]}
    assert "Posthog(" in (tmp_path / "posthog_client.py").read_text()
    (tmp_path / "posthog_client.py").write_text("# mine\n")  # picked again: the user's file is never overwritten
    assert await execute(client, track.command.command, *track.command.arguments) == {"created": []}
    assert (tmp_path / "posthog_client.py").read_text() == "# mine\n"
    assert client.progress_reports == {}  # Eglot 1.9 shows no $/progress: none was created
    no_spec_warnings(recwarn.list)


async def test_eglot_gets_the_add_all_events_source_action_with_its_edit_inline(client: LanguageClient, tmp_path):
    uri = flask_app(tmp_path)
    await start(client, caps(), tmp_path, root_form="folders")
    open_doc(client, uri, FLASK_LOGIN)
    await pushed(client, uri, 1)
    actions = await code_actions(client, uri, point(0, 0), only=[types.CodeActionKind.Source])
    (track_all,) = [a for a in actions if a.kind == "source.posthog.trackAll"]
    assert track_all.title == "Add PostHog events for all flows in this file"
    assert track_all.edit is not None and track_all.disabled is None  # no codeAction/resolve: resolved inline
    assert '"user_logged_in"' in apply_workspace_edit({uri: FLASK_LOGIN}, track_all.edit)[uri]
    assert track_all.command is not None and track_all.command.command == "posthog.createFiles"


async def test_eglot_integrate_applies_the_existing_files_and_the_server_writes_the_new_ones(
    client: LanguageClient, tmp_path: Path
):
    uri = flask_app(tmp_path)
    await start(client, caps(), tmp_path, root_form="folders")
    open_doc(client, uri, FLASK_LOGIN)
    await pushed(client, uri, 1)
    result = await execute(client, "posthog.integrate")
    assert result["applied"] is True, result
    (sent,) = client.applied_edits
    changes = sent.edit.document_changes
    assert all(isinstance(c, types.TextDocumentEdit) for c in changes)  # nothing Eglot 1.9 cannot apply
    assert sent.edit.change_annotations is None  # Eglot has no preview to untick events in
    assert (tmp_path / ".posthog-events.json").is_file() and (tmp_path / "posthog_client.py").is_file()
    assert "user_logged_in" in result["events"] and "app/auth.py" in result["files"]


# -- Vim ALE 3.3 (Debian 12) ---------------------------------------------------------------------------------------
async def test_ale_gets_a_plain_changes_fix_and_full_text_sync_with_root_path_and_uri(
    client: LanguageClient, tmp_path: Path, recwarn: pytest.WarningsRecorder
):
    write(tmp_path, "package.json", '{"dependencies": {"posthog-node": "5.0.0"}}')
    uri = write(tmp_path, "server.js", NODE_KEY)
    await start(client, caps(ALE_3_3), tmp_path, root_form="both")
    open_doc(client, uri, NODE_KEY)
    (key,) = [d for d in await pushed(client, uri, 1) if d.code == "posthog/hardcoded-key"]
    assert key.range.start == position_of(NODE_KEY, "'phc_")
    (fix,) = [a for a in await code_actions(client, uri, key.range, [key]) if a.is_preferred]
    assert fix.edit.document_changes is None and fix.command is None  # ALE reads `changes`; a command would win
    fixed = apply_workspace_edit({uri: NODE_KEY}, fix.edit)[uri]
    assert "process.env.POSTHOG_PROJECT_TOKEN" in fixed
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
    ))
    assert "posthog/hardcoded-key" not in [d.code for d in await pushed(client, uri, 2, lambda d: True)]
    listed = await execute(client, "posthog.listPackages")
    assert [p["posthogInstalled"] for p in listed["packages"]] == [True]
    no_spec_warnings(recwarn.list)


async def test_ale_tracks_a_flow_and_creates_the_client_module_in_one_pick(client: LanguageClient, tmp_path: Path):
    """ALE runs only the command of an action with an edit and a command: that command writes the PostHog module and
    sends the edit itself (ALE handles workspace/applyEdit though it does not announce it) — one pick, not two."""
    uri = flask_app(tmp_path)
    await start(client, caps(ALE_3_3), tmp_path, root_form="both")
    open_doc(client, uri, FLASK_LOGIN)
    (flow,) = await pushed(client, uri, 1)
    actions = await code_actions(client, uri, point(11, 4), [flow])
    track = next(a for a in actions if a.title.startswith("Track user_logged_in with PostHog"))
    assert track.edit is not None and track.edit.document_changes is None  # plain `changes`, for LSP-minded clients
    assert track.command is not None and track.command.command == "posthog.applyEdit"
    result = await execute(client, track.command.command, *track.command.arguments)  # ALE's one pick
    assert result == {"applied": True, "created": [str(tmp_path / "posthog_client.py")]}
    await wait_for(lambda: len(client.applied_edits) == 1)
    edited = apply_workspace_edit({uri: FLASK_LOGIN}, client.applied_edits[0].edit)[uri]
    assert "from posthog_client import posthog" in edited and '"user_logged_in"' in edited
    assert "Posthog(" in (tmp_path / "posthog_client.py").read_text()
    client.text_document_did_change(types.DidChangeTextDocumentParams(  # what ALE sends once it applied the edit
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
    ))
    # no didSave ever arrives for the module the server wrote: the server re-reads the package itself
    assert [d.code for d in await pushed(client, uri, 2, lambda d: True)] == []


async def test_a_client_that_applies_the_edit_before_the_command_does_not_get_it_twice(
    client: LanguageClient, tmp_path: Path
):
    uri = flask_app(tmp_path)
    await start(client, caps(ALE_3_3), tmp_path, root_form="both")
    open_doc(client, uri, FLASK_LOGIN)
    (flow,) = await pushed(client, uri, 1)
    track = next(a for a in await code_actions(client, uri, point(11, 4), [flow]) if a.title.startswith("Track"))
    edited = apply_workspace_edit({uri: FLASK_LOGIN}, track.edit)[uri]
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
    ))
    result = await execute(client, track.command.command, *track.command.arguments)
    assert result["created"] == [str(tmp_path / "posthog_client.py")]
    await asyncio.sleep(0.2)
    assert client.applied_edits == []


# -- workspace roots ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("root_form", ["uri", "path", "both"])
async def test_the_package_is_found_from_root_uri_or_root_path_without_workspace_folders(
    client: LanguageClient, tmp_path: Path, root_form: str
):
    uri = flask_app(tmp_path)
    await start(client, caps(drop=("workspace.workspaceFolders",)), tmp_path, root_form=root_form)
    listed = await execute(client, "posthog.listPackages")
    assert [(p["framework"], p["path"]) for p in listed["packages"]] == [("flask", ".")]
    open_doc(client, uri, FLASK_LOGIN)
    assert [d.code for d in await pushed(client, uri, 1)] == ["posthog/untracked-flow"]


async def test_without_any_root_a_file_is_analysed_alone_and_still_gets_fixes(client: LanguageClient, tmp_path):
    uri = write(tmp_path, "server.js", NODE_KEY)
    await start(client, caps(), None, root_form="none")
    open_doc(client, uri, NODE_KEY)
    (key,) = [d for d in await pushed(client, uri, 1) if d.code == "posthog/hardcoded-key"]
    (fix,) = [a for a in await code_actions(client, uri, key.range, [key]) if a.is_preferred]
    assert "process.env.POSTHOG_PROJECT_TOKEN" in apply_workspace_edit({uri: NODE_KEY}, fix.edit)[uri]
    assert await execute(client, "posthog.scanWorkspace") == {"version": 1, "error": "no workspace folder is open"}


# -- settings, start-up and sync ------------------------------------------------------------------------------------
async def test_no_workspace_configuration_means_no_configuration_request_and_init_options_apply(
    client: LanguageClient, tmp_path: Path, recwarn: pytest.WarningsRecorder
):
    uri = write(tmp_path, "server.js", NODE_KEY)
    options = {**OPTIONS, "severity": {"posthog/hardcoded-key": "error"}}
    await start(client, caps(drop=("workspace.configuration",)), tmp_path, options=options)
    open_doc(client, uri, NODE_KEY)
    (key,) = [d for d in await pushed(client, uri, 1) if d.code == "posthog/hardcoded-key"]
    assert key.severity == types.DiagnosticSeverity.Error
    await asyncio.sleep(0.3)  # the start-up work after `initialized` would have asked by now
    no_spec_warnings(recwarn.list)


async def test_null_initialization_options_give_the_default_settings(client: LanguageClient, tmp_path: Path):
    uri = write(tmp_path, "server.js", NODE_KEY)
    await start(client, caps(), tmp_path, options=None)
    open_doc(client, uri, NODE_KEY)
    (key,) = [d for d in await pushed(client, uri, 1) if d.code == "posthog/hardcoded-key"]
    assert key.severity == types.DiagnosticSeverity.Warning


async def test_a_client_that_never_sends_initialized_still_gets_squiggles_and_fixes(client: LanguageClient, tmp_path):
    uri = write(tmp_path, "server.js", NODE_KEY)
    await start(client, caps(), tmp_path, initialized=False)
    open_doc(client, uri, NODE_KEY)
    (key,) = [d for d in await pushed(client, uri, 1) if d.code == "posthog/hardcoded-key"]
    assert [a for a in await code_actions(client, uri, key.range, [key]) if a.is_preferred]


async def test_a_pulling_client_that_never_sends_initialized_gets_its_report_after_a_workspace_scan(
    client: LanguageClient, tmp_path: Path
):
    write(tmp_path, "package.json", '{"dependencies": {"posthog-node": "5.0.0"}}')
    uri = write(tmp_path, "server.js", NODE_KEY)
    pull = caps(textDocument__diagnostic={"dynamicRegistration": False},
                workspace__diagnostics={"refreshSupport": True})
    await start(client, pull, tmp_path, initialized=False)
    open_doc(client, uri, NODE_KEY)
    loop = asyncio.get_running_loop()
    began = loop.time()
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert "posthog/hardcoded-key" in [d.code for d in report.items]
    assert loop.time() - began < 10  # not the 15 s a pull waits for a scan that never starts
    listed = await execute(client, "posthog.listPackages")
    assert [p["posthogInstalled"] for p in listed["packages"]] == [True]


SERVER_CAPTURE = """import { posthog } from './lib/posthog'

export async function logout(req, res) {
  posthog.capture({ distinctId: String(req.user.id), event: 'user_logged_out' })
  res.redirect('/')
}
"""
CLIENT_MODULE = """import { PostHog } from 'posthog-node'

export const posthog = new PostHog(process.env.POSTHOG_PROJECT_TOKEN, { host: process.env.POSTHOG_HOST, flushAt: 1 })
"""


async def test_a_pulling_client_that_cannot_be_asked_to_pull_again_gets_pushed_diagnostics_that_follow_new_files(
    client: LanguageClient, tmp_path: Path
):
    """Neovim 0.11 pulls but announces no refresh support: after the server writes the PostHog module, nothing
    would make it pull again, so its squiggles are pushed and "capture before init" goes away."""
    write(tmp_path, "package.json", '{"dependencies": {"express": "4.21.0"}}')
    uri = write(tmp_path, "routes.js", SERVER_CAPTURE)
    neovim = caps(textDocument__diagnostic={"dynamicRegistration": False})
    result = await start(client, neovim, tmp_path)
    assert result.capabilities.diagnostic_provider is None
    open_doc(client, uri, SERVER_CAPTURE)
    assert "posthog/capture-before-init" in [d.code for d in await pushed(client, uri, 1)]
    module = (tmp_path / "lib" / "posthog.js").as_uri()
    created = await execute(client, "posthog.createFiles", [{"uri": module, "text": CLIENT_MODULE}])
    assert len(created["created"]) == 1
    left = await pushed(client, uri, 1, lambda ds: "posthog/capture-before-init" not in [d.code for d in ds])
    assert "posthog/capture-before-init" not in [d.code for d in left]


async def test_full_text_did_change_replaces_the_document(client: LanguageClient, tmp_path: Path):
    uri = write(tmp_path, "server.js", NODE_KEY)
    await start(client, caps(), tmp_path)
    open_doc(client, uri, NODE_KEY)
    assert "posthog/hardcoded-key" in [d.code for d in await pushed(client, uri, 1)]
    fixed = NODE_KEY.replace(f"'{KEY}'", "process.env.POSTHOG_PROJECT_TOKEN")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
    ))
    assert "posthog/hardcoded-key" not in [d.code for d in await pushed(client, uri, 2, lambda d: True)]


# -- positions ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("offered", "negotiated"), [(["utf-8"], "utf-8"), (["utf-32"], "utf-32"), (None, "utf-16")])
async def test_positions_use_the_one_encoding_the_client_offers(client: LanguageClient, tmp_path, offered, negotiated):
    uri = write(tmp_path, "server.js", NODE_KEY)
    capabilities = caps(general__positionEncodings=offered) if offered else caps()
    result = await start(client, capabilities, tmp_path)
    assert (result.capabilities.position_encoding or "utf-16") == negotiated
    open_doc(client, uri, NODE_KEY)
    (key,) = [d for d in await pushed(client, uri, 1) if d.code == "posthog/hardcoded-key"]
    prefix = NODE_KEY.splitlines()[1].split("'phc_")[0]
    units = {"utf-8": len(prefix.encode("utf-8")), "utf-32": len(prefix),
             "utf-16": position_of(NODE_KEY, "'phc_").character}[negotiated]
    assert key.range.start == types.Position(1, units)
    (fix,) = [a for a in await code_actions(client, uri, key.range, [key]) if a.is_preferred]
    (edit,) = fix.edit.document_changes[0].edits
    assert (edit.range, edit.new_text) == (key.range, "process.env.POSTHOG_PROJECT_TOKEN")


# -- edits the client cannot take -----------------------------------------------------------------------------------
async def test_a_commands_only_client_gets_each_fix_as_a_command_the_server_applies(client: LanguageClient, tmp_path):
    uri = write(tmp_path, "server.js", NODE_KEY)
    await start(client, caps(drop=("textDocument.codeAction.codeActionLiteralSupport",)), tmp_path)
    open_doc(client, uri, NODE_KEY)
    (key,) = [d for d in await pushed(client, uri, 1) if d.code == "posthog/hardcoded-key"]
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=key.range,
        context=types.CodeActionContext(diagnostics=[key])))
    assert result and all(isinstance(c, types.Command) for c in result)
    fix = next(c for c in result if "process.env" in str(c.arguments) and c.title != "Ignore posthog/hardcoded-key")
    assert fix.command == "posthog.applyEdit"
    assert (await execute(client, fix.command, *fix.arguments))["applied"] is True
    (sent,) = client.applied_edits
    assert "process.env.POSTHOG_PROJECT_TOKEN" in apply_workspace_edit({uri: NODE_KEY}, sent.edit)[uri]


async def test_without_apply_edit_lenses_are_hidden_commands_explain_and_actions_still_edit(
    client: LanguageClient, tmp_path: Path
):
    uri = flask_app(tmp_path)
    await start(client, caps(drop=("workspace.applyEdit",)), tmp_path, root_form="folders")
    open_doc(client, uri, FLASK_LOGIN)
    await pushed(client, uri, 1)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert list(lenses or []) == []
    reply = await execute(client, "posthog.trackFlow", uri, 1, "login", 9)
    assert reply == {"applied": False, "reason": "the editor does not accept workspace edits from the server"}
    assert (await execute(client, "posthog.integrate"))["applied"] is False
    actions = await code_actions(client, uri, point(11, 4))
    assert any(a.title.startswith("Track user_logged_in") and a.edit is not None for a in actions)
    assert client.applied_edits == []



# -- shutdown -------------------------------------------------------------------------------------------------------
async def test_shutdown_is_answered_before_eglot_gives_up_while_the_guidance_server_runs(
    client: LanguageClient, tmp_path: Path
):
    uri = flask_app(tmp_path)
    await start(client, caps(), tmp_path, root_form="folders", options={"diagnosticsDelay": 0})  # guidance on
    open_doc(client, uri, FLASK_LOGIN)
    await pushed(client, uri, 1)
    await wait_for(lambda: any("guidance: connected" in m.message for m in client.log_messages), timeout=60)
    loop = asyncio.get_running_loop()
    try:
        began = loop.time()
        await asyncio.wait_for(client.shutdown_async(None), 10)
        answered = loop.time() - began
        client.exit(None)
    finally:
        client.capabilities = None  # no second shutdown from the fixture: pygls never answers a request after one
    assert answered < 1.5  # Eglot kills a server that takes longer (it took 3-5 s while stopping the MCP client)


def test_a_track_action_is_named_for_its_capture_not_for_the_longer_manifest_edit_it_carries():
    """S4-20: the `package.json` dependency block a quick fix adds can be longer than the capture; the action keeps
    the capture's title ("Track … with PostHog"), which is what the user looks for in the menu."""
    from lsp_server.analysis.model import Span
    from lsp_server.edits.model import PlannedEdit
    from lsp_server.features.workspace_edit import label_of

    capture = PlannedEdit("app/routes/login.tsx", Span(5, 0, 5, 0), "posthog.capture({ event: 'x' });\n",
                          "Track user_logged_in with PostHog", "user_logged_in")
    manifest = PlannedEdit("package.json", Span(3, 0, 9, 0), '    "posthog-node": "^5.0.0",\n' * 8,
                           "Add posthog-node to package.json", "posthog_setup")
    assert label_of([capture, manifest], "fallback") == "Track user_logged_in with PostHog"
    assert label_of([manifest], "fallback") == "Add posthog-node to package.json"
