"""The offline integration demo: integrate a copy of the bundled sample app and show the diff and the report.

No API key, no network. The sample (`skills/demo/acme-shop`) is copied to a temporary folder, so the bundled
files never change; `keep` leaves the copy on disk for a closer look.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from ..skills import bundled_skills_root
from . import writes
from .pipeline import plan_integration
from .report import REPORT_FILE
from .run import IntegrateOptions, run_integrate


def run_integrate_demo(out: TextIO = sys.stdout, err: TextIO = sys.stderr, *, keep: bool = False) -> int:
    sample = bundled_skills_root() / "demo" / "acme-shop"
    if not sample.is_dir():
        print(f"the sample app is missing ({sample})", file=err)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="posthog-demo-"))
    root = folder / "acme-shop"
    try:
        shutil.copytree(sample, root)
        code = integrate_copy(root, out, err)
        if keep:
            print(f"\nthe integrated copy is in {root}", file=err)
        return code
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def integrate_copy(root: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Integrate `root` deterministically, printing the diff first and the report last."""
    plan = plan_integration(root)
    for change in plan.edited:
        out.write(writes.unified_diff(change.path, change.before, change.after))
    code = run_integrate(IntegrateOptions(root=root, yes=True, agent="off", run_checks=False, out=out, err=err))
    report = root / REPORT_FILE
    if report.is_file():
        out.write("\n" + report.read_text(encoding="utf-8"))
    return code
