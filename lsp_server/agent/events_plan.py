"""`.posthog-events.json`: the plan of events the user can edit between runs (it is kept, never deleted)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

PLAN_FILE = ".posthog-events.json"


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    event_name: str
    event_description: str
    file: str  # root-relative, '/' separators


def read_plan(root: Path) -> list[PlannedEvent] | None:
    """The plan on disk, or None when there is none. A broken file raises ValueError with the reason."""
    path = root / PLAN_FILE
    if not path.is_file():
        return None
    return parse_plan(path.read_text(encoding="utf-8"))


def parse_plan(text: str) -> list[PlannedEvent]:
    """A plan from its JSON text. A broken plan raises ValueError with the reason."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{PLAN_FILE} is not valid JSON ({exc.msg} at line {exc.lineno}); fix or delete it") from exc
    if not isinstance(raw, list):
        raise ValueError(f"{PLAN_FILE} must be a JSON array of events")
    plan = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("event_name"), str) or not item["event_name"]:
            raise ValueError(f"{PLAN_FILE}: entry {i} needs a non-empty \"event_name\"")
        plan.append(PlannedEvent(item["event_name"], str(item.get("event_description", "")), str(item.get("file", ""))))
    return plan


def merge_plan(existing: list[PlannedEvent] | None, proposed: list[PlannedEvent]) -> list[PlannedEvent]:
    """Keep what the user wrote (their order, names and removals win); append only new (event, file) pairs.

    A proposed event whose name the user removed stays removed: the user's plan is the contract, so a
    re-run never resurrects it. New flows found since the last run are appended.
    """
    if existing is None:
        return list(proposed)
    known = {(e.event_name, e.file) for e in existing}
    known_files = {e.file for e in existing}
    extra = [p for p in proposed if (p.event_name, p.file) not in known and p.file not in known_files]
    return [*existing, *extra]


def render_plan(plan: list[PlannedEvent]) -> str:
    return json.dumps([asdict(e) for e in plan], indent=2) + "\n"
