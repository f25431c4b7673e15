"""The real-world accuracy harness (bench/eval_realworld.py) scores labelled folders correctly."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOGIN_ACTION = """'use server';
import { createClient } from '@/utils/supabase/server';
import { redirect } from 'next/navigation';

export async function signInAction(formData: FormData) {
  const supabase = await createClient();
  const { data, error } = await supabase.auth.signInWithPassword({
    email: String(formData.get('email')),
    password: String(formData.get('password')),
  });
  if (error) {
    return { error: error.message };
  }
  redirect('/dashboard');
}
"""

CYPRESS_COMMAND = """Cypress.Commands.add('login', (email, password) => {
  cy.visit('/login');
  cy.get('#email').type(email);
  cy.get('#password').type(password);
});
"""


def _harness():
    spec = importlib.util.spec_from_file_location("eval_realworld", ROOT / "bench" / "eval_realworld.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_realworld"] = module
    spec.loader.exec_module(module)
    return module


def _folder(tmp_path: Path, labels: list[dict]) -> Path:
    files = {
        "acme__shop/app/login/actions.ts": LOGIN_ACTION,
        "acme__shop/cypress/support/commands.js": CYPRESS_COMMAND,
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    return tmp_path


def test_a_correctly_labelled_login_counts_as_found_and_the_cypress_command_as_nothing(tmp_path):
    harness = _harness()
    labels = [
        {
            "file": "acme__shop/app/login/actions.ts",
            "flows": [{"kind": "login", "symbol": "signInAction"}],
            "identify_expected": True,
        },
        {"file": "acme__shop/cypress/support/commands.js", "flows": [], "identify_expected": False},
    ]
    folder = _folder(tmp_path, labels)
    results, extra = harness.evaluate(folder, labels)
    summary = harness.summarise(results, labels, extra)
    assert summary["flows"]["tp"] == 1 and summary["flows"]["fp"] == 0 and summary["flows"]["fn"] == 0
    assert summary["symbol_agreement"] == (1, 1)
    assert summary["identify"]["tp"] == 1 and summary["identify"]["fp"] == 0


def test_a_wrong_label_shows_up_as_one_miss_and_one_false_positive(tmp_path):
    harness = _harness()
    labels = [
        {
            "file": "acme__shop/app/login/actions.ts",
            "flows": [{"kind": "signup", "symbol": "signInAction"}],
            "identify_expected": False,
        },
        {"file": "acme__shop/cypress/support/commands.js", "flows": [], "identify_expected": False},
    ]
    folder = _folder(tmp_path, labels)
    results, extra = harness.evaluate(folder, labels)
    summary = harness.summarise(results, labels, extra)
    assert summary["per_kind"]["signup"]["fn"] == 1
    assert summary["per_kind"]["login"]["fp"] == 1
    assert summary["identify"]["fp"] == 1  # the login still warns about identify


def test_an_optional_label_is_neither_a_miss_nor_a_false_positive(tmp_path):
    harness = _harness()
    labels = [
        {
            "file": "acme__shop/app/login/actions.ts",
            "flows": [
                {"kind": "login", "symbol": "signInAction", "optional": True},
                {"kind": "logout", "symbol": "signOutAction", "optional": True},
            ],
            "identify_expected": True,
        },
    ]
    folder = _folder(tmp_path, labels)
    results, extra = harness.evaluate(folder, labels)
    summary = harness.summarise(results, labels, extra)
    assert summary["flows"] == {"tp": 0, "fp": 0, "fn": 0, "prf": (1.0, 1.0, 1.0)}


def test_the_repository_prefix_is_stripped_so_path_rules_see_the_real_path():
    harness = _harness()
    assert harness.repo_path("acme__shop/cypress/support/commands.js") == "cypress/support/commands.js"
    assert harness.repo_path("plain/dir/file.py") == "plain/dir/file.py"
