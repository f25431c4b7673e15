"""`make bench`: scan throughput vs ripgrep and Semgrep on one corpus, LSP latency, start-up, memory.

    python bench/run.py [--files 10000] [--repeats 5] [--skip-semgrep] [--skip-lsp] [--semgrep-timeout 1800]

Writes bench/out/results.json; bench/RESULTS.md records a run with the commands that reproduce each figure.
ripgrep and Semgrep come from PyPI into bench/.tools (a separate venv: Semgrep pins its own dependencies).
Every timed tool runs in its own process, `--repeats` times; figures are medians, as wall time and as CPU time
(user + system of the child, which other load on the machine inflates far less than wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
TOOLS = HERE / ".tools"
OUT = HERE / "out"
EXTENSIONS = (".ts", ".tsx", ".js", ".py")


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


def timed(cmd: list[str], **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, child CPU s, process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, proc


def medians(runs: list[tuple[float, float]]) -> dict:
    return {"wall_s": round(statistics.median(w for w, _ in runs), 3),
            "cpu_s": round(statistics.median(c for _, c in runs), 3),
            "wall_runs": [round(w, 3) for w, _ in runs]}


SCAN_CODE = """
import json, resource, sys, time, pathlib
t0, c0 = time.perf_counter(), time.process_time()
from lsp_server.analysis.scan import scan
# the detector's modules, imported before timing as in sessions 1-2 (the package __init__ imported them then; it
# loads them lazily since session 3, which would move their import into the scan figure): reported on their own
import lsp_server.analysis.document
root = pathlib.Path(sys.argv[1])
t1, c1 = time.perf_counter(), time.process_time()
r = scan(root)
t2, c2 = time.perf_counter(), time.process_time()
scan(root)  # the same process again: what a re-scan in the running server costs
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"import_s": t1 - t0, "import_cpu_s": c1 - c0, "scan_wall_s": t2 - t1, "scan_cpu_s": c2 - c1,
  "rescan_wall_s": t3 - t2, "rescan_cpu_s": c3 - c2, "files": r.files_seen, "parsed": r.files_parsed,
  "flows": sum(len(d.flows) for d in r.documents), "errors": len(r.errors),
  "rss_mb_after_scan": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def scan_runs(repeats: int) -> dict:
    """`scan()` in a fresh process each time, so start-up costs (vocabulary, queries) and RSS are its own."""
    runs = []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, "-c", SCAN_CODE, str(CORPUS)], capture_output=True, text=True,
                              check=True, cwd=ROOT)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    med = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0] if isinstance(runs[0][k], float)}
    files = runs[0]["files"]
    return {**med, "files": files, "parsed": runs[0]["parsed"], "flows": runs[0]["flows"],
            "errors": runs[0]["errors"], "files_per_s_wall": round(files / med["scan_wall_s"]),
            "files_per_s_cpu": round(files / med["scan_cpu_s"]),
            "files_per_s_rescan_cpu": round(files / med["rescan_cpu_s"]),
            "scan_wall_runs": [round(r["scan_wall_s"], 3) for r in runs]}


def cli_runs(repeats: int) -> dict:
    """`posthog-lsp scan --format json` as a user runs it: one process, imports, scan and report included."""
    code = "import sys; from lsp_server.cli import main; main(sys.argv[1:])"
    # bytecode as an installed CLI has it (see the LSP figures below): imports are timed, not compiling them
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "lsp_server")], check=True,
                   capture_output=True)
    runs = [timed([sys.executable, "-c", code, "scan", "--format", "json", str(CORPUS)], cwd=ROOT, check=True)
            for _ in range(repeats)]
    out = medians([(w, c) for w, c, _ in runs])
    files = scan_files()
    return {**out, "files_per_s_wall": round(files / out["wall_s"]), "files_per_s_cpu": round(files / out["cpu_s"]),
            "flows": len(json.loads(runs[-1][2].stdout)["flows"])}


def scan_files() -> int:
    return sum(len(names) for _, _, names in os.walk(CORPUS))  # what `files_seen` counts (no file is ignored)


def read_all_seconds() -> float:
    start = time.perf_counter()
    for dirpath, _, names in os.walk(CORPUS):
        for name in names:
            Path(dirpath, name).read_bytes()
    return time.perf_counter() - start


