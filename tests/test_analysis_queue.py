"""While the user types fast, the server analyses each file one version at a time and skips versions nobody waits
for any more; every request still gets the analysis of exactly the version it asked about."""

from __future__ import annotations

import asyncio
import threading

from lsprotocol import types
from pygls.workspace import Workspace

from lsp_server.features import session
from lsp_server.features.session import PosthogServer

LOGIN = "export async function login() {{\n  await supabase.auth.signInWithPassword({{ email }});\n}}\n// {}\n"


def _server(tmp_path) -> tuple[PosthogServer, list[int], threading.Event]:
    ls = PosthogServer("posthog-lsp-test", "0")
    ls.protocol._workspace = Workspace(tmp_path.as_uri())
    analysed: list[int] = []
    gate = threading.Event()
    original = session._analyze

    def slow(snap, package, settings, *rest):  # the first analysis takes a while: versions pile up behind it
        analysed.append(snap.version)
        gate.wait(5)
        return original(snap, package, settings, *rest)

    session._analyze = slow
    return ls, analysed, gate


def _type(ls: PosthogServer, uri: str, version: int) -> None:
    ls.workspace.update_text_document(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        types.TextDocumentContentChangeWholeDocument(text=LOGIN.format(version)),
    )


async def test_versions_typed_over_while_an_analysis_runs_are_never_analysed(tmp_path):
    original = session._analyze
    ls, analysed, gate = _server(tmp_path)
    try:
        uri = (tmp_path / "actions.ts").as_uri()
        ls.workspace.put_text_document(types.TextDocumentItem(uri, "typescript", 1, LOGIN.format(1)))
        first = asyncio.ensure_future(ls.analyze(ls.snapshot(uri)))
        await asyncio.sleep(0.05)
        debounced = []
        for version in range(2, 6):  # each keystroke cancels the previous one's wait, as the debounce does
            _type(ls, uri, version)
            for task in debounced:
                task.cancel()
            debounced.append(asyncio.ensure_future(ls.analyze(ls.snapshot(uri))))
            await asyncio.sleep(0.01)
        gate.set()
        newest = await debounced[-1]
        assert (await first).path == "actions.ts" and [f.kind.value for f in newest.flows] == ["login"]
        assert analysed == [1, 5]  # versions 2-4 were typed over before their turn came
    finally:
        session._analyze = original


async def test_a_version_someone_still_waits_for_is_analysed_exactly(tmp_path):
    original = session._analyze
    ls, analysed, gate = _server(tmp_path)
    try:
        uri = (tmp_path / "actions.ts").as_uri()
        ls.workspace.put_text_document(types.TextDocumentItem(uri, "typescript", 1, LOGIN.format(1)))
        first = asyncio.ensure_future(ls.analyze(ls.snapshot(uri)))
        await asyncio.sleep(0.05)
        _type(ls, uri, 2)
        waiting = asyncio.ensure_future(ls.analyze(ls.snapshot(uri)))  # e.g. a code action for version 2
        await asyncio.sleep(0.01)
        _type(ls, uri, 3)
        latest = asyncio.ensure_future(ls.analyze(ls.snapshot(uri)))
        gate.set()
        await asyncio.gather(first, waiting, latest)
        assert analysed == [1, 2, 3]
        assert waiting.result().flows[0].path == latest.result().flows[0].path == "actions.ts"
    finally:
        session._analyze = original
