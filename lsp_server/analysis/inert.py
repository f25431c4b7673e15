"""Statements no flow evidence can come from: skipped by the detector's per-function passes while a file is typed in.

Every piece of per-function evidence in `flows.py` is anchored in the function's own text: a name, route, URL or
callee whose words form a flow phrase (`[kinds] names / routes / support_names`), or a call, hook, signal or trigger
the vocabulary names, or a webhook type. Whole-file facts (imports, `onClick={fn}` elsewhere, the file's side, router
prefixes) only decide whether such evidence counts. So a top-level statement whose text (with its file name when
that names a function) holds none of those words, no vocabulary callee and no webhook type gives no evidence whatever
the rest of the file says; its functions are marked `inert` when they are re-created from memory (functions.py).
A function given a route from
outside its statement (a Python router prefix, a route registered in another file) is never skipped (`skippable`).
"""

from __future__ import annotations

import re

from .vocabulary import _TOKEN_RE, Vocabulary, tokens

_IDENTIFIER_RE = re.compile(r"[A-Za-z_$][\w$]*")


# (phrase token → the flow phrases (as token sets) holding it, the phrases written as one word, vocabulary identifiers,
# the first token of each webhook type)
_Screen = tuple[dict[str, tuple[frozenset[str], ...]], frozenset[str], frozenset[str], frozenset[str] | None]
_held: tuple[Vocabulary | None, _Screen | None] = (None, None)  # for one vocabulary (hashing one is slow)


def _screen(vocab: Vocabulary) -> _Screen | None:
    global _held
    if _held[0] is not vocab:
        _held = (vocab, _build_screen(vocab))
    return _held[1]


def _build_screen(vocab: Vocabulary) -> _Screen | None:
    """What the statements are screened for; None when some rule matches callees by pattern only (then nothing is
    inert)."""
    if vocab.any_name_re is None or vocab.regex_rules:
        return None
    phrases: list[frozenset[str]] = []
    compact: set[str] = set()
    for alternative in vocab.any_name_re.pattern.split("|"):
        words = tuple(w for w in re.sub(r"\\(.)", r"\1", alternative.removesuffix("(?= )")).split() if w)
        if not words:
            return None
        phrases.append(frozenset(words))
        compact.add("".join(words))
    callees: set[str] = set(vocab.by_last_segment)
    callees.update(vocab.mutation_hooks)
    callees.update(vocab.signals)
    for hook in vocab.hooks:
        callees.update(hook.methods)
    for check in vocab.status_checks:
        callees.update(s.rsplit(".", 1)[-1] for s in check.sources)
    for trigger in getattr(vocab, "triggers", ()):
        callees.update(c.rsplit(".", 1)[-1] for c in trigger.callees)
    by_word: dict[str, list[frozenset[str]]] = {}
    for phrase in phrases:
        for word in phrase:
            by_word.setdefault(word, []).append(phrase)
    split = [tokens(w.decode("utf-8", "replace")) for w in vocab.webhook_bytes]
    heads = frozenset(t[0] for t in split if t) if all(split) else None  # None: a type without words, always look
    return {w: tuple(p) for w, p in by_word.items()}, frozenset(compact), frozenset(callees), heads


def is_inert(text: str, path: str, vocab: Vocabulary) -> bool:
    """Whether no function in the statement `text` (of the file at `path`) can give flow evidence (see module doc)."""
    screen = _screen(vocab)
    if screen is None:
        return False
    by_word, compact, callees, webhook_heads = screen
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem in vocab.webhooks:  # events/invoice.paid.js: its function is the webhook whatever it says
        return False
    identifiers = set(_IDENTIFIER_RE.findall(text))
    words = {t.lower() for t in set(_TOKEN_RE.findall(text))}  # tokens(text), each distinct one lowered once
    if "default" in identifiers or "exports" in identifiers:  # `export default function (req, res)`: named by its file
        words.update(tokens(stem))
    if not compact.isdisjoint(words):
        return False
    found = words & by_word.keys()  # most statements hold few phrase words: test only the phrases holding those
    if any(p <= found for w in found for p in by_word[w]):
        return False
    if not callees.isdisjoint(identifiers):
        return False
    # a webhook type is only evidence as a whole string literal (`'invoice.paid'`): its first word is a token then
    data = text.encode("utf-8", "surrogatepass")
    if (webhook_heads is None or not webhook_heads.isdisjoint(words)) and any(w in data for w in vocab.webhook_bytes):
        return False
    return vocab.webhook_type_re is None or vocab.webhook_type_re.search(text) is None
