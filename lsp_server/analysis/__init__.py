"""Pure analysis: parse, detect packages, flows and existing PostHog usage, and evaluate rules.

Never imports pygls, lsprotocol or mcp. Never raises on any input: a broken file yields fewer findings.
Entry points: `analyze_document` (one file, e.g. an open editor buffer) and `scan` (a whole workspace).
"""

from .document import analyze_document
from .model import DocumentAnalysis, Finding, Flow, FlowKind, Package, PosthogCall, Span
from .settings import AnalysisSettings

__all__ = [
    "AnalysisSettings",
    "DocumentAnalysis",
    "Finding",
    "Flow",
    "FlowKind",
    "Package",
    "PosthogCall",
    "Span",
    "analyze_document",
]
