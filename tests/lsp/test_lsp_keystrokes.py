"""Typing in a large file over LSP (incremental didChange, one character at a time): the squiggles of every checked
version are exactly those a freshly opened copy of the same text gets, although the server reuses the previous
keystroke's work (remembered functions, whole-text checks carried over)."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import diagnostics_at, edit_doc, initialize, open_doc, write
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.test_analysis_memo import FILLER
from tests.test_keystroke_caches import WEBHOOK

ROUTE = "app/api/stripe/route.ts"
MARKER = "import { test } from '@playwright/test';\n"


def _position(text: str, offset: int) -> types.Position:
    before = text[:offset]
    return types.Position(before.count("\n"), offset - (before.rfind("\n") + 1))  # ASCII text: code points = units


def _insert(text: str, offset: int, piece: str) -> tuple[str, types.TextEdit]:
    at = _position(text, offset)
    return text[:offset] + piece + text[offset:], types.TextEdit(range=types.Range(at, at), new_text=piece)


def _delete(text: str, offset: int) -> tuple[str, types.TextEdit]:
    """The character before `offset` deleted (a backspace)."""
    rng = types.Range(_position(text, offset - 1), _position(text, offset))
    return text[: offset - 1] + text[offset:], types.TextEdit(range=rng, new_text="")


def _seen(diagnostics: list[types.Diagnostic]) -> list[tuple]:
    return sorted((str(d.code), d.range.start.line, d.range.end.line, d.message) for d in diagnostics)


async def test_each_keystroke_in_a_large_file_gets_the_squiggles_of_a_freshly_opened_copy(
    client: LanguageClient, tmp_path: Path
):
    root = tmp_path / "app"
    text = "".join(FILLER.format(i=i) for i in range(150)) + WEBHOOK
    write(root, "package.json", '{"dependencies": {"next": "15.3.0", "posthog-node": "5.0.0"}}')
    uri = write(root, ROUTE, text)
    await initialize(client, root)
    open_doc(client, uri, text)
    version = 1
    first = await diagnostics_at(client, uri, version)
    assert "posthog/untracked-flow" in [d.code for d in first]
    copies = 0

    async def check(expect_flow: bool) -> None:
        nonlocal copies
        copies += 1
        copy = write(root, f"copy{copies}/{ROUTE}", text)  # not a route of this app: same findings, nothing shared
        open_doc(client, copy, text)
        typed, fresh = await diagnostics_at(client, uri, version), await diagnostics_at(client, copy, 1)
        assert _seen(typed) == _seen(fresh)
        assert ("posthog/untracked-flow" in [d.code for d in typed]) is expect_flow

    word_end = text.index("invoice.paid") + len("invoice.paid")
    for offset in range(word_end, word_end - 3, -1):  # backspace 'aid': 'invoice.' is no webhook type
        text, change = _delete(text, offset)
        version += 1
        edit_doc(client, uri, version, [change])
    await check(expect_flow=False)
    for i, ch in enumerate("aid"):  # typed back
        text, change = _insert(text, word_end - 3 + i, ch)
        version += 1
        edit_doc(client, uri, version, [change])
    await check(expect_flow=True)
    for i, ch in enumerate(MARKER):  # a Playwright import typed at the top: a test file has no flows
        text, change = _insert(text, i, ch)
        version += 1
        edit_doc(client, uri, version, [change])
        if ch == "\n":
            await check(expect_flow=False)
    before = text.index("async function onPaid")  # a new function typed in before another
    for i, ch in enumerate("function f() {}\n"):
        text, change = _insert(text, before + i, ch)
        version += 1
        edit_doc(client, uri, version, [change])
    await check(expect_flow=False)
    for offset in range(len(MARKER), 0, -1):  # the import deleted again: the flow is back, below the new function
        text, change = _delete(text, offset)
        version += 1
        edit_doc(client, uri, version, [change])
    await check(expect_flow=True)
