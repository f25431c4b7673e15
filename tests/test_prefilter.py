"""The scan's prefilter: which files a workspace scan parses at all.

What the user notices: a scan of a large repository finds every flow (no file holding one is skipped) and spends
its time only on files that can hold one: a flow word inside another word (`catalogInventory` holds "logIn")
does not select a file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lsp_server.analysis import prefilter as prefilter_module
from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.parsing import EXTENSIONS
from lsp_server.analysis.prefilter import Prefilter, PrefilterSet, default_prefilter, prefilter_for, token_pattern
from lsp_server.analysis.scan import scan
from lsp_server.analysis.vocabulary import load

REPO = Path(__file__).resolve().parent.parent

SELECTED = [
    "function handleLogin(e) {}",
    "def login_user(request):",
    "LOGIN_URL = '/accounts/login/'",
    "fetch('/auth/login', { method: 'POST' })",
    "await supabase.auth.signInWithPassword({ email, password })",
    "export const APILogin = () => null",
    "router.post('/log-in', handler)",
    "const Login2 = () => null",
    "async def log_in(user):",
    "class SignUpView(View):",
    "stripe?.paymentIntents\n    .create({ amount })",  # the callee the detector sees: stripe.paymentIntents.create
    "case 'invoice.payment_failed':",
    '@Delete("me")\nasync leave() {}',
    "import posthog from 'posthog-js'",
    "const key = 'phc_abc123'",
]
SKIPPED = [
    "const catalogInventory = loadCatalogInventory(store)",
    "export function blogIndex() { return dialogInput }",
    "const logins = [] // counted elsewhere",
    "if (!ok) return res.status(401).json({ error: 'unauthorized' })",
    "const intents = await stripe.paymentIntents.list()",
    "export function add(a: number, b: number) {\n  return a + b;\n}\n",
]


@pytest.mark.parametrize("text", SELECTED)
def test_flow_words_select_a_file_in_every_spelling_code_uses(text: str):
    assert default_prefilter().search(text.encode())
    assert load().might_contain_flow(text)


@pytest.mark.parametrize("text", SKIPPED)
def test_flow_words_inside_other_words_do_not_select_a_file(text: str):
    assert not default_prefilter().search(text.encode())
    assert not load().might_contain_flow(text)


def test_re2_and_pythons_re_agree_on_the_pattern():
    """The scan runs the pattern on RE2; tests and callers without RE2 run it on Python's re."""
    prefilter = default_prefilter()
    assert prefilter.engine == "re2"
    python = re.compile(prefilter.pattern.encode())
    for text in [*SELECTED, *SKIPPED, "loginuser", "sign_in_with_password", "HTTPLogin", "xLOGIN"]:
        assert prefilter.search(text.encode()) == (python.search(text.encode()) is not None), text


def test_without_re2_the_scan_selects_the_same_files(monkeypatch: pytest.MonkeyPatch):
    """Where google-re2 has no wheel, Python's re answers the same, through the coarse pattern first."""
    vocab = load()
    with_re2 = Prefilter(vocab.prefilter_source)
    monkeypatch.setattr(prefilter_module, "_re2_module", lambda: None)
    without = Prefilter(vocab.prefilter_source, 0, vocab.prefilter_coarse)
    assert (with_re2.engine, without.engine) == ("re2", "re-two-stage")
    texts = [*SELECTED, *SKIPPED, "xx catalogInvoice.paid", "relogin(); sign_in_with_password()", "catalogIn"]
    texts += [p.read_text() for p in sorted((REPO / "tests" / "fixtures").rglob("*.ts"))[:40]]
    for text in texts:
        assert without.search(text.encode()) == with_re2.search(text.encode()), text[:80]


def test_one_pass_over_a_file_answers_every_question_of_the_scan(monkeypatch: pytest.MonkeyPatch):
    """The scan asks "could it hold a flow?" and "does it register routes?" in one RE2 pass, with the same answers
    as asking each prefilter on its own (with or without RE2)."""
    prefilters = [default_prefilter(), prefilter_for(r"\.post\(['\"]"), prefilter_for(r"from '\./")]
    together = PrefilterSet(prefilters)
    assert together.engine == "re2-set"
    texts = [*SELECTED, *SKIPPED, "router.post('/register', create)\nimport x from './x'", "app.post(\"/a\")", ""]
    for text in texts:
        data = text.encode()
        assert together.search(data) == tuple(i for i, p in enumerate(prefilters) if p.search(data)), text
    monkeypatch.setattr(prefilter_module, "_re2_module", lambda: None)
    assert PrefilterSet(prefilters).engine == "separate"
    assert PrefilterSet(prefilters).search(b"router.post('/login', h)") == (0, 1)


def test_a_word_that_ends_early_still_lets_a_longer_word_through():
    prefilter = Prefilter(token_pattern({("login",), ("login", "user")}))
    assert prefilter.search(b"def loginuser():")  # compact spelling of "login user"
    assert prefilter.search(b"loginUser()") and prefilter.search(b"login")
    assert not prefilter.search(b"loginx()") and not prefilter.search(b"relogin")


def test_no_terms_match_nothing():
    prefilter = Prefilter(token_pattern(set()))
    assert not prefilter.search(b"login posthog") and not prefilter.search(b"")


def test_a_scan_parses_the_login_file_and_not_the_catalog(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "catalog.ts").write_text(
        "export function useCatalogInventory(store) {\n  return store.catalogInventory.filter(Boolean)\n}\n")
    (tmp_path / "src" / "session.ts").write_text(
        "export async function handleLogin(email: string, password: string) {\n"
        "  const { data } = await supabase.auth.signInWithPassword({ email, password })\n  return data.user\n}\n")
    result = scan(tmp_path)
    assert result.files_seen == 2
    assert [d.path for d in result.documents] == ["src/session.ts"]
    assert [f.kind.value for f in result.documents[0].flows] == ["login"]


@pytest.mark.parametrize("folder", ["tests/fixtures", "skills/examples"])
def test_every_file_holding_a_flow_passes_the_prefilter(folder: str):
    """What the scan would skip (its text and its path fail the prefilter) must hold no flow."""
    prefilter, root = default_prefilter(), REPO / folder
    skipped_with_flows = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() not in EXTENSIONS or "node_modules" in path.parts or not path.is_file():
            continue
        rel, data = path.relative_to(root).as_posix(), path.read_bytes()
        if prefilter.search(data) or prefilter.search(rel.encode()):
            continue
        if analyze_document(rel, data.decode("utf-8", "replace")).flows:
            skipped_with_flows.append(rel)
    assert skipped_with_flows == []


def test_a_bad_regex_in_a_workspace_override_costs_only_that_regex(tmp_path: Path):
    (tmp_path / "detection").mkdir()
    (tmp_path / "detection" / "flows.toml").write_text("[prefilter]\nregex = ['bad([', 'acme_?auth\\.go']\n")
    vocab = load(tmp_path)
    assert prefilter_for(vocab.prefilter_source).engine == "re2"
    assert vocab.might_contain_flow("function handleLogin() {}")
    assert vocab.might_contain_flow("await acmeAuth.go()")
    assert not vocab.might_contain_flow("const catalogInventory = []")
