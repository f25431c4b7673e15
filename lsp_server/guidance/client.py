"""The language server's MCP client: keeps snippets, docs, event names and detection data fresh.

`GuidanceClient` runs in its own thread with its own asyncio loop, so the LSP loop never waits on MCP.
It starts the bundled MCP server over stdio (or another command, or a streamable-HTTP URL), reads the
`posthog://` resources the editor needs into a cache, subscribes to them, and calls `on_change(uris)`
when the server says they changed. `get(uri)` is synchronous and never blocks on the network: a cache
miss is answered from the bundled skill files while the resource is fetched in the background. If the
server cannot be started or goes away, the client keeps the last good cache, falls back to the bundled
files, and says so once (`status`, a log warning and `on_status`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lsp_server.mcp_server.catalog import SCHEME, Catalog
from lsp_server.skills import bundled_skills_root

log = logging.getLogger(__name__)

PREFETCH = (f"{SCHEME}snippets/", f"{SCHEME}events/", f"{SCHEME}detection/", f"{SCHEME}docs/", f"{SCHEME}commandments")
CONNECT_TIMEOUT = 15.0
REQUEST_TIMEOUT = 10.0
PING_INTERVAL = 20.0
FETCH_CONCURRENCY = 8
OVERRIDE_DIR = ".posthog/skills"
SKILLS_ENV = "POSTHOG_SKILLS_DIR"


def bundled_server_command(root: str | Path) -> list[str]:
    """The command that starts the bundled MCP server over stdio for `root`."""
    return [sys.executable, "-P", "-m", "lsp_server.mcp_server", "--root", str(root)]  # -P: cwd never shadows us


class GuidanceClient:
    """Cached `posthog://` guidance from an MCP server, with the bundled skills as the fallback."""

    def __init__(
        self,
        root: str | Path,
        *,
        command: list[str] | None = None,
        url: str | None = None,
        skills_root: Path | None = None,
        on_change: Callable[[set[str]], None] | None = None,
        on_status: Callable[[str], None] | None = None,
        callback_loop: asyncio.AbstractEventLoop | None = None,
        prefetch: Iterable[str] = PREFETCH,
        connect_timeout: float = CONNECT_TIMEOUT,
        ping_interval: float = PING_INTERVAL,
        enabled: bool = True,
    ) -> None:
        self.root = Path(root).resolve()
        self._command = command or bundled_server_command(self.root)
        self._url = url
        self._skills_root = skills_root
        self._on_change = on_change
        self._on_status = on_status
        self._callback_loop = callback_loop
        self._prefetch = tuple(prefetch)
        self._connect_timeout = connect_timeout
        self._ping_interval = ping_interval
        self._enabled = enabled
        self.fallback = Catalog(skills_root or bundled_skills_root(), self.root / OVERRIDE_DIR)
        self._cache: dict[str, str] = {}
        self._missing: dict[str, str | None] = {}  # URIs the server has no resource for → the bundle's answer, kept
        self._lock = threading.Lock()
        self._status = "starting"
        self._offline_reported = False
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._work: asyncio.Queue[tuple[str, Any]] | None = None
        self._session: Any = None

    # -- the synchronous face (any thread) ------------------------------------------------------------

    @property
    def status(self) -> str:
        """"connected (stdio)", "connected (http)", "starting", "offline: using bundled guidance (...)",
        "bundled (MCP disabled)" or "stopped"."""
        return self._status

    @property
    def connected(self) -> bool:
        return self._status.startswith("connected")

    def start(self) -> GuidanceClient:
        """Connect in a background thread; returns at once. Disabled: serve the bundled files, no process."""
        if not self._enabled:
            self._status = "bundled (MCP disabled)"
            self._ready.set()
        elif self._thread is None:
            self._thread = threading.Thread(target=self._thread_main, name="posthog-guidance", daemon=True)
            self._thread.start()
        return self

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until connected or offline (tests, CLI); True if connected."""
        self._ready.wait(timeout)
        return self.connected

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect (stopping the server process it started) and end the thread."""
        self._stopping.set()
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def get(self, uri: str) -> str | None:
        """The resource's text: cached, else the bundled file (fetched from the server in the background)."""
        with self._lock:
            if uri in self._cache:
                return self._cache[uri]
            if uri in self._missing:  # the planner probes variants that do not exist: ask once, not per edit
                return self._missing[uri]
        got = self.fallback.read(uri)
        text = got[0] if got else None
        if self.connected:
            self._submit("fetch", uri)
        elif text is not None:
            with self._lock:
                self._cache.setdefault(uri, text)
        return text

    def cached(self) -> dict[str, str]:
        with self._lock:
            return dict(self._cache)

    # -- the guidance thread --------------------------------------------------------------------------

    def _submit(self, kind: str, payload: Any) -> None:
        loop, work = self._loop, self._work
        if loop is not None and work is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(work.put_nowait, (kind, payload))

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            self._ready.set()
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._work = asyncio.Queue()
        if self._stopping.is_set():  # stop() came before the loop existed
            return
        try:
            await self._connect_and_serve()
        except Exception as exc:
            if not self._stopping.is_set():
                self._go_offline(_describe(exc))
        if self._stopping.is_set():
            self._status = "stopped"
        else:
            self._go_offline("the MCP server closed")

    def _transport(self) -> Any:
        if self._url:
            from mcp.client.streamable_http import streamable_http_client

            return streamable_http_client(self._url)
        from mcp import StdioServerParameters, stdio_client

        env = {SKILLS_ENV: str(self._skills_root)} if self._skills_root else None
        params = StdioServerParameters(command=self._command[0], args=self._command[1:], env=env, cwd=str(self.root))
        return stdio_client(params, errlog=sys.stderr)

    async def _connect_and_serve(self) -> None:
        from mcp import ClientSession

        assert self._stop is not None and self._work is not None
        async with self._transport() as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write, message_handler=self._on_message) as session:
                await asyncio.wait_for(session.initialize(), self._connect_timeout)
                self._session = session
                await self._sync()
                self._status = "connected (http)" if self._url else "connected (stdio)"
                log.info("guidance: %s, %d resources cached", self._status, len(self._cache))
                self._ready.set()
                self._emit_status()
                stopping = asyncio.ensure_future(self._stop.wait())
                try:
                    while not stopping.done():
                        getter = asyncio.ensure_future(self._work.get())
                        done, _ = await asyncio.wait({getter, stopping}, timeout=self._ping_interval,
                                                     return_when=asyncio.FIRST_COMPLETED)
                        if getter in done:
                            await self._handle(*getter.result())
                        else:
                            getter.cancel()
                            if not done:  # idle: make sure the server is still there
                                await asyncio.wait_for(session.send_ping(), REQUEST_TIMEOUT)
                finally:
                    stopping.cancel()
                    self._session = None

    async def _on_message(self, message: Any) -> None:
        """Runs on the session's read loop: only queue work here (a request from here would deadlock)."""
        import mcp_types as types

        assert self._work is not None
        if isinstance(message, types.ResourceUpdatedNotification):
            self._work.put_nowait(("updated", str(message.params.uri)))
        elif isinstance(message, types.ResourceListChangedNotification):
            self._work.put_nowait(("list_changed", None))
        elif isinstance(message, Exception):
            log.debug("guidance transport error: %r", message)

    async def _handle(self, kind: str, payload: Any) -> None:
        if kind == "fetch":
            with self._lock:
                known = payload in self._cache
            if not known:
                await self._fetch([payload], subscribe=True)
        elif kind == "updated":
            with self._lock:  # aliases: "name.js" is served from "name.js.tmpl"
                uris = [u for u in self._cache if u == payload or payload.startswith(u + ".")]
            self._notify(await self._fetch(uris or [payload], subscribe=False))
        elif kind == "list_changed":
            self._notify(await self._sync())

    async def _sync(self) -> set[str]:
        """Fetch every listed resource under the prefetch prefixes and drop vanished ones; returns changed URIs."""
        session = self._session
        listed = await asyncio.wait_for(session.list_resources(), REQUEST_TIMEOUT)
        wanted = [str(r.uri) for r in listed.resources if str(r.uri).startswith(self._prefetch)]
        with self._lock:
            self._missing.clear()  # the list changed: a resource that was missing may exist now
            stale = [u for u in self._cache if u.startswith(self._prefetch) and u not in wanted and
                     not any(w.startswith(u + ".") for w in wanted)]
            for uri in stale:
                del self._cache[uri]
            extra = [u for u in self._cache if u not in wanted]
        changed = await self._fetch([*wanted, *extra], subscribe=True)
        return changed | set(stale)

    async def _fetch(self, uris: list[str], *, subscribe: bool) -> set[str]:
        """Read `uris` into the cache (subscribing if asked), a few at a time; returns those whose text changed."""
        session = self._session
        if session is None:
            return set()
        slots = asyncio.Semaphore(FETCH_CONCURRENCY)

        async def one(uri: str) -> bool:
            async with slots:
                return await self._fetch_one(session, uri, subscribe)

        flags = await asyncio.gather(*(one(uri) for uri in uris))
        return {uri for uri, changed in zip(uris, flags, strict=True) if changed}

    async def _fetch_one(self, session: Any, uri: str, subscribe: bool) -> bool:
        try:
            result = await asyncio.wait_for(session.read_resource(uri), REQUEST_TIMEOUT)
        except Exception as exc:
            from mcp_types import INVALID_PARAMS

            log.debug("guidance: cannot read %s: %s", uri, _describe(exc))
            if getattr(exc, "code", None) != INVALID_PARAMS:  # a lost connection keeps the last good text
                return False
            got = self.fallback.read(uri)
            with self._lock:  # the server says it no longer exists
                self._missing[uri] = got[0] if got else None
                return self._cache.pop(uri, None) is not None
        text = "".join(getattr(c, "text", "") or "" for c in result.contents)
        with self._lock:
            self._missing.pop(uri, None)
            changed = self._cache.get(uri) != text
            self._cache[uri] = text
        if subscribe:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(_subscribe(session, uri), REQUEST_TIMEOUT)
        return changed

    def _notify(self, uris: set[str]) -> None:
        if uris and self._on_change is not None:
            self._call(self._on_change, set(uris))

    def _call(self, fn: Callable[[Any], None], arg: Any) -> None:
        try:
            if self._callback_loop is not None and not self._callback_loop.is_closed():
                self._callback_loop.call_soon_threadsafe(fn, arg)
            else:
                fn(arg)
        except Exception:
            log.exception("guidance callback failed")

    def _emit_status(self) -> None:
        if self._on_status is not None:
            self._call(self._on_status, self._status)

    def _go_offline(self, reason: str) -> None:
        if self._offline_reported:
            return
        self._offline_reported = True
        self._session = None
        self._status = f"offline: using bundled guidance ({reason})"
        log.warning("PostHog guidance server unavailable (%s); using the bundled skills", reason)
        self._ready.set()
        self._emit_status()


async def _subscribe(session: Any, uri: str) -> None:
    """`resources/subscribe`: how handshake-era (2025-11-25) clients hear about changes (deprecated only in 2026)."""
    import mcp_types as types

    request = types.SubscribeRequest(params=types.SubscribeRequestParams(uri=uri))
    await session.send_request(request, types.EmptyResult)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return _describe(exc.exceptions[0])
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"[:200]
