"""Typing in a large file re-parses incrementally, and the tree is exactly what a fresh parse gives."""

from __future__ import annotations

import random

import pytest
from tree_sitter import Parser

from lsp_server.analysis import parsing
from lsp_server.analysis.parsing import parse, ts_language

SOURCES = {
    "typescript": "export function helper{i}(rows: number[]): number {{\n  let total = 0; // ünïcode ✓\n"
    "  for (const r of rows) {{ total += r * {i}; }}\n  return total;\n}}\n",
    "tsx": "export const Row{i} = ({{ v }}: {{ v: string }}) => <li key=\"{i}\">{{v}} — é</li>;\n",
    "javascript": "router.get('/items/{i}', async (req, res) => {{\n  res.json({{ id: {i}, name: '名前' }});\n}});\n",
    "python": "def helper_{i}(rows: list[int]) -> int:\n    total = 0  # ünïcode ✓\n"
    "    for r in rows:\n        total += r * {i}\n    return total\n",
}
SNIPPETS = ["x", "\n", "}", "{", "(", "'", "é", "😀", "  ", "return 1;", "def f():\n    pass\n", "/*", "*/", ""]


def fresh_sexp(text: str, language: str) -> str:
    return str(Parser(ts_language(language)).parse(text.encode("utf-8", "surrogatepass")).root_node)


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_typing_in_a_large_file_gives_the_same_tree_as_a_fresh_parse(language: str) -> None:
    rng = random.Random(language)
    text = "".join(SOURCES[language].format(i=i) for i in range(80))
    assert len(text.encode()) >= parsing._REUSE_MIN_BYTES
    for _ in range(60):
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.choice([0, 0, 1, 3, 40]))
        text = text[:start] + rng.choice(SNIPPETS) + text[end:]
        doc = parse(text, language)
        assert doc is not None
        assert str(doc.root) == fresh_sexp(text, language)
        assert doc.node_text(doc.root) == text


def test_parsing_the_same_text_twice_reuses_the_tree_without_changing_results() -> None:
    text = "".join(SOURCES["typescript"].format(i=i) for i in range(80))
    first, second = parse(text, "typescript"), parse(text, "typescript")
    assert first is not None and second is not None
    assert second.tree is first.tree
    assert str(second.root) == fresh_sexp(text, "typescript")


def test_edits_after_the_original_tree_was_reused_leave_it_untouched() -> None:
    text = "".join(SOURCES["python"].format(i=i) for i in range(80))
    original = parse(text, "python")
    assert original is not None
    before = str(original.root)
    edited = parse(text.replace("total = 0", "total = (", 1), "python")
    assert edited is not None and edited.root.has_error
    assert str(original.root) == before and not original.root.has_error


def test_recent_trees_stay_within_their_memory_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "_RECENT_BYTES", 20_000)
    for i in range(6):  # distinct ~8 KB files, as a workspace scan parses them
        text = f"# file {i}\n" + "".join(SOURCES["python"].format(i=i * 1000 + j) for j in range(60))
        assert parse(text, "python") is not None
    cached = sum(len(data) for _, data in parsing._recent)
    assert cached <= 20_000 and len(parsing._recent) >= 1
