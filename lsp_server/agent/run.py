"""`posthog-lsp integrate PATH`: the five stages end to end, deterministic (no model) or with the agent.

What the user sees: each stage's title as it starts, a unified diff with --dry-run (nothing written), else
atomic writes, the env variables set through `set_env_values` (values never printed), the checks that ran,
and `posthog-setup-report.md`. A second run changes nothing.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..analysis.parsing import language_for_path, parse
from ..analysis.scan import scan
from ..mcp_server import tools as env_tools
from ..mcp_server.sandbox import Refused, confine
from . import checks, writes
from .pipeline import FileChange, IntegrationPlan, plan_integration
from .report import REPORT_FILE, RunFacts, render_report
from .stages import REPORT_TEMPLATE, StageGuide

KEY_ENV = "POSTHOG_PROJECT_TOKEN"
DEFAULT_HOSTS = {"us": "https://us.i.posthog.com", "eu": "https://eu.i.posthog.com"}
CHECK_TIMEOUT = 300.0


@dataclass(slots=True)
class IntegrateOptions:
    root: Path
    dry_run: bool = False
    yes: bool = False
    agent: str = "auto"  # auto | on | off
    region: str = "us"
    host: str | None = None
    package: str | None = None
    api_key: str | None = None
    run_checks: bool = True
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)


def use_agent(choice: str, environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return choice == "on" or (choice == "auto" and bool(environ.get("ANTHROPIC_API_KEY")))


def run_integrate(opts: IntegrateOptions) -> int:
    """Run the integration; the exit code is 0 when it is complete and verified, 1 on a failed check, 2 on error."""
    root = Path(os.path.realpath(opts.root))
    if not root.is_dir():
        print(f"posthog-lsp integrate: {opts.root} is not a folder", file=opts.err)
        return 2
    if use_agent(opts.agent):
        from .agent_run import run_agent_integration

        return run_agent_integration(root, opts)
    return run_deterministic(root, opts)


def run_deterministic(root: Path, opts: IntegrateOptions) -> int:
    guide = StageGuide(root)
    facts = RunFacts(mode="deterministic", dry_run=opts.dry_run)
    _stage(guide, "begin", opts)
    result = scan(root)
    _stage(guide, "plan", opts)
    try:
        plan = plan_integration(root, package=opts.package, result=result)
    except ValueError as exc:
        print(f"posthog-lsp integrate: {exc}", file=opts.err)
        return 2
    _print_plan(plan, opts)
    return finish(root, plan, facts, guide, opts)


def finish(root: Path, plan: IntegrationPlan, facts: RunFacts, guide: StageGuide, opts: IntegrateOptions) -> int:
    """Edit, revise and conclude for a validated plan (shared by the deterministic and the agent runs)."""
    _stage(guide, "edit", opts)
    broken = hold_back_broken(plan)
    if opts.dry_run:
        for change in plan.edited:
            opts.out.write(writes.unified_diff(change.path, change.before, change.after))
    else:
        dirty = writes.dirty_files(root)
        if dirty:
            print(f"warning: the git tree has {len(dirty)} uncommitted change(s); review the diff with care",
                  file=opts.err)
        if plan.edited and not opts.yes and _interactive() and not _confirm(plan, opts):
            print("posthog-lsp integrate: nothing written", file=opts.err)
            return 1
        for path in apply_changes(root, plan.edited, facts):
            wanted = plan.changes.pop(path).after.strip().splitlines()  # the report lists only what was written
            for package in plan.packages:
                if any(e.path == path for e in package.setup.edits):
                    package.setup.dependencies = []
            plan.notes.append(f"`{path}` exists but could not be read (not UTF-8?), so it was left as it is: "
                              f"add `{wanted[0] if wanted else ''}` there by hand")
    set_env(root, plan, opts, facts)
    _stage(guide, "revise", opts)
    ok = revise(root, plan, facts, opts) and not broken
    _stage(guide, "conclude", opts)
    facts.stages = [u.rsplit("/", 1)[-1] for u in guide.fetched if "/workflows/" in u]
    template = guide.read(guide.uri(REPORT_TEMPLATE)) or "# PostHog setup report\n\n{{events_table}}\n"
    report = render_report(template, plan, facts)
    if not opts.dry_run and (plan.edited or broken or not (root / REPORT_FILE).is_file()):
        writes.atomic_write(root / REPORT_FILE, report)
    _summary(plan, facts, opts, broken)
    return 0 if ok else 1


def _stage(guide: StageGuide, stage: str, opts: IntegrateOptions) -> None:
    print(f"[{stage}] {guide.title(stage)}", file=opts.err)


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _confirm(plan: IntegrationPlan, opts: IntegrateOptions) -> bool:
    print(f"Apply {len(plan.edited)} file change(s)? [y/N] ", end="", file=opts.err, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def _print_plan(plan: IntegrationPlan, opts: IntegrateOptions) -> None:
    for package in plan.packages:
        names = sorted({e.event for e in package.events})
        print(f"  {package.package.path} ({package.package.framework}): {len(names)} event(s)", file=opts.err)


def write_order(change: FileChange) -> tuple[int, str]:
    """New files first, then manifests, then sources: a run stopped midway never leaves an import dangling."""
    manifest = change.path.rsplit("/", 1)[-1] in ("package.json", "requirements.txt", "pyproject.toml")
    return (0 if change.before is None else 1 if manifest else 2, change.path)


def apply_changes(root: Path, changes: list[FileChange], facts: RunFacts) -> list[str]:
    """Atomic writes in a safe order; returns the new files left out because a file is there already.

    A file that appeared since planning, or one planning could not read (neither UTF-8 nor UTF-16), is never
    overwritten.
    """
    skipped = []
    for change in sorted(changes, key=write_order):
        target = confine(root, change.path)
        if change.before is None and target.exists():
            skipped.append(change.path)
            continue
        writes.atomic_write(target, change.after, change.encoding)
        facts.written.append(change.path)
    return skipped


# -- env -------------------------------------------------------------------------------------------------------

_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def _empty_keys(path: Path, keys: list[str]) -> set[str]:
    """Which of `keys` are assigned an empty value (the values themselves are never kept or returned)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return set()
    empty = set()
    for line in lines:
        m = _ASSIGN.match(line)
        if m and m.group(1) in keys and m.group(2) in ("", '""', "''"):
            empty.add(m.group(1))
    return empty


