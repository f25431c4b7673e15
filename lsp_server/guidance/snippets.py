"""Snippets for the edit planner, served from the guidance cache (`edits.snippets.SnippetSource`)."""

from __future__ import annotations

from .client import GuidanceClient


class McpSnippets:
    """`get(framework, name)` reads `posthog://snippets/{framework}/{name}` from the cache; never blocks on MCP."""

    def __init__(self, guidance: GuidanceClient) -> None:
        self._guidance = guidance

    def get(self, framework: str, name: str) -> str | None:
        return self._guidance.get(f"posthog://snippets/{framework}/{name}")
