"""tree-sitter parsing that never raises: language by file name, parser cache, byte→character spans.

Grammars come from the per-language wheels, so nothing is downloaded at run time. Recent trees are reused:
the same text (analysis, then a code action planning on it) is parsed once, and a text that differs from a
recent one by an edit (typing) is re-parsed incrementally, which keeps a 2,000-line file at ~1 ms per keystroke.
An incremental tree with syntax errors is discarded for a fresh parse: the same text always gets the same tree. While
a file stays broken, each edit is parsed fresh straight away (its incremental parse would be discarded anyway).
"""

from __future__ import annotations

import importlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache

from tree_sitter import Language as TSLanguage
from tree_sitter import Node, Parser, Query, Tree

from .model import Language, Span
from .sfc import COMPONENT_LANGUAGES, script_text

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
    ".svelte": "svelte",  # components: their <script> blocks, at their own lines and columns (sfc.py)
    ".vue": "vue",
}
LANGUAGE_IDS: dict[str, Language] = {  # LSP languageId → grammar
    "python": "python",
    "javascript": "javascript",
    "javascriptreact": "javascript",
    "typescript": "typescript",
    "typescriptreact": "tsx",
    "svelte": "svelte",
    "vue": "vue",
}
MAX_PARSE_BYTES = 2_000_000  # larger files are skipped with a clear reason, never parsed

_GRAMMARS = {  # (wheel module, function): imported on first use, so start-up loads no grammar it does not need
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
}
_local = threading.local()  # Parser objects are not thread-safe; one per thread and language
_RECENT_TREES = 8  # the documents being typed in, and the text a code action re-plans on
_RECENT_BYTES = 4_000_000  # trees take ~10x their source in memory: a few huge files must not pin 100s of MB
_CLOSE_ENOUGH = 64  # a recent text this few bytes away is taken without comparing the older ones
_REUSE_MIN_BYTES = 4096  # smaller files parse in well under a millisecond: no point comparing them
# newest last; trees are never edited in place; the value keeps the text object the key was made from (id-keyed caches)
_recent: OrderedDict[tuple[Language, bytes], tuple[Tree, bytes]] = OrderedDict()
_recent_lock = threading.Lock()


def language_for_path(path: str, language_id: str | None = None) -> Language | None:
    if language_id and language_id in LANGUAGE_IDS:
        return LANGUAGE_IDS[language_id]
    dot = path.rfind(".")
    return EXTENSIONS.get(path[dot:].lower()) if dot >= 0 else None


