"""The detector never raises: half-typed code, broken syntax, deep nesting, odd encodings and huge files yield
fewer flows, not errors."""

from __future__ import annotations

import random

import pytest

from lsp_server.analysis.flows import detect_flows
from lsp_server.analysis.parsing import parse
from tests.flows_support import APPS, flows_in_source

LOGIN_TS = (APPS / "nextjs-app-router" / "app/login/actions.ts").read_text()
VIEWS_PY = (APPS / "django" / "accounts/views.py").read_text()


@pytest.mark.parametrize(("path", "source"), [("app/login/actions.ts", LOGIN_TS), ("accounts/views.py", VIEWS_PY)])
def test_every_prefix_of_a_file_being_typed_is_analysed_without_errors(path: str, source: str, caplog):
    for cut in range(0, len(source), 13):
        flows_in_source(path, source[:cut])
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # no internal error was swallowed


@pytest.mark.parametrize(("path", "source"), [("app/login/actions.ts", LOGIN_TS), ("accounts/views.py", VIEWS_PY)])
def test_random_edits_never_raise(path: str, source: str, caplog):
    rng = random.Random(7)
    junk = ["{", "}", "(", ")", "'", '"', "`", ":", "\n", "    ", "if", "case", "=>", "\\", "\x00", "é", "🙂"]
    for _ in range(80):
        text = list(source)
        for _ in range(rng.randint(1, 8)):
            text.insert(rng.randrange(len(text) + 1), rng.choice(junk))
        flows_in_source(path, "".join(text))
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_half_typed_login_handler_still_finds_the_flow():
    source = """export async function handleLogin(email, password) {
  const { data, error } = await supabase.auth.signInWithPassword({ email, password })
  if (error) {
"""
    flows = flows_in_source("src/auth.ts", source)
    assert [f.kind.value for f in flows] == ["login"]


def test_deep_nesting_is_handled():
    depth = 400
    source = "function f() {\n" + "if (x) {\n" * depth + "signOut();\n" + "}\n" * depth + "}\n"
    flows = flows_in_source("src/deep.js", source)
    assert [f.kind.value for f in flows] == ["logout"]
    py = "def logout_view(request):\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(90))
    py += "    " * 91 + "logout(request)\n"
    flows_in_source("app/views.py", "from django.contrib.auth import logout\n" + py)


def test_non_ascii_text_keeps_columns_in_characters():
    source = "// café ☕ 🙂\nexport async function handleLogout() {\n  await supabase.auth.signOut(); // été\n}\n"
    flows = flows_in_source("src/a.ts", source)
    assert flows[0].anchor is not None and flows[0].anchor.end_col == len("  await supabase.auth.signOut();")


def test_a_detector_bug_costs_flows_not_the_caller(monkeypatch):
    from lsp_server.analysis import flows as module

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(module, "extract_units", boom)
    doc = parse(LOGIN_TS, "typescript")
    assert doc is not None
    assert detect_flows(doc, "app/login/actions.ts") == []


def test_windows_paths_and_empty_files_are_fine():
    doc = parse("", "typescript")
    assert doc is not None
    assert detect_flows(doc, "src\\empty.ts") == []
    doc = parse(LOGIN_TS, "typescript")
    assert doc is not None
    assert {f.path for f in detect_flows(doc, "app\\login\\actions.ts")} == {"app/login/actions.ts"}
