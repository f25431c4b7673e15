"""`make bench`: scan throughput vs ripgrep and Semgrep on one corpus, LSP latency, start-up, memory.

    python bench/run.py [--files 10000] [--skip-semgrep] [--semgrep-timeout 900]

Writes bench/out/results.json; bench/RESULTS.md records a run with the commands that reproduce each figure.
ripgrep and Semgrep come from PyPI into bench/.tools (a separate venv: Semgrep pins its own dependencies).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
TOOLS = HERE / ".tools"
OUT = HERE / "out"


def ensure_corpus(files: int) -> None:
    marker = CORPUS / f".files-{files}-v2"  # v2: ~10 files per folder, root .gitignore
    if marker.exists():
        return
    shutil.rmtree(CORPUS, ignore_errors=True)
    subprocess.run([sys.executable, str(HERE / "corpus.py"), str(CORPUS), "--files", str(files)], check=True)
    marker.touch()


def ensure_tools(semgrep: bool) -> Path:
    py = TOOLS / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
    need = ["ripgrep"] + (["semgrep"] if semgrep else [])
    missing = [p for p in need if not (TOOLS / "bin" / ("rg" if p == "ripgrep" else p)).exists()]
    if missing:
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--only-binary=:all:", *missing], check=True)
    return TOOLS / "bin"


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.perf_counter() - start, proc


def scan_in_subprocess() -> dict:
    """Scan in a fresh process so RSS is the scan's own."""
    code = (
        "import json, resource, time, pathlib\n"
        "from lsp_server.analysis.scan import scan\n"
        f"root = pathlib.Path({str(CORPUS)!r})\n"
        "t = time.perf_counter(); r = scan(root); dt = time.perf_counter() - t\n"
        "print(json.dumps({'seconds': dt, 'files': r.files_seen, 'parsed': r.files_parsed,\n"
        "  'flows': sum(len(d.flows) for d in r.documents),\n"
        "  'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def read_all_seconds() -> float:
    start = time.perf_counter()
    for dirpath, _, names in os.walk(CORPUS):
        for name in names:
            Path(dirpath, name).read_bytes()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--skip-semgrep", action="store_true")
    ap.add_argument("--semgrep-timeout", type=int, default=1800)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()

    ensure_corpus(args.files)
    tools = ensure_tools(not args.skip_semgrep)
    size_mb = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()) / 1e6
    results: dict = {"corpus": {"files": args.files, "megabytes": round(size_mb, 1)}}

    results["read_all_python_s"] = round(read_all_seconds(), 3)
    scan = scan_in_subprocess()
    results["posthog_lsp_scan"] = {**scan, "files_per_s": round(scan["files"] / scan["seconds"])}

    from lsp_server.analysis.vocabulary import load

    pattern = load().prefilter.pattern
    rg_s, rg = timed([str(tools / "rg"), "-l", "-c", "-e", pattern, str(CORPUS)])
    if rg.returncode > 1:  # the Rust engine lacks some constructs; PCRE2 has them
        rg_s, rg = timed([str(tools / "rg"), "-P", "-l", "-e", pattern, str(CORPUS)])
    results["ripgrep"] = {"seconds": round(rg_s, 3), "files_matched": len(rg.stdout.splitlines())}

    if not args.skip_semgrep:
        sg_s, sg = timed([str(tools / "semgrep"), "scan", "--config", str(HERE / "semgrep-rules.yml"), "--json",
                          "--metrics=off", "--disable-version-check", "--jobs", "2", str(CORPUS)],
                         timeout=args.semgrep_timeout, env={**os.environ, "SEMGREP_SEND_METRICS": "off"})
        matched = len({r["path"] for r in json.loads(sg.stdout or "{}").get("results", [])})
        results["semgrep"] = {"seconds": round(sg_s, 2), "files_matched": matched}

    lat = subprocess.run([sys.executable, str(HERE / "lsp_latency.py"), "--rounds", str(args.rounds)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    results["lsp"] = json.loads(lat.stdout)

    scan_s = results["posthog_lsp_scan"]["seconds"]
    results["ratios"] = {"scan_vs_ripgrep": round(scan_s / max(rg_s, 1e-9), 1)}
    if "semgrep" in results:
        results["ratios"]["semgrep_vs_scan"] = round(results["semgrep"]["seconds"] / scan_s, 1)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
