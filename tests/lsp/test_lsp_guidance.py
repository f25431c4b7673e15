"""The language server takes its snippets from the MCP server: a skill edit reaches the next quick fix, no restart."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_server.skills import bundled_skills_root
from tests.lsp.lsp_helpers import code_actions, initialize, open_doc, point, wait_for, write

LOGIN_VIEW = """from flask import Flask, redirect, request
from flask_login import login_user

from models import User

app = Flask(__name__)


@app.post("/login")
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not user.check_password(request.form["password"]):
        return redirect("/login?error=1")
    login_user(user)
    return redirect("/dashboard")
"""
SNIPPET = "frameworks/python/snippets/capture.server.py.tmpl"


def _logged(client: LanguageClient, needle: str) -> bool:
    return any(needle in m.message for m in client.log_messages)


def _track_text(actions: list[types.CodeAction]) -> str:
    track = next(a for a in actions if a.title.startswith("Track user_logged_in"))
    return "".join(e.new_text for c in track.edit.document_changes or [] if isinstance(c, types.TextDocumentEdit)
                   for e in c.edits)


async def test_a_snippet_edited_in_the_workspace_skills_reaches_the_next_code_action(
    client: LanguageClient, tmp_path: Path
):
    write(tmp_path, "requirements.txt", "flask\nflask-login\nposthog\n")
    uri = write(tmp_path, "app.py", LOGIN_VIEW)
    await initialize(client, tmp_path, {"mcp": {"mode": "bundled"}})
    await wait_for(lambda: _logged(client, "guidance: connected (stdio)"), timeout=60)
    open_doc(client, uri, LOGIN_VIEW)
    cursor = point(LOGIN_VIEW.split("\n").index("    login_user(user)"), 4)

    before = _track_text(await code_actions(client, uri, cursor))
    assert "posthog.capture(" in before and "acme-analytics" not in before

    override = tmp_path / ".posthog" / "skills" / SNIPPET
    override.parent.mkdir(parents=True)
    original = (bundled_skills_root() / SNIPPET).read_text()
    override.write_text("# acme-analytics: reviewed event\n" + original)
    await wait_for(lambda: _logged(client, "guidance changed"), timeout=30)

    after = _track_text(await code_actions(client, uri, cursor))
    assert "# acme-analytics: reviewed event" in after and "posthog.capture(" in after


async def test_an_unreachable_mcp_server_falls_back_to_the_bundled_snippets(client: LanguageClient, tmp_path: Path):
    write(tmp_path, "requirements.txt", "flask\nflask-login\nposthog\n")
    uri = write(tmp_path, "app.py", LOGIN_VIEW)
    await initialize(client, tmp_path, {"mcp": {"mode": "command", "command": "/nonexistent/mcp-server --stdio"}})
    await wait_for(lambda: _logged(client, "guidance: offline"), timeout=30)
    open_doc(client, uri, LOGIN_VIEW)
    cursor = point(LOGIN_VIEW.split("\n").index("    login_user(user)"), 4)
    assert "posthog.capture(" in _track_text(await code_actions(client, uri, cursor))
