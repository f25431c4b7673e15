"""Apply planned edits to a text (pure): what the CLI writes and what tests check."""

from __future__ import annotations

from collections.abc import Iterable

from .model import PlannedEdit


def _offset(text: str, starts: list[int], line: int, col: int) -> int:
    if line >= len(starts):
        return len(text)
    line = max(line, 0)
    start = starts[line]
    end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)  # the '\n' (or the end of text)
    if end > start and text[end - 1] == "\r" and end < len(text):
        end -= 1  # columns never reach into a CRLF terminator
    return min(start + max(col, 0), end)


def apply_edits(text: str, edits: Iterable[PlannedEdit]) -> str:
    """`text` with `edits` applied (bottom-up; edits must not overlap). Edits that create files are skipped.

    Edits at the same position keep their listed order in the result. A byte-order mark stays first: positions
    are counted without it, as analysis counts them.
    """
    if text.startswith("\ufeff"):
        return "\ufeff" + apply_edits(text[1:], edits)
    starts = [0]
    for i, char in enumerate(text):
        if char == "\n":
            starts.append(i + 1)
    ranged = []
    for index, edit in enumerate(edits):
        if edit.create_file:
            continue
        span = edit.span
        begin = _offset(text, starts, span.start_line, span.start_col)
        end = max(begin, _offset(text, starts, span.end_line, span.end_col))
        ranged.append((begin, end, index, edit.new_text))
    for begin, end, _index, new_text in sorted(ranged, key=lambda r: (r[0], r[2]), reverse=True):
        text = text[:begin] + new_text + text[end:]
    return text
