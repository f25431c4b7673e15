"""Accuracy of the flow detector and `posthog/missing-identify` on hand-labelled real-world files.

    python bench/eval_realworld.py [FOLDER] [--labels FILE] [--json OUT] [--quiet]

FOLDER (default .eval/realworld) holds source files and a labels.json:
    [{"file": "<path under FOLDER>", "flows": [{"kind": "login", "symbol": "loginAction", "optional": false}],
      "identify_expected": true, "note": "..."}]
A file with no flows has "flows": []. An "optional" flow is acceptable either way: finding it is not a false
positive, missing it is not a false negative. When the first path segment looks like `owner__repo`, it is the
repository root and is stripped, so the detector sees the path the file has in its own repository.

Each file is analysed alone with `analyze_document` and a synthetic Package whose PostHog SDK is installed (rules
such as missing-identify only fire where PostHog is in use). Found flows are matched to labels by (file, kind);
a symbol match is preferred and reported separately. Prints precision/recall overall and per kind, symbol
agreement, insertion sanity, identify-warning precision/recall, and every false positive / negative.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lsp_server.analysis import analyze_document  # noqa: E402
from lsp_server.analysis.model import Flow, Package, PosthogSetup  # noqa: E402
from lsp_server.analysis.parsing import language_for_path, parse  # noqa: E402
from lsp_server.edits.apply import apply_edits  # noqa: E402
from lsp_server.edits.planner import plan_flow_tracking  # noqa: E402
from lsp_server.edits.snippets import BundledSnippets  # noqa: E402

IDENTIFY = "posthog/missing-identify"
_ERROR_CHECK = re.compile(r"^\s*(if|elif)\b\s*\(?\s*(!|not\s+)?\(?\s*(error|err|e|res\.error|result\.error)\b")


@dataclass
class FileResult:
    file: str
    repo_path: str
    flows: list[Flow]
    identify_findings: int
    parse_error: str | None
    tp: list[tuple[dict, Flow]] = field(default_factory=list)
    fn: list[dict] = field(default_factory=list)
    fp: list[Flow] = field(default_factory=list)
    optional_hits: list[tuple[dict, Flow]] = field(default_factory=list)


def repo_path(file: str) -> str:
    """The path inside its own repository: `owner__repo/src/x.ts` -> `src/x.ts`."""
    head, _, rest = file.partition("/")
    return rest if "__" in head and rest else file


def synthetic_package(path: str, text: str) -> Package:
    """A package that uses PostHog, with the framework guessed from the path and imports."""
    posthog = PosthogSetup(installed=True)
    if path.endswith(".py"):
        framework = next((fw for fw in ("django", "flask", "fastapi") if fw in text), "python")
        posthog = PosthogSetup(installed=True, sdks=("posthog",))
        return Package(path=".", framework=framework, language="python", package_manager="pip", posthog=posthog)
    lang = "typescript" if re.search(r"\.tsx?$", path) else "javascript"
    if re.search(r"(^|/)pages/", path) and "next" in text:
        framework = "nextjs-pages-router"
    elif re.search(r"(^|/)app/", path) and ("next" in text or re.search(r"/(route|page|actions?)\.[jt]sx?$", path)):
        framework = "nextjs-app-router"
    elif re.search(r"\.(jsx|tsx)$", path) or "react" in text:
        framework = "react-spa"
    elif "express" in text:
        framework = "node-express"
    else:
        framework = "node"
    posthog = PosthogSetup(installed=True, sdks=("posthog-js", "posthog-node"))
    return Package(path=".", framework=framework, language=lang, package_manager="npm", posthog=posthog)


def symbol_matches(label: str, found: str) -> bool:
    a, b = label.lower().strip(), found.lower().strip()
    return bool(a) and (a == b or a in b or b in a)


def match_file(entry: dict, flows: list[Flow]) -> tuple[list, list, list, list]:
    """Greedy (kind, symbol-first) matching of found flows to labelled flows."""
    labels = [dict(lf) for lf in entry.get("flows", [])]
    remaining = list(flows)
    tp: list[tuple[dict, Flow]] = []
    opt: list[tuple[dict, Flow]] = []
    unmatched: list[dict] = []
    # required labels first, symbol matches before kind-only matches
    order = sorted(labels, key=lambda lf: bool(lf.get("optional")))
    for strict in (True, False):
        for lf in list(order):
            cand = [
                f
                for f in remaining
                if str(f.kind) == lf["kind"] and (not strict or symbol_matches(lf.get("symbol", ""), f.symbol))
            ]
            if cand:
                remaining.remove(cand[0])
                order.remove(lf)
                (opt if lf.get("optional") else tp).append((lf, cand[0]))
    unmatched = [lf for lf in order if not lf.get("optional")]
    return tp, unmatched, remaining, opt


def insertion_problems(flow: Flow, lines: list[str]) -> list[str]:
    problems = []
    span = flow.span
    last_ok = span.end_line + 1  # inserting before the line after the body appends to it
    one_line = span.start_line == span.end_line  # an expression-bodied arrow: the planner rewrites it as a block
    if not one_line and not (span.start_line < flow.insert_line <= last_ok):
        lines_text = f"{span.start_line + 1}-{span.end_line + 1}"
        problems.append(f"insert_line {flow.insert_line + 1} outside function lines {lines_text}")
    anchor = flow.anchor
    anchor_line = lines[anchor.start_line] if anchor is not None and anchor.start_line < len(lines) else ""
    before_by_design = (
        str(flow.kind) == "logout"
        or re.match(r"^\s*(return|yield|raise|throw)\b", anchor_line)
        or "before the session ends" in flow.evidence  # read the user before `logout()` / `user.delete()`
        or "before its redirect" in flow.evidence  # remix-auth `authenticate(…, { successRedirect })` throws on success
    )
    if anchor is not None and flow.insert_line <= anchor.start_line and not (before_by_design or one_line):
        problems.append(f"insert_line {flow.insert_line + 1} is not after anchor ending on line {anchor.end_line + 1}")
    nxt = next((ln for ln in lines[flow.insert_line : flow.insert_line + 4] if ln.strip()), "")
    if _ERROR_CHECK.match(nxt):
        problems.append(f"capture precedes an error check: {nxt.strip()[:60]!r}")
    return problems


def _error_nodes(text: str, path: str) -> int | None:
    language = language_for_path(path)
    doc = parse(text, language) if language else None
    if doc is None:
        return None
    count, stack = 0, [doc.root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            count += 1
        stack.extend(node.children)
    return count


def edit_problems(text: str, path: str, flow: Flow, package: Package) -> list[str]:
    """Plan the quick fix for `flow`, apply it and check the result still parses as well as before."""
    edits = plan_flow_tracking(text, path, flow, package, _SNIPPETS)
    if not edits:
        return ["no edit planned"]
    after = apply_edits(text, edits)
    before_errors, after_errors = _error_nodes(text, path), _error_nodes(after, path)
    if before_errors is not None and after_errors is not None and after_errors > before_errors:
        return [f"applying the fix adds {after_errors - before_errors} parse error(s)"]
    return []


_SNIPPETS = BundledSnippets()


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def evaluate(folder: Path, labels: list[dict]) -> tuple[list[FileResult], dict]:
    results: list[FileResult] = []
    insertion: list[tuple[str, Flow, list[str]]] = []
    for entry in labels:
        path = folder / entry["file"]
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = repo_path(entry["file"])
        analysis = analyze_document(rel, text, package=synthetic_package(rel, text))
        flows = list(analysis.flows)
        ident = sum(1 for f in analysis.findings if f.code == IDENTIFY)
        res = FileResult(entry["file"], rel, flows, ident, analysis.parse_error)
        res.tp, res.fn, res.fp, res.optional_hits = match_file(entry, flows)
        clean = text.lstrip("\ufeff").replace("\r\n", "\n")
        lines = clean.split("\n")
        package = synthetic_package(rel, text)
        for fl in flows:
            problems = insertion_problems(fl, lines) + edit_problems(clean, rel, fl, package)
            if problems:
                insertion.append((entry["file"], fl, problems))
        results.append(res)
    return results, {"insertion": insertion}


def summarise(results: list[FileResult], labels: list[dict], extra: dict) -> dict:
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for lf, _ in r.tp:
            by_kind[lf["kind"]]["tp"] += 1
        for lf in r.fn:
            by_kind[lf["kind"]]["fn"] += 1
        for f in r.fp:
            by_kind[str(f.kind)]["fp"] += 1
    tp = sum(c["tp"] for c in by_kind.values())
    fp = sum(c["fp"] for c in by_kind.values())
    fn = sum(c["fn"] for c in by_kind.values())
    sym_ok = sum(1 for r in results for lf, f in r.tp if symbol_matches(lf.get("symbol", ""), f.symbol))
    expected = {e["file"]: bool(e.get("identify_expected")) for e in labels}
    id_tp = sum(1 for r in results if expected[r.file] and r.identify_findings)
    id_fp = sum(1 for r in results if not expected[r.file] and r.identify_findings)
    id_fn = sum(1 for r in results if expected[r.file] and not r.identify_findings)
    all_flows = sum(len(r.flows) for r in results)
    return {
        "files": len(results),
        "flows": {"tp": tp, "fp": fp, "fn": fn, "prf": prf(tp, fp, fn)},
        "per_kind": {
            k: {"tp": c["tp"], "fp": c["fp"], "fn": c["fn"], "prf": prf(c["tp"], c["fp"], c["fn"])}
            for k, c in sorted(by_kind.items())
        },
        "symbol_agreement": (sym_ok, tp),
        "identify": {
            "tp": id_tp,
            "fp": id_fp,
            "fn": id_fn,
            "prf": prf(id_tp, id_fp, id_fn),
            "warnings": sum(r.identify_findings for r in results),
        },
        "insertion": {"flows": all_flows, "problems": len(extra["insertion"])},
        "parse_errors": [r.file for r in results if r.parse_error],
    }


def _flow_line(f: Flow) -> str:
    return f"{f.kind} {f.symbol!r} L{f.span.start_line + 1} conf={f.confidence:.2f} evidence={list(f.evidence)}"


def report(results: list[FileResult], labels: list[dict], summary: dict, extra: dict, quiet: bool) -> None:
    fl = summary["flows"]
    p, r, f1 = fl["prf"]
    print(f"files: {summary['files']}  labelled flows found/missed: {fl['tp']}/{fl['fn']}  false positives: {fl['fp']}")
    print(f"FLOWS      precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}")
    ok, n = summary["symbol_agreement"]
    print(f"symbol agreement on matched flows: {ok}/{n}")
    print("\nper kind                 tp  fp  fn  precision recall")
    for kind, c in summary["per_kind"].items():
        kp, kr, _ = c["prf"]
        print(f"  {kind:22} {c['tp']:3} {c['fp']:3} {c['fn']:3}  {kp:9.3f} {kr:6.3f}")
    idn = summary["identify"]
    ip, ir, if1 = idn["prf"]
    print(
        f"\nIDENTIFY ({IDENTIFY}, per file)  tp {idn['tp']} fp {idn['fp']} fn {idn['fn']}  "
        f"precision {ip:.3f}  recall {ir:.3f}  F1 {if1:.3f}  ({idn['warnings']} warnings)"
    )
    ins = summary["insertion"]
    print(f"insertion sanity: {ins['problems']} of {ins['flows']} flows flagged")
    if summary["parse_errors"]:
        print(f"parse errors: {summary['parse_errors']}")
    if quiet:
        return
    notes = {e["file"]: e.get("note", "") for e in labels}
    expected = {e["file"]: bool(e.get("identify_expected")) for e in labels}
    print("\n--- false negatives (labelled, not found) ---")
    for res in results:
        for lf in res.fn:
            other = "; ".join(_flow_line(f) for f in res.flows) or "nothing found"
            print(f"FN {lf['kind']:22} {lf.get('symbol', '')!r:28} {res.file}")
            print(f"     found: {other}\n     note: {notes[res.file]}")
    print("\n--- false positives (found, not labelled) ---")
    for res in results:
        for f in res.fp:
            print(f"FP {res.file}\n     {_flow_line(f)}\n     note: {notes[res.file]}")
    print("\n--- symbol mismatches on matched flows ---")
    for res in results:
        for lf, f in res.tp:
            if not symbol_matches(lf.get("symbol", ""), f.symbol):
                print(f"SYM {res.file}: label {lf.get('symbol')!r} found {f.symbol!r}")
    print("\n--- identify warning errors ---")
    for res in results:
        if expected[res.file] != bool(res.identify_findings):
            kind = "FP" if res.identify_findings else "FN"
            print(
                f"ID-{kind} {res.file} (warnings: {res.identify_findings}; flows: {[str(f.kind) for f in res.flows]})"
            )
    print("\n--- insertion problems ---")
    for file, f, problems in extra["insertion"]:
        print(f"INS {file} {f.kind} {f.symbol!r}: {'; '.join(problems)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT / ".eval" / "realworld"))
    ap.add_argument("--labels", help="labels.json (default: FOLDER/labels.json)")
    ap.add_argument("--json", help="write the summary and per-file results here")
    ap.add_argument("--quiet", action="store_true", help="figures only")
    args = ap.parse_args(argv)
    folder = Path(args.folder)
    labels = json.loads(Path(args.labels or folder / "labels.json").read_text(encoding="utf-8"))
    results, extra = evaluate(folder, labels)
    summary = summarise(results, labels, extra)
    report(results, labels, summary, extra, args.quiet)
    if args.json:
        per_file = [
            {
                "file": r.file,
                "found": [_flow_line(f) for f in r.flows],
                "identify_warnings": r.identify_findings,
                "fn": r.fn,
                "fp": [_flow_line(f) for f in r.fp],
            }
            for r in results
        ]
        Path(args.json).write_text(json.dumps({"summary": summary, "files": per_file}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
