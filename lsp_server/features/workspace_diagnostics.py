"""Problems in files that are not open: `workspace/diagnostic`, for editors that pull diagnostics.

What the user sees: the Problems panel lists the PostHog findings of every in-scope file the start-up scan
analysed, in every workspace folder, without opening them. A file changed on disk is re-checked on the next pull;
unchanged files cost nothing (their result id is unchanged); the findings of a removed folder disappear. Open
files are reported by `textDocument/diagnostic` from the editor's buffer instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types

from ..analysis.model import Finding, Package
from ..analysis.settings import AnalysisSettings
from .diagnostics import SCAN_WAIT_S, effective_severity, to_diagnostic
from .folders import Folder, nested_prefixes
from .positions import LineIndex, encoding_name
from .session import PosthogServer, Snapshot

if TYPE_CHECKING:
    from ..analysis.scan import ScanResult

log = logging.getLogger(__name__)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def remember_scan(folder: Folder, result: ScanResult, settings: AnalysisSettings) -> None:
    """Keep the start-up scan's findings per file, so the first workspace pull analyses nothing again."""
    from ..analysis.workspace import package_for  # the analysis loads after `initialize` (start-up)

    folder.scanned = [doc.path for doc in result.documents]
    folder.on_disk, folder.shown = {}, {}
    for doc in result.documents:
        stamp = _stamp(folder.root / doc.path)
        if stamp is not None:
            routes = result.routes.for_path(doc.path) if result.routes is not None else None
            key = (stamp, package_for(doc.path, result.packages), settings, routes)
            folder.on_disk[doc.path] = (key, doc.findings)


def _read_text(path: Path) -> str | None:
    from ..analysis.parsing import decode_source
    from ..analysis.workspace import read_source

    data = read_source(str(path))
    return None if isinstance(data, str) else decode_source(data)


def _findings(folder: Folder, rel: str, package: Package | None, settings: AnalysisSettings) -> tuple[Finding, ...]:
    """The findings of `rel` as it is on disk now; analysed again only when the file, its package or the settings
    changed. A file gone or out of scope now has none."""
    from ..analysis.document import analyze_document
    from ..analysis.scope import Scope

    path = folder.root / rel
    stamp = _stamp(path)
    if stamp is None:
        folder.on_disk.pop(rel, None)
        return ()
    index_routes = getattr(folder.index, "routes", None)  # routes registered for this file elsewhere
    routes = index_routes.for_path(rel) if index_routes is not None else None
    key = (stamp, package, settings, routes)
    cached = folder.on_disk.get(rel)
    if cached is not None and cached[0] == key:
        return cached[1]
    findings: tuple[Finding, ...] = ()
    text = _read_text(path)
    scope = folder.scope
    if scope is None:
        scope = folder.scope = Scope(folder.root, settings.excludes)
    if text is not None and scope.why_excluded(rel) is None:
        try:
            findings = analyze_document(rel, text, package=package, settings=settings, routes=routes).findings
        except Exception:  # analysis promises never to raise; if it does, cost this file's problems only
            log.exception("analysis failed for %s", path)
    folder.on_disk[rel] = (key, findings)
    return findings


def disk_report(
    ls: PosthogServer, folder: Folder, rel: str, uri: str, settings: AnalysisSettings
) -> tuple[list[types.Diagnostic], str]:
    """The diagnostics of a closed file, from disk, and their result id (run it in the thread pool). Kept until the
    file, its package or the settings change: editors pull every few seconds."""
    package = folder.index.package_for(rel) if folder.index else None
    findings = _findings(folder, rel, package, settings) if settings.enable else ()
    encoding = encoding_name(ls.workspace.position_encoding)
    checked = folder.on_disk.get(rel)
    key = (checked[0] if checked else None, settings.enable, repr(ls.settings.severity), encoding)
    cached = folder.shown.get(rel)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    shown = [(f, level) for f in findings if (level := effective_severity(ls, f)) is not None]
    diagnostics: list[types.Diagnostic] = []
    if settings.enable and shown:
        text = _read_text(folder.root / rel) or ""
        snap = Snapshot(uri=uri, version=None, text=text, path=rel, language_id=None,
                        lines=LineIndex(text, encoding), root=folder.root)
        diagnostics = [to_diagnostic(finding, snap, level) for finding, level in shown]
    result_id = _result_id(ls, diagnostics)
    folder.shown[rel] = (key, diagnostics, result_id)
    return diagnostics, result_id


