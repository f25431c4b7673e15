"""LSP latency over stdio: start-up, didChange → publishDiagnostics, codeAction (p50/p99).

    python bench/lsp_latency.py [--rounds 200] [--lines 2000]

Starts `python -m lsp_server` as an editor would, opens a generated ~2,000-line TypeScript file with a
login server action in the middle, then times edits and code-action requests. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

FLOW = """export async function login(formData: FormData) {
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


def make_document(lines: int) -> str:
    parts = ["'use server';", "import { redirect } from 'next/navigation';", "import { supabase } from './db';", ""]
    i = 0
    while sum(p.count("\n") + 1 for p in parts) < lines // 2:
        parts.append(FILLER.format(i=i))
        i += 1
    parts.append(FLOW)
    while sum(p.count("\n") + 1 for p in parts) < lines:
        parts.append(FILLER.format(i=i))
        i += 1
    return "\n".join(parts)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def run(rounds: int, lines: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix="phlsp-bench-"))
    (root / "package.json").write_text('{"dependencies": {"next": "15.3.0", "posthog-js": "1.449.2"}}')
    doc_path = root / "app" / "login" / "actions.ts"
    doc_path.parent.mkdir(parents=True)
    text = make_document(lines)
    doc_path.write_text(text)
    uri = doc_path.as_uri()

    client = LanguageClient("posthog-lsp-bench", "0")
    published: dict[int, float] = {}
    waiters: dict[int, asyncio.Future] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            published[params.version] = time.perf_counter()
            fut = waiters.pop(params.version, None)
            if fut and not fut.done():
                fut.set_result(len(params.diagnostics))

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def on_configuration(params: types.ConfigurationParams) -> list:
        return [None for _ in params.items]

    t0 = time.perf_counter()
    await client.start_io(sys.executable, "-m", "lsp_server")
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
        initialization_options={"diagnosticsDelay": 0}))
    startup_ms = (time.perf_counter() - t0) * 1000
    client.initialized(types.InitializedParams())

    loop = asyncio.get_running_loop()
    waiters[1] = loop.create_future()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="typescript", version=1, text=text)))
    await asyncio.wait_for(waiters[1], 30)

    change_ms: list[float] = []
    line = text.count("\n") - 2
    for version in range(2, rounds + 2):
        fut = waiters[version] = loop.create_future()
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line, 0), end=types.Position(line, 0)), text="/")]))
        await asyncio.wait_for(fut, 30)
        change_ms.append((published[version] - start) * 1000)

    flow_line = text.split("\n").index("export async function login(formData: FormData) {")
    action_ms: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(flow_line + 2, 4), end=types.Position(flow_line + 2, 4)),
            context=types.CodeActionContext(diagnostics=[])))
        action_ms.append((time.perf_counter() - start) * 1000)

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {
        "lines": text.count("\n") + 1,
        "startup_to_initialize_ms": round(startup_ms, 1),
        "didChange_to_diagnostics_ms": {"p50": round(pct(change_ms, 50), 2), "p99": round(pct(change_ms, 99), 2),
                                        "mean": round(statistics.mean(change_ms), 2)},
        "codeAction_ms": {"p50": round(pct(action_ms, 50), 2), "p99": round(pct(action_ms, 99), 2),
                          "mean": round(statistics.mean(action_ms), 2)},
        "rounds": rounds,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--lines", type=int, default=2000)
    args = ap.parse_args()
    print(json.dumps(asyncio.run(run(args.rounds, args.lines)), indent=2))


if __name__ == "__main__":
    main()
