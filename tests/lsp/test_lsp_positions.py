"""Squiggles and inserted lines land on the right character despite emoji, CRLF and a BOM."""

from __future__ import annotations

from lsp_helpers import apply_text_edits
from lsprotocol import types

from lsp_server.analysis.model import Span
from lsp_server.features.positions import LineIndex, analysis_text, contains, encoding_name


def test_astral_characters_count_two_utf16_units_before_a_flow():
    text = 'const note = "🎉 welcome"; login()\n'
    col = text.index("login")  # code points, as analysis counts
    pos = LineIndex(text).position(0, col)
    assert pos.character == col + 1  # 🎉 is a surrogate pair in UTF-16
    assert LineIndex(text).point(pos) == (0, col)


def test_utf8_and_utf32_clients_get_their_own_units():
    text = "é🎉x\n"
    utf8, utf32 = (encoding_name(e) for e in (types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32))
    assert LineIndex(text, utf8).position(0, 2).character == 2 + 4
    assert LineIndex(text, utf32).position(0, 2).character == 2
    assert LineIndex(text, utf8).point(types.Position(0, 6)) == (0, 2)
    assert encoding_name(None) == encoding_name(types.PositionEncodingKind.Utf16) == "utf-16"


def test_crlf_documents_keep_lines_and_get_crlf_inserts():
    text = "def login():\r\n    user = auth()\r\n    return user\r\n"
    lines = LineIndex(text)
    assert analysis_text(text).split("\n")[1] == "    user = auth()"
    assert lines.range(Span(2, 4, 2, 10)) == types.Range(start=types.Position(2, 4), end=types.Position(2, 10))
    assert lines.new_text("a\nb\n") == "a\r\nb\r\n"
    edit = types.TextEdit(range=lines.range(Span(2, 0, 2, 0)), new_text=lines.new_text("    track()\n"))
    assert apply_text_edits(text, [edit]) == "def login():\r\n    user = auth()\r\n    track()\r\n    return user\r\n"


def test_a_bom_shifts_only_the_first_line():
    text = "\ufeffimport os\nx = 1\n"
    lines = LineIndex(text)
    assert lines.position(0, 0).character == 1
    assert lines.position(1, 0).character == 0
    assert lines.point(types.Position(0, 1)) == (0, 0)


def test_positions_past_the_end_clamp_to_the_document():
    lines = LineIndex("ab\ncd")
    assert lines.position(9, 0) == types.Position(1, 2)
    assert lines.position(0, 99) == types.Position(0, 2)
    assert lines.point(types.Position(5, 5)) == (1, 2)


def test_a_cursor_at_either_end_of_a_flow_is_inside_it():
    span = Span(2, 4, 8, 1)
    assert contains(span, 2, 4) and contains(span, 8, 1) and contains(span, 5, 0)
    assert not contains(span, 1, 9) and not contains(span, 8, 2)


def test_lone_cr_and_unicode_line_separators_follow_lsp_not_str_splitlines():
    text = "a\rb\u2028c\nd"
    lines = LineIndex(text)
    assert lines.lines == ["a", "b\u2028c", "d"]  # U+2028 is not an LSP line break
    assert lines.position(2, 1) == types.Position(2, 1)
