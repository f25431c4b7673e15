"""Diagnostic rules (being built): turn flows and PostHog calls into findings."""

from __future__ import annotations

from collections.abc import Sequence

from .model import Finding, Flow, Package, PosthogCall
from .parsing import ParsedDocument
from .settings import AnalysisSettings


def evaluate(
    doc: ParsedDocument,
    path: str,
    *,
    flows: Sequence[Flow],
    calls: Sequence[PosthogCall],
    package: Package | None,
    settings: AnalysisSettings,
) -> list[Finding]:
    return []
