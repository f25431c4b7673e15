""""PostHog: Integrate PostHog" from the command palette: the whole integration as one reviewable edit.

What the user sees: a progress notification per stage (find the business code, plan the events, prepare the
edits) that can be cancelled; then one `workspace/applyEdit` labelled "Integrate PostHog" whose changes are
grouped per event ("Track user_logged_in", "Set up PostHog") and marked for confirmation, so VS Code shows the
refactor preview, the user can untick an event, and one undo reverts everything. New files (a PostHog client
module, `instrumentation-client.ts`, `.posthog-events.json`) are created, never overwritten. After the editor
applies it, the key and host variable names go into the framework's env file (the key from the
`POSTHOG_PROJECT_TOKEN` the editor passes; never logged). A second run finds nothing to add. In a monorepo or a
multi-root workspace the editor passes the package chosen in a quick pick (see `posthog.listPackages`); with no
choice every package of every folder is integrated in the same single edit.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import from_fs_path

from ..edits import PlannedEdit
from . import new_files
from .session import PosthogServer
from .workspace_edit import to_workspace_edit

if TYPE_CHECKING:  # the workflow is imported when the command runs, not at start-up
    from ..agent.pipeline import IntegrationPlan
    from ..agent.workspace_edit_plan import WorkspaceEditPlan

log = logging.getLogger(__name__)
INTEGRATE = "posthog.integrate"
STAGES = {"begin": "Finding the code that matters", "plan": "Planning the events", "edit": "Preparing the edits"}


@dataclass
class _Target:
    """One workspace folder to integrate: all of its packages, or the one at `package` (relative to it)."""

    root: Path
    name: str
    package: str | None = None
    plan: IntegrationPlan | None = None
    edit_plan: WorkspaceEditPlan | None = None


def targets(ls: PosthogServer, choice: object) -> list[_Target]:
    """What the user chose: nothing (every package of every folder), a package folder relative to the first
    workspace folder (`"apps/web"`), a folder's URI or path (its packages, or the package there), or
    `{"folder": <workspace folder URI>, "path": <package folder or empty for all>}` (what `posthog.listPackages`
    returns). Raises ValueError when the choice names no workspace folder."""
    folders = ls.folders
    if not choice:
        return [_Target(f.root, f.name) for f in folders]
    if isinstance(choice, dict):
        folder = next((f for f in folders if unquote(f.uri) == unquote(str(choice.get("folder") or ""))), None)
        if folder is None:
            raise ValueError(f"{choice.get('folder')!r} is not a folder of this workspace")
        path = choice.get("path")
        return [_Target(folder.root, folder.name, str(path) if path else None)]
    text = str(choice)
    if not (text.startswith("file:") or Path(text).is_absolute()):
        return [_Target(folders[0].root, folders[0].name, text)] if folders else []
    found = ls.folder_for(text if text.startswith("file:") else from_fs_path(text) or text)
    if found is None:
        raise ValueError(f"{text!r} is not inside a folder of this workspace")
    folder, rel = found
    return [_Target(folder.root, folder.name, None if rel == "." else rel)]


def _planned_edits(target: _Target, prefix: str) -> list[PlannedEdit]:
    """Every file change of the folder's plan as edits against the file as it is on disk now (absolute paths, so
    several folders fit in one edit); `prefix` tells the folders' groups apart in the preview."""
    edit_plan = target.edit_plan
    assert edit_plan is not None
    labels = {group: note.label for group, note in edit_plan.annotations.items()}
    return [
        PlannedEdit(path=str(target.root / doc.path), span=change.span, new_text=change.new_text,
                    label=prefix + labels[change.group], group=prefix + change.group, create_file=doc.create)
        for doc in edit_plan.documents
        for change in doc.changes
    ]


def _unsaved(ls: PosthogServer, root: Path, plan: IntegrationPlan) -> list[str]:
    """Open files whose buffer differs from disk: the plan was made from disk, so they must be saved first."""
    dirty = []
    for change in plan.edited:
        snap = ls.snapshot(ls.uri_for(change.path, root))
        if snap is None:
            continue
        try:
            on_disk = (root / change.path).read_text(encoding="utf-8")
        except OSError:
            on_disk = None
        if on_disk is not None and snap.text != on_disk:
            dirty.append(change.path)
    return dirty


def _current_text(ls: PosthogServer, root: Path, path: str) -> str:
    snap = ls.snapshot(ls.uri_for(path, root))
    if snap is not None:
        return snap.text
    try:
        return (root / path).read_text(encoding="utf-8")
    except OSError:
        return ""


def _applied_groups(ls: PosthogServer, root: Path, edit_plan: WorkspaceEditPlan) -> dict[str, set[str]]:
    """Which event groups the editor really applied (the preview lets the user untick any): group → files.

    A group counts when the text it inserts is now in its file, as the editor holds it or on disk. Editors without
    change annotations (Eglot) have no such preview: they apply all or nothing, and may send their didChange later.
    """
    applied: dict[str, set[str]] = {}
    everything = not ls.support.change_annotations
    for doc in edit_plan.documents:
        text = "" if everything else _current_text(ls, root, doc.path)
        for change in doc.changes:
            inserted = change.new_text.strip()
            if everything or (inserted and inserted in text):
                applied.setdefault(change.group, set()).add(doc.path)
    return applied


