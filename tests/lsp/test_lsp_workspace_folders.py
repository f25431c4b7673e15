"""Multi-root workspaces and the Problems panel: every folder scanned with its own packages and .gitignore,
folders added and removed while the editor runs, and `workspace/diagnostic` for files that are not open."""

from __future__ import annotations

from pathlib import Path

import pytest_lsp
from lsp_helpers import apply_action, codes, diagnostics_at, initialize, open_doc, position_of, wait_for, write
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_lsp_diagnostics import NODE_PACKAGE, NODE_SERVER
from test_lsp_flows import NEXT_LOGIN_ACTION, NEXT_PACKAGE

WITHOUT_KEY = NODE_SERVER.replace("'phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'", "process.env.POSTHOG_PROJECT_TOKEN")


def _pull_capabilities() -> types.ClientCapabilities:
    """VS Code with pull diagnostics (document and workspace) and diagnostic refresh."""
    caps = pytest_lsp.client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


def _node_app(root: Path, ignored: bool = False) -> str:
    """An Express API with a hard-coded key and a positional capture; `ignored`: its generated/ is gitignored."""
    write(root, "package.json", NODE_PACKAGE)
    write(root, "generated/server.js", NODE_SERVER)
    if ignored:
        write(root, ".gitignore", "generated/\n")
    return write(root, "server.js", NODE_SERVER)


async def _workspace_report(
    client: LanguageClient, previous: dict[str, str] | None = None
) -> dict[str, types.WorkspaceDocumentDiagnosticReport]:
    result = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(
        previous_result_ids=[types.PreviousResultId(uri=u, value=v) for u, v in (previous or {}).items()]))
    return {item.uri: item for item in result.items}


def _ids(report: dict[str, types.WorkspaceDocumentDiagnosticReport]) -> dict[str, str]:
    return {uri: item.result_id for uri, item in report.items() if item.result_id}


def _change_folders(client: LanguageClient, added: list[Path] = (), removed: list[Path] = ()) -> None:
    event = types.WorkspaceFoldersChangeEvent(
        added=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in added],
        removed=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in removed],
    )
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(event=event))


def _scans_ended(client: LanguageClient) -> int:
    return sum(1 for r in client.progress_reports.values() if r and r[0].kind == "begin" and r[-1].kind == "end")


async def _packages(client: LanguageClient) -> list[dict]:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.listPackages", arguments=[]))
    return result["packages"]


async def test_each_folder_of_a_multi_root_workspace_uses_its_own_gitignore(client: LanguageClient, tmp_path):
    web, api = tmp_path / "web", tmp_path / "api"
    _node_app(web, ignored=True)
    _node_app(api)
    result = await initialize(client, web, folders=[web, api])
    folders = result.capabilities.workspace.workspace_folders
    assert folders.supported and folders.change_notifications  # the editor tells the server about folder changes
    hidden, shown = (web / "generated/server.js").as_uri(), (api / "generated/server.js").as_uri()
    open_doc(client, hidden, NODE_SERVER)
    open_doc(client, shown, NODE_SERVER)
    assert await diagnostics_at(client, hidden, 1) == []  # web's .gitignore excludes it
    assert codes(await diagnostics_at(client, shown, 1)) == ["posthog/hardcoded-key", "posthog/legacy-api"]
    packages = await _packages(client)
    assert sorted((p["folderName"], p["path"], p["framework"]) for p in packages) == [
        ("api", ".", "node-express"), ("web", ".", "node-express")]
    assert {p["folder"] for p in packages} == {web.as_uri(), api.as_uri()}
    scan = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.scanWorkspace", arguments=[]))
    assert [folder["root"] for folder in scan["folders"]] == [str(web), str(api)]
    assert scan["summary"].startswith("web: 1 package(s)") and "; api: 1 package(s)" in scan["summary"]


