"""Run deterministic `posthog-lsp integrate` on every app folder under a directory and check what it wrote.

    python bench/eval_integrate.py [DIR] [--app NAME] [--keep OUT] [--json FILE] [--tsc TSC [--node-modules DIR]]

DIR (default .eval/integrate-real) holds one folder per app (`owner__repo`). Each app is copied to a scratch
folder (made a git repository so the run sees a clean tree), integrated twice with the real CLI
(`--yes --agent off`), and checked. Per app it prints: packages and frameworks detected, flows found, events
planned, files touched, placeholders left in code (`DISTINCT_ID`), edited files that no longer parse
(Python `ast`, `node --check` for plain JS, tree-sitter for TS/TSX/JSX; files that did not parse before are
skipped), unindented `posthog.` calls added (they run at import), PostHog clients created (`inits`: more
than one per package is a duplicate init), files the second run changed, new tsc errors in edited .ts/.tsx
files (`--tsc`), report claims the tree does not show (events, files touched), existing lines removed or
changed (`rewritten`: an additive integration scores 0; line endings count), values from `.env*` files that
leaked into other files or the output, env files written that git does not ignore, and the seconds of the
first run. `--keep OUT` leaves the integrated copies in OUT.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lsp_server.agent.pipeline import plan_integration  # noqa: E402
from lsp_server.analysis.parsing import language_for_path, parse  # noqa: E402
from lsp_server.analysis.scan import scan  # noqa: E402

CLI = ROOT / ".venv" / "bin" / "posthog-lsp"
PLACEHOLDER = re.compile(r"\bDISTINCT_ID\b")
SKIP_DIRS = {".git", "node_modules", ".venv", "__pycache__"}
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*['\"]?([^'\"\s#]+)")


@dataclass
class AppResult:
    app: str
    packages: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    files_touched: list[str] = field(default_factory=list)
    placeholders: int = 0
    parse_failures: list[str] = field(default_factory=list)
    second_run_changed: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    top_level: list[str] = field(default_factory=list)
    type_errors: list[str] | None = None  # None: --tsc not given
    env_not_ignored: list[str] = field(default_factory=list)
    report_untrue: list[str] = field(default_factory=list)
    rewritten: int = 0  # existing lines (with their line endings) the run removed or changed
    inits: int = 0
    exit_codes: tuple[int, int] = (0, 0)
    seconds: float = 0.0
    error: str = ""


def _files(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            path = Path(dirpath, name)
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(p for p in after if before.get(p) != after[p]) + sorted(p for p in before if p not in after)


def _parses(path: str, text: str) -> bool:
    """True when `text` is valid source for the file's language (unknown languages count as valid)."""
    if path.endswith(".py"):
        try:
            ast.parse(text)
        except SyntaxError:
            return False
        return True
    if path.endswith((".js", ".mjs", ".cjs")) and "import " not in text and "<" not in text:
        with tempfile.NamedTemporaryFile("w", suffix=Path(path).suffix, delete=False) as tmp:
            tmp.write(text)
        try:
            done = subprocess.run(["node", "--check", tmp.name], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return True
        finally:
            os.unlink(tmp.name)
        return done.returncode == 0
    language = language_for_path(path)
    if language is None:
        return True
    tree = parse(text, language)
    return tree is not None and not tree.root.has_error


def _rewritten(old: bytes, new: bytes) -> int:
    """Original lines (line endings included) that are not kept in the new text: an additive edit scores 0."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    kept = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return len(a) - kept


def _placeholders(text: str) -> int:
    """`DISTINCT_ID` left in code (not in comments): an undefined name until the user replaces it."""
    code = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("#", "//", "*", "/*"))]
    return sum(len(PLACEHOLDER.findall(ln)) for ln in code)


def _top_level_calls(old: str, new: str) -> int:
    """Added unindented `posthog.` statements (not imports): they run at import time, outside any flow."""
    before = set(old.splitlines())
    return sum(1 for ln in new.splitlines() if ln not in before and ln.startswith("posthog.") and ln.strip())


_INIT = re.compile(r"posthog\.init\(|new PostHog\(|\bPosthog\(|\bposthog\.(project_)?api_key\s*=")


# Errors that only say a dependency or its types are not installed (the scratch copy has no node_modules).
_TSC_NOISE = re.compile(r"error TS(2307|7016|2580|2875|7026|2503|2552|2688|2304: Cannot find name '(React|JSX)')\b")
_TSC_LINE = re.compile(r"^(?P<path>[^(\s]+)\(\d+,\d+\): (?P<msg>error TS\d+: .*)$")


def _tsc_errors(tsc: str, root: Path, files: list[str], node_modules: str | None = None) -> list[str]:
    """tsc diagnostics for `files` under `root`, without positions (before/after compare), dependency noise dropped.

    `node_modules` (a folder with e.g. stripe, posthog-node, @types/node installed) is linked into `root` so those
    types are checked too: `session.metadata` possibly null, a wrong `capture` argument.
    """
    if not files:
        return []
    link = root / "node_modules"
    if node_modules and not link.exists():
        link.symlink_to(Path(node_modules).resolve(), target_is_directory=True)
    cmd = [tsc, "--noEmit", "--skipLibCheck", "--strict", "--jsx", "preserve", "--target", "es2020", "--module",
           "esnext", "--moduleResolution", "bundler", "--allowJs", "--esModuleInterop", *files]
    try:
        done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return []
    finally:
        if node_modules and link.is_symlink():
            link.unlink()
    out = []
    for line in done.stdout.splitlines():
        m = _TSC_LINE.match(line)
        if m and not _TSC_NOISE.search(line):
            out.append(f"{m['path']}: {m['msg']}")
    return out


_REPORT_ROW = re.compile(r"^\|\s*`(?P<event>[^`]+)`\s*\|[^|]*\|\s*`(?P<file>[^`]+)`\s*\|")


def _report_untrue(report: str, files: dict[str, bytes], touched: list[str]) -> list[str]:
    """What the report claims but the tree does not show: events missing from their file, files listed as touched
    that were not, and touched source/manifest files the report does not list."""
    out = []
    listed = set()
    in_files = False
    for line in report.splitlines():
        if line.startswith("## "):
            in_files = line.strip() == "## Files touched"
        m = _REPORT_ROW.match(line)
        if m:
            text = files.get(m["file"], b"").decode("utf-8", "replace")
            if not re.search(r"""['"]""" + re.escape(m["event"]) + r"""['"]""", text):
                out.append(f"event {m['event']} not in {m['file']}")
        elif in_files and line.startswith("- `"):
            listed.add(line.split("`")[1])
    if not report:
        return out
    out += [f"listed but untouched: {p}" for p in sorted(listed - set(touched))]
    skip = ("posthog-setup-report.md", ".posthog-events.json")
    out += [f"touched but not listed: {p}" for p in touched
            if p not in listed and not Path(p).name.startswith(".env") and not p.endswith(skip) and p != ".gitignore"]
    return out


def _secrets(files: dict[str, bytes]) -> set[str]:
    """Values assigned in .env* files (long enough to be meaningful), to look for elsewhere."""
    values = set()
    for path, data in files.items():
        if Path(path).name.startswith(".env"):
            for line in data.decode("utf-8", "replace").splitlines():
                m = _ENV_LINE.match(line)
                value = m.group(1) if m else ""
                # secret-looking only: long enough and with a digit or `_` (skips "development", "localhost")
                if len(value) >= 8 and not value.startswith("http") and re.search(r"[0-9_]", value):
                    values.add(value)
    return values


def _run(work: Path) -> tuple[int, str]:
    done = subprocess.run([str(CLI), "integrate", str(work), "--yes", "--agent", "off"], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "ANTHROPIC_API_KEY": ""})
    return done.returncode, done.stdout + done.stderr


