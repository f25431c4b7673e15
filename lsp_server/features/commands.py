"""Commands the editor (or a lens) runs: `posthog.trackFlow`, `posthog.scanWorkspace`, `posthog.listPackages`.

What the user sees: clicking "Track user_logged_in" inserts the capture through `workspace/applyEdit`
(nothing happens if the file changed since the lens was drawn); "PostHog: Scan workspace" returns the
packages, flows and findings of the whole workspace as JSON (v1, as `posthog-lsp scan --format json`) plus a
one-line `summary` the editor shows. "Integrate PostHog" in a monorepo or multi-root workspace first asks
`posthog.listPackages` which packages there are, to offer a quick pick.
`posthog.integrate` belongs to the Integrate workflow and is registered there, not here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..analysis.settings import AnalysisSettings
from . import planning
from .diagnostics import SCAN_WAIT_S
from .folders import nested_prefixes
from .session import PosthogServer
from .workspace import summarize
from .workspace_edit import to_workspace_edit

log = logging.getLogger(__name__)
TRACK_FLOW = "posthog.trackFlow"
SCAN_WORKSPACE = "posthog.scanWorkspace"
LIST_PACKAGES = "posthog.listPackages"


async def track_flow(ls: PosthogServer, uri: str, version: int | None, kind: str, line: int) -> dict[str, Any]:
    """Insert tracking for the flow of `kind` starting on `line` of `uri` at `version`."""
    if not ls.support.apply_edit:
        return {"applied": False, "reason": "the editor does not accept workspace edits from the server"}
    snap = ls.snapshot(uri)
    if snap is None or snap.version != version:
        return {"applied": False, "reason": "the file changed since the lens was shown"}
    analysis = await ls.analyze(snap)
    flow = next((f for f in analysis.flows if str(f.kind) == kind and f.span.start_line == line), None)
    if flow is None:
        return {"applied": False, "reason": f"no {kind} flow on line {line + 1}"}
    edit = to_workspace_edit(ls, await planning.track_flows(ls, snap, [flow]), snap)
    if edit is None:
        return {"applied": False, "reason": "nothing to add", "event": flow.event}
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=f"Track {flow.event} with PostHog")
    )
    if not result.applied:
        log.info("the editor did not apply the edit: %s", result.failure_reason)
    return {"applied": result.applied, "event": flow.event}


def _scan(root: Path, settings: AnalysisSettings) -> dict[str, Any]:
    from ..analysis.scan import scan  # the analysis loads after `initialize` (start-up)
    from ..report import to_json

    result = scan(root, settings)
    return {**to_json(result), "summary": summarize(result)}


async def scan_workspace(ls: PosthogServer) -> dict[str, Any]:
    """The scan of the workspace folder (JSON v1); with several folders, `folders` holds one scan per folder."""
    folders = ls.folders
    if not folders:
        return {"version": 1, "error": "no workspace folder is open"}
    loop = asyncio.get_running_loop()
    try:
        scans = [await loop.run_in_executor(ls.thread_pool, _scan, f.root, ls.settings.analysis()) for f in folders]
    except Exception as exc:
        log.exception("workspace scan failed")
        return {"version": 1, "error": f"scan failed: {exc}"}
    if len(scans) == 1:
        return scans[0]
    summary = "; ".join(f"{folder.name}: {one['summary']}" for folder, one in zip(folders, scans, strict=True))
    return {"version": 1, "folders": scans, "summary": summary}


async def list_packages(ls: PosthogServer) -> dict[str, Any]:
    """The packages the start-up scan detected, per workspace folder, for the "Integrate PostHog" quick pick.

    Each has `argument`, what `posthog.integrate` takes to integrate just that package."""
    if not ls.scanned.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ls.scanned.wait(), SCAN_WAIT_S)
    folders = ls.folders
    packages = []
    for folder in folders:
        nested = nested_prefixes(folder, folders)  # a nested folder lists its own packages
        for package in folder.packages:
            if any(f"{package.path}/".startswith(prefix) for prefix in nested):
                continue
            packages.append({
                "folder": folder.uri,
                "folderName": folder.name,
                "path": package.path,
                "framework": package.framework,
                "language": package.language,
                "posthogInstalled": package.posthog.installed,
                "argument": {"folder": folder.uri, "path": package.path},
            })
    return {"packages": packages, "folders": len(folders)}


def register(server: PosthogServer) -> None:
    server.command(TRACK_FLOW)(track_flow)
    server.command(SCAN_WORKSPACE)(scan_workspace)
    server.command(LIST_PACKAGES)(list_packages)