async def test_track_in_the_second_folder_creates_the_client_module_in_that_folder(client: LanguageClient, tmp_path):
    api, shop = tmp_path / "api", tmp_path / "shop"
    _node_app(api)
    write(shop, "package.json", NEXT_PACKAGE)
    uri = write(shop, "app/login/actions.ts", NEXT_LOGIN_ACTION)
    await initialize(client, api, folders=[api, shop])
    open_doc(client, uri, NEXT_LOGIN_ACTION)
    await diagnostics_at(client, uri, 1)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    (lens,) = lenses
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments))
    assert result == {"applied": True, "event": "user_logged_in"}
    (applied,) = client.applied_edits
    text, others = await apply_action(client, uri, NEXT_LOGIN_ACTION, 1, applied.edit)
    created = [c.uri for c in applied.edit.document_changes if isinstance(c, types.CreateFile)]
    # the Next.js package of the folder holding the file, not the first folder's Express API
    assert created == [(shop / "lib/posthog-server.ts").as_uri()]
    assert "user_logged_in" in text and "new PostHog(" in others[created[0]]


async def test_a_file_outside_every_folder_is_analysed_alone(client: LanguageClient, tmp_path):
    web = tmp_path / "web"
    _node_app(web, ignored=True)
    loose = write(tmp_path / "elsewhere" / "generated", "server.js", NODE_SERVER)  # web's ignore rules do not apply
    await initialize(client, web)
    open_doc(client, loose, NODE_SERVER)
    assert codes(await diagnostics_at(client, loose, 1)) == ["posthog/hardcoded-key", "posthog/legacy-api"]


async def test_workspace_diagnostics_list_closed_files_and_answer_unchanged_until_a_file_changes(
    client: LanguageClient, tmp_path
):
    server = _node_app(tmp_path, ignored=True)
    result = await initialize(client, tmp_path, capabilities=_pull_capabilities())
    assert result.capabilities.diagnostic_provider.workspace_diagnostics
    first = await _workspace_report(client)
    assert (tmp_path / "generated/server.js").as_uri() not in first  # gitignored: never reported
    report = first[server]
    assert report.kind == "full" and report.version is None
    assert codes(report.items) == ["posthog/hardcoded-key", "posthog/legacy-api"]
    key = next(d for d in report.items if d.code == "posthog/hardcoded-key")
    assert key.range.start == position_of(NODE_SERVER, "'phc_")
    assert key.source == "posthog" and key.data["code"] == "posthog/hardcoded-key"

    again = await _workspace_report(client, _ids(first))
    assert {item.kind for item in again.values()} == {"unchanged"}

    (tmp_path / "server.js").write_text(WITHOUT_KEY, encoding="utf-8")  # fixed outside the editor
    changed = await _workspace_report(client, _ids(first))
    assert changed[server].kind == "full" and codes(changed[server].items) == ["posthog/legacy-api"]

    refreshes = client.diagnostic_refresh_count
    client.set_configuration({"severity": {"posthog/legacy-api": "off"}}, section="posthog")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for(lambda: client.diagnostic_refresh_count > refreshes)
    silenced = await _workspace_report(client, _ids(changed))
    assert silenced[server].kind == "full" and silenced[server].items == ()  # the user's severity applies here too


async def test_an_open_file_is_left_to_document_pull_and_keeps_its_problems_once_closed(
    client: LanguageClient, tmp_path
):
    server = _node_app(tmp_path)
    await initialize(client, tmp_path, capabilities=_pull_capabilities())
    open_doc(client, server, WITHOUT_KEY)  # the buffer differs from disk: the disk report must not win
    assert server not in await _workspace_report(client)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=server)))
    # VS Code pulls a closed document once more: it gets the file as saved, as the workspace report has it
    last = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=server)))
    assert codes(last.items) == ["posthog/hardcoded-key", "posthog/legacy-api"]
    assert codes((await _workspace_report(client))[server].items) == codes(last.items)


async def test_a_file_created_in_the_editor_is_listed_once_closed(client: LanguageClient, tmp_path):
    _node_app(tmp_path)
    await initialize(client, tmp_path, capabilities=_pull_capabilities())
    new = write(tmp_path, "routes/track.js", NODE_SERVER)  # after the start-up scan: the scan never saw it
    assert new not in await _workspace_report(client)
    open_doc(client, new, NODE_SERVER)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=new)))
    report = await _workspace_report(client)
    assert codes(report[new].items) == ["posthog/hardcoded-key", "posthog/legacy-api"]


