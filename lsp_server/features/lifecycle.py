"""Start-up and settings: what the editor can do, the user's `posthog` settings, the first workspace scan.

What the user sees: settings from the editor's initialization options apply to the first squiggle; the
`posthog` section of their editor settings is read right after start-up and again whenever it changes,
and every open file is re-checked when it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import weakref
from typing import Any

from lsprotocol import types

from . import diagnostics, logs, workspace
from .capabilities import ClientSupport
from .session import PosthogServer
from .settings import SECTION, parse_settings

log = logging.getLogger(__name__)
_background: set[asyncio.Task[Any]] = set()  # keep start-up tasks referenced until they finish
_started: weakref.WeakSet[PosthogServer] = weakref.WeakSet()  # servers whose start-up work has begun
INITIALIZED_WAIT_S = 1.0  # how long `initialized` may take before the start-up work begins without it


def _spawn(coro: Any) -> None:
    task = asyncio.get_running_loop().create_task(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)


def initialize(ls: PosthogServer, params: types.InitializeParams) -> None:
    client = params.client_info.name if params.client_info is not None else None
    ls.support = ClientSupport.from_capabilities(params.capabilities, client)
    if not ls.support.pull_diagnostics:  # not announced: the editor takes pushed diagnostics instead
        for method in (types.TEXT_DOCUMENT_DIAGNOSTIC, types.WORKSPACE_DIAGNOSTIC):
            ls.protocol.fm.features.pop(method, None)
    ls.settings = parse_settings(params.initialization_options)
    with contextlib.suppress(RuntimeError):  # no loop (a direct call): nothing to warm up
        # runs once this message is handled, i.e. after the result is sent: start-up answers without the detectors
        asyncio.get_running_loop().call_soon(ls.thread_pool.submit, _load_analysis)
        asyncio.get_running_loop().call_later(INITIALIZED_WAIT_S, _initialized_anyway, ls)


def _load_analysis() -> None:
    """The detectors load while the editor sends `initialized` and opens its first file, not before `initialize`
    is answered: the first analysis finds them loaded (or waits for the rest of this import, never for two)."""
    try:
        from ..analysis import document, scan  # noqa: F401
    except Exception:  # the analysis will say why when it is used
        log.debug("analysis warm-up failed", exc_info=True)


def _load_edits() -> None:
    """The edit planner loads once the start-up scan is done, so the first quick fix does not wait for it."""
    try:
        from ..edits import fixes, planner  # noqa: F401
    except Exception:  # planning will say why when it is used
        log.debug("edits warm-up failed", exc_info=True)


async def pull_configuration(ls: PosthogServer) -> bool:
    """Read the `posthog` section; True when it changed the settings."""
    if not ls.support.configuration:
        return False
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception as exc:
        log.info("workspace/configuration failed: %s", exc)
        return False
    new = parse_settings(result[0] if result else None, ls.settings)
    changed = new != ls.settings
    ls.settings = new
    return changed


def start_guidance(ls: PosthogServer) -> None:
    """Snippets and docs through the MCP server named in `posthog.mcp` (default: the bundled one, over stdio).

    Skill edits then reach quick fixes and lenses without a restart; if the server is unreachable the bundled
    files serve, and the log says so once.
    """
    import shlex

    from ..guidance import GuidanceClient  # imports mcp: only when guidance starts

    config = getattr(ls.settings, "mcp", None)
    config = config if isinstance(config, dict) else {}
    mode = str(config.get("mode") or "bundled")
    command = config.get("command")
    if isinstance(command, str):
        command = shlex.split(command)
    loop = asyncio.get_running_loop()

    def changed(uris: set[str]) -> None:
        log.info("guidance changed (%d resource(s)): refreshing fixes and lenses", len(uris))
        diagnostics.refresh_all(ls)

    def guidance_status(status: str) -> None:
        log.info("guidance: %s", status)
        if status.startswith("connected"):  # mcp and the prefetched skills live as long as the server: freezing
            gc.freeze()  # them keeps full collections (pauses between keystrokes) from re-scanning them

    if ls.root is None:
        return
    ls.guidance = GuidanceClient(
        ls.root,
        command=command if mode == "command" and command else None,
        url=str(config.get("url")) if mode == "url" and config.get("url") else None,
        on_change=changed,
        on_status=guidance_status,
        callback_loop=loop,
        enabled=mode != "off",
    ).start()


async def _after_initialized(ls: PosthogServer) -> None:
    if await pull_configuration(ls):
        diagnostics.refresh_all(ls)
    try:
        start_guidance(ls)
    except Exception:  # guidance is an enhancement: the bundled files still serve every feature
        log.exception("could not start the guidance client; using the bundled skills")
    await workspace.register_watchers(ls)
    await workspace.initial_scan(ls)
    ls.thread_pool.submit(_load_edits)


def initialized(ls: PosthogServer, params: types.InitializedParams | None) -> None:
    if ls in _started:
        return
    _started.add(ls)
    logs.forward_to_client(ls)
    log.info("posthog-lsp %s started (root: %s)", ls.version, ls.root)
    _spawn(_after_initialized(ls))


def _initialized_anyway(ls: PosthogServer) -> None:
    """A client that never sends `initialized` still gets the start-up scan (pulled squiggles wait for it)."""
    if ls not in _started:
        log.info("the editor sent no `initialized` notification: starting anyway")
        initialized(ls, None)


async def did_change_configuration(ls: PosthogServer, params: types.DidChangeConfigurationParams) -> None:
    excludes = list(ls.settings.excludes)
    if ls.support.configuration:
        changed = await pull_configuration(ls)
    else:  # clients without workspace/configuration push the settings in the notification
        new = parse_settings(params.settings, ls.settings)
        changed, ls.settings = new != ls.settings, new
    if changed:
        log.info("settings changed: re-checking open files")
        if ls.settings.excludes != excludes:
            await workspace.refresh_index(ls)  # packages hidden or revealed by the new excludes
        diagnostics.refresh_all(ls)


def shutdown(ls: PosthogServer, params: None) -> None:
    if ls.guidance is not None:  # answer fast: Eglot kills a server that takes over 1.5 s (the MCP child still
        ls.guidance.stop(timeout=0.5)  # exits by itself once its stdin, our pipe, closes)


def register(server: PosthogServer) -> None:
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
