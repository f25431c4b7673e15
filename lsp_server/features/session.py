"""One editor session: client support, settings, the workspace index and cached analyses of open files.

What the user sees: every feature (squiggles, quick fixes, lenses, commands) answers from the same
analysis of the same document version, computed once off the event loop; state only changes on the loop.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote

from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ..analysis.model import DocumentAnalysis, Package
from ..analysis.settings import AnalysisSettings
from .capabilities import ClientSupport
from .folders import Folder, deepest, real_path
from .positions import LineIndex, analysis_text, encoding_name
from .settings import ServerSettings

if TYPE_CHECKING:
    from ..analysis.route_refs import FileRoutes
    from ..analysis.workspace import SourceFacts
    from ..guidance.client import GuidanceClient  # imports mcp: only when guidance starts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """An open document at one version, with the path analysis uses (relative to its workspace folder)."""

    uri: str
    version: int | None
    text: str  # exactly as the editor holds it
    path: str
    language_id: str | None
    lines: LineIndex
    # what `path` is relative to: the workspace folder holding the file, or outside every folder the file's own
    # directory (analysed alone: no package, no ignore rules); None for untitled buffers
    root: Path | None = None

    @property
    def analysis_text(self) -> str:
        return analysis_text(self.text)


class PosthogServer(LanguageServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.support = ClientSupport()
        self.settings = ServerSettings()
        self._folders: dict[str, Folder] = {}  # workspace folder URI → its packages and scope, in the client's order
        self._folders_lock = threading.Lock()
        self.saved_setup: dict[str, SourceFacts | None] = {}  # path → PostHog setup facts of its last save
        self.generation = 0  # bumped when settings or packages change: cached analyses are stale
        self.pending: dict[str, asyncio.Task[None]] = {}  # debounced diagnose task per document
        self.retired: set[str] = set()  # files of removed folders: the next workspace pull clears their problems
        self.scanned = asyncio.Event()  # the start-up scan is over: packages (and PostHog setup) are known
        self.guidance: GuidanceClient | None = None  # snippets and docs through MCP, once started
        self.plan_cache: dict[object, list[Any]] = {}  # planned edits per (uri, version, generation, request)
        self._analyses: dict[str, _Analysis] = {}  # the newest analysis asked for, per document
        self._where: dict[str, tuple[object, tuple[Folder, str] | None]] = {}  # uri → (folders then, folder_for)
        # out_of_scope per (generation, scope epoch, folder root, path): a keystroke does not re-read the file's start
        self._scope_reasons: dict[tuple[object, ...], str | None] = {}
        self._scope_epoch = 0  # bumped on save, watched-file changes and close: the file on disk may differ

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve on stdio; a pipe is read by the event loop itself (stdio.py: no thread hop per message)."""
        from . import stdio

        stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
        if stdio.pollable(stdin, stdout):
            stdio.serve(self, stdin, stdout)
        else:
            super().start_io(stdin, stdout)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Internal errors go to the log (output panel), not a pop-up per keystroke."""
        log.error("internal error (%s): %r", getattr(source, "__name__", source), error)

    # -- folders, paths and documents ---------------------------------------------------------------------
    def sync_folders(self) -> tuple[list[Folder], list[Folder]]:
        """Follow the client's workspace folders (or its root URI when it sends none); returns (added, removed)."""
        try:
            workspace = self.workspace
        except RuntimeError:  # before initialize
            return [], []
        wanted = {f.uri: f.name for f in workspace.folders.values()}
        if not wanted and workspace.root_uri:  # clients that send only rootUri / rootPath
            wanted = {workspace.root_uri: Path(workspace.root_path or "").name}
        if wanted.keys() == self._folders.keys():
            return [], []
        with self._folders_lock:  # planning threads read the folders: they see the old or the new dict, whole
            current = dict(self._folders)
            removed = [current.pop(uri) for uri in list(current) if uri not in wanted]
            added = []
            for uri, name in wanted.items():
                fs_path = to_fs_path(uri) if uri not in current else None
                if fs_path:
                    current[uri] = folder = Folder(uri=uri, root=real_path(fs_path), name=name)
                    added.append(folder)
            self._folders = {uri: current[uri] for uri in wanted if uri in current}  # the client's order
        return added, removed

    @property
    def folders(self) -> list[Folder]:
        self.sync_folders()
        return list(self._folders.values())

    @property
    def root(self) -> Path | None:
        """The first workspace folder (guidance overrides and single-root commands use it)."""
        folders = self.folders
        return folders[0].root if folders else None

    def folder_for(self, uri: str) -> tuple[Folder, str] | None:
        """The workspace folder holding `uri` and its path there (the deepest folder when folders nest)."""
        folders = self.folders
        known = self._where.get(uri)
        if known is not None and known[0] is self._folders:  # asked on every keystroke: resolve symlinks once
            return known[1]
        fs_path = to_fs_path(uri)
        found = deepest(folders, real_path(fs_path)) if fs_path is not None else None
        if len(self._where) >= 4096:
            self._where.clear()
        self._where[uri] = (self._folders, found)
        return found

    def folder_at(self, root: Path | None) -> Folder | None:
        return next((f for f in self.folders if f.root == root), None) if root is not None else None

    def relative_path(self, uri: str) -> str:
        fs_path = to_fs_path(uri)
        if fs_path is None:  # untitled: and other schemes: the last segment still tells the language
            return PurePosixPath(uri.split(":", 1)[-1]).name or "untitled"
        found = self.folder_for(uri)
        return found[1] if found is not None else Path(fs_path).name

    def uri_for(self, rel_path: str, root: Path | None = None) -> str:
        """The URI of `rel_path` in the folder at `root` (default: the first folder)."""
        base = root or self.root or Path.cwd()
        return from_fs_path(str(base / rel_path)) or rel_path

    def is_open(self, uri: str) -> bool:
        return unquote(uri) in self.workspace.text_documents

    def document_version(self, uri: str) -> int | None:
        """The version the editor holds now, without building a snapshot (None: not open)."""
        doc = self.workspace.text_documents.get(unquote(uri))
        return None if doc is None else doc.version

    def snapshot(self, uri: str) -> Snapshot | None:
        """The document as the editor holds it now (open documents only)."""
        doc = self.workspace.text_documents.get(unquote(uri))  # pygls keys documents by the unquoted URI
        if doc is None:
            return None
        found, fs_path = self.folder_for(uri), to_fs_path(uri)
        root = found[0].root if found is not None else real_path(fs_path).parent if fs_path else None
        return Snapshot(
            uri=doc.uri,
            version=doc.version,
            text=doc.source,
            path=found[1] if found is not None else self.relative_path(uri),
            language_id=doc.language_id,
            lines=LineIndex(doc.source, encoding_name(self.workspace.position_encoding)),
            root=root,
        )

    def package_for(self, path: str, root: Path | None = None) -> Package | None:
        """The package of `path` in the workspace folder at `root` (None: the first folder, for untitled buffers);
        None when `root` is no workspace folder (a file outside every folder is analysed alone)."""
        folder = self.folder_at(root) if root is not None else next(iter(self.folders), None)
        if folder is None or folder.index is None:
            return None
        try:
            return folder.index.package_for(path)
        except Exception:  # a half-built index costs framework hints, not the feature
            log.exception("package lookup failed for %s", path)
            return None

    # -- analysis ------------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Settings, packages or ignore files changed: every cached analysis is stale."""
        self.generation += 1
        self._analyses.clear()
        for folder in self._folders.values():
            folder.scope = None
        self.scope_changed()

    def scope_changed(self) -> None:
        """A file may have changed on disk (saved, changed outside, closed): decide every file's scope again."""
        self._scope_epoch += 1
        self._scope_reasons.clear()

    def out_of_scope(self, snap: Snapshot, folder: Folder | None) -> str | None:
        """Why a file inside a workspace folder is excluded by that folder's rules (its .gitignore, node_modules,
        user excludes), or None. Files outside every folder are analysed alone."""
        if folder is None:
            return None
        key = (self.generation, self._scope_epoch, str(folder.root), snap.path)
        if key in self._scope_reasons:
            return self._scope_reasons[key]
        reason = self._out_of_scope(snap, folder)
        if len(self._scope_reasons) > 4096:
            self._scope_reasons.clear()
        self._scope_reasons[key] = reason
        return reason

    def _out_of_scope(self, snap: Snapshot, folder: Folder) -> str | None:
        try:
            scope = folder.scope
            if scope is None:
                from ..analysis.scope import Scope  # loaded after `initialize` (start-up)

                scope = folder.scope = Scope(folder.root, self.settings.excludes)
            reason = scope.why_excluded(snap.path)
        except Exception:  # a broken ignore file must not hide every squiggle
            log.exception("scope check failed for %s", snap.path)
            return None
        return None if reason == "outside the workspace root" else reason

    def forget(self, uri: str) -> None:
        self._analyses.pop(unquote(uri), None)
        self.scope_changed()

    async def analyze(self, snap: Snapshot) -> DocumentAnalysis:
        """The analysis of `snap`, computed in the thread pool once per version and settings generation; features
        asking at the same time (diagnostics, lenses, actions) share one computation."""
        key = (snap.version, self.generation, snap.text if snap.version is None else "")
        uri = unquote(snap.uri)
        entry = self._analyses.get(uri)
        if entry is None or entry.key != key:
            package, settings = self.package_for(snap.path, snap.root), self.settings.analysis()
            loop = asyncio.get_running_loop()
            previous, entry = entry, _Analysis(key, loop.create_future())
            self._analyses[uri] = entry
            task = loop.create_task(self._analyze_after(previous, entry, uri, snap, package, settings))
            _running.add(task)
            task.add_done_callback(_running.discard)
        entry.waiters += 1
        try:
            return await asyncio.shield(entry.future)  # a cancelled debounce must not cancel it for the others
        finally:
            entry.waiters -= 1

    async def _analyze_after(
        self,
        previous: _Analysis | None,
        entry: _Analysis,
        uri: str,
        snap: Snapshot,
        package: Package | None,
        settings: AnalysisSettings,
    ) -> None:
        """Analyse once the document's previous version is done (one at a time per file: two would only share the
        CPU); a version nobody waits for any more (the user kept typing) is dropped unstarted."""
        if previous is not None and not previous.future.done():
            await asyncio.wait([previous.future])
        if entry.waiters == 0:
            if self._analyses.get(uri) is entry:
                del self._analyses[uri]  # a later request for this version computes it afresh
            entry.future.cancel()
            return
        loop = asyncio.get_running_loop()
        try:
            work = loop.run_in_executor(
                self.thread_pool, self._analyze_in_scope, snap, self.folder_at(snap.root), package, settings
            )
            entry.future.set_result(await work)
        except Exception as exc:  # the pool is shut down: the callers get the error, as they did from the pool
            entry.future.set_exception(exc)

    def _analyze_in_scope(
        self, snap: Snapshot, folder: Folder | None, package: Package | None, settings: AnalysisSettings
    ) -> DocumentAnalysis:
        reason = self.out_of_scope(snap, folder)
        if reason is not None:
            return DocumentAnalysis(path=snap.path, language=None, parse_error=f"out of scope: {reason}")
        return _analyze(snap, package, settings, _routes_for(folder, snap.path))


