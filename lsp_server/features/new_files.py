"""New files (a PostHog client module, `.posthog-events.json`) for editors that cannot create files from an edit.

What the user sees: in Emacs (Eglot), Kate or any client without the `create` resource operation, "Track
user_logged_in with PostHog" and "Integrate PostHog" still work: the editor applies the changes to existing files
and the server writes the new files itself — never over an existing one — once the user has accepted the change.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from ..edits import PlannedEdit
from .session import PosthogServer

log = logging.getLogger(__name__)
CREATE_FILES = "posthog.createFiles"
_EXPECT_FOR_S = 900.0  # an offered action the user never picks stops being watched after this long
_POLLS_S = (0.2, 0.5, 1.0, 2.0, 4.0)  # after a save: when to look for the editor's new files on disk
_OFFERED_POLLS_S = (1.0,) * 90  # after an action is offered: once a second for a while (a few stat calls)
_expected: dict[str, float] = {}  # new files an edit asks the editor to create → when to stop expecting them
_watching: list[asyncio.Task[None]] = []


def server_creates(ls: PosthogServer, planned: Sequence[PlannedEdit], root: Path | None = None) -> bool:
    """Whether the edit needs a new file the editor cannot create through a WorkspaceEdit (or not in a folder that
    does not exist yet: Neovim)."""
    new = [e for e in planned if e.create_file]
    if not new:
        return False
    if not (ls.support.document_changes and ls.support.create_files):
        return True
    return not ls.support.creates_folders and not all(_folder_exists(ls.uri_for(e.path, root)) for e in new)


def _folder_exists(uri: str) -> bool:
    path = to_fs_path(uri)
    return bool(path) and Path(path).parent.is_dir()


def split(
    ls: PosthogServer, planned: Sequence[PlannedEdit], root: Path | None = None
) -> tuple[list[PlannedEdit], list[dict[str, str]]]:
    """(edits the editor applies, files the server writes as `{uri, text}`) — all edits when the editor can create
    files itself. `root`: the folder relative paths are in (absolute paths ignore it)."""
    if not server_creates(ls, planned, root):
        return list(planned), []
    files = {ls.uri_for(e.path, root): e.new_text for e in planned if e.create_file}
    return [e for e in planned if not e.create_file], [{"uri": uri, "text": text} for uri, text in files.items()]


def expect(ls: PosthogServer, planned: Sequence[PlannedEdit], root: Path | None = None) -> None:
    """Remember the new files an edit asks the editor to create. Neovim writes such a file only on `:wall`, after the
    document's didSave, and never reports it (no didOpen, no file watching on Linux): `saved` then finds it on disk.
    VS Code too: a created file the edit leaves unopened is saved without a didSave, and no watcher covers sources."""
    now = time.monotonic()
    for stale in [p for p, until in _expected.items() if until < now]:
        del _expected[stale]
    for edit in planned:
        path = to_fs_path(ls.uri_for(edit.path, root)) if edit.create_file else None
        if path and not Path(path).exists():
            _expected[path] = now + _EXPECT_FOR_S
    _watch(ls, _OFFERED_POLLS_S)  # an edit that touches no open document (package.json + a new file) sends no save


def saved(ls: PosthogServer) -> None:
    """A document was saved: look for the expected new files for a few seconds; once one is on disk, its folder's
    packages are read again (its PostHog client module initialises the SDK: "capture before init" goes away)."""
    _watch(ls, _POLLS_S)


def _watch(ls: PosthogServer, delays: Sequence[float]) -> None:
    if not _expected or (_watching and not _watching[0].done()):
        return
    try:
        _watching[:] = [asyncio.get_running_loop().create_task(_poll(ls, delays))]
    except RuntimeError:  # no event loop (a direct call): the next save looks again
        return


async def _poll(ls: PosthogServer, delays: Sequence[float]) -> None:
    for delay in delays:
        await asyncio.sleep(delay)
        found = [p for p in list(_expected) if Path(p).exists()]
        for path in found:
            _expected.pop(path, None)
        if found:
            log.info("the editor created %s", ", ".join(found))
            await refresh(ls, found)
        if not _expected:
            return


def write(files: Sequence[dict[str, str]]) -> list[str]:
    """Write each new file unless it exists (like CreateFile with ignoreIfExists); the paths written."""
    written = []
    for item in files:
        path = to_fs_path(str(item.get("uri", "")))
        if not path:
            continue
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8", newline="") as handle:  # "x": never overwrite the user's file
                handle.write(str(item.get("text", "")))
        except FileExistsError:
            continue
        except OSError as exc:
            log.warning("could not create %s: %s", path, exc)
            continue
        written.append(path)
    if written:
        log.info("created %s", ", ".join(written))
    return written


def command(files: list[dict[str, str]]) -> types.Command | None:
    """The command a code action carries so that the server writes its new files once the user picks it."""
    if not files:
        return None
    return types.Command(title="Create the PostHog files", command=CREATE_FILES, arguments=[files])


def in_workspace(ls: PosthogServer, files: Any) -> list[dict[str, str]]:
    """The files (from a command's arguments) that lie inside a workspace folder: nothing is written elsewhere."""
    items = [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []
    if not ls.folders:  # single-file mode: the files sit beside the document
        return items
    return [f for f in items if ls.folder_for(str(f.get("uri", ""))) is not None]


async def create_files(ls: PosthogServer, files: Any) -> dict[str, Any]:
    """`posthog.createFiles` handler: [{uri, text}, ...] → the files written (existing ones are left alone)."""
    created = write(in_workspace(ls, files))
    await refresh(ls, created)
    return {"created": created}


async def refresh(ls: PosthogServer, written: Sequence[str]) -> None:
    """The server wrote a PostHog client module: no editor sends didSave for it, so its folder's packages are read
    again and open files re-checked ("capture before init" goes away)."""
    folders = {id(found[0]): found[0] for path in written if (found := ls.folder_for(Path(path).as_uri())) is not None}
    if not folders:
        return
    from . import diagnostics
    from .workspace import refresh_index  # features.workspace imports the analysis it runs: loaded when needed

    await refresh_index(ls, folders.values())
    diagnostics.refresh_all(ls)


def register(server: PosthogServer) -> None:
    server.command(CREATE_FILES)(create_files)
