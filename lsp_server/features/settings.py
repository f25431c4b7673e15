"""The user's `posthog` settings, typed: from initializationOptions, then `workspace/configuration`.

What the user sees: `posthog.enable` switches diagnostics off, `posthog.severity` raises, lowers or turns
off (`"off"`) a diagnostic code, `posthog.excludes` hides files (gitignore patterns), and
`posthog.diagnosticsDelay` (milliseconds) sets how long typing must pause before a file is re-checked.
A malformed value is reported in the log and ignored; it never stops the server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..analysis.settings import AnalysisSettings

log = logging.getLogger(__name__)
SECTION = "posthog"
SEVERITIES = {"error", "warning", "information", "hint", "off"}
MAX_DELAY_MS = 10_000
_TRUE = {"1", "on", "t", "true", "y", "yes"}  # the spellings editors and users write for a boolean
_FALSE = {"0", "off", "f", "false", "n", "no"}


# Plain data checked by hand below, not a pydantic model: importing pydantic alone delayed `initialize` ~100 ms.
@dataclass
class ServerSettings:
    enable: bool = True
    severity: dict[str, str] = field(default_factory=dict)
    excludes: list[str] = field(default_factory=list)
    diagnostics_delay_ms: int = 150  # sent as `diagnosticsDelay`
    extra: dict[str, Any] = field(default_factory=dict)  # region, host, mcp, agent…: read by their features

    def __getattr__(self, name: str) -> Any:
        """Other features' keys read as attributes (`settings.region`), as they are sent."""
        extra = self.__dict__.get("extra")
        if extra is None or name.startswith("__") or name not in extra:
            raise AttributeError(name)
        return extra[name]

    def analysis(self) -> AnalysisSettings:
        return AnalysisSettings(enable=self.enable, severity=dict(self.severity), excludes=list(self.excludes))


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"expected true or false, got {value!r}")


def _strings(value: object) -> list[str]:
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"expected a list of strings, got {type(value).__name__}")
    if not all(isinstance(item, str) for item in value):
        raise ValueError("expected a list of strings, got a non-string item")
    return list(value)


def _delay(value: object) -> int:
    number: object = value
    if isinstance(value, str):
        try:
            number = float(value.strip()) if "." in value else int(value.strip())
        except ValueError:
            raise ValueError(f"expected a number of milliseconds, got {value!r}") from None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if not isinstance(number, int):
        raise ValueError(f"expected a whole number of milliseconds, got {value!r}")
    if not 0 <= number <= MAX_DELAY_MS:
        raise ValueError(f"expected 0 to {MAX_DELAY_MS} milliseconds, got {number}")
    return int(number)


def _severity(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object mapping codes to levels, got {type(value).__name__}")
    if not all(isinstance(code, str) for code in value):
        raise ValueError("expected diagnostic codes (strings) as keys")
    levels = {}
    for code, level in value.items():
        if str(level).lower() in SEVERITIES:
            levels[code] = str(level).lower()
        else:  # one bad level drops only that code
            log.warning("posthog.severity.%s: unknown level %r (use one of %s)", code, level, sorted(SEVERITIES))
    return levels


# key as the editor sends it → (field, check that returns the value or raises ValueError with what is wrong)
_FIELDS: dict[str, tuple[str, Callable[[object], Any]]] = {
    "enable": ("enable", _bool),
    "severity": ("severity", _severity),
    "excludes": ("excludes", _strings),
    "diagnosticsDelay": ("diagnostics_delay_ms", _delay),
    "diagnostics_delay_ms": ("diagnostics_delay_ms", _delay),
}


def _section(raw: object) -> dict[str, Any]:
    """Accept `{"posthog": {...}}` (VS Code style) as well as the bare section."""
    if not isinstance(raw, dict):
        return {}
    inner = raw.get(SECTION)
    return inner if isinstance(inner, dict) else raw


def parse_settings(raw: object, base: ServerSettings | None = None) -> ServerSettings:
    """Merge `raw` over `base` field by field; invalid fields are logged and keep their old value."""
    base = base or ServerSettings()
    changes: dict[str, Any] = {}
    extra = dict(base.extra)
    for key, value in _section(raw).items():
        if key not in _FIELDS:
            extra[key] = value
            continue
        name, check = _FIELDS[key]
        try:
            changes[name] = check(value)
        except ValueError as exc:
            log.warning("ignoring invalid setting posthog.%s: %s", key, exc)
    merged = replace(base, **changes)
    # fresh containers: a later merge never changes settings a feature still holds
    return replace(merged, severity=dict(merged.severity), excludes=list(merged.excludes), extra=extra)
