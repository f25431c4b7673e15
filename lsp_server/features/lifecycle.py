"""Start-up and settings: what the editor can do, the user's `posthog` settings, the first workspace scan.

What the user sees: settings from the editor's initialization options apply to the first squiggle; the
`posthog` section of their editor settings is read right after start-up and again whenever it changes,
and every open file is re-checked when it does.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import shlex
from typing import Any

from lsprotocol import types

from . import diagnostics, logs, workspace
from .capabilities import ClientSupport
from .session import PosthogServer
from .settings import SECTION, parse_settings

log = logging.getLogger(__name__)
_background: set[asyncio.Task[Any]] = set()  # keep start-up tasks referenced until they finish


def _spawn(coro: Any) -> None:
    task = asyncio.get_running_loop().create_task(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)


def initialize(ls: PosthogServer, params: types.InitializeParams) -> None:
    ls.support = ClientSupport.from_capabilities(params.capabilities)
    ls.settings = parse_settings(params.initialization_options)


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


def initialized(ls: PosthogServer, params: types.InitializedParams) -> None:
    logs.forward_to_client(ls)
    log.info("posthog-lsp %s started (root: %s)", ls.version, ls.root)
    _spawn(_after_initialized(ls))


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
    if ls.guidance is not None:
        ls.guidance.stop()


def register(server: PosthogServer) -> None:
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