async def test_a_package_change_asks_the_editor_to_pull_workspace_diagnostics_again(client: LanguageClient, tmp_path):
    _node_app(tmp_path)
    await initialize(client, tmp_path, capabilities=_pull_capabilities())
    await _workspace_report(client)
    refreshes = client.diagnostic_refresh_count
    package = write(tmp_path, "package.json", NODE_PACKAGE.replace('"express"', '"next": "15.3.1", "express"'))
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=package, type=types.FileChangeType.Changed)]))
    await wait_for(lambda: client.diagnostic_refresh_count > refreshes)
    assert [p["framework"] for p in await _packages(client)] == ["nextjs-app-router"]


async def test_folders_added_are_scanned_and_removed_folders_lose_their_problems(client: LanguageClient, tmp_path):
    web, api = tmp_path / "web", tmp_path / "api"
    web_server, api_server = _node_app(web), _node_app(api)
    await initialize(client, web, capabilities=_pull_capabilities())
    before = await _workspace_report(client)
    assert web_server in before and api_server not in before

    refreshes, scans = client.diagnostic_refresh_count, _scans_ended(client)
    _change_folders(client, added=[api])
    await wait_for(lambda: _scans_ended(client) > scans)  # "PostHog: scanning workspace" for the new folder
    await wait_for(lambda: client.diagnostic_refresh_count > refreshes)
    both = await _workspace_report(client)
    assert codes(both[api_server].items) == ["posthog/hardcoded-key", "posthog/legacy-api"]
    assert {p["folderName"] for p in await _packages(client)} == {"web", "api"}

    refreshes = client.diagnostic_refresh_count
    _change_folders(client, removed=[web])
    await wait_for(lambda: client.diagnostic_refresh_count > refreshes)
    cleared = await _workspace_report(client, _ids(both))
    assert cleared[web_server].kind == "full" and not cleared[web_server].items  # the Problems panel forgets them
    assert cleared[api_server].kind == "unchanged"
    assert web_server not in await _workspace_report(client)
    assert {p["folderName"] for p in await _packages(client)} == {"api"}


async def test_removing_a_folder_re_checks_its_open_files_alone(client: LanguageClient, tmp_path):
    web, api = tmp_path / "web", tmp_path / "api"
    _node_app(web, ignored=True)
    _node_app(api)
    await initialize(client, api, folders=[api, web])
    hidden = (web / "generated/server.js").as_uri()
    open_doc(client, hidden, NODE_SERVER)
    assert await diagnostics_at(client, hidden, 1) == []
    count = len(client.published)
    _change_folders(client, removed=[web])  # push clients get the file's new diagnostics: web's .gitignore is gone
    await wait_for(lambda: any(p.uri == hidden and p.diagnostics for p in client.published[count:]))


async def test_a_folder_nested_in_another_owns_its_files(client: LanguageClient, tmp_path):
    mono, api = tmp_path / "mono", tmp_path / "mono" / "api"
    write(mono, ".gitignore", "generated/\n")  # the outer folder ignores every generated/ folder
    api_server = _node_app(api)
    await initialize(client, mono, capabilities=_pull_capabilities(), folders=[mono, api])
    generated = (api / "generated/server.js").as_uri()
    raw = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    uris = [item.uri for item in raw.items]
    assert generated in uris  # the deepest folder's rules apply: api has no .gitignore
    assert uris.count(api_server) == 1  # reported by its own folder only, not by the outer one too
    packages = await _packages(client)
    assert [(p["folderName"], p["path"]) for p in packages] == [("api", ".")]  # listed once, by its own folder
    open_doc(client, generated, NODE_SERVER)
    pulled = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=generated)))
    assert codes(pulled.items) == ["posthog/hardcoded-key", "posthog/legacy-api"]
