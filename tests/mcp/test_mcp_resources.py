"""Editors and agents see the skills as posthog:// resources, templates, completions and a setup prompt.

Each test runs against a real server process over stdio and over streamable HTTP (`served` fixture).
"""

from __future__ import annotations

import mcp_types as types
import pytest

from lsp_server.mcp_server.catalog import URI_IN_TEXT, Catalog, template_shape
from lsp_server.mcp_server.server import _flatten
from lsp_server.skills import bundled_skills_root

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORKFLOW = "posthog://workflows/basic-integration/"
STEPS = ("begin", "plan", "edit", "revise", "conclude")
SKILLS = bundled_skills_root()


def _catalog() -> Catalog:
    return Catalog(SKILLS, None, _flatten())


async def _text(conn, uri: str) -> str:
    return (await conn.call(conn.session.read_resource(uri))).contents[0].text


async def test_handshake_clients_are_told_resources_change_and_can_subscribe(served):
    assert served.session.protocol_version == "2025-11-25"
    caps = served.session.server_capabilities
    assert caps.resources.list_changed is True and caps.resources.subscribe is True
    assert caps.completions is not None and caps.prompts is not None


async def test_every_listed_resource_reads_as_its_mime_type(served):
    listed = (await served.call(served.session.list_resources())).resources
    uris = [str(r.uri) for r in listed]
    assert len(set(uris)) == len(uris), "a URI is listed twice"
    assert set(uris) == {e.uri for e in _catalog().entries()}
    for resource in listed:
        result = await served.call(served.session.read_resource(str(resource.uri)))
        (content,) = result.contents
        assert content.text.strip(), f"{resource.uri} is empty"
        assert content.mime_type == resource.mime_type


async def test_framework_docs_events_and_detection_are_served(served):
    frameworks = [fw for fw in _catalog().frameworks() if (SKILLS / "frameworks" / fw / "SKILL.md").is_file()]
    assert frameworks, "no framework has a SKILL.md"
    for fw in frameworks:
        folder = SKILLS / "frameworks" / fw
        text = await _text(served, f"posthog://docs/frameworks/{fw}")
        assert text.startswith((folder / "SKILL.md").read_text().rstrip())
        for ref in sorted((folder / "references").glob("*.md")):
            assert ref.read_text().strip() in text, f"{fw} docs lack references/{ref.name}"
    assert await _text(served, "posthog://events/names") == (SKILLS / "events" / "events.toml").read_text()
    for file in (SKILLS / "detection").glob("*.toml"):
        assert await _text(served, f"posthog://detection/{file.stem}") == file.read_text()


async def test_unknown_resource_is_an_error_not_a_crash(served):
    for uri in ("posthog://docs/frameworks/cobol", "posthog://nothing", "posthog://snippets/node/missing.js"):
        with pytest.raises(Exception, match="not found"):
            await served.session.read_resource(uri)
    assert (await served.session.list_resources()).resources  # still serving


async def test_snippets_are_served_by_file_name_and_by_stem(served):
    file = sorted((SKILLS / "frameworks" / "node" / "snippets").glob("*.tmpl"))[0]
    full = await _text(served, f"posthog://snippets/node/{file.name}")
    stem = await _text(served, f"posthog://snippets/node/{file.stem}")
    assert full == stem == file.read_text()


async def test_framework_argument_completes_from_the_frameworks_folder(served):
    frameworks = _catalog().frameworks()
    templates = (await served.call(served.session.list_resource_templates())).resource_templates
    assert {"posthog://docs/frameworks/{framework}", "posthog://examples/{framework}"} <= {
        t.uri_template for t in templates
    }
    ref = types.ResourceTemplateReference(uri="posthog://docs/frameworks/{framework}")
    everything = await served.call(served.session.complete(ref, {"name": "framework", "value": ""}))
    assert everything.completion.values == frameworks
    prefix = frameworks[0][:2]
    some = await served.call(served.session.complete(ref, {"name": "framework", "value": prefix}))
    assert some.completion.values == [f for f in frameworks if f.startswith(prefix)]
    snippet_ref = types.ResourceTemplateReference(uri="posthog://snippets/{framework}/{name}")
    names = await served.session.complete(snippet_ref, {"name": "name", "value": ""}, {"framework": "node"})
    assert set(names.completion.values) == {p.name for p in (SKILLS / "frameworks/node/snippets").iterdir()}
    prompt_ref = types.PromptReference(name="posthog-setup")
    assert (await served.session.complete(prompt_ref, {"name": "framework", "value": ""})).completion.values == (
        frameworks
    )


async def test_workflow_breadcrumbs_lead_from_begin_to_conclude(served):
    seen: list[str] = []
    frontier = [WORKFLOW + "begin"]
    while frontier:
        uri = frontier.pop(0)
        if uri not in seen:
            seen.append(uri)
            frontier += [u for u in URI_IN_TEXT.findall(await _text(served, uri)) if u.startswith(WORKFLOW)]
    assert {WORKFLOW + s for s in STEPS} <= set(seen)


async def test_no_served_document_links_to_a_missing_resource(served):
    templates = {t.uri_template for t in (await served.session.list_resource_templates()).resource_templates}
    dangling = []
    for resource in (await served.session.list_resources()).resources:
        for link in URI_IN_TEXT.findall(await _text(served, str(resource.uri))):
            if template_shape(link) != link:
                ok = template_shape(link) in {template_shape(t) for t in templates}
            else:
                try:
                    ok = bool((await served.session.read_resource(link)).contents)
                except Exception:
                    ok = False
            if not ok:
                dangling.append(f"{resource.uri} -> {link}")
    assert not dangling, "dangling posthog:// links:\n" + "\n".join(sorted(set(dangling)))


async def test_setup_prompt_starts_the_workflow(served):
    prompts = (await served.call(served.session.list_prompts())).prompts
    assert [p.name for p in prompts] == ["posthog-setup"]
    result = await served.call(served.session.get_prompt("posthog-setup", {"framework": "django"}))
    text, embedded = result.messages
    assert "posthog://docs/frameworks/django" in text.content.text
    assert embedded.content.resource.uri == WORKFLOW + "begin"
    assert embedded.content.resource.text == await _text(served, WORKFLOW + "begin")
