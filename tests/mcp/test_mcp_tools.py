"""The MCP tools over a real client: env files without leaking values, detection, and refusals.

A secret is planted in the workspace's `.env`, `.env.local` and in a folder outside the workspace; every
response of every call (and the server's stderr) is searched for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp_harness import SECRET

from lsp_server.analysis.scan import scan
from lsp_server.mcp_server.envfiles import MAX_VALUE_CHARS
from lsp_server.report import to_json

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _tool(conn, name: str, args: dict) -> tuple[bool, str, dict | None]:
    result = await conn.call(conn.session.call_tool(name, args))
    return result.is_error, result.content[0].text, result.structured_content


def _files(base: Path) -> dict[Path, bytes]:
    """Every regular file under `base` except the server logs."""
    return {p: p.read_bytes() for p in base.rglob("*") if p.is_file() and not p.is_symlink() and p.suffix != ".log"}


def _assert_never_leaked(conn) -> None:
    assert conn.responses, "nothing was recorded"
    leaks = [r[:200] for r in conn.responses if SECRET in r]
    assert not leaks, f"the secret reached a client: {leaks}"
    assert SECRET not in Path(conn.stderr).read_text(), "the secret reached the server log"


async def test_tools_are_listed_with_schemas(served):
    tools = {t.name: t for t in (await served.call(served.session.list_tools())).tools}
    assert set(tools) == {"check_env_keys", "set_env_values", "list_frameworks", "detect_frameworks", "detect_flows"}
    assert tools["check_env_keys"].input_schema["required"] == ["file", "keys"]
    assert tools["set_env_values"].annotations.read_only_hint is False
    assert tools["detect_flows"].annotations.read_only_hint is True


async def test_check_env_keys_says_present_or_missing_and_nothing_else(served):
    keys = ["POSTHOG_KEY", "OTHER", "NOPE"]
    error, _, data = await _tool(served, "check_env_keys", {"file": ".env", "keys": keys})
    assert not error
    assert data == {
        "file": ".env",
        "exists": True,
        "keys": {"POSTHOG_KEY": "present", "OTHER": "present", "NOPE": "missing"},
    }
    error, _, data = await _tool(served, "check_env_keys", {"file": "config/.env.missing", "keys": ["A"]})
    assert error  # folder does not exist
    error, _, data = await _tool(served, "check_env_keys", {"file": ".env.production", "keys": ["A"]})
    assert not error and data["exists"] is False and data["keys"] == {"A": "missing"}
    _assert_never_leaked(served)


async def test_set_env_values_merges_creates_and_gitignores(served):
    root = served.root
    error, _, data = await _tool(
        served, "set_env_values", {"file": ".env.merge", "values": {"POSTHOG_HOST": "https://eu.i.posthog.com"}}
    )
    assert not error and data["created"] is True and data["added"] == ["POSTHOG_HOST"]
    assert (root / ".env.merge").read_text() == "POSTHOG_HOST=https://eu.i.posthog.com\n"
    assert (root / ".env.merge").stat().st_mode & 0o777 == 0o600
    assert "/.env.merge" in (root / ".gitignore").read_text().splitlines()
    value = f"{SECRET} with spaces"
    error, _, data = await _tool(
        served,
        "set_env_values",
        {"file": ".env.merge", "values": {"POSTHOG_HOST": "https://us.i.posthog.com", "POSTHOG_KEY": value}},
    )
    assert not error and data == {
        "file": ".env.merge",
        "created": False,
        "updated": ["POSTHOG_HOST"],
        "added": ["POSTHOG_KEY"],
        "gitignore": "already",
    }
    assert (root / ".env.merge").read_text() == (f'POSTHOG_HOST=https://us.i.posthog.com\nPOSTHOG_KEY="{value}"\n')
    error, _, data = await _tool(served, "check_env_keys", {"file": ".env.merge", "keys": ["POSTHOG_KEY"]})
    assert data["keys"] == {"POSTHOG_KEY": "present"}
    _assert_never_leaked(served)


async def test_set_env_values_keeps_other_lines_and_export_prefix(served):
    env = served.root / ".env.keep"
    env.write_text("# comment\nexport A=1\nB=2\n")
    error, _, _ = await _tool(served, "set_env_values", {"file": ".env.keep", "values": {"A": "3"}})
    assert not error
    assert env.read_text() == "# comment\nexport A=3\nB=2\n"


async def test_list_and_detect_frameworks(served):
    error, _, data = await _tool(served, "list_frameworks", {})
    ids = [f["id"] for f in data["frameworks"]]
    assert not error and ids == sorted(
        p.name
        for p in (Path(__file__).parents[2] / "skills/frameworks").iterdir()
        if p.is_dir() and not p.name.startswith(".")
    )
    node = next(f for f in data["frameworks"] if f["id"] == "node")
    assert node["docs"] == "posthog://docs/frameworks/node" and node["snippets"]
    from lsp_server.analysis.workspace import find_packages

    error, _, data = await _tool(served, "detect_frameworks", {"path": "."})
    assert not error
    expected = find_packages(served.root.resolve())
    assert [(p["path"], p["framework"]) for p in data["packages"]] == [(p.path, p.framework) for p in expected]
    assert data["packages"], "the sample app (package.json) is a package"


async def test_detect_flows_gives_the_cli_json_for_a_path(served):
    error, text, data = await _tool(served, "detect_flows", {"path": "src/auth.js"})
    assert not error and json.loads(text) == data
    cli = to_json(scan(served.root.resolve()))
    assert data["version"] == cli["version"] == 1
    assert data["flows"] == [f for f in cli["flows"] if f["path"] == "src/auth.js"]
    assert [(f["kind"], f["symbol"]) for f in data["flows"]] == [("signup", "signUp")]
    assert data["diagnostics"] == [d for d in cli["diagnostics"] if d["path"] == "src/auth.js"]
    error, _, whole = await _tool(served, "detect_flows", {"path": "."})
    assert not error and whole["flows"] == cli["flows"]


HOSTILE_CALLS = [
    ("detect_flows", {"path": ".env"}),
    ("detect_flows", {"path": ".env.local"}),
    ("detect_flows", {"path": "../"}),
    ("detect_flows", {"path": "../outside/.env"}),
    ("detect_flows", {"path": "/etc"}),
    ("detect_flows", {"path": "link_out"}),
    ("detect_flows", {"path": "link_out/notes.md"}),
    ("detect_flows", {"path": "link.env"}),
    ("detect_flows", {"path": "src/../../outside"}),
    ("detect_flows", {"path": "x\x00y"}),
    ("detect_frameworks", {"path": "../.."}),
    ("detect_frameworks", {"path": "link_out"}),
    ("check_env_keys", {"file": "../outside/.env", "keys": ["OUTSIDE_KEY"]}),
    ("check_env_keys", {"file": "link.env", "keys": ["OUTSIDE_KEY"]}),
    ("check_env_keys", {"file": "link_out/.env", "keys": ["OUTSIDE_KEY"]}),
    ("check_env_keys", {"file": "linked_notes.md", "keys": ["secret"]}),
    ("check_env_keys", {"file": "src/auth.js", "keys": ["signUp"]}),
    ("check_env_keys", {"file": ".env", "keys": ["POSTHOG_KEY=x"]}),
    ("check_env_keys", {"file": ".env", "keys": [f"K{i}" for i in range(500)]}),
    ("check_env_keys", {"file": ".env", "keys": "POSTHOG_KEY"}),
    ("check_env_keys", {"file": "/etc/passwd", "keys": ["root"]}),
    ("set_env_values", {"file": "../outside/.env", "values": {"A": "1"}}),
    ("set_env_values", {"file": "link.env", "values": {"A": "1"}}),
    ("set_env_values", {"file": "missing_dir/.env", "values": {"A": "1"}}),
    ("set_env_values", {"file": "src/auth.js", "values": {"A": "1"}}),
    ("set_env_values", {"file": ".gitignore", "values": {"A": "1"}}),
    ("set_env_values", {"file": ".env.big", "values": {"A": "x" * (MAX_VALUE_CHARS + 1)}}),
    ("set_env_values", {"file": ".env.big", "values": {"A": "ok\nINJECTED=1"}}),
    ("set_env_values", {"file": ".env.big", "values": {"A": 5}}),
    ("set_env_values", {"file": ".env.big", "values": {"BAD KEY": SECRET}}),
    ("set_env_values", {"file": ".env.big", "values": {}}),
    ("set_env_values", {"file": ".env.big", "values": {"A": SECRET}, "extra": SECRET}),
    ("unknown_tool", {"path": "."}),
]


@pytest.mark.parametrize(("name", "args"), HOSTILE_CALLS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(HOSTILE_CALLS)])
async def test_hostile_tool_calls_are_refused_without_leaking(served, name, args):
    before = _files(served.root.parent)
    error, text, data = await _tool(served, name, args)
    assert error, f"{name}({args!r}) was not refused: {text[:200]}"
    assert data is None
    assert _files(served.root.parent) == before, "a refused call changed files"
    assert not (served.root / ".env.big").exists()
    _assert_never_leaked(served)


async def test_no_resource_or_prompt_carries_the_secret(served):
    for resource in (await served.call(served.session.list_resources())).resources:
        await served.call(served.session.read_resource(str(resource.uri)))
    await served.call(served.session.get_prompt("posthog-setup", {"framework": "node"}))
    hostile = await served.call(served.session.get_prompt("posthog-setup", {"framework": "../../.env"}))
    assert "../" not in hostile.messages[0].content.text
    for uri in ("posthog://../.env", "posthog://docs/..%2F.env", "file:///" + str(served.root / ".env")):
        with pytest.raises(Exception, match="not found"):
            await served.session.read_resource(uri)
    _assert_never_leaked(served)