def _result_id(ls: PosthogServer, diagnostics: list[types.Diagnostic]) -> str:
    """Equal reports get equal ids, so an unchanged file is answered with "unchanged"."""
    import hashlib  # loads OpenSSL: not before `initialize`

    data = json.dumps(ls.protocol._converter.unstructure(diagnostics), sort_keys=True, default=str)
    return hashlib.sha1(data.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


def _reports(ls: PosthogServer, folders: Sequence[Folder], is_open: set[str]) -> list[tuple[str, list[Any], str]]:
    """(uri, diagnostics, result id) for every scanned file that is not open, in every folder."""
    reports, settings = [], ls.settings.analysis()
    for folder in folders:
        nested = nested_prefixes(folder, folders)
        for rel in list(folder.scanned):
            if any(rel.startswith(prefix) for prefix in nested):
                continue
            uri = ls.uri_for(rel, folder.root)
            if unquote(uri) in is_open:
                continue
            try:
                reports.append((uri, *disk_report(ls, folder, rel, uri, settings)))
            except Exception:  # one unreadable file must not cost the whole report
                log.exception("workspace diagnostics failed for %s", rel)
    return reports


async def workspace_diagnostic(
    ls: PosthogServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    if not ls.scanned.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ls.scanned.wait(), SCAN_WAIT_S)
    previous = {unquote(item.uri): item.value for item in params.previous_result_ids}  # editors encode URIs freely
    items: list[types.WorkspaceDocumentDiagnosticReport] = [
        types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=[], version=None, result_id="retired")
        for uri in sorted(ls.retired)
    ]
    ls.retired.clear()
    is_open = set(ls.workspace.text_documents)  # keyed by unquoted URI
    loop = asyncio.get_running_loop()
    reports = await loop.run_in_executor(ls.thread_pool, _reports, ls, ls.folders, is_open)
    for uri, diagnostics, result_id in reports:
        if previous.get(unquote(uri)) == result_id:
            items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=None))
        else:
            items.append(types.WorkspaceFullDocumentDiagnosticReport(
                uri=uri, items=diagnostics, version=None, result_id=result_id))
    return types.WorkspaceDiagnosticReport(items=items)


async def closed_file_report(ls: PosthogServer, uri: str) -> types.RelatedFullDocumentDiagnosticReport:
    """A document pull for a file that is not open: its problems on disk when the workspace reports it."""
    found = ls.folder_for(uri)
    if found is None or found[1] not in found[0].scanned:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    folder, rel = found
    loop = asyncio.get_running_loop()
    try:
        items, result_id = await loop.run_in_executor(
            ls.thread_pool, disk_report, ls, folder, rel, uri, ls.settings.analysis())
    except Exception:
        log.exception("diagnostics failed for %s", uri)
        items, result_id = [], None
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


def track_closed(ls: PosthogServer, uri: str) -> None:
    """A file created or first analysed while open keeps its problems listed once it is closed."""
    from ..analysis.parsing import EXTENSIONS

    found = ls.folder_for(uri)
    if found is None or found[1] in found[0].scanned or Path(found[1]).suffix.lower() not in EXTENSIONS:
        return
    if (found[0].root / found[1]).is_file():
        found[0].scanned.append(found[1])


def retire(ls: PosthogServer, folder: Folder) -> None:
    """The folder left the workspace: the next workspace pull clears the problems it reported."""
    for rel in folder.scanned:
        ls.retired.add(ls.uri_for(rel, folder.root))
    folder.scanned, folder.on_disk, folder.shown = [], {}, {}


def register(server: PosthogServer) -> None:
    server.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)
