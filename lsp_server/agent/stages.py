"""The workflow's stages, fetched one at a time from the `posthog://workflows/basic-integration/<step>` resources.

Read through the same catalog the MCP server serves (bundled skills, overridden by `<root>/.posthog/skills`),
so the CLI works offline and a project's own guidance wins.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..mcp_server.catalog import SCHEME, Catalog
from ..skills import bundled_skills_root

WORKFLOW = "basic-integration"
STAGES = ("begin", "plan", "edit", "revise", "conclude")
REPORT_TEMPLATE = "report-template"
OVERRIDE_DIR = ".posthog/skills"


class StageGuide:
    """Stage prompts and the report template, one resource at a time."""

    def __init__(self, root: Path, skills_root: Path | None = None,
                 get: Callable[[str], str | None] | None = None) -> None:
        """`get` is a guidance source such as `GuidanceClient.get` (the language server's MCP client)."""
        self.catalog = Catalog(skills_root or bundled_skills_root(), Path(root) / OVERRIDE_DIR)
        self._get = get
        self.fetched: list[str] = []  # the URIs read, in order (the breadcrumb trail the report shows)

    def uri(self, stage: str) -> str:
        return f"{SCHEME}workflows/{WORKFLOW}/{stage}"

    def read(self, uri: str) -> str | None:
        text = self._get(uri) if self._get is not None else None
        if text is None:
            got = self.catalog.read(uri)
            text = got[0] if got else None
        if text is not None:
            self.fetched.append(uri)
        return text

    def stage(self, stage: str) -> str:
        """The stage's markdown; a short fallback line when the resource is missing."""
        return self.read(self.uri(stage)) or f"# {stage.capitalize()}\n"

    def title(self, stage: str) -> str:
        first = self.stage(stage).lstrip().split("\n", 1)[0]
        return first.lstrip("# ").strip() or stage
