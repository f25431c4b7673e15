"""Typing in a file with many flows reuses each untouched flow's user id from the last keystroke (user_ids.resolve's
memo), and what the user sees is exactly what a cold analysis of the same text gives: typing inside one flow, between
flows, adding an import that changes every flow's id field, renaming the variable a flow's id is read from."""

from __future__ import annotations

import random

import pytest

from lsp_server.analysis import document_cache, functions, user_ids
from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.memo import BoundedMemo
from tests.test_keystroke_caches import backspaces, cold, keystrokes

PATH = "server/routes/app.ts"
HEAD = """import express from 'express';
import { redirect } from 'next/navigation';
import { supabase } from './db';
import { stripe } from './stripe';
import { getCurrentUser, requireAuth } from './session';
const router = express.Router();
"""
FLOWS = [
    """export async function logIn{i}(formData: FormData) {{
  const {{ data, error }} = await supabase.auth.signInWithPassword({{ email: String(formData.get('email')),
    password: String(formData.get('password')) }});
  if (error) {{
    return {{ error: error.message }};
  }}
  redirect('/dashboard');
}}
""",
    """export async function cancelSubscription{i}(req: Request, res: Response) {{
  const user = await getCurrentUser(req);
  const subscription = await stripe.subscriptions.cancel(user.subscriptionId);
  res.json({{ status: subscription.status }});
}}
""",
    """export async function deleteAccount{i}(req: Request, res: Response) {{
  const userId = req.session.userId;
  await db.user.delete({{ where: {{ id: userId }} }});
  req.session.destroy(() => res.redirect('/'));
}}
""",
    """export async function signOut{i}(req: Request, res: Response) {{
  await supabase.auth.signOut();
  res.redirect('/');
}}
""",
]
FILLER = """export function helper{i}(rows: number[]): number {{
  let total = 0;
  for (const r of rows) {{ total += r * {i}; }}
  return total;
}}
"""


def dense(flows: int = 12) -> str:
    parts = [HEAD]
    for n in range(flows):
        parts.append(FLOWS[n % len(FLOWS)].format(i=n))
        parts.extend(FILLER.format(i=n * 3 + k) for k in range(3))
    return "\n".join(parts)


def cold_all(path: str, text: str):
    """A cold analysis that also forgets the remembered user ids and whole-file answers."""
    saved = user_ids._resolved
    user_ids._resolved = BoundedMemo(max_entries=10, max_bytes=10)
    user_ids._local.answers = None
    try:
        return cold(path, text)
    finally:
        user_ids._resolved = saved


def typed(texts: list[str], path: str = PATH) -> list:
    """Each version analysed as the server does (opened, then typed in), checked against a cold analysis."""
    out = []
    for i, text in enumerate(texts):
        warm = analyze_document(path, text, editing=True)
        assert warm == cold_all(path, text), (i, text[-300:])
        out.append(warm)
    return out


def ids(analysis) -> dict[str, str | None]:
    return {f.symbol: f.user_id_expr for f in analysis.flows}


def test_typing_inside_one_flow_changes_only_that_flow_and_matches_a_cold_analysis():
    text = dense()
    at = text.index("  res.json({ status: subscription.status });")
    line = "const u = user;\n"
    versions = [text, *keystrokes(text, at, line), *backspaces(text[:at] + line + text[at:], at + len(line), len(line))]
    analyses = typed(versions)
    assert ids(analyses[0])["cancelSubscription1"] == "user.id"
    assert ids(analyses[-1]) == ids(analyses[0])


def test_typing_between_flows_keeps_every_flow_and_its_user_id():
    text = dense()
    at = text.index("export function helper7(")
    analyses = typed([text, *keystrokes(text, at, "// a note between flows\n")])
    assert len(analyses[0].flows) == 12
    assert ids(analyses[-1]) == ids(analyses[0])
    assert [f.insert_line for f in analyses[-1].flows][-1] == analyses[0].flows[-1].insert_line + 1


def test_an_import_typed_at_the_top_that_changes_the_id_field_changes_every_flow_id():
    text = dense()
    firebase = "import { getAuth } from 'firebase/auth';\n"
    analyses = typed([text, *keystrokes(text, 0, firebase), *backspaces(firebase + text, len(firebase), len(firebase))])
    assert ids(analyses[0])["cancelSubscription1"] == "user.id"
    assert ids(analyses[len(firebase)])["cancelSubscription1"] == "user.uid"  # Firebase users have `uid`
    assert ids(analyses[-1]) == ids(analyses[0])


def test_removing_the_only_session_key_elsewhere_in_the_file_changes_flows_that_read_it():
    text = dense(8)
    first = text.index("req.session.userId")
    last = text.rindex("req.session.userId")
    assert first != last
    # both session reads edited away one keystroke at a time, then typed back
    edited = text[:last] + "req.sess.userId" + text[last + len("req.session.userId"):]
    edited = edited[:first] + "req.sess.userId" + edited[first + len("req.session.userId"):]
    versions = [text, edited, text]
    analyses = typed(versions)
    assert ids(analyses[1]) != ids(analyses[0])
    assert ids(analyses[2]) == ids(analyses[0])


def test_renaming_the_variable_a_flow_reads_the_id_from_follows_each_keystroke():
    text = dense()
    start = text.index("export async function cancelSubscription5")
    end = text.index("}\n", start) + 2
    fn = text[start:end]
    renamed = fn.replace("user", "account")
    versions = [text]
    for i in range(1, len(fn) + 1):  # the new text typed over the old one, a character at a time
        if renamed[:i] != fn[:i]:
            versions.append(text[:start] + renamed[:i] + fn[i:] + text[end:])
    versions.append(text[:start] + renamed + text[end:])
    analyses = typed(versions[:: max(1, len(versions) // 30)] + versions[-1:])
    assert ids(analyses[0])["cancelSubscription5"] == "user.id"
    assert ids(analyses[-1]).get("cancelSubscription5") != "user.id"


@pytest.mark.parametrize("seed", [5, 6])
def test_random_edits_to_a_flow_dense_file_match_a_cold_analysis(seed: int):
    rng = random.Random(seed)
    text = dense()
    pieces = ["user", "req.session.userId", "import { x } from 'firebase/auth';\n", "}", "{", "\n", "const ", "id"]
    versions = [text]
    for _ in range(30):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.6:
            text = text[:at] + rng.choice(pieces) + text[at:]
        else:
            text = text[:at] + text[at + rng.randint(1, 12) :]
        versions.append(text)
    typed(versions)


def test_an_untouched_flow_is_not_resolved_again_while_typing_elsewhere(monkeypatch: pytest.MonkeyPatch):
    text = dense()
    analyze_document(PATH, text, editing=True)
    resolved: list[str] = []
    original = user_ids._resolve
    monkeypatch.setattr(user_ids, "_resolve", lambda doc, vocab, unit, *rest: resolved.append(unit.name) or original(
        doc, vocab, unit, *rest))
    at = text.index("  res.json({ status: subscription.status });")
    second = text[:at] + "  //\n" + text[at:]
    warm = analyze_document(PATH, second, editing=True)
    assert resolved == ["cancelSubscription1"]  # only the flow typed in
    assert warm == cold_all(PATH, second)
    assert functions._memo is not None and document_cache._words is not None
