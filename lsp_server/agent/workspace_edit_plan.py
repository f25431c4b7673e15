"""The whole integration as one reviewable edit, for the LSP command `posthog.integrate` (pure data).

The LSP edge turns `WorkspaceEditPlan` into one `workspace/applyEdit`: a `CreateFile` then an insert for each
new file, one versioned `TextDocumentEdit` per existing file, and one change annotation (needsConfirmation)
per event group, so the editor shows the refactor preview, the user can untick an event, and one undo reverts
all. Every text change is expressed against the file as it is now (0-based lines, code-point columns).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.model import Span
from ..analysis.scan import scan
from .pipeline import FileChange, IntegrationPlan, plan_integration
from .stages import STAGES

SETUP_GROUP = "posthog_setup"


@dataclass(frozen=True, slots=True)
class TextChange:
    span: Span  # in the current text of the file
    new_text: str
    group: str  # the annotation id: an event name, or "posthog_setup"


@dataclass(frozen=True, slots=True)
class DocumentChange:
    path: str  # workspace-relative, '/' separators
    create: bool  # a CreateFile operation comes first (ignoreIfExists: never overwrite)
    changes: tuple[TextChange, ...]


@dataclass(frozen=True, slots=True)
class Annotation:
    label: str  # what the preview shows, e.g. "Track user_logged_in"
    description: str
    needs_confirmation: bool = True


@dataclass(slots=True)
class WorkspaceEditPlan:
    documents: list[DocumentChange] = field(default_factory=list)
    annotations: dict[str, Annotation] = field(default_factory=dict)
    env: list[tuple[str, str, str]] = field(default_factory=list)  # (env file, key var, host var) to set after
    notes: list[str] = field(default_factory=list)


def _offsets(text: str) -> list[int]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def _group(new_text: str, change: FileChange) -> str:
    """The event whose planned edit best explains this hunk (most shared non-blank lines)."""
    wanted = {line.strip() for line in new_text.splitlines() if line.strip()}
    best, score = (change.edits[0].group if change.edits else SETUP_GROUP), 0
    for edit in change.edits:
        shared = len(wanted & {line.strip() for line in edit.new_text.splitlines() if line.strip()})
        if shared > score:
            best, score = edit.group, shared
    return best


def text_changes(change: FileChange) -> list[TextChange]:
    """Line hunks turning `before` into `after`, each attributed to one event group."""
    if change.before is None:
        return [TextChange(Span(0, 0, 0, 0), change.after, change.edits[0].group if change.edits else SETUP_GROUP)]
    old, new = change.before.splitlines(keepends=True), change.after.splitlines(keepends=True)
    starts = _offsets(change.before)
    out = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        text = "".join(new[j1:j2])
        start, end = _position(change.before, starts[i1]), _position(change.before, starts[i2])
        out.append(TextChange(Span(*start, *end), text, _group(text, change)))
    return out


def to_edit_plan(plan: IntegrationPlan) -> WorkspaceEditPlan:
    result = WorkspaceEditPlan(notes=list(plan.notes))
    descriptions = {e.event_name: e.event_description for e in plan.events_plan}
    for change in plan.edited:
        changes = tuple(text_changes(change))
        result.documents.append(DocumentChange(change.path, change.before is None, changes))
        for item in changes:
            if item.group not in result.annotations:
                label = "Set up PostHog" if item.group == SETUP_GROUP else f"Track {item.group}"
                about = descriptions.get(item.group, "SDK dependency, client init and the events plan")
                result.annotations[item.group] = Annotation(label, about)
    for package in plan.packages:
        result.env.append((package.setup.env_file, package.setup.key_var, package.setup.host_var))
        result.notes += package.setup.notes
    return result


class Cancelled(Exception):
    """The user cancelled the command between stages."""


def plan_for_editor(
    root: Path | str,
    *,
    package: str | None = None,
    on_stage: Callable[[str, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> WorkspaceEditPlan:
    """Run begin and plan for the LSP command, reporting each stage (name, percent) and honouring cancellation.

    Raises `Cancelled`, or ValueError for a broken `.posthog-events.json` / unknown package.
    """

    def stage(name: str) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled(name)
        if on_stage is not None:
            on_stage(name, int(100 * STAGES.index(name) / len(STAGES)))

    stage("begin")
    result = scan(root)
    stage("plan")
    plan = plan_integration(root, package=package, result=result)
    stage("edit")
    return to_edit_plan(plan)
