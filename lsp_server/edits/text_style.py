"""The file's own style, so inserted code looks like the code around it.

Newline (LF/CRLF), indentation unit (tabs or N spaces), string quotes and (JS/TS) semicolons are read from the
file; snippet lines are rewritten to match. Templates are written with LF, 2-space (JS) or 4-space (Python)
indentation, single (JS) or double (Python) quotes, and semicolons.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tree_sitter import QueryCursor

from ..analysis.model import Language
from ..analysis.parsing import ParsedDocument, query

TEMPLATE_QUOTE = {"python": '"'}  # anything else (JS/TS) is written with single quotes
_SIMPLE_STRING = {"'": re.compile(r"'([^'\"\\\n]*)'"), '"': re.compile(r"\"([^'\"\\\n]*)\"")}


@dataclass(frozen=True, slots=True)
class TextStyle:
    newline: str  # "\n" or "\r\n"
    indent_unit: str  # "\t" or N spaces
    quote: str  # the string delimiter the file prefers
    semicolons: bool  # JS/TS statements end with ';' (always True for Python, where it is unused)


def split_lines(text: str) -> list[str]:
    """Lines without their terminators (a CRLF file's '\\r' is dropped)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def detect_style(text: str, language: Language, doc: ParsedDocument | None) -> TextStyle:
    python = language == "python"
    return TextStyle(
        newline=newline_of(text),
        indent_unit=_indent_unit(split_lines(text[:_SAMPLE_CHARS]), "    " if python else "  "),
        quote=_quote(doc, '"' if python else "'"),
        semicolons=True if python else _semicolons(doc),
    )


def _indent_unit(lines: list[str], default: str) -> str:
    tabs = sum(1 for line in lines if line.startswith("\t"))
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.startswith(" ") and line.strip()]
    if tabs > len(widths):
        return "\t"
    if not widths:
        return default
    for width in (4, 3, 2):
        if sum(1 for w in widths if w % width == 0) >= 0.8 * len(widths):
            return " " * width
    return default


_QUERIES = {
    "strings": "(string) @node",
    "statements": "[(expression_statement) (lexical_declaration) (variable_declaration) (import_statement)"
    " (return_statement)] @node",
}


# A file's conventions show long before its end: style is read from its start (keeps a code action on a
# 2,000-line file from re-reading every string and statement after each keystroke).
_SAMPLE_CHARS = 16_000


def _nodes(doc: ParsedDocument, which: str) -> list:
    try:
        cursor = QueryCursor(query(doc.language, _QUERIES[which]))
        cursor.set_byte_range(0, min(len(doc.data), _SAMPLE_CHARS))
        captures = cursor.captures(doc.root)
    except Exception:  # a grammar without these node types: fall back to the defaults
        return []
    return captures.get("node", [])


def _quote(doc: ParsedDocument | None, default: str) -> str:
    if doc is None:
        return default
    counts: Counter[str] = Counter()
    for node in _nodes(doc, "strings"):
        if node.parent is not None and node.parent.type == "jsx_attribute":
            continue  # `className="…"` follows JSX convention, not the file's own string style
        first = doc.data[node.start_byte : node.start_byte + 3]
        if first in (b'"""', b"'''"):
            continue
        quote = chr(first[0]) if first else ""
        if quote in ("'", '"'):
            counts[quote] += 1
    if not counts:
        return default
    return "'" if counts["'"] > counts['"'] else '"' if counts['"'] > counts["'"] else default


def _semicolons(doc: ParsedDocument | None) -> bool:
    if doc is None:
        return True
    ends = [node.child_count > 0 and node.children[-1].type == ";" for node in _nodes(doc, "statements")]
    return sum(ends) >= len(ends) - sum(ends)


def restyle(
    lines: list[str], style: TextStyle, language: Language, base_indent: str = "", *, template_unit: str | None = None
) -> list[str]:
    """Snippet lines → lines in the file's style, each prefixed with `base_indent` (blank lines stay blank)."""
    python = language == "python"
    unit = template_unit or _template_unit(lines, "    " if python else "  ")
    template_quote = TEMPLATE_QUOTE.get(language, "'")
    out: list[str] = []
    for line in lines:
        if not line.strip():
            out.append("")
            continue
        body = line.lstrip(" ")
        level = (len(line) - len(body)) // len(unit) if unit else 0
        comment = body.startswith(("#", "//"))
        if style.quote != template_quote and not comment:
            body = _SIMPLE_STRING[template_quote].sub(lambda m: f"{style.quote}{m.group(1)}{style.quote}", body)
        if not python and not style.semicolons and body.endswith(";") and not comment:
            body = body[:-1]
        out.append(base_indent + style.indent_unit * level + body)
    return out


def _template_unit(lines: list[str], default: str) -> str:
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip() and line.startswith(" ")]
    return " " * min(widths) if widths else default


def quote_literal(value: str, style: TextStyle) -> str:
    """A string literal in the file's quote style (values here are event names and simple words)."""
    q = style.quote
    return q + value.replace("\\", "\\\\").replace(q, "\\" + q) + q
