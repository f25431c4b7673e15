"""`posthog-setup-report.md`: what the run did, filled into the skills' report template. Never holds a key value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pipeline import IntegrationPlan

REPORT_FILE = "posthog-setup-report.md"


@dataclass(slots=True)
class RunFacts:
    """What happened during the run, beyond the plan."""

    mode: str  # "deterministic" | "agent"
    dry_run: bool = False
    written: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)  # human lines, e.g. "NEXT_PUBLIC_POSTHOG_KEY set in .env.local"
    missing_key: list[str] = field(default_factory=list)  # variable names the user still has to set
    verified: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)  # resources read, in order
    remark: str | None = None
    usage: dict[str, int] = field(default_factory=dict)  # calls, input/output/cache tokens (agent mode)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_report(template: str, plan: IntegrationPlan, facts: RunFacts) -> str:
    sides = {(e.event, e.path): e.side for p in plan.packages for e in p.events}
    sides.update({(e.event_name, e.file): "not added (see notes)" for e in plan.missing})
    rows = [
        f"| `{_cell(e.event_name)}` | {_cell(e.event_description)} | `{_cell(e.file)}` | "
        f"{sides.get((e.event_name, e.file), '—')} |"
        for e in plan.events_plan
    ]
    frameworks = ", ".join(f"{p.package.path} ({p.package.framework})" for p in plan.packages) or "none found"
    deps = sorted({d for p in plan.packages for d in p.setup.dependencies})
    managers = sorted({f"`{p.package.package_manager} install`" for p in plan.packages if p.setup.dependencies})
    dry = " (dry run: nothing written)." if facts.dry_run else "."
    summary = [f"Packages: {frameworks}. Mode: {facts.mode}{dry}"]
    if deps:
        summary.append(f"Dependencies added: {', '.join(f'`{d}`' for d in deps)}.")
    files = [f"- `{c.path}`" + (" (new)" if c.before is None else "") for c in plan.edited]
    files = files or ["- none: already set up"]
    env = [f"- {line}" for line in facts.env] or ["- nothing to set"]
    if facts.missing_key:
        env.append(f"- **Set {', '.join(f'`{v}`' for v in facts.missing_key)}** to your project token (`phc_...`): "
                   "without it PostHog stays disabled and the app keeps working.")
    notes = [f"- {n}" for p in plan.packages for n in p.setup.notes] + [f"- {n}" for n in plan.notes]
    run = [f"- Stages read: {' → '.join(facts.stages) or 'none'}"]
    if facts.usage:
        run.append("- Model usage: " + ", ".join(f"{k} {v}" for k, v in facts.usage.items()))
    if facts.remark:
        run.append(f"- Remark (what would have helped this run): {facts.remark}")
    values = {
        "summary": "\n".join(summary),
        "events_table": "\n".join(rows) or "| — | no events planned | | |",
        "files": "\n".join(files),
        "environment": "\n".join(env),
        "verified": "\n".join(f"- {v}" for v in facts.verified) or "- nothing could be verified",
        "install": ", ".join(managers) or "nothing new",
        "notes": "\n".join(notes) or "- none",
        "run": "\n".join(run),
    }
    body = re.sub(r"^<!--.*?-->\n", "", template, flags=re.S)
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values.get(m.group(1), ""), body)
