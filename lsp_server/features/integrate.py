""""PostHog: Integrate PostHog" from the command palette: the whole integration as one reviewable edit.

What the user sees: a progress notification per stage (find the business code, plan the events, prepare the
edits) that can be cancelled; then one `workspace/applyEdit` labelled "Integrate PostHog" whose changes are
grouped per event ("Track user_logged_in", "Set up PostHog") and marked for confirmation, so VS Code shows the
refactor preview, the user can untick an event, and one undo reverts everything. New files (a PostHog client
module, `instrumentation-client.ts`, `.posthog-events.json`) are created, never overwritten. After the editor
applies it, the key and host variable names go into the framework's env file (the key from the
`POSTHOG_PROJECT_TOKEN` the editor passes; never logged). A second run finds nothing to add.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..edits import PlannedEdit
from .session import PosthogServer
from .workspace_edit import to_workspace_edit

if TYPE_CHECKING:  # the workflow is imported when the command runs, not at start-up
    from ..agent.pipeline import IntegrationPlan
    from ..agent.workspace_edit_plan import WorkspaceEditPlan

log = logging.getLogger(__name__)
INTEGRATE = "posthog.integrate"
STAGES = {"begin": "Finding the code that matters", "plan": "Planning the events", "edit": "Preparing the edits"}



def _planned_edits(edit_plan: WorkspaceEditPlan) -> list[PlannedEdit]:
    """Every file change of the plan as edits against the file as it is on disk now."""
    labels = {group: note.label for group, note in edit_plan.annotations.items()}
    return [
        PlannedEdit(path=doc.path, span=change.span, new_text=change.new_text, label=labels[change.group],
                    group=change.group, create_file=doc.create)
        for doc in edit_plan.documents
        for change in doc.changes
    ]


def _unsaved(ls: PosthogServer, root: Path, plan: IntegrationPlan) -> list[str]:
    """Open files whose buffer differs from disk: the plan was made from disk, so they must be saved first."""
    dirty = []
    for change in plan.edited:
        snap = ls.snapshot(ls.uri_for(change.path))
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
    snap = ls.snapshot(ls.uri_for(path))
    if snap is not None:
        return snap.text
    try:
        return (root / path).read_text(encoding="utf-8")
    except OSError:
        return ""


async def _applied_groups(ls: PosthogServer, root: Path, edit_plan: WorkspaceEditPlan) -> dict[str, set[str]]:
    """Which event groups the editor really applied (the preview lets the user untick any): group → files.

    A group counts when the text it inserts is now in its file, as the editor holds it or on disk.
    """
    await asyncio.sleep(0.2)  # the editor's didChange for what it applied arrives right after its answer
    applied: dict[str, set[str]] = {}
    for doc in edit_plan.documents:
        text = _current_text(ls, root, doc.path)
        for change in doc.changes:
            inserted = change.new_text.strip()
            if inserted and inserted in text:
                applied.setdefault(change.group, set()).add(doc.path)
    return applied


async def integrate(ls: PosthogServer, *args: Any) -> dict[str, Any]:
    """Arguments: none, or the package folder to integrate (monorepos)."""
    from ..agent.pipeline import plan_integration
    from ..agent.report import RunFacts
    from ..agent.run import IntegrateOptions, set_env
    from ..agent.workspace_edit_plan import Cancelled, to_edit_plan
    from ..analysis.scan import scan

    package = args[0] if args and isinstance(args[0], str) and args[0] else None
    root = ls.root
    if root is None:
        return {"applied": False, "reason": "open a folder first: Integrate PostHog works on a workspace"}
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

    def plan_in_thread() -> IntegrationPlan:
        def stage(name: str, percent: int) -> None:
            if cancelled():
                raise Cancelled(name)
            report(name, percent)

        stage("begin", 0)
        result = scan(root, ls.settings.analysis())
        stage("plan", 33)
        plan = plan_integration(root, package=package, result=result)
        stage("edit", 66)
        return plan

    def end(message: str) -> None:
        if progress:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    try:
        plan = await loop.run_in_executor(ls.thread_pool, plan_in_thread)
    except Cancelled:
        end("Cancelled")
        return {"applied": False, "reason": "cancelled"}
    except ValueError as exc:  # a broken .posthog-events.json or an unknown package: say what to fix
        end(str(exc))
        return {"applied": False, "reason": str(exc)}
    if not plan.edited:
        end("PostHog is already integrated: nothing to add")
        return {"applied": False, "reason": "already integrated: nothing to add", "events": 0}
    dirty = _unsaved(ls, root, plan)
    if dirty:
        end("Save your open files first")
        return {"applied": False, "reason": f"save these files first: {', '.join(dirty)}"}
    edit_plan = to_edit_plan(plan)  # once: what is sent and what is checked afterwards
    edit = to_workspace_edit(ls, _planned_edits(edit_plan), None, confirm=True)
    if edit is None:
        end("Your editor cannot apply this edit")
        return {"applied": False, "reason": "the editor cannot create the new files this integration needs"}
    result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label="Integrate PostHog"))
    if not result.applied:
        end("Not applied")
        return {"applied": False, "reason": result.failure_reason or "the editor did not apply the edit"}
    applied = await _applied_groups(ls, root, edit_plan)
    if not applied:
        end("Nothing was applied")
        return {"applied": False, "reason": "no change was applied (none was ticked in the preview)"}
    facts = RunFacts("lsp")
    options = IntegrateOptions(root=root, yes=True, region=str(getattr(ls.settings, "region", None) or "us"),
                               host=getattr(ls.settings, "host", None) or None)
    await loop.run_in_executor(ls.thread_pool, set_env, root, plan, options, facts)
    events = [e.event_name for e in plan.events_plan if e.event_name in applied]
    files = sorted({path for group, paths in applied.items() for path in paths})
    end(f"{len(events)} event(s) added in {len(files)} file(s)")
    log.info("Integrate PostHog applied: %d file(s), %d event(s)", len(files), len(events))
    return {"applied": True, "files": files, "events": events,
            "set_variables": sorted(set(facts.missing_key)), "env": facts.env, "notes": plan.notes}


def register(server: PosthogServer) -> None:
    server.command(INTEGRATE)(integrate)
