"""The workspace: which packages (Next.js app, Flask API, …) live where, kept fresh as manifests change.

What the user sees: a "PostHog: scanning workspace" progress notification at start-up; suggestions that
match each package's framework and SDK; and, after editing a package.json, pyproject.toml,
requirements*.txt, .gitignore or .env.example — or saving a file that initialises PostHog — diagnostics that
reflect the change without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from lsprotocol import types

from ..analysis.model import Package
from ..analysis.scan import ScanResult, scan
from ..analysis.settings import AnalysisSettings
from ..analysis.workspace import SourceFacts, WorkspaceIndex, mentions_posthog, source_facts
from . import diagnostics
from .session import PosthogServer

log = logging.getLogger(__name__)
WATCHED = ["**/package.json", "**/pyproject.toml", "**/requirements*.txt", "**/.gitignore", "**/.env.example"]


def _build_index(root: Path, excludes: list[str]) -> WorkspaceIndex:
    index = WorkspaceIndex(root, excludes)
    index.refresh()
    return index


async def refresh_index(ls: PosthogServer) -> int:
    """(Re)detect packages off the loop; returns how many were found. Never raises."""
    root = ls.root
    if root is None:
        return 0
    loop = asyncio.get_running_loop()
    try:
        if ls.index is None:
            ls.index = await loop.run_in_executor(ls.thread_pool, _build_index, root, list(ls.settings.excludes))
        else:
            await loop.run_in_executor(ls.thread_pool, ls.index.refresh, list(ls.settings.excludes))
    except Exception:  # package detection failing costs framework hints, not diagnostics
        log.exception("package detection failed under %s", root)
        return 0
    return len(getattr(ls.index, "packages", ()) or ())


def _scan(root: Path, settings: AnalysisSettings) -> tuple[WorkspaceIndex, str]:
    """The whole-workspace scan: packages for the index (no second walk) and a summary for the user."""
    result = scan(root, settings)
    index = WorkspaceIndex(root, settings.excludes)
    index.packages = list(result.packages)
    return index, summarize(result)


def summarize(result: ScanResult) -> str:
    """One line for the user: what a scan found."""
    flows = [flow for doc in result.documents for flow in doc.flows]
    untracked = sum(not flow.tracked for flow in flows)
    findings = sum(len(doc.findings) for doc in result.documents)
    return (
        f"{len(result.packages)} package(s), {len(flows)} flow(s) ({untracked} untracked), "
        f"{findings} finding(s) in {result.files_seen} file(s)"
    )


async def _scan_or_detect(ls: PosthogServer) -> str:
    root = ls.root
    if root is None:
        return "no workspace folder"
    try:
        loop = asyncio.get_running_loop()
        ls.index, summary = await loop.run_in_executor(ls.thread_pool, _scan, root, ls.settings.analysis())
        return summary
    except Exception:  # the scan failing still leaves package detection
        log.exception("workspace scan failed under %s; detecting packages only", root)
        return f"{await refresh_index(ls)} package(s)"


async def initial_scan(ls: PosthogServer) -> None:
    """Scan the workspace with `$/progress` (packages, flows, findings), then re-check what is already open."""
    token = str(uuid.uuid4())
    progress = ls.support.work_done_progress
    if progress:
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title="PostHog: scanning workspace", percentage=0)
            )
        except Exception:
            log.info("the client refused a progress token; scanning silently")
            progress = False
    try:
        summary = await _scan_or_detect(ls)
    finally:
        ls.scanned.set()
    log.info("workspace scan of %s: %s", ls.root, summary)
    if progress:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=summary))
    diagnostics.refresh_all(ls)


async def register_watchers(ls: PosthogServer) -> None:
    if not ls.support.watched_files_registration:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
    )
    registration = types.Registration(
        id=f"posthog-watch-{uuid.uuid4()}", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception as exc:
        log.info("file watchers not registered: %s", exc)


def _matters(ls: PosthogServer, uri: str) -> bool:
    """Whether a changed file can change packages or scope (manifests, lock files, .gitignore, env templates)."""
    try:
        return ls.index is None or ls.index.needs_refresh(ls.relative_path(uri))
    except Exception:
        return True


async def did_change_watched_files(ls: PosthogServer, params: types.DidChangeWatchedFilesParams) -> None:
    relevant = [change.uri for change in params.changes if _matters(ls, change.uri)]
    if not relevant:
        return
    log.info("workspace files changed: %s", ", ".join(ls.relative_path(uri) for uri in relevant))
    await refresh_index(ls)
    diagnostics.refresh_all(ls)


def _setup_facts(text: str) -> SourceFacts | None:
    return source_facts(text) if mentions_posthog(text.encode("utf-8", "surrogatepass")) else None


def _package_lacks(package: Package | None, facts: SourceFacts | None) -> bool:
    """The saved file initialises PostHog or identifies users, and its package does not know yet."""
    if package is None or facts is None:
        return False
    setup = package.posthog
    return (facts.init_line is not None and setup.init is None) or (facts.identify and not setup.has_identify)


async def did_save(ls: PosthogServer, params: types.DidSaveTextDocumentParams) -> None:
    """Saving a file that sets PostHog up (e.g. the client module a quick fix created) updates its package,
    so "capture before init" goes away without a restart."""
    snap = ls.snapshot(params.text_document.uri)
    if snap is None or ls.index is None:
        return
    facts = await asyncio.get_running_loop().run_in_executor(ls.thread_pool, _setup_facts, snap.analysis_text)
    previous = ls.saved_setup.get(snap.path)
    ls.saved_setup[snap.path] = facts
    changed = previous is not None and previous != facts
    if changed or _package_lacks(ls.package_for(snap.path), facts):
        log.info("PostHog setup changed in %s: refreshing packages", snap.path)
        await refresh_index(ls)
        diagnostics.refresh_all(ls)


def register(server: PosthogServer) -> None:
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(did_save)
