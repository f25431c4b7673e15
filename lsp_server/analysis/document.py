"""Analyse one document: parse once, then flows, PostHog calls and rules over the same tree."""

from __future__ import annotations

import logging

from . import flows as flow_detector
from . import rules, usage
from .model import DocumentAnalysis, Package
from .parsing import language_for_path, parse
from .route_refs import FileRoutes
from .settings import AnalysisSettings

log = logging.getLogger(__name__)


def analyze_document(
    path: str,
    text: str,
    *,
    package: Package | None = None,
    settings: AnalysisSettings | None = None,
    language_id: str | None = None,
    routes: FileRoutes | None = None,
    editing: bool = False,
) -> DocumentAnalysis:
    """Analyse `text` (the current content of `path`, relative to the workspace root). `routes`: what the workspace's
    other files say about this one's functions (`RouteIndex.for_path`). `editing`: an editor's open document (its
    per-statement results are remembered for the keystrokes to come). Never raises."""
    settings = settings or AnalysisSettings()
    language = language_for_path(path, language_id)
    if language is None:
        return DocumentAnalysis(path=path, language=None)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    doc = parse(text, language, editing=editing)
    if doc is None:
        return DocumentAnalysis(path=path, language=language, parse_error="file too large or unparsable")
    try:
        calls = tuple(usage.find_posthog_calls(doc, path))
        flows = tuple(flow_detector.detect_flows(doc, path, calls=calls, package=package, routes=routes))
        findings = tuple(rules.evaluate(doc, path, flows=flows, calls=calls, package=package, settings=settings))
    except Exception as exc:  # a detector bug must cost findings, never the caller
        log.exception("analysis failed for %s", path)
        return DocumentAnalysis(path=path, language=language, parse_error=f"internal error: {exc!r}")
    return DocumentAnalysis(path=path, language=language, flows=flows, calls=calls, findings=findings)
