"""LSP latency over stdio: start-up, didChange → publishDiagnostics, codeAction (p50/p99).

    python bench/lsp_latency.py [--rounds 200] [--lines 2000] [--bare-client] [--profile FILE] [--edit-at top]
    python bench/lsp_latency.py --startup-only 7
    python bench/lsp_latency.py --analysis-only [--rounds 300]   # the same keystrokes in-process: analysis CPU only
    python bench/lsp_latency.py --analysis-only --flow-dense [--edit-at middle]   # ~40 flows on 2,400 lines

Starts `python -m lsp_server` as an editor would, opens a generated ~2,000-line TypeScript file with a
login server action in the middle, then times edits and code-action requests. Prints JSON.

The client declares what VS Code/Neovim declare (versioned diagnostics, codeAction/resolve, versioned edits;
`--bare-client` declares nothing, which makes the server compute the "track all" edit eagerly). The debounce
(`posthog.diagnosticsDelay`, 150 ms by default) is set to 0 so the figure is the server's work. Wall-clock
latencies suffer from other load on the machine; `server_cpu_mean` (the server's CPU time per round, from
/proc) does not. Edits go near the end of the file by default; `--edit-at top` types above every function, so each
keystroke moves all of them (the analysis must not rely on functions staying where they were).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
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

DENSE_FLOWS = [
"""export async function signUp{i}(formData: FormData) {{
  const {{ data, error }} = await supabase.auth.signUp({{ email: String(formData.get('email')),
    password: String(formData.get('password')) }});
  if (error) {{
    return {{ error: error.message }};
  }}
  redirect('/welcome');
}}
""",
"""export async function logIn{i}(formData: FormData) {{
  const {{ data, error }} = await supabase.auth.signInWithPassword({{ email: String(formData.get('email')),
    password: String(formData.get('password')) }});
  if (error) {{
    return {{ error: error.message }};
  }}
  redirect('/dashboard');
}}
""",
"""export async function signOut{i}() {{
  const session = await auth();
  await supabase.auth.signOut();
  redirect('/');
}}
""",
"""router.post('/checkout{i}', requireAuth, async (req, res) => {{
  const user = req.user;
  const checkout = await stripe.checkout.sessions.create({{
    customer_email: user.email,
    line_items: [{{ price: req.body.priceId, quantity: 1 }}],
    mode: 'subscription',
    success_url: `${{origin}}/success`,
  }});
  res.json({{ url: checkout.url }});
}});
""",
"""export async function cancelSubscription{i}(req: Request, res: Response) {{
  const user = await getCurrentUser(req);
  const subscription = await stripe.subscriptions.cancel(user.subscriptionId);
  await db.users.update({{ where: {{ id: user.id }}, data: {{ plan: 'free' }} }});
  res.json({{ status: subscription.status }});
}}
""",
"""export async function deleteAccount{i}(req: Request, res: Response) {{
  const userId = req.session.userId;
  await db.user.delete({{ where: {{ id: userId }} }});
  req.session.destroy(() => res.redirect('/'));
}}
""",
"""export async function resetPassword{i}(email: string) {{
  const {{ error }} = await supabase.auth.resetPasswordForEmail(email, {{ redirectTo: '/update-password' }});
  if (error) throw error;
  return true;
}}
""",
"""export async function changePlan{i}(req: Request, res: Response) {{
  const user = await getCurrentUser(req);
  const updated = await stripe.subscriptions.update(user.subscriptionId, {{
    items: [{{ id: req.body.itemId, price: req.body.priceId }}],
  }});
  res.json({{ plan: updated.id }});
}}
""",
]
DENSE_HEAD = [
    "import express from 'express';", "import { redirect } from 'next/navigation';", "import { supabase } from './db';",
    "import { stripe } from './stripe';", "import { auth } from './auth';",
    "import { getCurrentUser, requireAuth } from './session';", "const router = express.Router();", "",
]


def make_flow_dense(lines: int = 2400, flows: int = 40) -> str:
    """~`lines` lines of an Express/Next server module with `flows` flows of eight kinds between helpers (every
    flow resolves a user id: the per-flow work a keystroke repeats)."""
    parts = list(DENSE_HEAD)
    per = max(1, (lines - 500) // 6 // flows)  # fillers between flows
    f = 0
    for n in range(flows):
        parts.append(DENSE_FLOWS[n % len(DENSE_FLOWS)].format(i=n))
        for _ in range(per):
            parts.append(FILLER.format(i=f))
            f += 1
    while sum(p.count("\n") + 1 for p in parts) < lines:
        parts.append(FILLER.format(i=f))
        f += 1
    parts.append("export default router;\n")
    return "\n".join(parts)


# What VS Code and Neovim declare that changes the server's work: versioned diagnostics, code actions whose
# edit is resolved lazily (codeAction/resolve), versioned workspace edits.
EDITOR_CAPABILITIES = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
        code_action=types.CodeActionClientCapabilities(
            code_action_literal_support=types.ClientCodeActionLiteralOptions(
                code_action_kind=types.ClientCodeActionKindOptions(value_set=["", "quickfix", "refactor", "source"])),
            resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
            data_support=True, disabled_support=True, is_preferred_support=True),
    ),
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(
            document_changes=True, resource_operations=[types.ResourceOperationKind.Create],
            change_annotation_support=types.ChangeAnnotationsSupportOptions(groups_on_label=True)),
        configuration=True),
)


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


def cpu_ms(pid: int) -> float:
    """The server process's CPU time so far (user + system, all threads): unaffected by other load on the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def thread_name(pid: int, tid: int) -> str:
    """The thread's OS name (before Python 3.14 threads keep the process's name unless they set one)."""
    try:
        return (Path(f"/proc/{pid}/task/{tid}/comm")).read_text().strip()
    except OSError:
        return "?"


