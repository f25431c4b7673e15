"""Typing in an open file: the server's fast incremental change gives exactly the text pygls' own rewrite gives.

Random edits (ranges in UTF-16, UTF-8 or UTF-32 units, past line ends, past the last line, across CRLF pairs) on
documents with CRLF, lone CR, astral characters, a BOM, form feeds and U+2028 are applied both ways and compared,
text and line index, after every edit.
"""

from __future__ import annotations

import random

import pytest
from lsprotocol import types
from pygls.workspace import PositionCodec, TextDocument

from lsp_server.features import documents

PIECES = ["a", "bc", " ", "\n", "\r\n", "\r", "😋", "é", "\ufeff", "\f", "\u2028", "x = 1;", "\t", "𝒳y", "\r\n\r\n"]


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(n))


def _change(rng: random.Random, doc: TextDocument) -> types.TextDocumentContentChangePartial:
    lines = max(len(doc.lines), 1)

    def pos() -> types.Position:
        return types.Position(line=rng.randrange(lines + 2), character=rng.randrange(12))

    start, end = pos(), pos()
    if (start.line, start.character) > (end.line, end.character) and rng.random() < 0.9:
        start, end = end, start
    if rng.random() < 0.5:  # typing: insert at one place
        end = types.Position(line=start.line, character=start.character)
    return types.TextDocumentContentChangePartial(
        range=types.Range(start=start, end=end), text=_text(rng, rng.randrange(4))
    )


def _expected_breaks(source: str) -> list[int]:
    offsets, at = [], 0
    for line in documents._LINE_BREAK.split(source)[:-1]:
        at += len(line)
        at += 2 if source.startswith("\r\n", at) else 1
        offsets.append(at)
    return offsets


@pytest.fixture(autouse=True)
def _lsp_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TextDocument, "lines", property(documents._lsp_lines))  # as the server registers it


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
@pytest.mark.parametrize("seed", range(6))
def test_typing_gives_the_same_text_as_pygls(seed: int, encoding: str) -> None:
    rng = random.Random(seed)
    start = _text(rng, 60)
    ours = TextDocument("file:///a.ts", start, version=1, position_codec=PositionCodec(encoding))
    theirs = TextDocument("file:///a.ts", start, version=1, position_codec=PositionCodec(encoding))
    for _ in range(150):
        change = _change(rng, theirs)
        documents._apply_incremental_change(ours, change.__class__(range=change.range, text=change.text))
        documents._pygls_incremental(theirs, change)
        assert ours.source == theirs.source
        assert documents.line_breaks(ours) == _expected_breaks(ours.source)


def test_a_keystroke_keeps_the_line_index_instead_of_rebuilding_it() -> None:
    doc = TextDocument("file:///a.py", "def f():\r\n    return 1\r\n", version=1)
    first = documents.line_breaks(doc)
    documents._apply_incremental_change(
        doc,
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=1, character=4), end=types.Position(line=1, character=4)),
            text="x = 😋\r\n    ",
        ),
    )
    assert doc.source == "def f():\r\n    x = 😋\r\n    return 1\r\n"
    assert documents.line_breaks(doc) == [10, 21, 35] and first == [10, 24]


def test_a_full_change_rebuilds_the_line_index() -> None:
    doc = TextDocument("file:///a.py", "a\nb\n", version=1)
    assert documents.line_breaks(doc) == [2, 4]
    doc.apply_change(types.TextDocumentContentChangeWholeDocument(text="one\r\ntwo"))
    assert documents.line_breaks(doc) == [5]
