"""While a large file is typed in, whole-text checks and per-statement results reuse the previous keystroke's work
(document_cache.py, the lazy units of functions.py) — and what the user sees is exactly what a cold analysis of the
same text gives: adding or removing a webhook word, turning the file into a test file, editing inside a function,
inserting a function before another."""

from __future__ import annotations

import random
from collections import OrderedDict

import pytest
from tree_sitter import QueryCursor

from lsp_server.analysis import document_cache, functions, local_routes, parsing
from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.functions import extract_units
from lsp_server.analysis.memo import BoundedMemo
from lsp_server.analysis.parsing import parse
from lsp_server.analysis.vocabulary import load
from tests.test_analysis_memo import FILLER, LOGIN, built_whole, describe, large_document, random_edit

PATH = "app/login/actions.ts"
FILLERS = "".join(FILLER.format(i=i) for i in range(80))
WEBHOOK = """export async function POST(req: Request) {
  const event = await req.json();
  await HANDLERS[event.type]?.(event);
  return new Response('ok');
}
async function onPaid(event: any) {
  await db.invoices.markPaid(event.data.object.id);
}
const HANDLERS: Record<string, (e: any) => Promise<void>> = { 'invoice.paid': onPaid };
"""


def cold(path: str, text: str):
    """The analysis of `text` with nothing remembered from earlier versions (as a file read once)."""
    saved = functions._memo, document_cache._words, document_cache._captures, parsing._recent
    functions._memo = BoundedMemo(max_entries=10, max_bytes=10)
    document_cache._words = BoundedMemo(max_entries=10, max_bytes=10)
    document_cache._captures = BoundedMemo(max_entries=10, max_bytes=10)
    parsing._recent = OrderedDict()
    try:
        return analyze_document(path, text)
    finally:
        functions._memo, document_cache._words, document_cache._captures, parsing._recent = saved


def typed(path: str, texts: list[str]) -> list:
    """Each version analysed as the server does (opened, then typed in), checked against a cold analysis."""
    out = []
    for i, text in enumerate(texts):
        warm = analyze_document(path, text, editing=i == 0)
        assert warm == cold(path, text), (i, text[-400:])
        out.append(warm)
    return out


def keystrokes(text: str, at: int, typed_text: str) -> list[str]:
    """`typed_text` typed one character at a time at offset `at` of `text`: every intermediate version."""
    return [text[:at] + typed_text[:i] + text[at:] for i in range(1, len(typed_text) + 1)]


def backspaces(text: str, at: int, count: int) -> list[str]:
    """`count` characters before offset `at` deleted one at a time."""
    return [text[: at - i] + text[at:] for i in range(1, count + 1)]


def flows_of(analysis) -> list[tuple[str, str]]:
    return [(f.kind.value, f.symbol) for f in analysis.flows]


def test_deleting_and_retyping_a_webhook_type_removes_and_restores_its_flow_as_a_cold_analysis_does():
    path = "app/api/stripe/route.ts"
    text = FILLERS + WEBHOOK
    word = text.index("invoice.paid") + len("invoice.paid")
    gone = text[: word - 3] + text[word:]
    versions = [text, *backspaces(text, word, 3), *keystrokes(gone, word - 3, "aid")]
    analyses = typed(path, versions)
    assert flows_of(analyses[0]) == [("payment_succeeded", "onPaid")]
    assert flows_of(analyses[3]) == []  # 'invoice.' is no webhook type
    assert flows_of(analyses[-1]) == [("payment_succeeded", "onPaid")]


def test_a_file_typed_into_a_test_file_loses_its_flows_and_gets_them_back():
    text = large_document()
    marker = "import { test } from '@playwright/test';\n"
    versions = [text, *keystrokes(text, 0, marker), *backspaces(marker + text, len(marker), len(marker))]
    analyses = typed(PATH, versions)
    assert flows_of(analyses[0]) == [("login", "login")]
    assert flows_of(analyses[len(marker)]) == []  # the whole import typed: a Playwright test file
    assert flows_of(analyses[-1]) == [("login", "login")]


