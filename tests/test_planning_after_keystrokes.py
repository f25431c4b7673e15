"""A code action right after a keystroke plans with the file's style and PostHog client exactly as a cold look at
the file would: what the planner remembers between versions (the style read from the file's start) and the checks
it skips (no `posthog` anywhere: no client to find) never change the edit."""

from __future__ import annotations

import random

from lsp_server.analysis.parsing import parse
from lsp_server.edits import code_scan, planner
from lsp_server.edits.text_style import detect_style

HEAD = """'use server';
import { redirect } from "next/navigation"
import { db } from './db'

"""
FILLER = """export function helper{i}(rows: number[]): number {{
    let total = 0;
    for (const r of rows) {{ total += r * {i}; }}
    return total
}}
"""
EDITS = ["'", '"', ";", "\n", "  ", "\t", "\r\n", "x", "}", "{", "import x from 'y'\n", "const s = \"a\";\n", "é", ""]


def _random_edit(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1) if rng.random() < 0.5 else rng.randrange(min(len(text), 20_000) + 1)
    end = min(len(text), at + rng.choice([0, 0, 1, 4]))
    return text[:at] + rng.choice(EDITS) + text[end:]


def test_style_read_after_each_keystroke_is_the_style_of_the_whole_text():
    rng = random.Random(11)
    text = HEAD + "".join(FILLER.format(i=i) for i in range(130))  # the sample ends inside a statement
    planner._styles.clear()
    remembered = 0
    for _ in range(40):
        text = _random_edit(rng, text)
        doc = parse(text.replace("\r\n", "\n"), "typescript")
        before = len(planner._styles)
        assert planner._style(text, "typescript", doc) == detect_style(text, "typescript", doc), text[:400]
        remembered += len(planner._styles) == before
    assert remembered > 12  # most keystrokes were answered from memory: the comparison means something


def test_style_of_a_file_whose_start_changes_is_read_again():
    tagged = FILLER.replace("let total", 'const tag = "h"\n    let total')
    double = HEAD + "".join(tagged.format(i=i) for i in range(150))
    single = double.replace('"', "'").replace("return total\n", "return total;\n")
    styles = []
    for text in (double, single):
        doc = parse(text, "typescript")
        styles.append(planner._style(text, "typescript", doc))
        assert styles[-1] == detect_style(text, "typescript", doc)
    assert (styles[0].quote, styles[1].quote) == ('"', "'")


def test_a_js_file_without_posthog_has_no_client_and_one_with_it_is_still_found():
    for text in (
        "const x = 1;\n" * 50,
        "import posthog from '../lib/posthog'\n",
        "const client = new PostHog(key)\n",
        "const ph = await getPostHogClient()\n",
        "import { PostHogClient as phc } from './ph'\n",
        "const { posthogServer } = require('./analytics')\n",
        "import poſthog from './x'\n",  # re.I folds ſ to s: the guard must too
        "import { usePostHog } from 'posthog-js/react'\nconst ph = usePostHog()\n",
    ):
        assert planner._server_receiver(text, "typescript") == code_scan.server_receiver(text, "typescript"), text
        assert planner._client_receiver(text) == code_scan.client_receiver(text), text
