"""The user's `posthog` settings, typed: from initializationOptions, then `workspace/configuration`.

What the user sees: `posthog.enable` switches diagnostics off, `posthog.severity` raises, lowers or turns
off (`"off"`) a diagnostic code, `posthog.excludes` hides files (gitignore patterns), and
`posthog.diagnosticsDelay` (milliseconds) sets how long typing must pause before a file is re-checked.
A malformed value is reported in the log and ignored; it never stops the server.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ..analysis.settings import AnalysisSettings

log = logging.getLogger(__name__)
SECTION = "posthog"
SEVERITIES = {"error", "warning", "information", "hint", "off"}


class ServerSettings(BaseModel):
    enable: bool = True
    severity: dict[str, str] = Field(default_factory=dict)
    excludes: list[str] = Field(default_factory=list)
    diagnostics_delay_ms: int = Field(default=150, ge=0, le=10_000, alias="diagnosticsDelay")

    model_config = {"populate_by_name": True, "extra": "allow"}  # region, host, mcp, agent…: read by their features

    def analysis(self) -> AnalysisSettings:
        return AnalysisSettings(enable=self.enable, severity=dict(self.severity), excludes=list(self.excludes))


def _section(raw: object) -> dict[str, Any]:
    """Accept `{"posthog": {...}}` (VS Code style) as well as the bare section."""
    if not isinstance(raw, dict):
        return {}
    inner = raw.get(SECTION)
    return inner if isinstance(inner, dict) else raw


def parse_settings(raw: object, base: ServerSettings | None = None) -> ServerSettings:
    """Merge `raw` over `base` field by field; invalid fields are logged and keep their old value."""
    current = (base or ServerSettings()).model_dump(by_alias=True)
    for key, value in _section(raw).items():
        if key == "severity" and isinstance(value, dict):
            bad = {code: level for code, level in value.items() if str(level).lower() not in SEVERITIES}
            for code, level in bad.items():
                log.warning("posthog.severity.%s: unknown level %r (use one of %s)", code, level, sorted(SEVERITIES))
            value = {code: str(level).lower() for code, level in value.items() if code not in bad}
        candidate = {**current, key: value}
        try:
            ServerSettings.model_validate(candidate)
        except ValidationError as exc:
            log.warning("ignoring invalid setting posthog.%s: %s", key, exc.errors()[0].get("msg", exc))
            continue
        current = candidate
    return ServerSettings.model_validate(current)
