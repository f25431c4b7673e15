"""Integrate an app the way `posthog-lsp integrate --yes --agent off` does, and run its smoke path at the sink."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from lsp_server.agent.events_plan import PlannedEvent, read_plan
from lsp_server.agent.pipeline import FileChange, plan_integration
from lsp_server.agent.run import IntegrateOptions, run_integrate
from lsp_server.edits.setup import SetupPlan
from tests import sink

from .strip import strip_app

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "skills" / "examples"
FIXTURES = TESTS / "fixtures" / "apps"
NODE_MODULES = TESTS / "node" / "node_modules"
TYPECHECK_MODULES = TESTS / "typecheck" / "node_modules"
TSC = TYPECHECK_MODULES / ".bin" / "tsc"


@dataclass(slots=True)
class Integrated:
    name: str
    root: Path
    code: int  # run_integrate's exit code
    err: str
    events: list[PlannedEvent]  # .posthog-events.json after the run
    edited: list[FileChange]  # what the run changed, before and after
    key_var: str
    host_var: str

    def planned(self) -> set[str]:
        return {e.event_name for e in self.events}


def integrate(src: Path, dest: Path, *, strip: bool) -> Integrated:
    """A (PostHog-free) copy of `src` at `dest`, integrated without a model; checks left to the tests."""
    if strip:
        strip_app(src, dest)
    else:
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    plan = plan_integration(dest)
    setup = plan.packages[0].setup if plan.packages else SetupPlan()
    out, err = io.StringIO(), io.StringIO()
    code = run_integrate(IntegrateOptions(root=dest, yes=True, agent="off", out=out, err=err, run_checks=False))
    return Integrated(src.name, dest, code, err.getvalue(), read_plan(dest) or [], plan.edited, setup.key_var,
                      setup.host_var)


def link_node_modules(root: Path, modules: Path) -> None:
    """Node resolves packages from the file's folder, so the app gets a node_modules link."""
    link = root / "node_modules"
    if not link.exists():
        link.symlink_to(modules, target_is_directory=True)


def run_at_sink(command: list[str], app: Integrated, sink_url: str, **kw) -> tuple[dict | None, list[dict]]:
    """Run the app's smoke path with a fresh token and the sink as host: (its JSON result line, events)."""
    token = f"phc_smoke_{uuid.uuid4().hex[:12]}"
    env = {**os.environ, app.key_var: token, app.host_var: sink_url, "NODE_ENV": "test"}
    proc = subprocess.run(command, cwd=app.root, env=env, capture_output=True, text=True, timeout=60, **kw)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None
    return result, [e for e in sink.all_events() if e["api_key"] == token]


def start_at_sink(command: list[str], app: Integrated, sink_url: str):
    """run_at_sink, started now and finished by the returned function (to run several apps at once)."""
    token = f"phc_smoke_{uuid.uuid4().hex[:12]}"
    env = {**os.environ, app.key_var: token, app.host_var: sink_url, "NODE_ENV": "test"}
    proc = subprocess.Popen(command, cwd=app.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish() -> tuple[dict, list[dict]]:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-3000:]
        return json.loads(out.strip().splitlines()[-1]), [e for e in sink.all_events() if e["api_key"] == token]

    return finish


def require_node(*modules: Path) -> None:
    """CI installs Node and the test packages: a missing toolchain fails, it is never skipped."""
    assert shutil.which("node"), "node is not on PATH"
    for path in modules:
        assert path.exists(), f"{path} is missing: run `make node-deps typecheck-deps`"