def import_ms(repeats: int) -> dict:
    """CPU time of `python -c "import lsp_server.server"` (the server's imports) and of `python -c pass`."""
    out = {}
    for label, code in (("python_only", "pass"), ("server_imports", "import lsp_server.server"),
                        ("server_imports_fast", "from lsp_server.startup_cache import fast_imports\n"
                                                "with fast_imports():\n    import lsp_server.server")):
        cpu = [timed([sys.executable, "-c", code], cwd=ROOT, check=True)[1] * 1000 for _ in range(repeats)]
        out[label] = round(statistics.median(cpu), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-semgrep", action="store_true")
    ap.add_argument("--skip-lsp", action="store_true")
    ap.add_argument("--semgrep-timeout", type=int, default=1800)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()

    ensure_corpus(args.files)
    tools = ensure_tools(not args.skip_semgrep)
    sources = [p for p in CORPUS.rglob("*") if p.is_file() and not p.name.startswith(".files-")]
    size_mb = sum(p.stat().st_size for p in sources) / 1e6
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]},
        "corpus": {"files": len(sources), "megabytes": round(size_mb, 1),
                   "by_extension": {ext: sum(p.suffix == ext for p in sources) for ext in EXTENSIONS}},
    }
    results["read_all_python_s"] = round(read_all_seconds(), 3)
    results["posthog_lsp_scan"] = scan_runs(args.repeats)
    results["posthog_lsp_cli_scan_json"] = cli_runs(args.repeats)

    from lsp_server.analysis.vocabulary import load

    pattern = load().prefilter_source  # case-sensitive: it spells out the cases each term may take
    rg_cmd = [str(tools / "rg"), "-l", "-e", pattern, str(CORPUS)]
    if timed(rg_cmd)[2].returncode > 1:  # the Rust engine lacks some constructs; PCRE2 has them
        rg_cmd.insert(1, "-P")
    rg_runs = [timed(rg_cmd) for _ in range(args.repeats)]
    results["ripgrep"] = {**medians([(w, c) for w, c, _ in rg_runs]), "command": " ".join(rg_cmd[:-3]) + " PATTERN DIR",
                          "files_matched": len(rg_runs[-1][2].stdout.splitlines()), "threads": "default (all cores)"}
    rg1 = [timed([rg_cmd[0], "-j1", *rg_cmd[1:]]) for _ in range(args.repeats)]
    results["ripgrep_one_thread"] = medians([(w, c) for w, c, _ in rg1])

    if not args.skip_semgrep:
        # --no-git-ignore: the corpus sits in this repository's ignored bench/corpus/, and Semgrep otherwise scans
        # only files git tracks (0 files)
        sg_cmd = [str(tools / "semgrep"), "scan", "--config", str(HERE / "semgrep-rules.yml"), "--json",
                  "--metrics=off", "--disable-version-check", "--no-git-ignore", "--jobs", "2", str(CORPUS)]
        wall, cpu, sg = timed(sg_cmd, timeout=args.semgrep_timeout, env={**os.environ, "SEMGREP_SEND_METRICS": "off"})
        matched = len({r["path"] for r in json.loads(sg.stdout or "{}").get("results", [])})
        scanned = len(json.loads(sg.stdout or "{}").get("paths", {}).get("scanned", []))
        results["semgrep"] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "files_matched": matched,
                              "files_scanned": scanned, "runs": 1, "jobs": 2}

    if not args.skip_lsp:
        # bytecode as an installed server has it (pip compiles at install): with PYTHONDONTWRITEBYTECODE set, a
        # checkout would otherwise compile ~30 modules from source at every start (~30 ms) and time that instead
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "lsp_server")], check=True,
                       capture_output=True)
        lat = subprocess.run([sys.executable, str(HERE / "lsp_latency.py"), "--rounds", str(args.rounds)],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        results["lsp"] = json.loads(lat.stdout)
        boot = subprocess.run([sys.executable, str(HERE / "lsp_latency.py"), "--startup-only", str(args.repeats + 2)],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        results["lsp_startup"] = json.loads(boot.stdout)
        results["import_cpu_ms"] = import_ms(args.repeats)

    scan = results["posthog_lsp_scan"]
    results["ratios"] = {
        "scan_wall_vs_ripgrep_wall": round(scan["scan_wall_s"] / max(results["ripgrep"]["wall_s"], 1e-9), 1),
        "scan_cpu_vs_ripgrep_cpu": round(scan["scan_cpu_s"] / max(results["ripgrep"]["cpu_s"], 1e-9), 1),
        "cli_cpu_vs_ripgrep_cpu": round(results["posthog_lsp_cli_scan_json"]["cpu_s"]
                                        / max(results["ripgrep"]["cpu_s"], 1e-9), 1),
    }
    if "semgrep" in results:
        results["ratios"]["semgrep_wall_vs_scan_wall"] = round(results["semgrep"]["wall_s"] / scan["scan_wall_s"], 1)
        results["ratios"]["semgrep_cpu_vs_scan_cpu"] = round(results["semgrep"]["cpu_s"] / scan["scan_cpu_s"], 1)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