def set_env(root: Path, plan: IntegrationPlan, opts: IntegrateOptions, facts: RunFacts) -> None:
    """Key and host through `set_env_values`: only what is missing (an explicit --api-key is always written).

    A name the app already sets in another env file it loads (`.env` next to the `.env.local` we would write) is
    kept: writing it again, empty or with the default host, would shadow the working value.
    """
    key = opts.api_key or os.environ.get(KEY_ENV) or ""
    for package in plan.packages:
        setup = package.setup
        hosts = {**DEFAULT_HOSTS, **setup.hosts}
        host = opts.host or hosts.get(opts.region, DEFAULT_HOSTS["us"])
        names = [setup.key_var, setup.host_var]
        try:
            status = env_tools.check_env_keys(root, setup.env_file, names)["keys"]
            elsewhere = _set_in_loaded_env_files(root, setup.env_file, names)
        except Refused as exc:
            plan.notes.append(f"{setup.env_file}: {exc}")
            continue
        values: dict[str, str] = {}
        if opts.api_key or (setup.key_var not in elsewhere and (key or status[setup.key_var] == "missing")):
            values[setup.key_var] = key
        if opts.host or (setup.host_var not in elsewhere and status[setup.host_var] == "missing"):
            values[setup.host_var] = host
        verb = "would set" if opts.dry_run else "set"
        if values and not opts.dry_run:
            env_tools.set_env_values(root, setup.env_file, values)
        for name in values:
            shown = "(empty: set it to your project token)" if name == setup.key_var and not key else "(value hidden)"
            if name == setup.host_var:
                shown = values[name]
            facts.env.append(f"`{name}` {verb} in `{setup.env_file}` {shown}")
        for name in names:
            if name not in values:
                facts.env.append(f"`{name}` already in `{elsewhere.get(name, setup.env_file)}` (kept)")
        full = root / setup.env_file
        still_empty = not key and setup.key_var not in elsewhere and (
            setup.key_var in values or setup.key_var in _empty_keys(full, [setup.key_var]))
        if still_empty:
            facts.missing_key.append(setup.key_var)


# The env files frameworks (Next.js, Vite, python-dotenv setups) load, besides the one integrate writes.
LOADED_ENV_FILES = (".env", ".env.local", ".env.development", ".env.development.local", ".env.production",
                    ".env.production.local")


