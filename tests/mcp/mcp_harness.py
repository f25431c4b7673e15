"""Helpers: real MCP clients against the real server process, over stdio and streamable HTTP.

Every test gets a fresh workspace with a planted secret in `.env`, and (for hot reload) its own copy
of the bundled skills passed to the server through `POSTHOG_SKILLS_DIR`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from lsp_server.mcp_server import SKILLS_ENV

SECRET = "phc_TOPSECRET_7f3a9c1e_do_not_leak"
REPO = Path(__file__).resolve().parents[2]


def make_workspace(base: Path) -> Path:
    """A small app with secrets in .env files, symlinks out of the workspace and an outside .env."""
    outside = base / "outside"
    outside.mkdir()
    (outside / ".env").write_text(f"OUTSIDE_KEY={SECRET}\n")
    (outside / "notes.md").write_text(f"secret notes {SECRET}\n")
    root = base / "app"
    (root / "src").mkdir(parents=True)
    (root / ".env").write_text(f"# keys\nPOSTHOG_KEY={SECRET}\nexport OTHER='{SECRET}'\n")
    (root / ".env.local").write_text(f"NEXT_PUBLIC_POSTHOG_KEY={SECRET}\n")
    (root / "package.json").write_text('{"name": "app", "dependencies": {"react": "18.2.0", "express": "4.19.0"}}\n')
    (root / "src" / "auth.js").write_text(
        "export async function signUp(email, password) {\n"
        "  const { data } = await supabase.auth.signUp({ email, password });\n"
        "  return data.user;\n}\n"
    )
    (root / "link_out").symlink_to(outside)
    (root / "link.env").symlink_to(outside / ".env")
    (root / "linked_notes.md").symlink_to(outside / "notes.md")
    override = root / ".posthog" / "skills"  # a hostile override folder: symlinks to secrets
    (override / "docs").mkdir(parents=True)
    (override / "commandments.md").symlink_to(outside / "notes.md")
    (override / "docs" / "leak.md").symlink_to(root / ".env")
    (override / "docs" / "outside.md").symlink_to(outside / "notes.md")
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(skills: Path | None) -> dict[str, str]:
    return {SKILLS_ENV: str(skills)} if skills else {}


@dataclass
class Connection:
    """A connected handshake-era client plus what the server sent on its own and wrote to stderr."""

    session: ClientSession
    root: Path
    notifications: list[Any] = field(default_factory=list)
    stderr: Path | None = None
    responses: list[str] = field(default_factory=list)

    async def call(self, coro: Any) -> Any:
        """Await a client call and record its full JSON (for the secret-leak checks)."""
        result = await coro
        self.responses.append(result.model_dump_json())
        return result

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for note in self.notifications:
                if predicate(note):
                    return note
            await asyncio.sleep(0.02)
        raise AssertionError(f"no matching notification in {timeout}s; got {self.notifications!r}")


@contextlib.asynccontextmanager
async def _stdio(root: Path, skills: Path | None, errlog: Any) -> AsyncIterator[tuple[Any, Any]]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "lsp_server.mcp_server", "--root", str(root)],
        env=server_env(skills),
        cwd=str(REPO),
    )
    async with stdio_client(params, errlog=errlog) as (read, write):
        yield read, write


@contextlib.contextmanager
def http_server(root: Path, skills: Path | None, errlog: Any) -> Any:
    """The server as `posthog-lsp mcp --http PORT`; yields its URL once it accepts connections."""
    port = free_port()
    env = {**os.environ, **server_env(skills)}
    cli = [sys.executable, "-c", "from lsp_server.cli import main; main()"]  # what `posthog-lsp` runs
    proc = subprocess.Popen(
        [*cli, "mcp", "--root", str(root), "--http", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errlog,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("MCP HTTP server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.asynccontextmanager
async def connect(
    transport: str, root: Path, skills: Path | None = None, stderr: Path | None = None
) -> AsyncIterator[Connection]:
    """A `ClientSession` (initialize handshake, protocol 2025-11-25) to a fresh server process."""
    stderr = stderr or root.parent / f"server-{transport}.log"
    with open(stderr, "w") as errlog, contextlib.ExitStack() as stack:
        if transport == "stdio":
            streams_cm: Any = _stdio(root, skills, errlog)
        else:
            url = stack.enter_context(http_server(root, skills, errlog))
            streams_cm = streamable_http_client(url)
        async with streams_cm as streams:
            conn: Connection | None = None

            async def on_message(message: Any) -> None:
                assert conn is not None
                conn.notifications.append(message)

            async with ClientSession(streams[0], streams[1], message_handler=on_message) as session:
                conn = Connection(session, root, stderr=stderr)
                init = await session.initialize()
                conn.responses.append(init.model_dump_json())
                yield conn


@contextlib.asynccontextmanager
async def held(transport: str, root: Path, skills: Path | None = None) -> AsyncIterator[Connection]:
    """`connect`, entered and left inside one background task, so fixtures may set up and tear down in others."""
    ready: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
    done = asyncio.Event()

    async def hold() -> None:
        try:
            async with connect(transport, root, skills) as conn:
                ready.set_result(conn)
                await done.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise

    task = asyncio.create_task(hold())
    try:
        yield await ready
    finally:
        done.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)