@cache
def ts_language(language: Language) -> TSLanguage:
    module, function = _GRAMMARS[language]
    return TSLanguage(getattr(importlib.import_module(module), function)())


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
    edited: bool = False  # the tree came from a recent text (the same, or one edit away): a document being typed in
    # the recent text this one is `data` edited from, and the edit: (old text, start, old end, new end) in bytes
    previous: tuple[bytes, int, int, int] | None = None
    _statements: list[tuple[Node, bytes | None]] | None = None  # statements(), once
    first_code_line: int = 0  # a component: the first line inside its script, where new imports may go

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def node_text(self, node: Node | None) -> str:
        if node is None:
            return ""
        if self._ascii:  # byte offsets are character offsets: slice the text, skip the decode
            return self.text[node.start_byte : node.end_byte]
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

    def statements(self) -> list[tuple[Node, bytes | None]]:
        """The top-level statements with their text (None for one holding a syntax error: its tree may depend on the
        text around it), for results remembered per statement while a document is typed in."""
        if self._statements is None:
            data = self.data
            self._statements = [
                (stmt, None if stmt.has_error else data[stmt.start_byte : stmt.end_byte])
                for stmt in self.root.named_children
            ]
        return self._statements

    def lines(self) -> list[str]:
        """The text split into lines, once per document (read-only: shared by every reader)."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def line_text(self, row: int) -> str:
        lines = self._lines if self._lines is not None else self.lines()
        return lines[row] if 0 <= row < len(lines) else ""


def parse(text: str, language: Language, *, editing: bool = False) -> ParsedDocument | None:
    """Parse `text`; None when it is too large or the grammar fails. Never raises. A Svelte / Vue component is parsed
    as its script blocks (the rest blanked): the document's `text` and `language` are then that script's. `editing`:
    an open document about to be typed in (didOpen): per-statement results are worth remembering from this version."""
    try:
        first_code_line = 0
        if language in COMPONENT_LANGUAGES:
            text, language, first_code_line = script_text(text, language)
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > MAX_PARSE_BYTES:
            return None
        previous = None
        if len(data) >= _REUSE_MIN_BYTES:
            tree, previous = _parse_reusing(data, language)
            edited = editing or previous is not None
        else:
            tree, edited = _parser(language).parse(data), False
        return ParsedDocument(
            text=text, data=data, language=language, tree=tree, _ascii=data.isascii(), edited=edited,
            first_code_line=first_code_line, previous=previous,
        )
    except Exception:  # a grammar bug must cost findings, not the server
        return None


def _parse_reusing(data: bytes, language: Language) -> tuple[Tree, tuple[bytes, int, int, int] | None]:
    """`data`'s tree: a recent identical text's tree, an incremental re-parse of a similar one, or a fresh parse;
    and the recent text it came from with the edit between them (None: a fresh parse of a new text)."""
    key = (language, data)
    with _recent_lock:
        held = _recent.get(key)
        if held is not None:
            _recent.move_to_end(key)
            end = len(data)
            return held[0], (held[1], end, end, end)
        base = _closest(data, language)
        reuse = base is not None and not base[1].root_node.has_error  # a broken text's edit most likely is too
        if base is not None and reuse:
            base = (base[0], base[1].copy(), base[2])  # edit a copy: readers keep the original
    if base is not None and reuse:
        old_data, old_tree, (start, old_end, new_end) = base
        old_tree.edit(
            start_byte=start, old_end_byte=old_end, new_end_byte=new_end, start_point=_point(data, start),
            old_end_point=_point(old_data, old_end), new_end_point=_point(data, new_end),
        )
        tree = _parser(language).parse(data, old_tree)
        if tree.root_node.has_error:  # error recovery can depend on the old tree: same text, same tree, always
            tree = _parser(language).parse(data)
    else:
        tree = _parser(language).parse(data)
    with _recent_lock:
        _recent[key] = (tree, data)
        while len(_recent) > _RECENT_TREES or (len(_recent) > 1 and sum(len(d) for _, d in _recent) > _RECENT_BYTES):
            _recent.popitem(last=False)
    return tree, (base[0], *base[2]) if base is not None else None


def _closest(data: bytes, language: Language) -> tuple[bytes, Tree, tuple[int, int, int]] | None:
    """A recent text of the same language that `data` shares at least half its bytes with (as prefix + suffix),
    its tree and the edit range between them."""
    best: tuple[int, bytes, Tree, tuple[int, int, int]] | None = None
    for (lang, old), (tree, _) in reversed(_recent.items()):  # newest first: the version before a keystroke
        if lang != language or (old[:64] != data[:64] and old[-64:] != data[-64:]):
            continue  # unrelated file: the cheap check spares the comparison
        edit = _edit_range(old, data)
        shared = edit[0] + len(data) - edit[2]
        if shared * 2 >= len(data) and (best is None or shared > best[0]):
            best = (shared, old, tree, edit)
        if shared + _CLOSE_ENOUGH >= len(data):
            break  # one keystroke away: no older text can be much closer
    return best[1:] if best is not None else None


def _edit_range(old: bytes, new: bytes) -> tuple[int, int, int]:
    """(start, old end, new end) of the one span where `old` and `new` differ (common prefix and suffix kept)."""
    limit = min(len(old), len(new))
    lo, hi = 0, limit  # longest common prefix: binary search on slices compared in C
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[lo:mid] == new[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, limit - prefix  # longest common suffix that does not overlap the prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid : len(old) - lo] == new[len(new) - mid : len(new) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return prefix, len(old) - lo, len(new) - lo


def _point(data: bytes, offset: int) -> tuple[int, int]:
    """(row, byte column) of a byte offset, as tree-sitter counts them."""
    return data.count(b"\n", 0, offset), offset - (data.rfind(b"\n", 0, offset) + 1)


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
