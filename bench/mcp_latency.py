"""MCP latency: server start-up, resource read round trip (stdio and HTTP), and skill-file save → notification.

Run: `.venv/bin/python bench/mcp_latency.py [--reads 200] [--reloads 20]`. Uses a temp copy of skills/ and a
temp workspace; prints p50/p95 in milliseconds. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mcp_types as types
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from lsp_server.mcp_server import SKILLS_ENV  # noqa: E402
from lsp_server.skills import bundled_skills_root  # noqa: E402

URI = "posthog://snippets/node/identify.server.js.tmpl"
SNIPPET = "frameworks/node/snippets/identify.server.js.tmpl"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(name: str, values: list[float]) -> None:
    print(f"{name:<38} n={len(values):<4} p50={pct(values, 0.5):8.2f} ms  p95={pct(values, 0.95):8.2f} ms  "
          f"mean={statistics.mean(values) * 1000:8.2f} ms")


def session_over(streams, queue: asyncio.Queue) -> ClientSession:
    async def on_message(message) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            queue.put_nowait(time.perf_counter())

    return ClientSession(streams[0], streams[1], message_handler=on_message)


async def measure(session: ClientSession, queue: asyncio.Queue, skills: Path, label: str, reads: int,
                  reloads: int) -> None:
    for _ in range(10):  # warm up
        await session.read_resource(URI)
    times = []
    for _ in range(reads):
        t0 = time.perf_counter()
        await session.read_resource(URI)
        times.append(time.perf_counter() - t0)
    report(f"read_resource round trip ({label})", times)
    if not reloads:
        return
    await session.send_request(types.SubscribeRequest(params=types.SubscribeRequestParams(uri=URI)), types.EmptyResult)
    path, latencies = skills / SNIPPET, []
    for i in range(reloads):
        while not queue.empty():
            queue.get_nowait()
        t0 = time.perf_counter()
        path.write_text(f"// edit {i}\n")
        arrived = await asyncio.wait_for(queue.get(), 10)
        latencies.append(arrived - t0)
        await asyncio.sleep(0.3)  # let the debounce window close
    report(f"file saved -> resources/updated ({label})", latencies)


async def run_stdio(root: Path, skills: Path, reads: int, reloads: int) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "lsp_server.mcp_server", "--root", str(root)],
                                   env={SKILLS_ENV: str(skills)}, cwd=str(REPO))
    starts = []
    for _ in range(3):
        t0 = time.perf_counter()
        async with stdio_client(params) as streams, ClientSession(*streams) as s:
            await s.initialize()
            starts.append(time.perf_counter() - t0)
    report("spawn + initialize (stdio)", starts)
    queue: asyncio.Queue = asyncio.Queue()
    async with stdio_client(params) as streams, session_over(streams, queue) as session:
        await session.initialize()
        await measure(session, queue, skills, "stdio", reads, reloads)


async def run_http(root: Path, skills: Path, reads: int, reloads: int) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "lsp_server.mcp_server", "--root", str(root), "--http", str(port)],
                            cwd=REPO, env={**os.environ, SKILLS_ENV: str(skills)}, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        queue: asyncio.Queue = asyncio.Queue()
        url = f"http://127.0.0.1:{port}/mcp"
        async with streamable_http_client(url) as streams, session_over(streams, queue) as session:
            await session.initialize()
            await measure(session, queue, skills, "http", reads, reloads)
    finally:
        proc.terminate()
        proc.wait(5)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--reloads", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, skills = Path(tmp) / "app", Path(tmp) / "skills"
        root.mkdir()
        shutil.copytree(bundled_skills_root(), skills)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        await run_stdio(root, skills, args.reads, args.reloads)
        await run_http(root, skills, args.reads, args.reloads)


if __name__ == "__main__":
    asyncio.run(main())
