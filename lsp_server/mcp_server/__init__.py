"""`posthog-lsp mcp`: the bundled MCP server (skills as posthog:// resources, env and detection tools).

Transports: stdio (default) or streamable HTTP on 127.0.0.1 (`--http PORT`, endpoint `/mcp`).
The skills folder can be replaced with `POSTHOG_SKILLS_DIR` (tests, authoring skills).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server pulls in the MCP SDK; `sandbox` and `envfiles` stay light for the agent
    from .server import PosthogMcp

__all__ = ["SKILLS_ENV", "main", "serve_http", "serve_stdio"]

SKILLS_ENV = "POSTHOG_SKILLS_DIR"


async def serve_stdio(app: PosthogMcp, reading: threading.Event | None = None) -> None:
    """Serve one client over stdin/stdout, with hot reload, until stdin closes. Sets `reading` as it takes stdin."""
    import anyio
    from mcp.server.stdio import stdio_server

    if reading is not None:
        reading.set()
    async with anyio.create_task_group() as tg:
        tg.start_soon(app.watcher().run)
        async with stdio_server() as (read, write):
            await app.server.run(read, write, app.server.create_initialization_options())
        tg.cancel_scope.cancel()


async def serve_http(app: PosthogMcp, port: int, host: str = "127.0.0.1") -> None:
    """Serve streamable HTTP at http://127.0.0.1:PORT/mcp, with hot reload, until cancelled."""
    import anyio
    import uvicorn

    starlette_app = app.server.streamable_http_app(host=host)
    config = uvicorn.Config(starlette_app, host=host, port=port, log_level="warning", lifespan="on")
    async with anyio.create_task_group() as tg:
        tg.start_soon(app.watcher().run)
        await uvicorn.Server(config).serve()
        tg.cancel_scope.cancel()


def main(root: str = ".", http_port: int | None = None) -> None:
    """Run the MCP server over `root` (stdio, or HTTP when `http_port` is given). Logs go to stderr.

    Over stdio the process ends within a few tenths of a second of its client closing stdin, also while it is still
    starting (the MCP SDK takes ~1 s of CPU to import, several seconds on a loaded machine)."""
    logging.basicConfig(level=os.environ.get("POSTHOG_LSP_LOG", "WARNING"), stream=sys.stderr,
                        format="posthog-mcp %(levelname)s %(name)s: %(message)s")
    reading = threading.Event()
    if http_port is None:
        threading.Thread(target=_exit_if_stdin_closes, args=(reading,), name="posthog-mcp-stdin", daemon=True).start()
    import anyio

    from .server import PosthogMcp

    skills = os.environ.get(SKILLS_ENV)
    app = PosthogMcp(Path(root), Path(skills) if skills else None)
    if http_port is None:
        anyio.run(serve_stdio, app, reading)
        _exit_now()
    else:
        print(f"posthog MCP server on http://127.0.0.1:{http_port}/mcp (root {app.root})", file=sys.stderr)
        anyio.run(serve_http, app, http_port)


def _exit_if_stdin_closes(reading: threading.Event) -> None:
    """Until the server reads stdin itself: end the process once the client has gone without sending anything."""
    while not reading.wait(0.05):
        if _stdin_hung_up():
            os._exit(0)


def _stdin_hung_up() -> bool:
    """stdin is a pipe whose writer has closed, with nothing left to read (False where that cannot be told)."""
    try:
        import fcntl
        import select
        import struct
        import termios

        poller = select.poll()
        poller.register(0, select.POLLIN)
        events = poller.poll(0)
        if not events or not events[0][1] & select.POLLHUP:
            return False
        return struct.unpack("i", fcntl.ioctl(0, termios.FIONREAD, b"\0\0\0\0"))[0] == 0
    except (ImportError, AttributeError, OSError, ValueError):  # Windows, no stdin
        return False


def _exit_now() -> None:
    """The client has gone and every reply is written: leave without the interpreter's ~0.25 s teardown of the MCP
    SDK's modules (seconds on a loaded machine)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(0)