@dataclass(eq=False)
class _Analysis:
    """One document version's analysis, computed or on its way, and how many requests wait for it."""

    key: tuple[int | None, int, str]
    future: asyncio.Future[DocumentAnalysis]
    waiters: int = 0


_running: set[asyncio.Task[None]] = set()  # analyses under way (the loop only keeps weak references to tasks)


def _routes_for(folder: Folder | None, path: str) -> FileRoutes | None:
    """What the folder's other files say about `path`'s functions (routes registered elsewhere; route_refs.py)."""
    routes = getattr(folder.index, "routes", None) if folder is not None else None
    return routes.for_path(path) if routes is not None else None


def _analyze(
    snap: Snapshot, package: Package | None, settings: AnalysisSettings, routes: FileRoutes | None = None
) -> DocumentAnalysis:
    from ..analysis.document import analyze_document  # the detectors load after `initialize` (start-up)

    try:
        return analyze_document(
            snap.path,
            snap.analysis_text,
            package=package,
            settings=settings,
            language_id=snap.language_id,
            routes=routes,
            editing=True,
        )
    except Exception as exc:  # analysis promises never to raise; if it does, cost findings, not the server
        log.exception("analysis failed for %s", snap.path)
        return DocumentAnalysis(path=snap.path, language=None, parse_error=f"internal error: {exc!r}")
