"""One editor session: client support, settings, the workspace index and cached analyses of open files.

What the user sees: every feature (squiggles, quick fixes, lenses, commands) answers from the same
analysis of the same document version, computed once off the event loop; state only changes on the loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ..analysis import DocumentAnalysis, analyze_document
from ..analysis.model import Package
from ..analysis.scope import Scope
from ..analysis.settings import AnalysisSettings
from ..analysis.workspace import SourceFacts, WorkspaceIndex
from .capabilities import ClientSupport
from .positions import LineIndex, analysis_text, encoding_name
from .settings import ServerSettings

if TYPE_CHECKING:
    from ..guidance.client import GuidanceClient  # imports mcp: only when guidance starts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """An open document at one version, with the path analysis uses (relative to the workspace root)."""

    uri: str
    version: int | None
    text: str  # exactly as the editor holds it
    path: str
    language_id: str | None
    lines: LineIndex

    @property
    def analysis_text(self) -> str:
        return analysis_text(self.text)


class PosthogServer(LanguageServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.support = ClientSupport()
        self.settings = ServerSettings()
        self.index: WorkspaceIndex | None = None  # packages of the root, once the start-up scan ran
        self.saved_setup: dict[str, SourceFacts | None] = {}  # path → PostHog setup facts of its last save
        self.generation = 0  # bumped when settings or packages change: cached analyses are stale
        self.pending: dict[str, asyncio.Task[None]] = {}  # debounced diagnose task per document
        self.scanned = asyncio.Event()  # the start-up scan is over: packages (and PostHog setup) are known
        self.guidance: GuidanceClient | None = None  # snippets and docs through MCP, once started
        self.plan_cache: dict[object, list[Any]] = {}  # planned edits per (uri, version, generation, request)
        self._scope: Scope | None = None  # for the root and the user's excludes
        self._analyses: dict[str, tuple[tuple[int | None, int, str], asyncio.Future[DocumentAnalysis]]] = {}

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Internal errors go to the log (output panel), not a pop-up per keystroke."""
        log.error("internal error (%s): %r", getattr(source, "__name__", source), error)

    # -- paths and documents -------------------------------------------------------------------------
    @property
    def root(self) -> Path | None:
        try:
            workspace = self.workspace
        except RuntimeError:  # before initialize
            return None
        root = workspace.root_path
        if not root and workspace.folders:  # clients that send only workspaceFolders
            root = to_fs_path(next(iter(workspace.folders.values())).uri)
        return Path(root) if root else None

    def relative_path(self, uri: str) -> str:
        fs_path = to_fs_path(uri)
        if fs_path is None:  # untitled: and other schemes: the last segment still tells the language
            return PurePosixPath(uri.split(":", 1)[-1]).name or "untitled"
        path = Path(fs_path)
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return path.name

    def uri_for(self, rel_path: str) -> str:
        base = self.root or Path.cwd()
        return from_fs_path(str(base / rel_path)) or rel_path

    def is_open(self, uri: str) -> bool:
        return unquote(uri) in self.workspace.text_documents

    def snapshot(self, uri: str) -> Snapshot | None:
        """The document as the editor holds it now (open documents only)."""
        doc = self.workspace.text_documents.get(unquote(uri))  # pygls keys documents by the unquoted URI
        if doc is None:
            return None
        return Snapshot(
            uri=doc.uri,
            version=doc.version,
            text=doc.source,
            path=self.relative_path(uri),
            language_id=doc.language_id,
            lines=LineIndex(doc.source, encoding_name(self.workspace.position_encoding)),
        )

    def package_for(self, path: str) -> Package | None:
        if self.index is None:
            return None
        try:
            return self.index.package_for(path)
        except Exception:  # a half-built index costs framework hints, not the feature
            log.exception("package lookup failed for %s", path)
            return None

    # -- analysis ------------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Settings, packages or ignore files changed: every cached analysis is stale."""
        self.generation += 1
        self._analyses.clear()
        self._scope = None

    def out_of_scope(self, snap: Snapshot) -> str | None:
        """Why a file inside the workspace is excluded (gitignored, node_modules, user excludes), or None."""
        if self.root is None or to_fs_path(snap.uri) is None:
            return None
        try:
            scope = self._scope
            if scope is None:
                scope = self._scope = Scope(self.root, self.settings.excludes)
            reason = scope.why_excluded(snap.path)
        except Exception:  # a broken ignore file must not hide every squiggle
            log.exception("scope check failed for %s", snap.path)
            return None
        return None if reason == "outside the workspace root" else reason

    def forget(self, uri: str) -> None:
        self._analyses.pop(unquote(uri), None)

    async def analyze(self, snap: Snapshot) -> DocumentAnalysis:
        """The analysis of `snap`, computed in the thread pool once per version and settings generation; features
        asking at the same time (diagnostics, lenses, actions) share one computation."""
        key = (snap.version, self.generation, snap.text if snap.version is None else "")
        uri = unquote(snap.uri)
        cached = self._analyses.get(uri)
        if cached is None or cached[0] != key:
            package, settings = self.package_for(snap.path), self.settings.analysis()
            loop = asyncio.get_running_loop()
            cached = (key, loop.run_in_executor(self.thread_pool, self._analyze_in_scope, snap, package, settings))
            self._analyses[uri] = cached
        return await asyncio.shield(cached[1])  # a cancelled debounce must not cancel it for the others

    def _analyze_in_scope(
        self, snap: Snapshot, package: Package | None, settings: AnalysisSettings
    ) -> DocumentAnalysis:
        reason = self.out_of_scope(snap)
        if reason is not None:
            return DocumentAnalysis(path=snap.path, language=None, parse_error=f"out of scope: {reason}")
        return _analyze(snap, package, settings)


def _analyze(snap: Snapshot, package: Package | None, settings: AnalysisSettings) -> DocumentAnalysis:
    try:
        return analyze_document(
            snap.path, snap.analysis_text, package=package, settings=settings, language_id=snap.language_id
        )
    except Exception as exc:  # analysis promises never to raise; if it does, cost findings, not the server
        log.exception("analysis failed for %s", snap.path)
        return DocumentAnalysis(path=snap.path, language=None, parse_error=f"internal error: {exc!r}")
