"""The MCP server goes away when its client does: an editor closing it (or restarting the language server that
started it) never leaves a process behind for seconds, and a client that hangs up early still gets its reply.

Hang guards with loose bounds (the server exits in well under 0.5 s; the bounds allow for a loaded machine), not
timing benchmarks.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import anyio
from mcp_harness import REPO, connect, make_workspace

EXIT_BOUND_S = 2.0  # the MCP client's own grace period: past it, clients kill the server instead
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                         "clientInfo": {"name": "t", "version": "0"}}}


def _server(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "lsp_server.mcp_server", "--root", str(root)], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _seconds_to_exit(proc: subprocess.Popen[bytes]) -> float:
    """Close the server's stdin and time how long it takes to end (killed after 10 s)."""
    assert proc.stdin is not None
    start = time.perf_counter()
    proc.stdin.close()
    try:
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return time.perf_counter() - start


def test_server_exits_soon_after_a_real_client_disconnects(tmp_path: Path):
    root = make_workspace(tmp_path)

    async def session() -> float:
        async with connect("stdio", root) as conn:
            await conn.session.call_tool("detect_flows", {"path": "."})
            start = time.perf_counter()
        return time.perf_counter() - start  # the client closes stdin, then waits up to 2 s before killing

    assert anyio.run(session) < EXIT_BOUND_S


def test_server_exits_soon_after_stdin_closes_once_initialized(tmp_path: Path):
    proc = _server(tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["id"] == 1
    assert _seconds_to_exit(proc) < EXIT_BOUND_S
    assert proc.returncode == 0


def test_server_closed_while_still_starting_exits_without_finishing_its_start_up(tmp_path: Path):
    proc = _server(tmp_path)
    assert _seconds_to_exit(proc) < EXIT_BOUND_S  # the SDK's imports alone take ~1 s of CPU
    assert proc.returncode == 0


def test_client_that_hangs_up_right_after_its_request_still_gets_the_reply(tmp_path: Path):
    proc = _server(tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
    assert _seconds_to_exit(proc) < 10
    reply = json.loads(proc.stdout.readline())
    assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "posthog"
