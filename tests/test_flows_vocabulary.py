"""Detection knowledge is data: a new auth library, webhook type or event name is a skills/ edit, and the scan
prefilter keeps every file that holds a flow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lsp_server.analysis import vocabulary
from lsp_server.analysis.parsing import decode_source, language_for_path
from lsp_server.skills import bundled_skills_root
from tests.flows_support import APPS, flows_in_app, flows_in_source

ACME_LOGIN = """import { acme } from "@acme/auth";

export async function enter(email: string, password: string) {
  const session = await acme.portal.openSession(email, password);
  window.location.assign("/home");
}
"""


@pytest.fixture
def skills_copy(tmp_path: Path) -> Path:
    root = tmp_path / "skills"
    shutil.copytree(bundled_skills_root() / "detection", root / "detection")
    shutil.copytree(bundled_skills_root() / "events", root / "events")
    return root


def test_an_auth_library_added_to_flows_toml_is_detected_without_code_changes(skills_copy: Path):
    assert flows_in_source("src/auth.ts", ACME_LOGIN) == []
    with (skills_copy / "detection" / "flows.toml").open("a") as fh:
        fh.write('\n[[calls]]\nkind = "login"\ncallee = ["portal.openSession"]\nconfidence = 0.9\n')
    vocab = vocabulary.load(skills_copy)
    flows = flows_in_source("src/auth.ts", ACME_LOGIN, vocabulary=vocab)
    assert [(f.kind.value, f.symbol, f.event) for f in flows] == [("login", "enter", "user_logged_in")]
    assert flows[0].insert_line == 4  # before the navigation away
    assert vocab.prefilter.search(ACME_LOGIN)


def test_a_webhook_type_and_event_name_added_as_data_are_used(tmp_path: Path):
    source = """export async function POST(req: Request) {
  const event = await verify(req);
  switch (event.type) {
    case "refund.created":
      await markRefunded(event.data);
      break;
  }
}
"""
    assert flows_in_source("app/api/hooks/route.ts", source) == []
    (tmp_path / "detection").mkdir()
    (tmp_path / "events").mkdir()
    (tmp_path / "detection" / "flows.toml").write_text('[webhooks]\n"refund.created" = "payment_failed"\n')
    (tmp_path / "events" / "events.toml").write_text('[kinds]\npayment_failed = "payment_was_refunded"\n')
    flows = flows_in_source("app/api/hooks/route.ts", source, vocabulary=vocabulary.load(tmp_path))
    assert [(f.kind.value, f.event, f.insert_line) for f in flows] == [("payment_failed", "payment_was_refunded", 5)]
    assert vocabulary.load(tmp_path).events["login"] == "user_logged_in"  # the rest of the taxonomy is kept


def test_an_override_dir_merges_over_the_bundled_vocabulary(tmp_path: Path):
    (tmp_path / "detection").mkdir()
    (tmp_path / "detection" / "flows.toml").write_text(
        '[[calls]]\nkind = "logout"\ncallee = ["portal.closeSession"]\nconfidence = 0.9\n'
    )
    try:
        vocab = vocabulary.configure(tmp_path)
        assert vocabulary.load() is vocab
        flows = flows_in_source("src/a.ts", "export async function bye() { await acme.portal.closeSession() }\n")
        assert [f.kind.value for f in flows] == ["logout"]
        # the bundled rules are still there
        assert flows_in_source("src/b.ts", "export async function out() { await supabase.auth.signOut() }\n")
    finally:
        vocabulary.configure(None)
    assert flows_in_source("src/a.ts", "export async function bye() { await acme.portal.closeSession() }\n") == []


def test_every_flow_kind_has_an_event_name_from_the_taxonomy():
    vocab = vocabulary.load()
    assert {k.value: vocab.events[k.value] for k in vocab.kinds} == {
        "signup": "user_signed_up",
        "login": "user_logged_in",
        "logout": "user_logged_out",
        "password_reset": "password_reset_requested",
        "checkout_started": "checkout_started",
        "payment_succeeded": "payment_succeeded",
        "payment_failed": "payment_failed",
        "subscription_created": "subscription_created",
        "subscription_changed": "subscription_changed",
        "subscription_cancelled": "subscription_cancelled",
        "account_deleted": "account_deleted",
    }
    assert vocab.event_variants["password_reset_completed"] == "password_reset"


def test_a_broken_override_falls_back_to_the_bundled_vocabulary(tmp_path: Path):
    (tmp_path / "detection").mkdir()
    (tmp_path / "detection" / "flows.toml").write_text("this is [not toml")
    vocab = vocabulary.load(tmp_path)
    assert vocab.calls == vocabulary.load().calls


@pytest.mark.parametrize("app", sorted(p.name for p in APPS.iterdir() if p.is_dir()))
def test_prefilter_keeps_every_file_with_a_flow(app: str):
    vocab = vocabulary.load()
    for path in {key[0] for key in flows_in_app(app)}:
        text = decode_source((APPS / app / path).read_bytes()) or ""
        assert vocab.prefilter.search(text), path
        assert vocab.might_contain_flow(text), path


def test_prefilter_matches_posthog_usage_and_skips_unrelated_code():
    vocab = vocabulary.load()
    assert vocab.prefilter.search("const key = 'phc_abc123'")
    assert vocab.prefilter.search("import posthog from 'posthog-js'")
    unrelated = "export function add(a: number, b: number) {\n  return a + b;\n}\nconst xs = list.map((x) => x * 2);\n"
    assert vocab.prefilter.search(unrelated) is None
    assert not vocab.might_contain_flow(unrelated)


def test_prefilter_covers_every_strong_call_and_webhook_in_the_vocabulary():
    vocab = vocabulary.load()
    for rule in vocab.calls:
        if rule.role != "strong":
            continue
        for suffix in rule.suffixes:
            sample = f"await client.{suffix}(x)"
            if rule.args_re is not None or rule.requires_import is not None:
                continue  # these carry their own prefilter terms
            assert vocab.prefilter.search(sample), suffix
    for event_type in vocab.webhooks:
        assert vocab.prefilter.search(f"case '{event_type}':"), event_type


def test_every_fixture_file_is_valid_source():
    from lsp_server.analysis.parsing import parse

    for file in APPS.rglob("*"):
        language = language_for_path(file.name) if file.is_file() else None
        if language is None:
            continue
        doc = parse(file.read_text(), language)
        assert doc is not None and not doc.root.has_error, file
