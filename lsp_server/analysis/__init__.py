"""Pure analysis: parse, detect packages, flows and existing PostHog usage, and evaluate rules.

Never imports pygls, lsprotocol or mcp. Never raises on any input: a broken file yields fewer findings.
Entry points: `analyze_document` (one file, e.g. an open editor buffer) and `scan` (a whole workspace).
Names load on first use: the language server answers `initialize` before the detectors are imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

if TYPE_CHECKING:
    from .document import analyze_document
    from .model import DocumentAnalysis, Finding, Flow, FlowKind, Package, PosthogCall, Span
    from .settings import AnalysisSettings

_HOME = {  # public name → the submodule defining it
    "analyze_document": "document",
    "AnalysisSettings": "settings",
    **dict.fromkeys(("DocumentAnalysis", "Finding", "Flow", "FlowKind", "Package", "PosthogCall", "Span"), "model"),
}

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


__getattr__, __dir__ = lazy_exports(__name__, _HOME, __all__)
