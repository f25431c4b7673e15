"""Whole-document checks that reuse the previous version's answer while a document is typed in.

Every keystroke re-analyses the whole file, and a few checks read all of it: "does any webhook word occur?", "is this
a test file?", the calls a rule's query captures. Their answers are remembered per text; the next version
(`ParsedDocument.previous`: the text it was edited from and the edited byte range) re-reads only what the edit can
have changed: around the edit for a word, the edited top-level statements for a query. Same answers as reading the
whole text, which is what a file read once (a scan) does.
"""

from __future__ import annotations

from functools import cache

from tree_sitter import Node, QueryCursor

from .functions import _MEMO_MIN_BYTES, _Loc, _node_at, _Unresolved
from .memo import BoundedMemo
from .parsing import ParsedDocument, query
from .vocabulary import Vocabulary

Words = tuple[bytes, ...] | frozenset[bytes]  # hashable: part of the memory's key
# (words, id(text)) → (text, where a word was found or -1, its length): the text is held, so its id stays its own
_words: BoundedMemo[tuple[bytes, int, int]] = BoundedMemo(64, max_bytes=16_000_000)  # the last few versions' answers
# (language, query, statement kind and text) → the statement's captures of one name, as positions relative to it
_captures: BoundedMemo[tuple[_Loc, ...]] = BoundedMemo(50_000, max_bytes=8_000_000)


def contains_any(doc: ParsedDocument, words: Words) -> bool:
    """Whether any of `words` occurs in `doc.data` (as `any(w in doc.data for w in words)`)."""
    data = doc.data
    if not words:
        return False
    key = (words, id(data))
    held = _words.get(key)
    if held is not None and held[0] is data:
        return held[1] >= 0
    previous = doc.previous
    old = _words.get((words, id(previous[0]))) if previous is not None else None
    if previous is not None and old is not None and old[0] is previous[0]:
        _, start, old_end, new_end = previous
        at, length = old[1], old[2]
        if at >= 0 and at + length <= start:  # the word found last time is before the edit: still there
            pass
        elif at >= 0 and at >= old_end:  # after it: moved by the edit
            at += new_end - old_end
        elif at >= 0:  # the edit touched it: look again
            at, length = _first(data, words, 0, len(data))
        else:  # none before: a word now must overlap the edited bytes
            longest = max(len(w) for w in words)
            at, length = _first(data, words, max(0, start - longest + 1), new_end + longest - 1)
    else:
        at, length = _first(data, words, 0, len(data))
    _words.put(key, (data, at, length), len(data))
    return at >= 0


def _first(data: bytes, words: Words, lo: int, hi: int) -> tuple[int, int]:
    for word in words:
        at = data.find(word, lo, hi)
        if at >= 0:
            return at, len(word)
    return -1, -1


@cache
def _encoded(words: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(w.encode("utf-8", "surrogatepass") for w in words if w)


def mentions(doc: ParsedDocument, words: tuple[str, ...]) -> bool:
    """Whether any of `words` occurs in `doc.text` (as `any(w in doc.text for w in words)`)."""
    return contains_any(doc, _encoded(words))


def is_test_code(doc: ParsedDocument, vocab: Vocabulary) -> bool:
    """`vocab.is_test_code(doc.text)` (test / e2e / mock code by its imports), its marker test reusing the last
    version's answer."""
    return mentions(doc, vocab.negative_file_markers) and bool(vocab.negative_file_re.search(doc.text))


def statement_captures(doc: ParsedDocument, source: str, name: str) -> list[Node]:
    """The nodes of `QueryCursor(query(doc.language, source)).captures(doc.root).get(name, [])`, statement by
    statement; while a large document is typed in, each top-level statement's captures are remembered by its text (a
    keystroke queries only the statement it changed)."""
    compiled = query(doc.language, source)
    if not doc.edited or len(doc.data) < _MEMO_MIN_BYTES:
        return list(QueryCursor(compiled).captures(doc.root).get(name, []))
    statements = doc.statements()
    keys = [None if text is None else (doc.language, source, name, stmt.kind_id, text) for stmt, text in statements]
    out: list[Node] = []
    for (stmt, text), key, hit in zip(statements, keys, _captures.get_many(keys), strict=True):
        if hit is not None:
            if not hit:
                continue
            try:
                base, find = stmt.start_byte, stmt.descendant_for_byte_range
                nodes = [_node_at(find, base, loc) for loc in hit]
            except _Unresolved:  # not where memory says (never expected): query the statement
                pass
            else:
                out.extend(nodes)
                continue
        found = QueryCursor(compiled).captures(stmt).get(name, [])
        out.extend(found)
        if key is not None and text is not None:
            base = stmt.start_byte
            _captures.put(
                key, tuple((n.start_byte - base, n.end_byte - base, n.kind_id) for n in found), len(text) + 100
            )
    return out
