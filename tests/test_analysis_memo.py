"""Typing in a large file re-analyses only the function being edited, and what the user sees (flows, PostHog calls,
diagnostics) is exactly what a cold analysis of the same text gives."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest
from tree_sitter import Node

from lsp_server.analysis import functions, parsing
from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.flows import detect_flows
from lsp_server.analysis.functions import Call, Unit, extract_units
from lsp_server.analysis.memo import BoundedMemo
from lsp_server.analysis.parsing import decode_source, language_for_path, parse
from lsp_server.analysis.vocabulary import Vocabulary, load
from tests.flows_support import APPS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(  # (path relative to its app, file)
    (f.relative_to(base).as_posix().split("/", 1)[1], f)
    for base in (APPS, ROOT / "skills" / "examples")
    for f in base.rglob("*")
    if f.is_file() and language_for_path(f.name) is not None and "node_modules" not in f.parts
)
SNIPPETS = [
    "x",
    "\n",
    "}",
    "{",
    "(",
    ")",
    "'",
    '"',
    "`",
    "é",
    "  ",
    "return 1;",
    "def f():\n    pass\n",
    "/*",
    "*/",
    "",
    "async ",
    "login",
    "await supabase.auth.signOut();",
    "\n\n",
    "'use server';\n",
    "# ",
    "// ",
]
LOGIN = """export async function login(formData: FormData) {
  const { data, error } = await supabase.auth.signInWithPassword({ email: String(formData.get('email')),
    password: String(formData.get('password')) });
  if (error) {
    return { error: error.message };
  }
  redirect('/dashboard');
}
"""
FILLER = """export function helper{i}(rows: number[]): number {{
  let total = 0;
  for (const r of rows) {{ total += r * {i}; }}
  return total;
}}
"""


def large_document(functions_before: int = 60, functions_after: int = 60, directive: str = "'use server';\n") -> str:
    before = "".join(FILLER.format(i=i) for i in range(functions_before))
    after = "".join(FILLER.format(i=i) for i in range(functions_before, functions_before + functions_after))
    return directive + "import { redirect } from 'next/navigation';\n\n" + before + LOGIN + after


def describe(units: list[Unit]) -> list[tuple]:
    """Every field of every unit, nodes as (kind, bytes, points), the parent as its index: comparable across trees."""
    index = {id(u): i for i, u in enumerate(units)}

    def value(v: object) -> object:
        if isinstance(v, Node):
            return (v.type, v.start_byte, v.end_byte, v.start_point, v.end_point)
        if isinstance(v, Unit):
            return ("unit", index[id(v)])
        if isinstance(v, Call):
            return tuple(value(getattr(v, f.name)) for f in dataclasses.fields(Call) if f.name != "_args")
        if isinstance(v, (list, tuple)):
            return tuple(value(x) for x in v)
        return v

    fields = [f.name for f in dataclasses.fields(Unit) if f.name != "inert"]  # a hint for the detector, not a property
    return [tuple(value(getattr(u, name)) for name in fields) for u in units]


def built_whole(text: str, path: str, vocab: Vocabulary) -> list[tuple]:
    """The units the one-query-over-the-whole-file path builds (no memory involved)."""
    doc = parse(text, language_for_path(path) or "typescript")
    assert doc is not None
    regular, bodiless = functions._build(
        doc,
        functions._matches(doc, doc.root),
        vocab,
        path,
        functions._file_route(path, vocab),
        functions._has_directive(doc, doc.root, vocab.side.get("server_directive", "use server")),
    )
    return describe(regular + bodiless)


def cold_analysis(path: str, text: str):
    saved = functions._memo
    functions._memo = BoundedMemo(max_entries=10, max_bytes=10)  # remembers nothing
    try:
        return analyze_document(path, text)
    finally:
        functions._memo = saved


def random_edit(rng: random.Random, text: str) -> str:
    if text and rng.random() < 0.25:  # move a block of lines: everything after it shifts
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        j = min(len(lines), i + rng.randint(1, 12))
        block = lines[i:j]
        del lines[i:j]
        k = rng.randrange(len(lines) + 1)
        lines[k:k] = block
        return "\n".join(lines)
    start = rng.randrange(len(text) + 1)
    end = min(len(text), start + rng.choice([0, 0, 1, 3, 25]))
    return text[:start] + rng.choice(SNIPPETS) + text[end:]


@pytest.fixture
def memo_for_every_size(monkeypatch):
    monkeypatch.setattr(functions, "_MEMO_MIN_BYTES", 0)  # the fixture files are small: remember them too
    monkeypatch.setattr(parsing, "_REUSE_MIN_BYTES", 0)
    monkeypatch.setattr(functions, "_memo", BoundedMemo(max_entries=50_000, max_bytes=16_000_000))


def test_random_edits_to_every_fixture_app_give_the_same_functions_and_diagnostics_as_a_cold_analysis(
    memo_for_every_size, monkeypatch
):
    vocab = load()
    rng = random.Random(20261123)
    reused: list[object] = []
    original = functions._from_template
    monkeypatch.setattr(functions, "_from_template", lambda *args: reused.append(original(*args)) or reused[-1])
    checked = 0
    for path, file in SOURCES:
        text = decode_source(file.read_bytes())
        assert text is not None
        analyze_document(path, text)
        for _ in range(6):
            text = random_edit(rng, text)
            warm = analyze_document(path, text)  # the memory holds the previous versions' statements
            doc = parse(text, language_for_path(path) or "python")
            assert doc is not None and doc.edited
            assert warm == cold_analysis(path, text), (path, text)
            assert describe(extract_units(doc, vocab, path)) == built_whole(text, path, vocab), (path, text)
            checked += 1
    assert checked == 6 * len(SOURCES) and len(SOURCES) > 60
    assert sum(made is not None for made in reused) > 1000  # served from memory: the comparisons mean something


def test_typing_anywhere_in_a_large_file_gives_the_flows_of_a_cold_analysis():
    path = "app/login/actions.ts"
    text = large_document()
    assert len(text.encode()) >= functions._MEMO_MIN_BYTES
    first = analyze_document(path, text)
    assert [f.kind.value for f in first.flows] == ["login"]
    rng = random.Random(5)
    for _ in range(40):
        text = random_edit(rng, text)
        assert analyze_document(path, text) == cold_analysis(path, text)
    # typing above the flow shifts every function below it: the flow moves with it
    text = large_document()
    shifted = "// a comment typed at the top\n" + text
    moved = analyze_document(path, shifted)
    assert moved == cold_analysis(path, shifted)
    assert [f.insert_line for f in moved.flows] == [f.insert_line + 1 for f in first.flows]


def test_an_edit_re_builds_only_the_function_being_typed_in():
    path = "app/login/actions.ts"
    text = large_document()
    analyze_document(path, text)
    for old, new in (("r * 1;", "r * 1 + 1;"), ("r * 61;", "r * 61 + 1;")):  # typing in helper1, then helper61
        text = text.replace(old, new)
        analyze_document(path, text)  # a statement is remembered once seen unchanged in two edited versions
    built: list[Node] = []
    original = functions._matches

    def counting(doc, within):
        built.append(within)
        return original(doc, within)

    functions._matches = counting
    try:
        edited = text.replace("r * 61 + 1;", "r * 61 + 12;")
        analysis = analyze_document(path, edited)
    finally:
        functions._matches = original
    assert [n.type for n in built] == ["export_statement"] and b"helper61" in (built[0].text or b"")
    assert analysis == cold_analysis(path, edited)


def test_adding_use_server_at_the_top_changes_the_functions_below_it():
    path = "lib/sessions.ts"
    body = "".join(FILLER.format(i=i) for i in range(80))
    action = "export async function logoutEverywhere() {\n  await db.sessions.deleteMany({});\n}\n"
    plain = body + action
    server = "'use server';\n" + plain
    assert len(plain.encode()) >= functions._MEMO_MIN_BYTES
    seen = []
    for text in (plain, server, plain, server):
        analysis = analyze_document(path, text)
        assert analysis == cold_analysis(path, text)
        seen.append([f.kind.value for f in analysis.flows])
    assert seen == [[], ["logout"], [], ["logout"]]  # a server action is a handler: its name is evidence enough


def test_the_same_function_in_a_route_file_and_a_library_file_is_not_mixed_up():
    handler = "export async function POST(req: Request) {\n  await supabase.auth.signOut();\n}\n"
    text = "".join(FILLER.format(i=i) for i in range(80)) + handler
    for path in ("app/api/logout/route.ts", "lib/logout.ts", "app/api/logout/route.ts"):
        assert analyze_document(path, text) == cold_analysis(path, text)
    route = analyze_document("app/api/logout/route.ts", text)
    assert [f.symbol for f in route.flows] == ["POST"]


def test_a_reloaded_vocabulary_is_never_served_units_built_with_the_old_one(tmp_path: Path):
    (tmp_path / "detection").mkdir()
    (tmp_path / "detection" / "flows.toml").write_text('[names]\nhandler_prefixes = ["helper"]\n')
    custom = load(tmp_path)
    text = large_document(directive="")
    doc = parse(text, "typescript")
    assert doc is not None
    default = load()
    extract_units(doc, default, "lib/a.ts")
    for vocab in (custom, default, custom):
        assert describe(extract_units(doc, vocab, "lib/a.ts")) == built_whole(text, "lib/a.ts", vocab)
    helpers = [u for u in extract_units(doc, custom, "lib/a.ts") if u.name.startswith("helper")]
    assert helpers and all(u.handler for u in helpers)  # the new prefix made them handlers
    assert not any(u.handler for u in extract_units(doc, default, "lib/a.ts") if u.name.startswith("helper"))


def test_the_memory_stays_within_its_bounds():
    memo: BoundedMemo[int] = BoundedMemo(max_entries=3, max_bytes=100)
    for i in range(10):
        memo.put(i, i, 30)
        assert len(memo) <= 3 and memo.size_bytes <= 100
    assert memo.get(9) == 9 and memo.get(0) is None
    memo.put("huge", 1, 1000)  # larger than the whole memory: not kept, nothing evicted for it
    assert memo.get("huge") is None and memo.get(9) == 9
    memo.get(7)
    memo.put("new", 0, 30)
    assert memo.get(7) == 7 and memo.get(8) is None  # least recently used goes first
    bounded = functions._memo
    for i in range(3):
        text = large_document(40 + i, 40)
        analyze_document(f"lib/f{i}.ts", text)
    assert bounded.size_bytes <= bounded.max_bytes and len(bounded) <= bounded.max_entries


def test_a_route_handled_by_middleware_only_keeps_its_place_among_the_functions():
    path = "src/routes/auth.js"
    route = "router.get('/items/{i}', async (req, res) => {{\n  res.json({{ id: {i} }});\n}});\n"
    routes = "".join(route.format(i=i) for i in range(60))
    login = "router.post('/login', passport.authenticate('local', { failureRedirect: '/login' }));\n"
    register = "router.post('/register', async (req, res) => {\n  await User.create(req.body);\n  res.json({});\n});\n"
    text = "const passport = require('passport');\n" + routes + login + register + routes
    vocab = load()
    for version in (text, text.replace("id: 3 ", "id: 33 "), "\n" + text):
        doc = parse(version, "javascript")
        assert doc is not None
        units = extract_units(doc, vocab, path)
        assert describe(units) == built_whole(version, path, vocab)
        assert units[-1].symbol == "POST /login"
        assert analyze_document(path, version) == cold_analysis(path, version)


def test_only_a_document_being_typed_in_is_remembered():
    text = large_document(70, 70) + "// only in this test\n"
    first = parse(text, "typescript")
    assert first is not None and not first.edited  # read once (a workspace scan): built whole, nothing kept
    size = len(functions._memo)
    extract_units(first, load(), "lib/once.ts")
    assert len(functions._memo) == size
    typed = parse(text.replace("r * 5;", "r * 55;"), "typescript")
    assert typed is not None and typed.edited
    extract_units(typed, load(), "lib/once.ts")
    assert len(functions._memo) > size


def test_a_flow_name_added_to_the_vocabulary_is_recognised_at_once(tmp_path: Path):
    (tmp_path / "detection").mkdir()
    (tmp_path / "detection" / "flows.toml").write_text('[kinds.logout]\nnames = ["zap everything"]\n')
    custom, default = load(tmp_path), load()
    source = large_document() + "export async function zapEverything() {\n  await db.sessions.deleteMany({});\n}\n"
    doc = parse(source, "typescript")
    assert doc is not None
    found = []
    for vocab in (default, custom, default, custom):
        found.append(sorted(f.symbol for f in detect_flows(doc, "app/actions.ts", vocabulary=vocab)))
    assert found == [["login"], ["login", "zapEverything"], ["login"], ["login", "zapEverything"]]
