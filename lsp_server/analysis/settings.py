"""User settings that change what analysis reports (shared by LSP, CLI and MCP)."""

from __future__ import annotations

from dataclasses import dataclass, field

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


# A plain dataclass, not a pydantic model: pydantic costs the language server ~100 ms of start-up.
# Values arrive already checked (features/settings.py validates what the editor sends).
@dataclass
class AnalysisSettings:
    """`severity` maps a code to error|warning|information|hint|off."""

    enable: bool = True
    severity: dict[str, Severity | str] = field(default_factory=dict)
    excludes: list[str] = field(default_factory=list)  # gitignore-style patterns, relative to the root

    def severity_for(self, code: str) -> Severity | None:
        """The configured severity, or None when the code is switched off."""
        value = self.severity.get(code, DEFAULT_SEVERITY.get(code, "warning"))
        return None if value == "off" else value  # type: ignore[return-value]