def test_editing_inside_the_flow_function_follows_each_keystroke():
    text = large_document()
    call = text.index("signInWithPassword")
    versions = [text, *backspaces(text, call + len("signIn"), 6), *keystrokes(text[:call] + text[call + 6 :], call,
                                                                                "signIn")]
    typed(PATH, versions)


def test_a_function_inserted_before_another_shifts_it_and_is_found_itself():
    text = large_document()
    before = text.index("export async function login")
    logout = "export async function logout() {\n  await supabase.auth.signOut();\n}\n"
    analyses = typed(PATH, [text, *keystrokes(text, before, logout)])
    assert flows_of(analyses[-1]) == [("logout", "logout"), ("login", "login")]
    assert analyses[-1].flows[1].insert_line == analyses[0].flows[0].insert_line + 3


def test_random_edits_to_a_large_file_after_it_opened_match_a_cold_analysis():
    rng = random.Random(23)
    text = large_document(40, 40) + WEBHOOK
    versions = [text]
    for _ in range(40):
        versions.append(random_edit(rng, versions[-1]))
    typed("app/api/stripe/route.ts", versions)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_word_check_carried_over_from_the_last_version_equals_reading_the_whole_text(seed: int):
    rng = random.Random(seed)
    words = (b"invoice.paid", b"vitest", b"@playwright/test")
    text = large_document(30, 30)
    for step in range(120):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.5:
            piece = rng.choice(["invoice.paid", "invoice.", "paid", "vitest", "vi", "test", "x", "\n", "'"])
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + text[at + rng.randint(1, 8) :]
        doc = parse(text, "typescript", editing=True)
        assert doc is not None
        expected = any(w in doc.data for w in words)
        assert document_cache.contains_any(doc, words) is expected, step
        assert document_cache.contains_any(doc, words) is expected  # asked again for the same text


def test_query_captures_remembered_per_statement_equal_a_whole_document_query():
    rng = random.Random(7)
    source = local_routes._js_query()
    text = large_document(40, 40) + "router.post('/login', handle);\nrouter.get('/me', me);\n"
    for _ in range(40):
        text = random_edit(rng, text)
        doc = parse(text, "typescript", editing=True)
        assert doc is not None
        whole = QueryCursor(parsing.query("typescript", source)).captures(doc.root).get("n", [])
        remembered = document_cache.statement_captures(doc, source, "n")
        assert sorted((n.start_byte, n.end_byte, n.type) for n in remembered) == sorted(
            (n.start_byte, n.end_byte, n.type) for n in whole
        )


def test_functions_remembered_but_not_found_in_the_tree_are_built_afresh(monkeypatch: pytest.MonkeyPatch):
    vocab = load()
    text = large_document() + "router.post('/login', passport.authenticate('local'), (req, res) => res.end());\n"
    first = parse(text, "typescript", editing=True)
    assert first is not None
    extract_units(first, vocab, PATH)
    edited = text.replace("r * 7;", "r * 77;")
    doc = parse(edited, "typescript", editing=True)
    assert doc is not None

    def lost(*args, **kwargs):
        raise functions._Unresolved

    monkeypatch.setattr(functions, "_node_at", lost)  # no remembered node is where memory says
    units = extract_units(doc, vocab, PATH)
    assert any(isinstance(u, functions._RememberedUnit) for u in units)
    assert describe(units) == built_whole(edited, PATH, vocab)


def test_a_document_opened_in_an_editor_is_served_from_memory_from_its_first_keystroke(
    monkeypatch: pytest.MonkeyPatch,
):
    text = large_document(50, 50) + "// opened here\n"
    analyze_document(PATH, text, editing=True)
    built: list[str] = []
    original = functions._matches
    monkeypatch.setattr(functions, "_matches", lambda doc, within: built.append(within.type) or original(doc, within))
    second = text[:-1] + "x\n"  # typed into the comment at the end
    warm = analyze_document(PATH, second, editing=True)
    assert built == ["comment"]  # only the statement typed in is built again, not the whole file
    assert warm == cold(PATH, second) and LOGIN.splitlines()[0] in second
