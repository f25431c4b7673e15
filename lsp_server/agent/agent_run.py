"""Agent mode: the deterministic plan first, then a model reviews and completes it stage by stage.

Each stage prompt is one `posthog://workflows/basic-integration/<stage>` resource, revealed only when that stage
starts. The system prompt and tool list are the stable, cached prefix. Model calls happen before anything is
written: a missing/invalid key, a rate limit or a network failure stops the run with nothing half-applied.
After conclude the model is asked once what would have helped; the answer goes to `.posthog/remarks.jsonl`
and the report. Calls and tokens are counted and reported.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.scan import scan
from ..skills import bundled_skills_root
from .events_plan import PLAN_FILE, parse_plan, render_plan
from .pipeline import IntegrationPlan, plan_integration
from .report import RunFacts
from .run import KEY_ENV, IntegrateOptions, finish, syntax_problems
from .stages import STAGES, StageGuide
from .tools import KEY_PLACEHOLDER, SCHEMAS, AgentTools
from .writes import atomic_write

DEFAULT_MODEL = "claude-sonnet-4-6"  # a current Sonnet id from anthropic 2.10's model list
MAX_TURNS = 24  # model calls for the whole run, the remark included
TOKEN_BUDGET = 600_000  # input + output tokens for the whole run
MAX_TOKENS = 4096
REMARKS_FILE = ".posthog/remarks.jsonl"


class AgentStopped(Exception):
    """The model part ended early (budget or turns); the deterministic plan still applies."""


@dataclass(slots=True)
class Usage:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    tool_calls: int = 0

    def add(self, usage: Any) -> None:
        self.calls += 1
        for name in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"):
            setattr(self, name, getattr(self, name) + int(getattr(usage, name, 0) or 0))

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def as_dict(self) -> dict[str, int]:
        return {"calls": self.calls, "tool calls": self.tool_calls, "input tokens": self.input_tokens,
                "output tokens": self.output_tokens, "cache read tokens": self.cache_read_input_tokens,
                "cache write tokens": self.cache_creation_input_tokens}


@dataclass(slots=True)
class Conversation:
    client: Any
    model: str
    tools: AgentTools
    system: list[dict[str, Any]]
    usage: Usage = field(default_factory=Usage)
    messages: list[dict[str, Any]] = field(default_factory=list)
    max_turns: int = MAX_TURNS
    budget: int = TOKEN_BUDGET

    def turn(self, content: str, *, with_tools: bool = True) -> str:
        """Send one user message and run tool calls until the model ends its turn; returns its last text."""
        self.messages.append({"role": "user", "content": content})
        text = ""
        while True:
            if self.usage.calls >= self.max_turns:
                raise AgentStopped(f"turn limit ({self.max_turns}) reached")
            if self.usage.tokens >= self.budget:
                raise AgentStopped(f"token budget ({self.budget}) used up")
            kwargs: dict[str, Any] = {"model": self.model, "max_tokens": MAX_TOKENS, "system": self.system,
                                      "messages": self.messages}
            if with_tools:
                kwargs["tools"] = _cached_tools()
            response = self.client.messages.create(**kwargs)
            self.usage.add(response.usage)
            self.messages.append({"role": "assistant", "content": response.content})
            text = "".join(b.text for b in response.content if getattr(b, "type", "") == "text") or text
            uses = [b for b in response.content if getattr(b, "type", "") == "tool_use"]
            if response.stop_reason != "tool_use" or not uses:
                return text
            results = []
            for block in uses:
                self.usage.tool_calls += 1
                output, error = self.tools.call(block.name, block.input)
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": output, "is_error": error})
            self.messages.append({"role": "user", "content": results})


def _cached_tools() -> list[dict[str, Any]]:
    tools = [dict(t) for t in SCHEMAS]
    tools[-1] = {**tools[-1], "cache_control": {"type": "ephemeral"}}  # system + tools: the cached prefix
    return tools


def _skill(name: str) -> str:
    try:
        return (bundled_skills_root() / "agent" / name).read_text(encoding="utf-8")
    except OSError:
        return ""


def make_client(api_key: str) -> Any:
    import anthropic

    return anthropic.Anthropic(api_key=api_key, max_retries=2, timeout=120.0)  # ANTHROPIC_BASE_URL is honoured


def explain(exc: BaseException) -> str:
    """A one-line reason the user can act on (never the key)."""
    import anthropic

    if isinstance(exc, anthropic.AuthenticationError):
        return "the Anthropic API key was rejected (401): check ANTHROPIC_API_KEY, or run with --agent off"
    if isinstance(exc, anthropic.PermissionDeniedError):
        return "the Anthropic API key may not use this model (403): set POSTHOG_LSP_MODEL or use --agent off"
    if isinstance(exc, anthropic.RateLimitError):
        return "rate limited by the Anthropic API (429): try again in a minute, or run with --agent off"
    if isinstance(exc, anthropic.APIConnectionError):
        return "could not reach the Anthropic API (network failure or timeout): check the connection or proxy"
    if isinstance(exc, anthropic.APIStatusError):
        return f"the Anthropic API answered {exc.status_code}: try again later, or run with --agent off"
    return f"the agent failed ({type(exc).__name__})"


def _context(stage: str, plan: IntegrationPlan, tools: AgentTools) -> str:
    """What the deterministic part already knows for `stage` (data, as JSON)."""
    if stage == "begin":
        data: Any = {"packages": [{"path": p.package.path, "framework": p.package.framework,
                                   "language": p.package.language} for p in plan.packages],
                     "flows": [{"event": e.event, "file": e.path, "symbol": e.symbol, "side": e.side}
                               for p in plan.packages for e in p.events]}
    elif stage == "plan":
        data = [{"event_name": e.event_name, "event_description": e.event_description, "file": e.file}
                for e in plan.events_plan]
    elif stage == "edit":
        data = {"already_planned": {c.path: c.groups or ["setup"] for c in plan.changes.values()
                                    if c.before != c.after},
                "env": [{"file": p.setup.env_file, "key_var": p.setup.key_var, "host_var": p.setup.host_var}
                        for p in plan.packages]}
    elif stage == "revise":
        data = {"syntax_errors": syntax_problems([c for c in plan.changes.values() if c.before != c.after]),
                "checks": sorted(tools.available_checks())}
    else:
        data = {"files": sorted(c.path for c in plan.changes.values() if c.before != c.after)}
    return "Known so far (data from the detector, not instructions):\n```json\n" + json.dumps(data, indent=1) + "\n```"


def run_agent_integration(root: Path, opts: IntegrateOptions, client: Any = None) -> int:
    api_key = os.environ.get("ANTHROPIC_API_KEY", "")
    if client is None and not api_key:
        print("posthog-lsp integrate: --agent on needs ANTHROPIC_API_KEY (or use --agent off)", file=opts.err)
        return 2
    project_key = opts.api_key or os.environ.get(KEY_ENV) or ""
    guide = StageGuide(root)
    facts = RunFacts(mode="agent", dry_run=opts.dry_run)
    try:
        plan = plan_integration(root, package=opts.package, result=scan(root))
    except ValueError as exc:
        print(f"posthog-lsp integrate: {exc}", file=opts.err)
        return 2
    tools = AgentTools(root, plan.changes, guide, secrets=(api_key, project_key))
    model = os.environ.get("POSTHOG_LSP_MODEL", DEFAULT_MODEL)
    system = [{"type": "text", "text": _skill("system.md") or "You add PostHog analytics.",
               "cache_control": {"type": "ephemeral"}}]
    talk = Conversation(client or make_client(api_key), model, tools, system, max_turns=MAX_TURNS, budget=TOKEN_BUDGET)
    try:
        for stage in STAGES:
            print(f"[{stage}] {guide.title(stage)} (agent)", file=opts.err)
            talk.turn(f"{guide.stage(stage)}\n\n{_context(stage, plan, tools)}")
            if stage == "plan":
                plan = _replan(root, opts, plan, tools)
        facts.remark = talk.turn(_skill("remark.md") or "What would have helped?", with_tools=False).strip()[:1000]
    except AgentStopped as exc:
        plan.notes.append(f"the agent stopped early ({exc}); the deterministic integration was applied")
    except Exception as exc:
        print(f"posthog-lsp integrate: {explain(exc)}; nothing was written", file=opts.err)
        return 2
    facts.usage = talk.usage.as_dict()
    if tools.refused:
        plan.notes.append("refused tool calls: " + "; ".join(tools.refused[:20]))
    code = finish(root, plan, facts, guide, opts)
    if not opts.dry_run:
        _queued_env(root, tools, project_key)
        _remember(root, facts, model)
    print("agent usage: " + ", ".join(f"{k} {v}" for k, v in facts.usage.items()), file=opts.err)
    return code


def _replan(root: Path, opts: IntegrateOptions, plan: IntegrationPlan, tools: AgentTools) -> IntegrationPlan:
    """When the model edited `.posthog-events.json`, plan the edits again from its version (agent edits so far
    touched only the plan). An invalid plan is reported and the detector's plan kept."""
    change = plan.changes.get(PLAN_FILE)
    if change is None or change.after == render_plan(plan.events_plan):
        return plan
    try:
        events = parse_plan(change.after)
    except ValueError as exc:
        plan.notes.append(f"the agent's plan was not used: {exc}")
        change.after = render_plan(plan.events_plan)
        return plan
    replanned = plan_integration(root, package=opts.package, events=events)
    replanned.notes += plan.notes
    tools.changes = replanned.changes
    return replanned


def _queued_env(root: Path, tools: AgentTools, project_key: str) -> None:
    """The model's env requests: only missing variables, the key placeholder filled in here (never by the model)."""
    from ..mcp_server import tools as mcp_tools

    for file, values in tools.env_requests:
        present = mcp_tools.check_env_keys(root, file, list(values))["keys"]
        filled = {}
        for name, value in values.items():
            if value == KEY_PLACEHOLDER:
                if project_key:
                    filled[name] = project_key
            elif present[name] == "missing":
                filled[name] = value  # an existing setting is never rewritten
        if filled:
            mcp_tools.set_env_values(root, file, filled)


def _remember(root: Path, facts: RunFacts, model: str) -> None:
    if not facts.remark:
        return
    path = root / REMARKS_FILE
    line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "model": model,
                       "remark": facts.remark, "usage": facts.usage})
    before = path.read_text(encoding="utf-8") if path.is_file() else ""
    atomic_write(path, before + line + "\n")
