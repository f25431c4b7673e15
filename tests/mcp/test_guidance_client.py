"""The language server's guidance: snippets arrive through MCP, stay fresh, and survive a missing server."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from mcp_harness import http_server

from lsp_server.guidance import GuidanceClient, McpSnippets
from lsp_server.skills import bundled_skills_root

SNIPPET = "frameworks/node/snippets/identify.server.js.tmpl"
URI = "posthog://snippets/node/identify.server.js.tmpl"
# the bundled server, made to exit when a marker file appears (a crash the client did not ask for)
DYING_SERVER = (
    "import os, sys, threading, time\n"
    "os.environ['POSTHOG_SKILLS_DIR'] = sys.argv[2]\n"
    "def watch():\n"
    "    while not os.path.exists(sys.argv[3]): time.sleep(0.05)\n"
    "    os._exit(0)\n"
    "threading.Thread(target=watch, daemon=True).start()\n"
    "from lsp_server.mcp_server import main\n"
    "main(root=sys.argv[1])\n"
)


class Changes:
    """Collects `on_change` / `on_status` calls from the guidance thread."""

    def __init__(self) -> None:
        self.uris: list[set[str]] = []
        self.statuses: list[str] = []
        self.event = threading.Event()

    def on_change(self, uris: set[str]) -> None:
        self.uris.append(uris)
        self.event.set()

    def on_status(self, status: str) -> None:
        self.statuses.append(status)

    def wait_for(self, uri: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(uri in batch for batch in self.uris):
                return
            self.event.wait(0.05)
            self.event.clear()
        raise AssertionError(f"no change for {uri}; got {self.uris}")


def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_snippets_come_through_mcp_and_refresh_when_the_skill_changes(workspace, skills_copy):
    changes = Changes()
    guidance = GuidanceClient(workspace, skills_root=skills_copy, on_change=changes.on_change,
                              on_status=changes.on_status).start()
    try:
        assert guidance.wait_ready(30), guidance.status
        assert guidance.status == "connected (stdio)"
        assert changes.statuses == ["connected (stdio)"]
        assert URI in guidance.cached(), "snippets are prefetched"
        snippets = McpSnippets(guidance)
        assert snippets.get("node", "identify.server.js.tmpl") == (skills_copy / SNIPPET).read_text()
        assert guidance.get("posthog://events/names") == (skills_copy / "events/events.toml").read_text()
        alias = "posthog://snippets/node/identify.server.js"  # the same file asked for by its stem
        assert guidance.get(alias) == (skills_copy / SNIPPET).read_text()  # answered at once from the files
        _until(lambda: alias in guidance.cached())  # then fetched through MCP
        (skills_copy / SNIPPET).write_text("// refreshed through MCP\n")
        changes.wait_for(URI)
        changes.wait_for(alias)
        assert snippets.get("node", "identify.server.js.tmpl") == "// refreshed through MCP\n"
        assert guidance.get(alias) == "// refreshed through MCP\n"
    finally:
        guidance.stop()
    assert guidance.status == "stopped"


def test_guidance_over_streamable_http(workspace, skills_copy, tmp_path):
    with open(tmp_path / "http.log", "w") as errlog, http_server(workspace, skills_copy, errlog) as url:
        changes = Changes()
        guidance = GuidanceClient(workspace, url=url, skills_root=skills_copy, on_change=changes.on_change).start()
        try:
            assert guidance.wait_ready(30), guidance.status
            assert guidance.status == "connected (http)"
            assert guidance.get(URI) == (skills_copy / SNIPPET).read_text()
            (skills_copy / SNIPPET).write_text("// over http\n")
            changes.wait_for(URI)
            assert guidance.get(URI) == "// over http\n"
        finally:
            guidance.stop()


def test_falls_back_to_the_bundled_files_when_the_server_cannot_start(workspace):
    changes = Changes()
    guidance = GuidanceClient(workspace, command=[str(workspace / "no-such-server")],
                              on_status=changes.on_status).start()
    assert guidance.wait_ready(15) is False
    assert guidance.status.startswith("offline: using bundled guidance")
    assert changes.statuses == [guidance.status], "the outage is reported exactly once"
    bundled = (bundled_skills_root() / SNIPPET).read_text()
    assert McpSnippets(guidance).get("node", "identify.server.js.tmpl") == bundled
    assert guidance.get("posthog://snippets/node/nope.js") is None
    guidance.stop()


def test_falls_back_when_the_server_exits_at_once(workspace):
    guidance = GuidanceClient(workspace, command=[sys.executable, "-c", "raise SystemExit(3)"]).start()
    assert guidance.wait_ready(15) is False
    assert guidance.status.startswith("offline")
    assert guidance.get(URI) == (bundled_skills_root() / SNIPPET).read_text()
    guidance.stop()


def test_keeps_the_last_good_guidance_when_the_server_goes_away(workspace, skills_copy, tmp_path):
    marker = tmp_path / "die"
    changes = Changes()
    command = [sys.executable, "-c", DYING_SERVER, str(workspace), str(skills_copy), str(marker)]
    guidance = GuidanceClient(workspace, command=command, on_change=changes.on_change, on_status=changes.on_status,
                              ping_interval=0.3).start()
    try:
        assert guidance.wait_ready(30), guidance.status
        (skills_copy / SNIPPET).write_text("// served before the crash\n")
        changes.wait_for(URI)
        marker.write_text("")
        _until(lambda: guidance.status.startswith("offline"), 20)
        assert changes.statuses[0] == "connected (stdio)" and len(changes.statuses) == 2
        # the cache wins over the bundled file it would otherwise fall back to
        assert guidance.get(URI) == "// served before the crash\n"
        assert guidance.get(URI) != (bundled_skills_root() / SNIPPET).read_text()
    finally:
        guidance.stop()


def test_stop_before_the_thread_runs_does_not_hang(workspace):
    guidance = GuidanceClient(workspace, command=[str(Path(workspace) / "none")])
    guidance.stop()
    guidance.start().stop(5)


def test_disabled_guidance_reads_the_bundled_files_without_a_process(workspace):
    guidance = GuidanceClient(workspace, command=[str(Path(workspace) / "never-run")], enabled=False).start()
    assert guidance.wait_ready(1) is False and guidance.status == "bundled (MCP disabled)"
    assert McpSnippets(guidance).get("node", "identify.server.js.tmpl") == (bundled_skills_root() / SNIPPET).read_text()
    guidance.stop()


def test_a_read_lost_with_the_connection_keeps_the_cached_text_but_a_missing_resource_drops_it(workspace):
    """Regression: a read in flight when the server died used to evict the last good text."""
    import asyncio

    from mcp.shared.exceptions import MCPError
    from mcp_types import CONNECTION_CLOSED, INVALID_PARAMS

    class Session:  # answers every read with one error
        def __init__(self, code: int) -> None:
            self.code = code

        async def read_resource(self, uri: str):
            raise MCPError(self.code, "boom")

    guidance = GuidanceClient(workspace, enabled=False)
    guidance._cache[URI] = "last good"
    assert asyncio.run(guidance._fetch_one(Session(CONNECTION_CLOSED), URI, False)) is False
    assert guidance.get(URI) == "last good"
    assert asyncio.run(guidance._fetch_one(Session(INVALID_PARAMS), URI, False)) is True
    assert URI not in guidance.cached()


def test_a_snippet_the_server_does_not_have_is_asked_for_once_not_on_every_code_action(workspace, skills_copy):
    guidance = GuidanceClient(workspace, skills_root=skills_copy).start()
    asked: list[str] = []
    submit = guidance._submit
    guidance._submit = lambda kind, payload: (asked.append(payload), submit(kind, payload))  # type: ignore[method-assign]
    try:
        assert guidance.wait_ready(30), guidance.status
        missing = "posthog://snippets/node/no-such-snippet.server.ts.tmpl"
        assert guidance.get(missing) is None
        _until(lambda: missing in guidance._missing)  # the server answered: no such resource
        for _ in range(5):  # the planner probes the same variants on every request
            assert guidance.get(missing) is None
        assert asked.count(missing) == 1
    finally:
        guidance.stop()
