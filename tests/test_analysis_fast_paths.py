"""The shortcuts that keep a keystroke cheap answer exactly what the slow way answers."""

from __future__ import annotations

import random
import re

from lsp_server.analysis import flows
from lsp_server.analysis.memo import BoundedMemo
from lsp_server.analysis.vocabulary import load


def test_a_typed_webhook_search_finds_what_the_vocabulary_pattern_finds():
    vocab = load()
    patterns = [p for p in (vocab.webhook_type_re,) if p is not None] + [
        re.compile(r"\bStripe\.([A-Z]\w*Event)\b"),
        re.compile(r"\bfoo|bar"),
        re.compile(r"\b(?:ab|b)c"),
        re.compile(r"(?i)\bstripe\."),
        re.compile(r"\b(?:-a|a)"),  # a match can start inside a longer candidate that fails the boundary ("--a")
    ]
    rng = random.Random(3)
    pieces = ["Stripe.", "XStripe.", "InvoicePaidEvent", "Event", " ", "foo", "xfoo", "bar", "abc", "bc", "_", "é", "-"]
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        for pattern in patterns:
            assert flows._search(pattern, text) == (pattern.search(text) is not None), (pattern.pattern, text)


def test_statements_looked_up_together_get_what_one_by_one_lookups_get():
    memo: BoundedMemo[str] = BoundedMemo(3, max_bytes=1000)
    for key in "abcd":
        memo.put(key, key.upper(), 10)
    assert memo.get_many(["a", None, "b", "c", "d"]) == [None, None, "B", "C", "D"]
    memo.get_many(["b"])  # b is now the most recently used: e goes in, c goes out
    memo.put("e", "E", 10)
    assert [memo.get(k) for k in "bcde"] == ["B", None, "D", "E"]
