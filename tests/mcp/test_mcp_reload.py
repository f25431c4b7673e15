"""Editing a skill file on disk reaches connected clients: a notification, then the new text on read."""

from __future__ import annotations

import shutil
import sys

import anyio
import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.subscriptions import ResourceUpdated
from mcp_harness import REPO, connect, server_env

pytestmark = pytest.mark.filterwarnings("ignore:resources/(un)?subscribe is removed")

SNIPPET = "frameworks/node/snippets/identify.server.js.tmpl"
URI = "posthog://snippets/node/identify.server.js.tmpl"


def _updated(uri: str):
    return lambda n: isinstance(n, types.ResourceUpdatedNotification) and str(n.params.uri) == uri


async def test_editing_a_subscribed_skill_notifies_and_serves_the_new_text(transport, workspace, skills_copy):
    alias = URI.removesuffix(".tmpl")  # the same file by its stem
    async with connect(transport, workspace, skills_copy) as conn:
        await conn.session.subscribe_resource(URI)
        await conn.session.subscribe_resource(alias)
        path = skills_copy / SNIPPET
        path.write_text(path.read_text() + "// edited on disk\n")
        await conn.wait_for(_updated(URI))
        await conn.wait_for(_updated(alias))
        await conn.wait_for(lambda n: isinstance(n, types.ResourceListChangedNotification))
        text = (await conn.session.read_resource(URI)).contents[0].text
        assert text.endswith("// edited on disk\n")


async def test_new_and_deleted_skill_files_change_the_list(workspace, skills_copy):
    new_uri = "posthog://docs/reload-check"
    async with connect("stdio", workspace, skills_copy) as conn:
        (skills_copy / "docs" / "reload-check.md").write_text("# added while running\n")
        await conn.wait_for(lambda n: isinstance(n, types.ResourceListChangedNotification))
        listed = {str(r.uri) for r in (await conn.session.list_resources()).resources}
        assert new_uri in listed
        conn.notifications.clear()
        (skills_copy / "docs" / "reload-check.md").unlink()
        await conn.wait_for(lambda n: isinstance(n, types.ResourceListChangedNotification))
        assert new_uri not in {str(r.uri) for r in (await conn.session.list_resources()).resources}


async def test_unsubscribed_uris_get_no_update_notification(workspace, skills_copy):
    other = "posthog://events/names"
    async with connect("stdio", workspace, skills_copy) as conn:
        await conn.session.subscribe_resource(URI)
        events = skills_copy / "events" / "events.toml"
        events.write_text(events.read_text() + "\n# edited\n")
        await conn.wait_for(lambda n: isinstance(n, types.ResourceListChangedNotification))
        await anyio.sleep(0.3)
        assert not any(_updated(other)(n) for n in conn.notifications)
        await conn.session.unsubscribe_resource(URI)
        path = skills_copy / SNIPPET
        conn.notifications.clear()
        path.write_text("// replaced\n")
        await conn.wait_for(lambda n: isinstance(n, types.ResourceListChangedNotification))
        await anyio.sleep(0.3)
        assert not any(_updated(URI)(n) for n in conn.notifications)


async def test_workspace_override_folder_created_later_shadows_the_bundled_file(transport, workspace, skills_copy):
    shutil.rmtree(workspace / ".posthog")  # no override folder when the server starts
    async with connect(transport, workspace, skills_copy) as conn:
        await conn.session.subscribe_resource(URI)
        override = workspace / ".posthog" / "skills" / SNIPPET
        override.parent.mkdir(parents=True)
        override.write_text("// this project's own identify snippet\n")
        await conn.wait_for(_updated(URI))
        assert (await conn.session.read_resource(URI)).contents[0].text == "// this project's own identify snippet\n"
        conn.notifications.clear()
        override.unlink()
        await conn.wait_for(_updated(URI))
        assert (await conn.session.read_resource(URI)).contents[0].text == (skills_copy / SNIPPET).read_text()


async def test_stateless_era_clients_read_and_listen(workspace, skills_copy):
    """A 2026-07-28 client (`mcp.Client`, no handshake) reads resources and gets change events via listen."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "lsp_server.mcp_server", "--root", str(workspace)],
        env=server_env(skills_copy),
        cwd=str(REPO),
    )
    async with Client(params) as client:
        assert client.protocol_version == "2026-07-28"
        text = (await client.read_resource(URI)).contents[0].text
        assert text == (skills_copy / SNIPPET).read_text()
        async with client.listen(resources_list_changed=True, resource_subscriptions=[URI]) as sub:
            (skills_copy / SNIPPET).write_text("// modern edit\n")
            with anyio.fail_after(10):
                async for event in sub:
                    if isinstance(event, ResourceUpdated) and event.uri == URI:
                        break
        assert (await client.read_resource(URI)).contents[0].text == "// modern edit\n"