def evaluate(app_dir: Path, keep: Path | None, tsc: str | None = None, node_modules: str | None = None) -> AppResult:
    res = AppResult(app_dir.name)
    scratch = Path(tempfile.mkdtemp(prefix="eval-integrate-"))
    work = scratch / app_dir.name
    shutil.copytree(app_dir, work, ignore=shutil.ignore_patterns("node_modules", ".git", "SOURCE.txt"))
    subprocess.run(["git", "init", "-q"], cwd=work, check=False)
    subprocess.run(["git", "add", "-A"], cwd=work, check=False)
    subprocess.run(["git", "-c", "user.name=e", "-c", "user.email=e@e", "commit", "-qm", "app"], cwd=work,
                   check=False)
    try:
        result = scan(work)
        res.packages = [f"{p.path}:{p.framework}" for p in result.packages]
        res.flows = sorted(f"{f.kind}@{f.path}:{f.symbol}" for d in result.documents for f in d.flows)
        plan = plan_integration(work, result=result)
        res.events = sorted(f"{e.event_name}@{e.file}" for e in plan.events_plan)
    except Exception as exc:  # the harness reports a crash of the planner as a finding
        res.error = f"plan: {type(exc).__name__}: {exc}"
    before = _files(work)
    start = time.perf_counter()
    code1, out1 = _run(work)
    res.seconds = round(time.perf_counter() - start, 2)
    after = _files(work)
    res.files_touched = _changed(before, after)
    secrets = _secrets(before)
    for path in res.files_touched:
        text = after.get(path, b"").decode("utf-8", "replace")
        old = before.get(path, b"").decode("utf-8", "replace")
        if language_for_path(path) is not None:
            res.placeholders += _placeholders(text) - _placeholders(old)
        if not Path(path).name.startswith(".env"):
            res.leaks += [f"{path}: {s[:6]}…" for s in secrets if s in text and s not in old]
        if path in before and path in after and not Path(path).name.startswith(".env"):
            res.rewritten += _rewritten(before[path], after[path])
        if language_for_path(path) is not None and _top_level_calls(old, text):
            res.top_level.append(path)
        if path in after and not _parses(path, text) and (path not in before or _parses(path, old)):
            res.parse_failures.append(path)
    res.leaks += [f"output: {s[:6]}…" for s in secrets if s in out1]
    report = after.get("posthog-setup-report.md", b"").decode("utf-8", "replace")
    res.report_untrue = _report_untrue(report, after, res.files_touched)
    for path in res.files_touched:
        name = Path(path).name
        if name.startswith(".env") and not name.endswith((".example", ".sample", ".template")):
            ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=work, check=False).returncode == 0
            if not ignored:
                res.env_not_ignored.append(path)  # a real env file git would commit
    if tsc:
        edited = [p for p in res.files_touched if p.endswith((".ts", ".tsx")) and p in after]
        original = scratch / "original"
        shutil.copytree(app_dir, original, ignore=shutil.ignore_patterns("node_modules", ".git"))
        old = _tsc_errors(tsc, original, [p for p in edited if (original / p).is_file()], node_modules)
        new = _tsc_errors(tsc, work, edited, node_modules)
        for err in old:
            if err in new:
                new.remove(err)
        res.type_errors = new
    res.inits = sum(len(_INIT.findall(data.decode("utf-8", "replace"))) for path, data in after.items()
                    if language_for_path(path) is not None)
    code2, _ = _run(work)
    res.second_run_changed = _changed(after, _files(work))
    res.exit_codes = (code1, code2)
    if keep is not None:
        target = keep / app_dir.name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(work, target, symlinks=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return res


def print_table(results: list[AppResult]) -> None:
    head = ["app", "packages", "flows", "events", "touched", "placeh.", "parse fail", "top-level", "inits", "2nd run",
            "tsc new", "report≠code", "rewritten", "leaks", "exit", "s"]
    rows = [[r.app, " ".join(r.packages), str(len(r.flows)), str(len(r.events)), str(len(r.files_touched)),
             str(r.placeholders), str(len(r.parse_failures)), str(len(r.top_level)), str(r.inits),
             str(len(r.second_run_changed)), str(len(r.type_errors)) if r.type_errors is not None else "-",
             str(len(r.report_untrue)), str(r.rewritten), str(len(r.leaks)),
             f"{r.exit_codes[0]}/{r.exit_codes[1]}", f"{r.seconds:.2f}"] for r in results]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for r in results:
        print(f"\n## {r.app}")
        if r.error:
            print(f"  ERROR {r.error}")
        print(f"  flows: {', '.join(r.flows) or '-'}")
        print(f"  events: {', '.join(r.events) or '-'}")
        print(f"  touched: {', '.join(r.files_touched) or '-'}")
        for label, items in (("PARSE FAIL", r.parse_failures), ("TOP-LEVEL CALL", r.top_level),
                             ("2ND RUN", r.second_run_changed), ("NEW TYPE ERRORS", r.type_errors or []),
                             ("ENV FILE NOT GIT-IGNORED", r.env_not_ignored),
                             ("REPORT UNTRUE", r.report_untrue),
                             ("LEAK", r.leaks)):
            if items:
                print(f"  {label}: {', '.join(items)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", default=str(ROOT / ".eval" / "integrate-real"))
    ap.add_argument("--app", action="append", help="only this app folder (repeatable)")
    ap.add_argument("--keep", help="copy the integrated apps here")
    ap.add_argument("--json", help="write the results as JSON")
    ap.add_argument("--tsc", help="a tsc binary: report type errors the edits add to .ts/.tsx files (deps not needed)")
    ap.add_argument("--node-modules", help="with --tsc: a node_modules folder whose types to check against")
    args = ap.parse_args(argv)
    folder = Path(args.folder)
    apps = sorted(p for p in folder.iterdir() if p.is_dir() and (not args.app or p.name in args.app))
    keep = Path(args.keep) if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    results = [evaluate(app, keep, args.tsc, args.node_modules) for app in apps]
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
