"""Run the flow detector over a fixture app the way a workspace scan would (paths relative to the app root)."""

from __future__ import annotations

from pathlib import Path

from lsp_server.analysis.flows import detect_flows
from lsp_server.analysis.model import Flow
from lsp_server.analysis.parsing import decode_source, language_for_path, parse
from lsp_server.analysis.usage import find_posthog_calls
from lsp_server.analysis.vocabulary import Vocabulary

APPS = Path(__file__).parent / "fixtures" / "apps"


def flows_in_source(path: str, source: str, vocabulary: Vocabulary | None = None) -> list[Flow]:
    language = language_for_path(path)
    assert language is not None, path
    doc = parse(source, language)
    assert doc is not None
    return detect_flows(doc, path, calls=find_posthog_calls(doc, path), vocabulary=vocabulary)


def flows_in_app(app: str) -> dict[tuple[str, str, str], Flow]:
    """Every flow of the app keyed by (path, kind, symbol)."""
    root = APPS / app
    found: dict[tuple[str, str, str], Flow] = {}
    for file in sorted(root.rglob("*")):
        if not file.is_file() or language_for_path(file.name) is None or "node_modules" in file.parts:
            continue
        rel = file.relative_to(root).as_posix()
        text = decode_source(file.read_bytes())
        assert text is not None
        for flow in flows_in_source(rel, text):
            found[(flow.path, flow.kind.value, flow.symbol)] = flow
    return found


def line_of(app: str, path: str, needle: str, *, after: str | None = None) -> int:
    """0-based line of the first line of `path` containing `needle` (below the first line containing `after`)."""
    lines = (APPS / app / path).read_text().split("\n")
    start = line_of(app, path, after) if after else 0
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i
    raise AssertionError(f"{needle!r} not in {path}")
