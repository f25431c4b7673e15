"""tree-sitter parsing that never raises: language by file name, parser cache, byte→character spans.

Grammars come from the per-language wheels, so nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Language as TSLanguage
from tree_sitter import Node, Parser, Query, Tree

from .model import Language, Span

EXTENSIONS: dict[str, Language] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
}
LANGUAGE_IDS: dict[str, Language] = {  # LSP languageId → grammar
    "python": "python",
    "javascript": "javascript",
    "javascriptreact": "javascript",
    "typescript": "typescript",
    "typescriptreact": "tsx",
}
MAX_PARSE_BYTES = 2_000_000  # larger files are skipped with a clear reason, never parsed

_GRAMMARS = {
    "python": tree_sitter_python.language,
    "javascript": tree_sitter_javascript.language,
    "typescript": tree_sitter_typescript.language_typescript,
    "tsx": tree_sitter_typescript.language_tsx,
}
_local = threading.local()  # Parser objects are not thread-safe; one per thread and language


def language_for_path(path: str, language_id: str | None = None) -> Language | None:
    if language_id and language_id in LANGUAGE_IDS:
        return LANGUAGE_IDS[language_id]
    dot = path.rfind(".")
    return EXTENSIONS.get(path[dot:].lower()) if dot >= 0 else None


@cache
def ts_language(language: Language) -> TSLanguage:
    return TSLanguage(_GRAMMARS[language]())


@cache
def query(language: Language, source: str) -> Query:
    return Query(ts_language(language), source)


def _parser(language: Language) -> Parser:
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    if language not in parsers:
        parsers[language] = Parser(ts_language(language))
    return parsers[language]


@dataclass(slots=True)
class ParsedDocument:
    """A parsed source with helpers to turn tree-sitter byte positions into character spans."""

    text: str
    data: bytes
    language: Language
    tree: Tree
    _line_starts: list[int] | None = None  # byte offset of each line
    _ascii: bool = False
    _lines: list[str] | None = None  # text split once, on first line_text()

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def node_text(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _char_col(self, row: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col
        if self._line_starts is None:
            starts, pos = [0], 0
            for line in self.data.split(b"\n")[:-1]:
                pos += len(line) + 1
                starts.append(pos)
            self._line_starts = starts
        start = self._line_starts[row] if row < len(self._line_starts) else len(self.data)
        return len(self.data[start : start + byte_col].decode("utf-8", "replace"))

    def span(self, node: Node) -> Span:
        (sr, sc), (er, ec) = node.start_point, node.end_point
        return Span(sr, self._char_col(sr, sc), er, self._char_col(er, ec))

    def line_text(self, row: int) -> str:
        if self._lines is None:
            self._lines = self.text.split("\n")
        lines = self._lines
        return lines[row] if 0 <= row < len(lines) else ""


def parse(text: str, language: Language) -> ParsedDocument | None:
    """Parse `text`; None when it is too large or the grammar fails. Never raises."""
    try:
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > MAX_PARSE_BYTES:
            return None
        tree = _parser(language).parse(data)
        return ParsedDocument(text=text, data=data, language=language, tree=tree, _ascii=data.isascii())
    except Exception:  # a grammar bug must cost findings, not the server
        return None


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def decode_source(data: bytes) -> str | None:
    """Bytes from disk → text (BOM stripped), or None for binary/undecodable content."""
    if looks_binary(data):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n")
