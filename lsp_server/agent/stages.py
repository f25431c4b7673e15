"""The workflow's stages, fetched one at a time from the `posthog://workflows/basic-integration/<step>` resources.

Read through the same catalog the MCP server serves (bundled skills, overridden by `<root>/.posthog/skills`),
so the CLI works offline and a project's own guidance wins.
"""

from __future__ import annotations

from pathlib import Path

from ..mcp_server.catalog import SCHEME, Catalog
from ..skills import bundled_skills_root

WORKFLOW = "basic-integration"
STAGES = ("begin", "plan", "edit", "revise", "conclude")
REPORT_TEMPLATE = "report-template"
OVERRIDE_DIR = ".posthog/skills"


class StageGuide:
    """Stage prompts and the report template, one resource at a time."""

    def __init__(self, root: Path, skills_root: Path | None = None) -> None:
        self.catalog = Catalog(skills_root or bundled_skills_root(), Path(root) / OVERRIDE_DIR)
        self.fetched: list[str] = []  # the URIs read, in order (the breadcrumb trail the report shows)

    def uri(self, stage: str) -> str:
        return f"{SCHEME}workflows/{WORKFLOW}/{stage}"

    def read(self, uri: str) -> str | None:
        got = self.catalog.read(uri)
        if got is not None:
            self.fetched.append(uri)
        return got[0] if got else None

    def stage(self, stage: str) -> str:
        """The stage's markdown; a short fallback line when the resource is missing."""
        return self.read(self.uri(stage)) or f"# {stage.capitalize()}\n"

    def title(self, stage: str) -> str:
        first = self.stage(stage).lstrip().split("\n", 1)[0]
        return first.lstrip("# ").strip() or stage
