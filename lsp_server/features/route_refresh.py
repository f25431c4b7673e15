"""Routes follow the routing file as it is typed in: the handler files' diagnostics update without a save.

What the user sees: changing `router.post('/register', userController.create)` to `'/comments'` in routes/auth.js
makes the "untracked signup" on `exports.create` in controllers/user.controller.js go away once typing pauses, as it
does on save. A change is read after the diagnostics delay, in the thread pool, and only when the routing file has a
route marker (`route_refs.might_have_facts`) or had route facts before; the open files whose route facts differ are
checked again (pull clients are asked to pull again). A keystroke costs a task per file, like the diagnostics.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from . import diagnostics

if TYPE_CHECKING:
    from ..analysis.route_refs import RouteIndex
    from .folders import Folder
    from .session import PosthogServer

log = logging.getLogger(__name__)

_SOURCES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".py")
_pending: dict[str, asyncio.Task[None]] = {}  # uri → the debounced re-read of its route facts
_unsaved: set[str] = set()  # uris whose route facts were read from unsaved text: re-read from disk when closed
# a longer pause than the squiggles' own: reading a file's route facts costs 12-30 ms of CPU on 2,000 lines, and only
# other files' diagnostics wait for it (keystroke-perf helper: run at every keystroke it tripled a keystroke's CPU)
PAUSE_S = 0.5


def schedule(ls: PosthogServer, uri: str) -> None:
    """Re-read `uri`'s route facts once typing pauses; a newer change cancels the pending read. Nothing to do before
    the workspace scan has built the routes index, or for files that are no source."""
    if not uri.endswith(_SOURCES):
        return
    found = ls.folder_for(uri)
    if found is None or getattr(found[0].index, "routes", None) is None:
        return
    previous = _pending.pop(uri, None)
    if previous is not None:
        previous.cancel()
    delay = max(ls.settings.diagnostics_delay_ms / 1000, PAUSE_S)
    _pending[uri] = asyncio.get_running_loop().create_task(_refresh_when_idle(ls, uri, delay))


def closed(ls: PosthogServer, uri: str) -> None:
    """The file was closed: its route facts come from the disk again (an edit closed unsaved is dropped)."""
    task = _pending.pop(uri, None)
    if task is not None:
        task.cancel()
    if uri in _unsaved:
        _unsaved.discard(uri)
        task = asyncio.get_running_loop().create_task(_reread_from_disk(ls, uri))
        _pending[uri] = task


async def _reread_from_disk(ls: PosthogServer, uri: str) -> None:
    try:
        found = ls.folder_for(uri)
        if found is None:
            return
        folder, path = found
        disk = await asyncio.get_running_loop().run_in_executor(ls.thread_pool, _read_text, folder.root / path)
        affected = await update(ls, folder, path, disk)
        if affected:
            recheck(ls, folder, affected)
    except Exception:  # the last routes stay, never costs the server
        log.exception("route re-read failed for %s", uri)
    finally:
        if _pending.get(uri) is asyncio.current_task():
            del _pending[uri]


def _read_text(path: Path) -> str:
    from ..analysis.parsing import decode_source

    try:
        return decode_source(path.read_bytes()) or ""
    except OSError:  # deleted: no routes
        return ""


async def _refresh_when_idle(ls: PosthogServer, uri: str, delay: float) -> None:
    try:
        await asyncio.sleep(delay)
        snap = ls.snapshot(uri)
        folder = ls.folder_at(snap.root) if snap is not None else None
        if snap is None or folder is None:
            return
        affected = await update(ls, folder, snap.path, snap.analysis_text)
        routes = getattr(folder.index, "routes", None)
        if affected or (routes is not None and snap.path in routes.files):
            _unsaved.add(uri)
        if affected:
            log.info("routes changed in %s: re-checking %d file(s)", snap.path, len(affected))
            recheck(ls, folder, affected)
    except asyncio.CancelledError:
        raise
    except Exception:  # a failed re-read keeps the last routes, never costs the server
        log.exception("route refresh failed for %s", uri)
    finally:
        if _pending.get(uri) is asyncio.current_task():
            del _pending[uri]


async def update(ls: PosthogServer, folder: Folder, path: str, text: str) -> set[str]:
    """Update the folder's routes index with `path`'s current text; the workspace paths whose route facts changed
    (empty when the file's facts are the same, or when it neither has nor had any)."""
    index = folder.index
    routes: RouteIndex | None = getattr(index, "routes", None)
    if routes is None or index is None:
        return set()
    from ..analysis.route_refs import FileFacts, file_facts, might_have_facts

    had = path in routes.files

    def read() -> FileFacts | None:
        data = text.encode("utf-8", "surrogatepass")
        if might_have_facts(data, path):
            return file_facts(path, text)
        return FileFacts() if had else None  # no route marker: nothing to read, unless a route was just deleted

    loop = asyncio.get_running_loop()
    facts = await loop.run_in_executor(ls.thread_pool, read)
    current: RouteIndex = index.routes  # another file's change or a save may have replaced it meanwhile
    if current is None or current.files.get(path, FileFacts()) == facts:
        return set()
    updated = index.routes = current.with_file(path, facts)
    return await loop.run_in_executor(ls.thread_pool, _changed_paths, current, updated)


def _changed_paths(before: RouteIndex, after: RouteIndex) -> set[str]:
    """The paths whose route facts differ between two indexes (joined here, off the event loop)."""
    old, new = before.joined(), after.joined()
    return {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}


def recheck(ls: PosthogServer, folder: Folder, paths: set[str]) -> None:
    """Check the open files at `paths` again: push clients get their diagnostics republished; pull clients are asked to
    pull again (their result ids change with the settings generation)."""
    if ls.support.pull_diagnostics:
        diagnostics.refresh_all(ls)
        return
    for doc in list(ls.workspace.text_documents.values()):
        found = ls.folder_for(doc.uri)
        if found is not None and found[0] is folder and found[1] in paths:
            ls.forget(doc.uri)
            diagnostics.schedule(ls, doc.uri, immediate=True)
    if ls.support.code_lens_refresh:
        ls.workspace_code_lens_refresh(None)
