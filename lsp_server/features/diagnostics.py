"""Squiggles: PostHog findings as diagnostics, pushed or pulled, for the document version on screen.

What the user sees: each finding underlined with a stable code (`posthog/missing-identify`), source
`posthog`, a link to the docs and the severity they configured. While they type, a file is re-checked
once typing pauses (`posthog.diagnosticsDelay`); results for an older version are never shown. Clients
that pull diagnostics (`textDocument/diagnostic`) get them on request and a refresh when settings or
packages change — and the closed files' problems through `workspace/diagnostic` (workspace_diagnostics.py);
others get `publishDiagnostics` with the document version. Closing a file clears them (push).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import time
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path

from ..analysis.model import Finding
from .session import PosthogServer, Snapshot

log = logging.getLogger(__name__)
SOURCE = "posthog"
SCAN_WAIT_S = 15.0  # a pull before the start-up scan waits at most this long for it
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def _vocabulary_docs(code: str) -> str | None:
    try:
        from ..analysis.posthog_vocab import posthog_vocabulary  # loads tomllib: after `initialize` (start-up)

        return posthog_vocabulary().docs.get(code)
    except Exception:  # vocabulary missing or broken: the diagnostic just has no link
        return None


def docs_href(finding: Finding) -> str | None:
    """A stable link for the code: the finding's docs (or the vocabulary's), as a file URL into `skills/` when
    it is a `posthog://docs/...` resource that is bundled, else as given."""
    docs = finding.data.get("docs") or _vocabulary_docs(finding.code)
    if not isinstance(docs, str) or not docs:
        return None
    return _href(docs)


@functools.lru_cache(maxsize=256)
def _href(docs: str) -> str | None:
    """`docs` as a link (cached: every publish asks again for the same few links)."""
    if not docs.startswith("posthog://docs/"):
        return docs if ":" in docs else None
    from ..skills import bundled_skills_root

    name, _, fragment = docs.removeprefix("posthog://docs/").partition("#")
    root = bundled_skills_root()
    parts = name.split("/")
    path = root / "frameworks" / parts[1] / "SKILL.md" if parts[0] == "frameworks" and len(parts) > 1 else (
        root / "docs" / f"{name}.md"
    )
    if not path.is_file():
        return docs  # the MCP resource URI: stable, and what the skills server serves
    uri = from_fs_path(str(path)) or docs
    return f"{uri}#{fragment}" if fragment else uri


def effective_severity(ls: PosthogServer, finding: Finding) -> str | None:
    """The user's explicit override wins; otherwise the rule's own severity. None means switched off."""
    level = ls.settings.severity.get(finding.code)
    if level is None:
        return finding.severity
    return None if level == "off" else level


def to_diagnostic(finding: Finding, snap: Snapshot, severity: str) -> types.Diagnostic:
    href = docs_href(finding)
    span = finding.span
    data: dict[str, Any] = {
        **finding.data,
        "code": finding.code,
        "span": [span.start_line, span.start_col, span.end_line, span.end_col],
        "version": snap.version,
    }
    return types.Diagnostic(
        range=snap.lines.range(span),
        message=finding.message,
        severity=SEVERITY.get(severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        data=data,
    )


async def diagnostics_for(ls: PosthogServer, snap: Snapshot) -> list[types.Diagnostic]:
    if not ls.settings.enable:
        return []
    analysis = await ls.analyze(snap)
    _freeze_start_up_objects(ls.scanned.is_set())
    if analysis.parse_error:
        log.info("%s: %s", snap.path, analysis.parse_error)
    result = []
    for finding in analysis.findings:
        severity = effective_severity(ls, finding)
        if severity is not None:
            result.append(to_diagnostic(finding, snap, severity))
    return result


# -- push --------------------------------------------------------------------------------------------
def schedule(ls: PosthogServer, uri: str, *, immediate: bool = False) -> None:
    """Re-check `uri` once typing pauses; a newer change cancels the pending check."""
    if ls.support.pull_diagnostics:
        return
    previous = ls.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()
    delay = 0.0 if immediate else ls.settings.diagnostics_delay_ms / 1000
    ls.pending[uri] = asyncio.get_running_loop().create_task(_publish_when_idle(ls, uri, delay))


async def _publish_when_idle(ls: PosthogServer, uri: str, delay: float) -> None:
    try:
        if delay:
            await asyncio.sleep(delay)
        snap = ls.snapshot(uri)
        if snap is None:
            return
        diagnostics = await diagnostics_for(ls, snap)
        if ls.document_version(uri) != snap.version:
            return  # the user kept typing: the newer version's check publishes
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snap.uri, version=snap.version, diagnostics=diagnostics)
        )
    except asyncio.CancelledError:
        raise
    except Exception:  # a failing check costs this round of squiggles, never the server
        log.exception("diagnostics failed for %s", uri)
    finally:
        if ls.pending.get(uri) is asyncio.current_task():
            del ls.pending[uri]


_frozen: set[object] = set()  # what froze: the first check, the first after the scan, slow full collections
_SLOW_FULL_COLLECTION_MS = 20.0
_MAX_FREEZES = 8  # objects alive at a freeze are never collected as cycles: a few times per server, not forever
_full_collection: dict[str, float] = {}


def _freeze_start_up_objects(scanned: bool) -> None:
    """What start-up loaded (grammars, queries, vocabulary, MCP, the workspace index once the scan is over) lives as
    long as the server: freezing it keeps full collections from re-scanning it while the user types. In the latency
    bench on 2,000 lines, unfrozen full collections took 100-150 ms every ~50 keystrokes; frozen, under 10 ms.
    Done at the first check, at the first one after the scan, and after a full collection that was slow anyway."""
    slow = _full_collection.pop("slow", 0.0)
    reason: object = scanned if scanned not in _frozen else slow if slow else None
    if reason is not None and len(_frozen) < _MAX_FREEZES:
        _frozen.add(reason)
        gc.freeze()


def _time_full_collections(phase: str, info: dict[str, Any]) -> None:
    """Notes a full collection that took long (the next check freezes what survived it)."""
    if info.get("generation") != 2:
        return
    if phase == "start":
        _full_collection["start"] = time.perf_counter()
    elif "start" in _full_collection:
        took = (time.perf_counter() - _full_collection.pop("start")) * 1000
        if took >= _SLOW_FULL_COLLECTION_MS:
            _full_collection["slow"] = took


def clear(ls: PosthogServer, uri: str) -> None:
    """The file was closed: drop pending work and (push clients) its squiggles."""
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.forget(uri)
    if not ls.support.pull_diagnostics:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def refresh_all(ls: PosthogServer) -> None:
    """Settings or packages changed: re-check every open file (and its lenses)."""
    ls.invalidate()
    if ls.support.code_lens_refresh:
        ls.workspace_code_lens_refresh(None)
    if ls.support.pull_diagnostics:
        if ls.support.diagnostic_refresh:
            ls.workspace_diagnostic_refresh(None)
        return
    for doc in list(ls.workspace.text_documents.values()):
        schedule(ls, doc.uri, immediate=True)


# -- pull --------------------------------------------------------------------------------------------
async def document_diagnostic(ls: PosthogServer, params: types.DocumentDiagnosticParams) -> Any:
    snap = ls.snapshot(params.text_document.uri)
    if snap is None:  # a closed file (VS Code pulls once more on close): what the workspace report says
        from .workspace_diagnostics import closed_file_report

        return await closed_file_report(ls, params.text_document.uri)
    if not ls.scanned.is_set() and not ls.support.diagnostic_refresh:
        # the editor cannot be asked to pull again once packages are known (Neovim): answer after the scan
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ls.scanned.wait(), SCAN_WAIT_S)
    result_id = f"{ls.generation}:{snap.version}:{ls.settings.enable}"
    if snap.version is not None and params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    try:
        items = await diagnostics_for(ls, snap)
    except Exception:
        log.exception("diagnostics failed for %s", snap.uri)
        items = []
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


def register(server: PosthogServer) -> None:
    if _time_full_collections not in gc.callbacks:
        gc.callbacks.append(_time_full_collections)
    server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=True),
    )(document_diagnostic)
