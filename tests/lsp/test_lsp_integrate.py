"""`posthog.integrate` over LSP: one annotated, previewable workspace edit; applied, the app sends its events."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

from tests import sink
from tests.lsp.lsp_helpers import apply_text_edits, initialize, open_doc

APP = Path(__file__).resolve().parents[1] / "agent" / "apps" / "flask_shop"


def _apply_to_disk(edit: types.WorkspaceEdit) -> None:
    """What the editor does after the user accepts the preview (and saves)."""
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            path = Path(to_fs_path(change.uri))
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("")
        else:
            path = Path(to_fs_path(change.text_document.uri))
            path.write_text(apply_text_edits(path.read_text(), change.edits))


def _editor_applies_to_disk(client: LanguageClient, really: bool = True) -> None:
    """The editor applies the edit when the user presses Apply (`really=False`: every change was unticked)."""
    del client.protocol.fm.features[types.WORKSPACE_APPLY_EDIT]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.applied_edits.append(params)
        if really:
            _apply_to_disk(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)


async def test_integrate_command_sends_one_previewable_edit_and_a_second_run_adds_nothing(
    client: LanguageClient, tmp_path: Path
):
    root = tmp_path / "shop"
    shutil.copytree(APP, root)
    _editor_applies_to_disk(client)
    await initialize(client, root)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.integrate", arguments=[]))
    assert result["applied"], result
    assert set(result["events"]) == {"user_signed_up", "user_logged_in", "user_logged_out"}
    assert "POSTHOG_PROJECT_TOKEN" in result["set_variables"]  # no key given: the user is told what to set

    (params,) = client.applied_edits
    edit = params.edit
    assert params.label == "Integrate PostHog"
    annotations = edit.change_annotations or {}
    assert {"user_signed_up", "user_logged_in", "user_logged_out"} <= set(annotations)
    assert all(a.needs_confirmation for a in annotations.values())  # VS Code shows the refactor preview
    created = {Path(to_fs_path(c.uri)).name for c in edit.document_changes if isinstance(c, types.CreateFile)}
    assert {".posthog-events.json", "posthog_client.py"} <= created
    for change in edit.document_changes:
        if isinstance(change, types.TextDocumentEdit):
            assert all(e.annotation_id in annotations for e in change.edits)

    plan = json.loads((root / ".posthog-events.json").read_text())
    assert {e["event_name"] for e in plan} == set(result["events"])
    assert (root / ".env").read_text().startswith("POSTHOG_PROJECT_TOKEN=")  # the variable, still empty

    token = "phc_test_" + uuid.uuid4().hex
    server, url = sink.start()
    try:
        env = {**os.environ, "POSTHOG_PROJECT_TOKEN": token, "POSTHOG_HOST": url}
        run = subprocess.run([sys.executable, "smoke.py"], cwd=root, env=env, capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 0, run.stderr[-3000:]
    finally:
        server.shutdown()
    sent = [e["event"] for e in sink.all_events() if e["api_key"] == token]
    assert set(result["events"]) <= set(sent)

    again = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.integrate", arguments=[]))
    assert not again["applied"] and "nothing to add" in again["reason"]
    assert len(client.applied_edits) == 1


async def test_integrate_refuses_while_an_open_file_has_unsaved_changes(client: LanguageClient, tmp_path: Path):
    root = tmp_path / "shop"
    shutil.copytree(APP, root)
    await initialize(client, root)
    open_doc(client, (root / "app.py").as_uri(), (root / "app.py").read_text() + "\n# typing...\n")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.integrate", arguments=[]))
    assert not result["applied"] and "save these files first: app.py" in result["reason"]
    assert client.applied_edits == []


async def test_nothing_ticked_in_the_preview_is_reported_and_no_env_file_is_written(
    client: LanguageClient, tmp_path: Path
):
    root = tmp_path / "shop"
    shutil.copytree(APP, root)
    _editor_applies_to_disk(client, really=False)
    await initialize(client, root)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.integrate", arguments=[]))
    assert not result["applied"] and "none was ticked" in result["reason"]
    assert not (root / ".env").exists()
    creates = [c for c in client.applied_edits[0].edit.document_changes if isinstance(c, types.CreateFile)]
    assert creates and all(c.annotation_id for c in creates)  # unticking a group also skips its new files


EXPRESS = APP.parent / "express_shop"


def _edited_paths(client: LanguageClient) -> set[Path]:
    (params,) = client.applied_edits
    return {Path(to_fs_path(c.uri if isinstance(c, types.CreateFile) else c.text_document.uri))
            for c in params.edit.document_changes}


async def _list_packages(client: LanguageClient) -> list[dict]:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.listPackages", arguments=[]))
    return result["packages"]


async def test_the_package_picked_in_a_monorepo_is_the_only_one_integrated(client: LanguageClient, tmp_path: Path):
    root = tmp_path / "mono"
    shutil.copytree(APP, root / "shop")
    shutil.copytree(EXPRESS, root / "store")
    _editor_applies_to_disk(client)
    await initialize(client, root)
    packages = await _list_packages(client)
    assert sorted((p["path"], p["framework"], p["posthogInstalled"]) for p in packages) == [
        ("shop", "flask", False), ("store", "node-express", False)]
    (shop,) = [p for p in packages if p["path"] == "shop"]
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.integrate", arguments=[shop["argument"]]))
    assert result["applied"], result
    edited = _edited_paths(client)
    assert not any(path.is_relative_to(root / "store") for path in edited)
    assert all(path.is_relative_to(root / "shop") or path.parent == root for path in edited)  # + the event plan
    assert (root / "shop" / "posthog_client.py").is_file()
    assert "posthog" not in (root / "store" / "package.json").read_text()


async def test_integrate_in_a_multi_root_workspace_picks_the_folder_or_does_every_folder_in_one_edit(
    client: LanguageClient, tmp_path: Path
):
    shop, store = tmp_path / "shop", tmp_path / "store"
    shutil.copytree(APP, shop)
    shutil.copytree(EXPRESS, store)
    _editor_applies_to_disk(client, really=False)  # the preview is shown; nothing is ticked
    await initialize(client, shop, folders=[shop, store])
    packages = await _list_packages(client)
    assert sorted((p["folderName"], p["path"]) for p in packages) == [("shop", "."), ("store", ".")]
    (second,) = [p for p in packages if p["folderName"] == "store"]
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.integrate", arguments=[second["argument"]]))
    assert _edited_paths(client) and all(path.is_relative_to(store) for path in _edited_paths(client))

    client.applied_edits.clear()
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="posthog.integrate", arguments=[]))
    edited = _edited_paths(client)
    assert any(p.is_relative_to(shop) for p in edited) and any(p.is_relative_to(store) for p in edited)
    groups = set(client.applied_edits[0].edit.change_annotations)
    assert {"shop: user_logged_in", "store: user_logged_in"} <= groups  # unticked per folder in the preview

    client.applied_edits.clear()  # a folder named by its path (what a script or keybinding would pass)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="posthog.integrate", arguments=[str(shop)]))
    assert all(path.is_relative_to(shop) for path in _edited_paths(client))

    unknown = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="posthog.integrate", arguments=[{"folder": (tmp_path / "gone").as_uri(), "path": "."}]))
    assert not unknown["applied"] and "not a folder of this workspace" in unknown["reason"]