async def integrate(ls: PosthogServer, *args: Any) -> dict[str, Any]:
    """Arguments: none (every package of every workspace folder), or the package to integrate (monorepos): see
    `targets`."""
    from ..agent.pipeline import plan_integration
    from ..agent.report import RunFacts
    from ..agent.run import IntegrateOptions, set_env
    from ..agent.workspace_edit_plan import Cancelled, to_edit_plan
    from ..analysis.scan import scan

    if ls.root is None:
        return {"applied": False, "reason": "open a folder first: Integrate PostHog works on a workspace"}
    try:
        chosen = targets(ls, args[0] if args else None)
    except ValueError as exc:
        return {"applied": False, "reason": str(exc)}
    if not ls.support.apply_edit:
        return {"applied": False, "reason": "the editor does not accept workspace edits from the server"}
    loop = asyncio.get_running_loop()
    token = str(uuid.uuid4())
    progress = ls.support.work_done_progress
    if progress:
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                title="Integrate PostHog", cancellable=True, percentage=0))
        except Exception:  # a client that refuses progress still gets the integration
            progress = False

    def report(stage: str, percent: int) -> None:
        if progress:
            loop.call_soon_threadsafe(ls.work_done_progress.report, token, types.WorkDoneProgressReport(
                message=STAGES.get(stage, stage), percentage=percent))

    def cancelled() -> bool:
        future = ls.work_done_progress.tokens.get(token) if progress else None
        return bool(future is not None and future.cancelled())

    def plan_in_thread() -> None:
        for done, target in enumerate(chosen):
            def stage(name: str, percent: int, done: int = done) -> None:
                if cancelled():
                    raise Cancelled(name)
                report(name, (100 * done + percent) // len(chosen))

            stage("begin", 0)
            result = scan(target.root, ls.settings.analysis())
            stage("plan", 33)
            target.plan = plan_integration(target.root, package=target.package, result=result)
            stage("edit", 66)

    def end(message: str) -> None:
        if progress:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    try:
        await loop.run_in_executor(ls.thread_pool, plan_in_thread)
    except Cancelled:
        end("Cancelled")
        return {"applied": False, "reason": "cancelled"}
    except ValueError as exc:  # a broken .posthog-events.json or an unknown package: say what to fix
        end(str(exc))
        return {"applied": False, "reason": str(exc)}
    chosen = [t for t in chosen if t.plan is not None and t.plan.edited]
    if not chosen:
        end("PostHog is already integrated: nothing to add")
        return {"applied": False, "reason": "already integrated: nothing to add", "events": 0}
    several = len(chosen) > 1

    def shown(target: _Target, path: str) -> str:  # paths the user reads: per folder when there are several
        return f"{target.name}/{path}" if several else path

    dirty = [shown(t, path) for t in chosen if t.plan for path in _unsaved(ls, t.root, t.plan)]
    if dirty:
        end("Save your open files first")
        return {"applied": False, "reason": f"save these files first: {', '.join(dirty)}"}
    planned: list[PlannedEdit] = []
    for target in chosen:
        target.edit_plan = to_edit_plan(target.plan)  # once: what is sent and what is checked afterwards
        planned += _planned_edits(target, f"{target.name}: " if several else "")
    planned, created = new_files.split(ls, planned)  # editors that cannot create files (Eglot): the server writes them
    new_files.expect(ls, planned)
    edit = to_workspace_edit(ls, planned, None, confirm=True)
    if edit is None and not created:
        end("Your editor cannot apply this edit")
        return {"applied": False, "reason": "the editor cannot create the new files this integration needs"}
    if edit is not None:
        params = types.ApplyWorkspaceEditParams(edit=edit, label="Integrate PostHog")
        result = await ls.workspace_apply_edit_async(params)
        if not result.applied:
            end("Not applied")
            return {"applied": False, "reason": result.failure_reason or "the editor did not apply the edit"}
    new_files.write(created)  # only once the user accepted the edit of the existing files
    await asyncio.sleep(0.2)  # the editor's didChange for what it applied arrives right after its answer
    facts = RunFacts("lsp")
    events: list[str] = []
    files: set[str] = set()
    notes: list[str] = []
    for target in chosen:
        assert target.plan is not None and target.edit_plan is not None
        applied = _applied_groups(ls, target.root, target.edit_plan)
        if not applied:
            continue
        options = IntegrateOptions(root=target.root, yes=True, region=str(getattr(ls.settings, "region", None) or "us"),
                                   host=getattr(ls.settings, "host", None) or None)
        await loop.run_in_executor(ls.thread_pool, set_env, target.root, target.plan, options, facts)
        events += [e.event_name for e in target.plan.events_plan if e.event_name in applied]
        files |= {shown(target, path) for paths in applied.values() for path in paths}
        notes += target.plan.notes
    if not files:
        end("Nothing was applied")
        return {"applied": False, "reason": "no change was applied (none was ticked in the preview)"}
    end(f"{len(events)} event(s) added in {len(files)} file(s)")
    log.info("Integrate PostHog applied: %d file(s), %d event(s)", len(files), len(events))
    return {"applied": True, "files": sorted(files), "events": list(dict.fromkeys(events)),
            "set_variables": sorted(set(facts.missing_key)), "env": facts.env, "notes": notes}


def register(server: PosthogServer) -> None:
    server.command(INTEGRATE)(integrate)
