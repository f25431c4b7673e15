"""PostHog SDK vocabulary (modules, methods, legacy APIs, PII names, doc links) from skills/detection/posthog.toml."""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..skills import bundled_skills_root

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SdkModule:
    """What one import source provides, by role."""

    sdk: str
    default: str | None = None  # "client" | "class" | None
    clients: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    hooks: frozenset[str] = frozenset()
    providers: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PosthogVocabulary:
    modules: dict[str, SdkModule] = field(default_factory=dict)
    receiver_names: re.Pattern[str] = re.compile(r"^posthog$", re.I)
    factory_names: re.Pattern[str] = re.compile(r"^(get_?)?posthog(_?client)?$", re.I)
    bound_only: frozenset[str] = frozenset()
    js_methods: dict[str, str] = field(default_factory=dict)  # method → call kind
    python_methods: dict[str, str] = field(default_factory=dict)
    python_key_attributes: tuple[str, ...] = ("project_api_key", "api_key")
    legacy_capture_positional: tuple[str, ...] = ()
    legacy_identify_positional: tuple[str, ...] = ()
    legacy: dict[str, str] = field(default_factory=dict)  # reason id → message
    legacy_strings: dict[str, str] = field(default_factory=dict)  # substring → replacement
    pii_words: frozenset[str] = frozenset()
    pii_phrases: tuple[tuple[str, ...], ...] = ()
    pii_safe_words: frozenset[str] = frozenset()
    key_pattern: re.Pattern[str] = re.compile(r"phc_[A-Za-z0-9]{20,}")
    key_env: dict[str, dict[str, str]] = field(default_factory=dict)
    serverless_paths: tuple[re.Pattern[str], ...] = ()
    serverless_markers: tuple[re.Pattern[str], ...] = ()
    serverless_client_options: dict[str, str] = field(default_factory=dict)
    keep_alive: frozenset[str] = frozenset()
    docs: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)  # code without "posthog/" → template
    sdk_calls: dict[str, dict[str, str]] = field(default_factory=dict)  # sdk → {identify, reset, person, init}
    flow_labels: dict[str, str] = field(default_factory=dict)

    def message(self, reason: str) -> str:
        return self.legacy.get(reason, "This PostHog API is stale.")


def _methods(table: dict[str, Any]) -> dict[str, str]:
    return {method: kind for kind, names in table.items() for method in names}


def _build(data: dict[str, Any]) -> PosthogVocabulary:
    modules = {
        name: SdkModule(
            sdk=spec.get("sdk", "unknown"),
            default=spec.get("default"),
            clients=frozenset(spec.get("clients", ())),
            classes=frozenset(spec.get("classes", ())),
            hooks=frozenset(spec.get("hooks", ())),
            providers=frozenset(spec.get("providers", ())),
            functions=frozenset(spec.get("functions", ())),
        )
        for name, spec in data.get("modules", {}).items()
    }
    receivers, python, pii, keys, serverless = (
        data.get(k, {}) for k in ("receivers", "python", "pii", "keys", "serverless")
    )
    return PosthogVocabulary(
        modules=modules,
        receiver_names=re.compile(receivers.get("names", "^posthog$"), re.I),
        factory_names=re.compile(receivers.get("factories", "^posthog$"), re.I),
        bound_only=frozenset(receivers.get("bound_only", ())),
        js_methods=_methods(data.get("methods", {}).get("js", {})),
        python_methods=_methods(data.get("methods", {}).get("python", {})),
        python_key_attributes=tuple(python.get("key_attributes", ("project_api_key", "api_key"))),
        legacy_capture_positional=tuple(python.get("legacy_capture_positional", ())),
        legacy_identify_positional=tuple(python.get("legacy_identify_positional", ())),
        legacy=dict(data.get("legacy", {})),
        legacy_strings=dict(data.get("legacy_strings", {})),
        pii_words=frozenset(pii.get("words", ())),
        pii_phrases=tuple(tuple(p.split()) for p in pii.get("phrases", ())),
        pii_safe_words=frozenset(pii.get("safe_words", ())),
        key_pattern=re.compile(keys.get("pattern", r"phc_[A-Za-z0-9]{20,}")),
        key_env=dict(keys.get("env", {})),
        serverless_paths=tuple(re.compile(p) for p in serverless.get("paths", ())),
        serverless_markers=tuple(re.compile(p, re.M) for p in serverless.get("markers", ())),
        serverless_client_options=dict(serverless.get("client_options", {})),
        keep_alive=frozenset(serverless.get("keep_alive", ())),
        docs=dict(data.get("docs", {})),
        messages={k: v for k, v in data.get("messages", {}).items() if isinstance(v, str)},
        sdk_calls=dict(data.get("messages", {}).get("calls", {})),
        flow_labels=dict(data.get("flows", {})),
    )


@cache
def posthog_vocabulary() -> PosthogVocabulary:
    """The bundled vocabulary; an unreadable file yields an empty one (fewer findings, never an exception)."""
    try:
        with open(bundled_skills_root() / "detection" / "posthog.toml", "rb") as f:
            return _build(tomllib.load(f))
    except Exception:
        log.exception("cannot load skills/detection/posthog.toml")
        return PosthogVocabulary()
