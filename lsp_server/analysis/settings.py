"""User settings that change what analysis reports (shared by LSP, CLI and MCP)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .model import Severity

DEFAULT_SEVERITY: dict[str, Severity] = {
    "posthog/missing-identify": "warning",
    "posthog/missing-reset": "warning",
    "posthog/untracked-flow": "hint",
    "posthog/serverless-no-flush": "warning",
    "posthog/legacy-api": "warning",
    "posthog/pii-in-properties": "warning",
    "posthog/hardcoded-key": "warning",
    "posthog/capture-before-init": "warning",
}


class AnalysisSettings(BaseModel):
    """`severity` maps a code to error|warning|information|hint|off."""

    enable: bool = True
    severity: dict[str, Severity | str] = Field(default_factory=dict)
    excludes: list[str] = Field(default_factory=list)  # gitignore-style patterns, relative to the root

    def severity_for(self, code: str) -> Severity | None:
        """The configured severity, or None when the code is switched off."""
        value = self.severity.get(code, DEFAULT_SEVERITY.get(code, "warning"))
        return None if value == "off" else value  # type: ignore[return-value]
