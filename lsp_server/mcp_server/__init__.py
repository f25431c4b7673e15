"""`posthog-lsp mcp`: the bundled MCP server (skills as posthog:// resources, env and detection tools).

Transports: stdio (default) or streamable HTTP on 127.0.0.1 (`--http PORT`, endpoint `/mcp`).
The skills folder can be replaced with `POSTHOG_SKILLS_DIR` (tests, authoring skills).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server pulls in the MCP SDK; `sandbox` and `envfiles` stay light for the agent
    from .server import PosthogMcp

__all__ = ["SKILLS_ENV", "main", "serve_http", "serve_stdio"]

SKILLS_ENV = "POSTHOG_SKILLS_DIR"


async def serve_stdio(app: PosthogMcp) -> None:
    """Serve one client over stdin/stdout, with hot reload, until stdin closes."""
    import anyio
    from mcp.server.stdio import stdio_server

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
    """Run the MCP server over `root` (stdio, or HTTP when `http_port` is given). Logs go to stderr."""
    logging.basicConfig(level=os.environ.get("POSTHOG_LSP_LOG", "WARNING"), stream=sys.stderr,
                        format="posthog-mcp %(levelname)s %(name)s: %(message)s")
    import anyio

    from .server import PosthogMcp

    skills = os.environ.get(SKILLS_ENV)
    app = PosthogMcp(Path(root), Path(skills) if skills else None)
    if http_port is None:
        anyio.run(serve_stdio, app)
    else:
        print(f"posthog MCP server on http://127.0.0.1:{http_port}/mcp (root {app.root})", file=sys.stderr)
        anyio.run(serve_http, app, http_port)