def thread_cpu_ms(pid: int) -> dict[int, float]:
    """CPU time so far of each of the process's threads (the main thread's id is the pid)."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def run(
    rounds: int, lines: int, profile: str | None = None, bare: bool = False, server_script: str | None = None,
    init_options: dict | None = None, settle: float = 0.0, edit_at: str = "end",
) -> dict:
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

    logged: list[str] = []

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        logged.append(params.message)

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def on_configuration(params: types.ConfigurationParams) -> list:
        return [None for _ in params.items]

    t0 = time.perf_counter()
    server = [sys.executable, "-m", "lsp_server"]
    if server_script:  # e.g. a variant of the server's start-up, to compare against `python -m lsp_server`
        server = [sys.executable, server_script]
    if profile:  # the server's own CPU profile (written when it exits)
        server = [sys.executable, "-m", "cProfile", "-o", profile, "-m", "lsp_server"]
    await client.start_io(*server)
    # debounce off: the figure is the server's own work; an editor adds posthog.diagnosticsDelay (150 ms) on top
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities() if bare else EDITOR_CAPABILITIES, root_uri=root.as_uri(),
        initialization_options={"diagnosticsDelay": 0, **(init_options or {})}))
    startup_ms = (time.perf_counter() - t0) * 1000
    client.initialized(types.InitializedParams())

    loop = asyncio.get_running_loop()
    waiters[1] = loop.create_future()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="typescript", version=1, text=text)))
    await asyncio.wait_for(waiters[1], 30)
    if settle:  # let start-up work (guidance prefetch, workspace scan) finish, as it does before a user types
        await asyncio.sleep(settle)

    pid = client._server.pid  # type: ignore[union-attr]  # pygls keeps the process it started
    change_ms: list[float] = []
    cpu_start = cpu_ms(pid)
    threads_start = thread_cpu_ms(pid)
    line = {"end": text.count("\n") - 2, "middle": text.count("\n") // 2, "top": 3}[edit_at]
    for version in range(2, rounds + 2):
        fut = waiters[version] = loop.create_future()
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line, 0), end=types.Position(line, 0)), text="/")]))
        await asyncio.wait_for(fut, 30)
        change_ms.append((published[version] - start) * 1000)

    change_cpu = (cpu_ms(pid) - cpu_start) / rounds
    threads_end = thread_cpu_ms(pid)
    main_cpu = (threads_end.get(pid, 0.0) - threads_start.get(pid, 0.0)) / rounds  # event loop: JSON-RPC, edits
    # the other threads' CPU per round, busiest first (the analysis pool; pygls' stdin reader when stdin is no pipe)
    busy = [(f"{thread_name(pid, tid)}:{tid}", round((end - threads_start.get(tid, 0.0)) / rounds, 2))
            for tid, end in threads_end.items() if tid != pid and end > threads_start.get(tid, 0.0)]
    thread_split = dict(sorted(busy, key=lambda kv: -kv[1])[:6])
    flow_line = text.split("\n").index("export async function login(formData: FormData) {")
    cursor = types.Range(start=types.Position(flow_line + 2, 4), end=types.Position(flow_line + 2, 4))

    async def code_action() -> float:
        start = time.perf_counter()
        await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=cursor,
            context=types.CodeActionContext(diagnostics=[])))
        return (time.perf_counter() - start) * 1000

    action_ms: list[float] = []  # the cursor moving in an unchanged document: the same version asked again
    cpu_start = cpu_ms(pid)
    for _ in range(rounds):
        action_ms.append(await code_action())
    action_cpu = (cpu_ms(pid) - cpu_start) / rounds

    after_edit_ms: list[float] = []  # the first request for each new version: nothing can be reused
    for version in range(rounds + 2, 2 * rounds + 2):
        fut = waiters[version] = loop.create_future()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line, 0), end=types.Position(line, 0)), text="/")]))
        await asyncio.wait_for(fut, 30)
        after_edit_ms.append(await code_action())
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {
        "lines": text.count("\n") + 1,
        "startup_to_initialize_ms": round(startup_ms, 1),
        "didChange_to_diagnostics_ms": {"p50": round(pct(change_ms, 50), 2), "p99": round(pct(change_ms, 99), 2),
                                        "mean": round(statistics.mean(change_ms), 2),
                                        "server_cpu_mean": round(change_cpu, 2),
                                        "server_cpu_event_loop_mean": round(main_cpu, 2),
                                        "server_cpu_other_threads_mean": round(change_cpu - main_cpu, 2)},
        "codeAction_ms": {"p50": round(pct(action_ms, 50), 2), "p99": round(pct(action_ms, 99), 2),
                          "mean": round(statistics.mean(action_ms), 2), "server_cpu_mean": round(action_cpu, 2)},
        "codeAction_after_edit_ms": {"p50": round(pct(after_edit_ms, 50), 2), "p99": round(pct(after_edit_ms, 99), 2),
                                     "mean": round(statistics.mean(after_edit_ms), 2)},
        "rounds": rounds,
        "client": "bare" if bare else "editor capabilities",
        "edit_at": f"{edit_at} (line {line + 1})",
        "log_messages": len(logged),
        "log_sample": sorted(set(logged))[:3],
        "slowest_change_rounds": sorted(range(len(change_ms)), key=lambda i: -change_ms[i])[:5],
        "change_cpu_by_thread": thread_split,
    }


def analysis_only(rounds: int, lines: int, edit_at: str = "end", flow_dense: bool = False) -> dict:
    """The bench's keystrokes replayed in this process, straight into `analyze_document` as the server calls it (an
    open document: `editing=True`): the analysis' own CPU per keystroke, without JSON-RPC, threads or the machine's
    other load on the event loop. The first three versions after opening are reported apart."""
    import gc

    from lsp_server.analysis.document import analyze_document

    text = make_flow_dense(lines) if flow_dense else make_document(lines)
    path = "server/routes/app.ts" if flow_dense else "app/login/actions.ts"
    line = {"end": text.count("\n") - 2, "middle": text.count("\n") // 2, "top": 3}[edit_at]
    if flow_dense and edit_at == "middle":  # inside the flow nearest the middle: its function changes every keystroke
        lines_ = text.split("\n")
        line = next(i for i in range(line, len(lines_)) if lines_[i].startswith("  redirect("))
    versions, current = [], text.split("\n")
    for _ in range(rounds):
        current[line] = "/" + current[line]
        versions.append("\n".join(current))
    opened = time.process_time()
    analyze_document(path, text, editing=True)
    open_ms = (time.process_time() - opened) * 1000
    gc.freeze()  # as the server does after start-up
    cpu: list[float] = []
    for version in versions:
        start = time.process_time()
        analyze_document(path, version, editing=True)
        cpu.append((time.process_time() - start) * 1000)
    steady = cpu[3:]
    flows = len(analyze_document(path, versions[-1]).flows)
    return {"lines": text.count("\n") + 1, "flows": flows, "rounds": rounds, "edit_at": f"{edit_at} (line {line + 1})",
            "didOpen_analysis_cpu_ms": round(open_ms, 2), "first_versions_cpu_ms": [round(c, 2) for c in cpu[:3]],
            "analysis_cpu_ms": {"mean": round(statistics.mean(steady), 3), "p50": round(pct(steady, 50), 3),
                                "p99": round(pct(steady, 99), 3)}}


async def startup(repeats: int) -> dict:
    """Launch → initialize result, `repeats` times (fresh process each); the median is the figure."""
    root = Path(tempfile.mkdtemp(prefix="phlsp-bench-"))
    # bytecode as an installed server has it (pip compiles at install): with PYTHONDONTWRITEBYTECODE set, a checkout
    # would otherwise compile the recently edited modules from source at every start and time that instead
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] / "lsp_server")],
                   capture_output=True, check=False)
    times: list[float] = []
    cpu: list[float] = []  # the server's CPU time when it answered: what start-up costs without the machine's load
    for _ in range(repeats):
        client = LanguageClient("posthog-lsp-bench", "0")
        t0 = time.perf_counter()
        await client.start_io(sys.executable, "-m", "lsp_server")
        await client.initialize_async(types.InitializeParams(capabilities=EDITOR_CAPABILITIES, root_uri=root.as_uri()))
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append(cpu_ms(client._server.pid))  # type: ignore[union-attr]
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return {"startup_to_initialize_ms": {"median": round(statistics.median(times), 1), "min": round(min(times), 1),
                                         "max": round(max(times), 1), "p50": round(pct(times, 50), 1),
                                         "p99": round(pct(times, 99), 1), "runs": repeats},
            "server_cpu_ms_at_initialize": {"median": round(statistics.median(cpu), 1), "p99": round(pct(cpu, 99), 1)}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--profile", metavar="FILE", help="run the server under cProfile, writing FILE on exit")
    ap.add_argument("--bare-client", action="store_true", help="declare no client capabilities (eager code actions)")
    ap.add_argument("--server-script", metavar="FILE", help="run FILE instead of `python -m lsp_server`")
    ap.add_argument("--init-options", type=json.loads, default={}, metavar="JSON",
                    help='more initializationOptions, e.g. \'{"mcp": {"mode": "off"}}\'')
    ap.add_argument("--settle", type=float, default=0.0, metavar="S", help="wait S seconds after didOpen")
    ap.add_argument("--startup-only", type=int, metavar="N", help="only time launch → initialize result, N times")
    ap.add_argument("--edit-at", choices=("end", "middle", "top"), default="end",
                    help="where the timed edits type: near the end (default), the middle, or above every function")
    ap.add_argument("--analysis-only", action="store_true",
                    help="replay the keystrokes in this process through analyze_document: analysis CPU per keystroke")
    ap.add_argument("--flow-dense", action="store_true",
                    help="with --analysis-only: a server module with ~40 flows of eight kinds (2,400 lines by default)")
    args = ap.parse_args()
    if args.analysis_only:
        lines = 2400 if args.flow_dense and args.lines == 2000 else args.lines
        print(json.dumps(analysis_only(args.rounds, lines, args.edit_at, args.flow_dense), indent=2))
        return
    if args.startup_only:
        print(json.dumps(asyncio.run(startup(args.startup_only)), indent=2))
        return
    result = asyncio.run(run(args.rounds, args.lines, args.profile, args.bare_client, args.server_script,
                             args.init_options, args.settle, args.edit_at))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
