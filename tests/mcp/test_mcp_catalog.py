"""The posthog:// URI space over the skills folder: shadowing, links, safety (no server process needed)."""

from __future__ import annotations

from pathlib import Path

from lsp_server.mcp_server.catalog import URI_IN_TEXT, Catalog, template_shape
from lsp_server.mcp_server.server import _flatten
from lsp_server.skills import bundled_skills_root

STEPS = ("begin", "plan", "edit", "revise", "conclude")


def test_workflow_steps_exist_in_the_bundled_skills():
    missing = [s for s in STEPS if s not in Catalog(bundled_skills_root()).steps()]
    assert not missing, f"skills/workflows/basic-integration lacks {missing}"


def test_every_framework_with_an_example_folder_has_an_example_resource():
    catalog = Catalog(bundled_skills_root(), None, _flatten())
    assert _flatten() is not None, "lsp_server/guidance/flatten.py is missing"
    for folder in sorted((bundled_skills_root() / "examples").iterdir()):
        if folder.is_dir():
            text, mime = catalog.read(f"posthog://examples/{folder.name}")
            assert mime == "text/markdown" and text.strip()


def test_links_in_prose_are_found_with_placeholders_and_without_fragments():
    text = (
        "Next: read `posthog://workflows/basic-integration/plan`. See (posthog://docs/frameworks/{framework}), "
        "posthog://examples/<framework id>, posthog://docs/diagnostics#missing-identify."
    )
    assert URI_IN_TEXT.findall(text) == [
        "posthog://workflows/basic-integration/plan",
        "posthog://docs/frameworks/{framework}",
        "posthog://examples/<framework id>",
        "posthog://docs/diagnostics",
    ]
    assert template_shape("posthog://examples/<framework id>") == template_shape("posthog://examples/{framework}")
    assert URI_IN_TEXT.findall("no links here") == []


def _tree(base: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return base


def test_workspace_override_shadows_one_file_and_keeps_the_rest(tmp_path):
    skills = _tree(
        tmp_path / "skills",
        {
            "frameworks/node/snippets/a.js.tmpl": "bundled a",
            "frameworks/node/snippets/b.js.tmpl": "bundled b",
            "commandments.md": "rules",
        },
    )
    override = _tree(
        tmp_path / "ws/.posthog/skills",
        {"frameworks/node/snippets/a.js.tmpl": "mine", "frameworks/django/SKILL.md": "# django"},
    )
    catalog = Catalog(skills, override)
    assert catalog.read("posthog://snippets/node/a.js.tmpl") == ("mine", "text/plain")
    assert catalog.read("posthog://snippets/node/b.js")[0] == "bundled b"
    assert catalog.frameworks() == ["django", "node"]
    assert "posthog://docs/frameworks/django" in {e.uri for e in catalog.entries()}


def test_override_symlinks_and_env_files_are_never_served(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / ".env").write_text("POSTHOG_KEY=phc_secret\n")
    skills = _tree(tmp_path / "skills", {"commandments.md": "bundled rules", "docs/identify.md": "identify"})
    override = ws / ".posthog" / "skills"
    (override / "docs").mkdir(parents=True)
    (override / "commandments.md").symlink_to(ws / ".env")
    (override / "docs" / ".env").write_text("X=phc_secret\n")
    (override / "docs" / "leak.md").symlink_to(ws / ".env")
    catalog = Catalog(skills, override)
    assert catalog.read("posthog://commandments") == ("bundled rules", "text/markdown")
    assert catalog.read("posthog://docs/leak") is None
    assert catalog.read("posthog://docs/.env") is None
    assert all("phc_secret" not in text for _, text in catalog.iter_texts())


def test_hostile_uris_read_nothing(tmp_path):
    skills = _tree(tmp_path / "skills", {"docs/identify.md": "identify", "commandments.md": "x"})
    (tmp_path / "secret.md").write_text("phc_secret")
    catalog = Catalog(skills)
    for uri in (
        "posthog://docs/../../secret",
        "posthog://docs/..",
        "posthog://docs/%2e%2e/secret",
        "file:///etc/passwd",
        "posthog://docs/identify/../../secret",
        "posthog://" + "a" * 600,
        "posthog://docs/\x00identify",
        "posthog://snippets/../docs/identify",
    ):
        assert catalog.read(uri) is None, uri
