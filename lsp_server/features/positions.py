"""Where squiggles and edits land: analysis positions ↔ LSP positions (the only conversion in the project).

Analysis sees the document with its BOM stripped and line breaks normalised to "\\n", and counts columns
in code points. The editor counts columns in the negotiated position encoding (UTF-16 code units unless
the client asked for UTF-8 or UTF-32), keeps CRLF and may keep a BOM. An emoji before a flow, a CRLF file
or a BOM therefore never shifts a diagnostic or an inserted line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from lsprotocol import types

from ..analysis.model import Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the only line breaks LSP knows (str.splitlines knows more)
BOM = "\ufeff"
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def encoding_name(value: object) -> str:
    """The negotiated position encoding as a plain string ("utf-16" when none was negotiated)."""
    value = getattr(value, "value", value)  # PositionEncodingKind is a str enum whose str() is its name
    return value if value in (UTF8, UTF16, UTF32) else UTF16


def _units(text: str, encoding: str) -> int:
    """Length of `text` in the client's position units."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _chars_for_units(line: str, units: int, encoding: str) -> int:
    """How many code points of `line` fit in `units` client units (a split surrogate pair rounds down)."""
    if encoding == UTF32:
        return max(0, min(units, len(line)))
    used = 0
    for index, ch in enumerate(line):
        step = len(ch.encode("utf-8", "surrogatepass")) if encoding == UTF8 else (2 if ord(ch) > 0xFFFF else 1)
        if used + step > units:
            return index
        used += step
    return len(line)


@dataclass(frozen=True)
class LineIndex:
    """The lines of one editor document, as the client counts them."""

    text: str
    encoding: str = UTF16  # one of UTF8, UTF16, UTF32 (see encoding_name)

    @cached_property
    def lines(self) -> list[str]:
        if "\r" not in self.text:  # LF only (the usual case): str.split is ~8x faster than the regex
            return self.text.split("\n")
        return _LINE_BREAK.split(self.text)

    @cached_property
    def has_bom(self) -> bool:
        return self.text.startswith(BOM)

    @cached_property
    def eol(self) -> str:
        """The document's dominant line break, used for inserted text."""
        crlf = self.text.count("\r\n")
        return "\r\n" if crlf and crlf * 2 >= self.text.count("\n") else "\n"

    def _line(self, line: int) -> str:
        return self.lines[line] if 0 <= line < len(self.lines) else ""

    def position(self, line: int, col: int) -> types.Position:
        """Analysis (line, code-point column) → LSP position, clamped to the document."""
        if line >= len(self.lines):
            last = len(self.lines) - 1
            return types.Position(line=last, character=_units(self.lines[last], self.encoding))
        line = max(line, 0)
        text = self._line(line)
        shift = 1 if line == 0 and self.has_bom else 0
        col = min(max(col, 0) + shift, len(text))
        return types.Position(line=line, character=_units(text[:col], self.encoding))

    def range(self, span: Span) -> types.Range:
        return types.Range(
            start=self.position(span.start_line, span.start_col), end=self.position(span.end_line, span.end_col)
        )

    def point(self, position: types.Position) -> tuple[int, int]:
        """LSP position → analysis (line, code-point column)."""
        line = min(max(position.line, 0), len(self.lines) - 1)
        col = _chars_for_units(self._line(line), position.character, self.encoding)
        if line == 0 and self.has_bom:
            col = max(col - 1, 0)
        return line, col

    def span(self, rng: types.Range) -> Span:
        (sl, sc), (el, ec) = self.point(rng.start), self.point(rng.end)
        return Span(sl, sc, el, ec)

    def new_text(self, text: str) -> str:
        """Inserted text with the document's own line breaks (analysis and edits speak "\\n")."""
        return text.replace("\n", self.eol) if self.eol != "\n" else text


def analysis_text(text: str) -> str:
    """The text analysis and edit planning see: BOM stripped, line breaks normalised."""
    return text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")


def contains(span: Span, line: int, col: int) -> bool:
    """Whether an analysis point lies inside a span (ends inclusive: a cursor at the end still counts)."""
    return (span.start_line, span.start_col) <= (line, col) <= (span.end_line, span.end_col)
