"""The revise stage's checks: allowlisted typecheck/build/lint commands, run without a shell.

Only scripts whose *name* is on the allowlist and whose *command* starts with an allowlisted tool run;
arguments are split with shlex and executed directly (no shell), with a timeout and an output cap.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SCRIPT_NAMES = ("typecheck", "type-check", "tsc", "lint", "build", "check")
TOOLS = ("tsc", "eslint", "next", "vite", "ruff", "mypy", "pyright", "biome", "python")
SHELL_META = set("|&;<>$`\\\n")
OUTPUT_CAP = 20_000


@dataclass(frozen=True, slots=True)
class Check:
    name: str  # e.g. "npm run typecheck"
    argv: tuple[str, ...]
    cwd: str  # absolute


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: Check
    ok: bool
    seconds: float
    output: str  # capped


def allowed_argv(command: str) -> tuple[str, ...] | None:
    """The argv for a script command if it is a single allowlisted tool invocation, else None."""
    if any(ch in SHELL_META for ch in command):
        return None
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    if not argv or Path(argv[0]).name not in TOOLS:
        return None
    if argv[0] == "python" and argv[1:3] not in (["-m", "mypy"], ["-m", "ruff"], ["-m", "compileall"]):
        return None
    return tuple(argv)


def discover_checks(package_dir: Path) -> list[Check]:
    """Checks a package declares: package.json scripts (run via its local node_modules/.bin)."""
    checks: list[Check] = []
    manifest = package_dir / "package.json"
    if manifest.is_file():
        try:
            scripts = json.loads(manifest.read_text(encoding="utf-8")).get("scripts") or {}
        except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
            scripts = {}
        for name in SCRIPT_NAMES:
            argv = allowed_argv(str(scripts.get(name, "")))
            if argv is None:
                continue
            local = package_dir / "node_modules" / ".bin" / argv[0]
            if not local.exists():
                continue  # dependencies not installed: nothing to run, and never npx-download
            checks.append(Check(f"npm run {name}", (str(local), *argv[1:]), str(package_dir)))
    return checks


def run_check(check: Check, timeout: float = 300) -> CheckResult:
    start = time.perf_counter()
    try:
        proc = subprocess.run(list(check.argv), cwd=check.cwd, capture_output=True, text=True, timeout=timeout,
                              shell=False, stdin=subprocess.DEVNULL)
        ok, output = proc.returncode == 0, (proc.stdout + proc.stderr)
    except subprocess.TimeoutExpired:
        ok, output = False, f"timed out after {timeout:.0f}s"
    except OSError as exc:
        ok, output = False, f"could not run: {exc}"
    return CheckResult(check, ok, time.perf_counter() - start, output[-OUTPUT_CAP:])
