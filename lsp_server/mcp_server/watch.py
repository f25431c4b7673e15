"""Watch the skill folders and call back (debounced, on the event loop) when a file under them changes.

Watches the bundled skills folder and the workspace override folder `<root>/.posthog/skills/`; the
override may appear later, so the watch is re-armed after each batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.utils.event_debouncer import EventDebouncer

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.15
_KINDS = {"created", "modified", "deleted", "moved"}


class _Forward(FileSystemEventHandler):
    def __init__(self, accept: Callable[[str], bool], debouncer: EventDebouncer) -> None:
        super().__init__()
        self._accept = accept
        self._debouncer = debouncer

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [str(event.src_path), str(event.dest_path or "")]
        if event.event_type in _KINDS and any(p and self._accept(p) for p in paths):
            self._debouncer.handle_event(event)


class SkillWatcher:
    """Runs `on_change()` on the loop after files under `folders` settle for DEBOUNCE_SECONDS."""

    def __init__(self, folders: list[Path], on_change: Callable[[], Awaitable[None]],
                 debounce: float = DEBOUNCE_SECONDS) -> None:
        self._folders = [f.resolve() for f in folders]
        self._on_change = on_change
        self._debounce = debounce
        self._watched: set[Path] = set()
        self._observer = Observer()

    def _accept(self, path: str) -> bool:
        p = Path(path)
        # ancestors count too: creating `.posthog/` is how an override folder appears
        related = any(p.is_relative_to(f) or f.is_relative_to(p) for f in self._folders)
        return related and ".git" not in p.parts

    def _arm(self, handler: _Forward) -> None:
        """Watch each folder recursively once it exists, and its nearest existing parent until then."""
        for folder in self._folders:
            target, recursive = folder, True
            while not target.is_dir() and target.parent != target:
                target, recursive = target.parent, False
            key = target if recursive else target / ".."
            if key in self._watched:
                continue
            try:
                self._observer.schedule(handler, str(target), recursive=recursive)
                self._watched.add(key)
            except OSError:
                log.warning("cannot watch %s", target)

    async def run(self) -> None:
        """Watch until cancelled."""
        loop = asyncio.get_running_loop()
        batches: asyncio.Queue[list[FileSystemEvent]] = asyncio.Queue()
        debouncer = EventDebouncer(self._debounce, lambda evs: loop.call_soon_threadsafe(batches.put_nowait, evs))
        handler = _Forward(self._accept, debouncer)
        debouncer.start()
        self._arm(handler)
        self._observer.start()
        try:
            while True:
                await batches.get()
                self._arm(handler)  # an override folder may just have been created
                try:
                    await self._on_change()
                except Exception:
                    log.exception("reload after a skill change failed")
        finally:
            self._observer.stop()
            debouncer.stop()
            await asyncio.to_thread(self._observer.join, 2)