def _set_in_loaded_env_files(root: Path, env_file: str, names: list[str]) -> dict[str, str]:
    """{name: file} for the names another loaded env file of the package assigns a non-empty value to."""
    folder = env_file.rsplit("/", 1)[0] + "/" if "/" in env_file else ""
    found: dict[str, str] = {}
    for other in LOADED_ENV_FILES:
        rel = folder + other
        if rel == env_file or not (root / rel).is_file():
            continue
        status = env_tools.check_env_keys(root, rel, names)["keys"]
        empty = _empty_keys(root / rel, names)
        for name in names:
            if status[name] == "present" and name not in empty:
                found.setdefault(name, rel)
    return found


# -- revise ----------------------------------------------------------------------------------------------------


def syntax_problems(changes: list[FileChange]) -> list[str]:
    """Edited files that parse with errors now but did not before (tree-sitter ERROR/MISSING nodes)."""
    bad = []
    for change in changes:
        language = language_for_path(change.path)
        if language is None:
            continue
        after = parse(change.after, language)
        before = parse(change.before, language) if change.before is not None else None
        if after is None or (after.root.has_error and not (before is not None and before.root.has_error)):
            bad.append(change.path)
    return bad


def hold_back_broken(plan: IntegrationPlan) -> list[str]:
    """Leave out every file whose planned edit would not parse: the rest is written, those are reported.

    A broken file is never written, so the next run plans it again (and says so again) instead of calling
    the app "already integrated".
    """
    bad = syntax_problems(plan.edited)
    for path in bad:
        change = plan.changes[path]
        if change.before is None:
            del plan.changes[path]
        else:
            change.after = change.before
        plan.notes.append(f"`{path}`: not changed — the planned edit would not parse; add PostHog there by hand "
                          "(see the framework's snippets), then run integrate again")
    return bad


def revise(root: Path, plan: IntegrationPlan, facts: RunFacts, opts: IntegrateOptions) -> bool:
    ok = True
    parsed = [c for c in plan.edited if language_for_path(c.path)]
    bad = syntax_problems(plan.edited)
    if bad:
        ok = False
        plan.notes.append("syntax errors after editing: " + ", ".join(bad))
    facts.verified.append(f"syntax: {len(parsed) - len(bad)}/{len(parsed)} edited source file(s) parse cleanly "
                          "(tree-sitter, no ERROR nodes)")
    if opts.dry_run or not opts.run_checks:
        return ok
    for package in plan.packages:
        folder = root / package.package.path
        for check in checks.discover_checks(folder):
            result = checks.run_check(check, timeout=CHECK_TIMEOUT)
            where = package.package.path
            facts.verified.append(f"`{check.name}` in `{where}`: {'passed' if result.ok else 'FAILED'} "
                                  f"({result.seconds:.1f}s)")
            if not result.ok:
                ok = False
                plan.notes.append(f"`{check.name}` in `{where}` failed:\n\n```\n{result.output[-2000:]}\n```")
    if len(facts.verified) == 1:
        facts.verified.append("no typecheck/lint/build script with locally installed tools was found to run")
    return ok


def _summary(plan: IntegrationPlan, facts: RunFacts, opts: IntegrateOptions, broken: list[str]) -> None:
    events = len({(e.event_name, e.file) for e in plan.events_plan})
    if opts.dry_run:
        for line in facts.env:
            print(f"  env: {line.replace('`', '')}", file=opts.err)
        print(f"dry run: {len(plan.edited)} file(s) would change, {events} event(s) planned; nothing written",
              file=opts.err)
    elif plan.edited:
        print(f"PostHog integrated: {len(facts.written)} file(s) written, {events} event(s); see {REPORT_FILE}",
              file=opts.err)
    elif not broken:
        print("PostHog is already integrated: no changes", file=opts.err)
    if broken:
        print(f"not changed, the planned edit would not parse: {', '.join(broken)} (see {REPORT_FILE})",
              file=opts.err)
    if not plan.packages:
        print("no business flow (signup, login, checkout, payment, ...) was found, so no SDK, client or event was "
              "added", file=opts.err)
    for name in dict.fromkeys(facts.missing_key):
        print(f"Set {name} to your PostHog project token (phc_...) — until then PostHog stays disabled.",
              file=opts.err)
