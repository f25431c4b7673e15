"""Pure analysis: parse, detect packages, flows and existing PostHog usage, and evaluate rules.

Never imports pygls, lsprotocol or mcp. Never raises on any input: a broken file yields fewer findings.
Entry points: `analyze_document` (one file, e.g. an open editor buffer) and `scan` (a whole workspace).
Names load on first use: the language server answers `initialize` before the detectors are imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:  # AttributeError lets `from lsp_server.analysis import flows` import the submodule
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # the next lookup is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
