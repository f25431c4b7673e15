"""The whole integration as data: events plan, per-flow edits and package setup, planned from the detector.

`plan_integration(root)` reads the workspace and returns every file change (before/after text, with the
`PlannedEdit`s grouped per event) without writing anything; the CLI writes it, the LSP turns it into one
WorkspaceEdit, and the agent's proposals are validated against the same shapes. Planning over an already
integrated tree plans nothing.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..analysis.document import analyze_document
from ..analysis.model import Flow, Package
from ..analysis.route_refs import FileRoutes
from ..analysis.scan import ScanResult, scan
from ..analysis.workspace import frameworks_with, load_vocabulary, package_for
from ..edits import BundledSnippets, PlannedEdit, apply_edits, plan_flow_tracking
from ..edits.setup import SetupPlan, plan_setup
from ..mcp_server.sandbox import Refused, confine, is_env_file
from .events_plan import PLAN_FILE, PlannedEvent, merge_plan, read_plan, render_plan
from .placement import one_place_per_event, placeability

log = logging.getLogger(__name__)
MAX_PASSES = 6  # per file: flows planned together, then re-planned on the result until nothing is left


@dataclass(slots=True)
class FileChange:
    """One file's planned change. `before` is None for a new file."""

    path: str
    before: str | None
    after: str
    edits: list[PlannedEdit] = field(default_factory=list)  # against `before` (first pass) — for previews
    encoding: str = "utf-8"  # written back as it was read ("utf-16" for a PowerShell-made requirements.txt)

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(e.group for e in self.edits))


@dataclass(frozen=True, slots=True)
class TrackedEvent:
    """An event the integration adds (or found already tracked), for the report."""

    event: str
    path: str
    symbol: str
    kind: str
    side: str
    line: int  # 1-based, in the edited file
    identify: bool
    reset: bool
    already: bool  # it was tracked before this run


@dataclass(slots=True)
class PackagePlan:
    package: Package
    setup: SetupPlan
    events: list[TrackedEvent] = field(default_factory=list)


@dataclass(slots=True)
class IntegrationPlan:
    root: Path
    events_plan: list[PlannedEvent]
    packages: list[PackagePlan]
    changes: dict[str, FileChange]
    notes: list[str] = field(default_factory=list)
    missing: list[PlannedEvent] = field(default_factory=list)  # planned, but not sent from their file

    @property
    def edited(self) -> list[FileChange]:
        return [c for c in self.changes.values() if c.before != c.after]


def select_packages(packages: list[Package], wanted: str | None) -> list[Package]:
    """All packages, or the one at `wanted` (a folder relative to the root). Raises ValueError when unknown."""
    if not wanted:
        return list(packages)
    norm = wanted.strip().replace("\\", "/").strip("/") or "."
    chosen = [p for p in packages if p.path == norm]
    if not chosen:
        found = ", ".join(p.path for p in packages) or "none"
        raise ValueError(f"no package at {wanted!r} (packages found: {found})")
    return chosen


def describe(flow: Flow) -> str:
    return f"{str(flow.kind).replace('_', ' ')} in {flow.symbol}"


def propose_events(flows: list[Flow]) -> list[PlannedEvent]:
    seen: dict[tuple[str, str], PlannedEvent] = {}
    for flow in sorted(flows, key=lambda f: (f.path, f.span.start_line)):
        seen.setdefault((flow.event, flow.path), PlannedEvent(flow.event, describe(flow), flow.path))
    return list(seen.values())


def plan_integration(
    root: Path | str,
    *,
    package: str | None = None,
    result: ScanResult | None = None,
    events: list[PlannedEvent] | None = None,
) -> IntegrationPlan:
    """Everything `integrate` would change under `root`. Raises ValueError for a broken plan file or package.

    `events` replaces the plan on disk (the agent's reviewed plan): it is used as given, nothing is merged in.
    """
    root = Path(os.path.realpath(root))
    result = result or scan(root)
    packages = select_packages(result.packages, package)
    chosen = {p.path for p in packages}
    on_disk = read_plan(root)
    existing = events if events is not None else on_disk
    ours = {(e.event_name, e.file) for e in existing or []}
    captured = _captured_events(result)
    flows = [
        f for d in result.documents for f in d.flows
        if _owner(f.path, result.packages, chosen) and not _tracked_elsewhere(f, captured, ours, result.packages)
    ]
    reader = _Reader(root)
    homes, support = one_place_per_event(flows, result.packages, placeability(reader.read, result.packages))
    events_plan = list(events) if events is not None else merge_plan(existing, propose_events(homes))
    flows = [f for f in flows if not f.tracked]  # a flow the code already tracks is the user's: left as it is
    sent_from = {d.path: {c.event for c in d.calls if c.kind == "capture" and c.event} for d in result.documents}
    changes: dict[str, FileChange] = {}
    plans = {p.path: PackagePlan(p, SetupPlan()) for p in packages}
    sides: dict[str, set[str]] = {p.path: set() for p in packages}
    by_file: dict[str, list[Flow]] = {}
    for flow in flows:
        by_file.setdefault(flow.path, []).append(flow)
    for path, file_flows in sorted(by_file.items()):
        owner = package_for(path, result.packages)
        if owner is None:
            continue
        # An event the file already sends is done: its name must not be "renamed" onto another flow of the file.
        open_plan = [e for e in events_plan if not (e.file == path and e.event_name in sent_from.get(path, ()))]
        wanted = _wanted_flows(file_flows, open_plan, path)
        done = {(f.kind, f.symbol) for f in wanted}
        wanted += [f for f in support if f.path == path and (f.kind, f.symbol) not in done]
        routes = result.routes.for_path(path) if result.routes is not None else None  # routes registered elsewhere
        _plan_file(reader, changes, path, owner, wanted, plans[owner.path], sides[owner.path], routes)
    with_flows = {owner.path for d in result.documents for f in d.flows
                  if (owner := package_for(f.path, result.packages)) is not None}
    for p in packages:
        if p.path not in with_flows and p.framework not in frameworks_with("browser") and not p.posthog.installed:
            del plans[p.path]  # nothing to track here (a monorepo root, a worker we found no flow in): no SDK, no env
            continue
        setup = plan_setup(p, sides[p.path], reader.current(changes))
        plans[p.path].setup = setup
        by_path: dict[str, list[PlannedEdit]] = {}
        for edit in setup.edits:  # edits planned on one text are applied to it together (offsets stay right)
            by_path.setdefault(edit.path, []).append(edit)
        for path_edits in by_path.values():
            _add_edits(reader, changes, path_edits)
    notes = [n for c in changes.values() for n in _placeholders(c)]
    missing = _not_added(events_plan, reader.current(changes))
    notes += [f"`{e.event_name}` in `{e.file}`: planned, but no place to send it was found there; add the capture "
              "by hand or edit the plan" for e in missing]
    plan_text = render_plan(events_plan)
    before = reader.read(PLAN_FILE)
    if before is None or on_disk != events_plan:
        changes[PLAN_FILE] = FileChange(PLAN_FILE, before, plan_text)
    return IntegrationPlan(root, events_plan, list(plans.values()), changes, notes, missing)


def _not_added(plan: list[PlannedEvent], read) -> list[PlannedEvent]:
    """Planned events whose file does not name them after editing (their flow could not be edited)."""
    missing = []
    for event in plan:
        text = read(event.file) if event.file else None
        quoted = re.compile(rf"""['"`]{re.escape(event.event_name)}['"`]""")
        if text is not None and not quoted.search(text):
            missing.append(event)
    return missing


def _placeholders(change: FileChange) -> list[str]:
    """Inserted TODO(posthog) lines: places where the user's id could not be found."""
    old = set((change.before or "").splitlines())
    return [
        f"`{change.path}:{number}`: {line.strip().lstrip('#/ ').strip()}"
        for number, line in enumerate(change.after.splitlines(), 1)
        if "TODO(posthog)" in line and line not in old
    ]


def _captured_events(result: ScanResult) -> dict[str, set[str]]:
    """Event names each package already captures (literal names of existing capture calls)."""
    captured: dict[str, set[str]] = {}
    for doc in result.documents:
        owner = package_for(doc.path, result.packages)
        names = {c.event for c in doc.calls if c.kind == "capture" and c.event}
        if owner is not None and names:
            captured.setdefault(owner.path, set()).update(names)
    return captured


def _tracked_elsewhere(
    flow: Flow, captured: dict[str, set[str]], ours: set[tuple[str, str]], packages: list[Package]
) -> bool:
    """The package already sends this event from another place, and not because an earlier run planned it here."""
    owner = package_for(flow.path, packages)
    if flow.tracked or owner is None or (flow.event, flow.path) in ours:
        return False
    return flow.event in captured.get(owner.path, set())


def _owner(path: str, packages: list[Package], chosen: set[str]) -> bool:
    owner = package_for(path, packages)
    return owner is not None and owner.path in chosen


def _wanted_flows(flows: list[Flow], plan: list[PlannedEvent], path: str) -> list[Flow]:
    """The file's flows the plan keeps, renamed as the user renamed them (unmatched names pair up in order)."""
    names = [e.event_name for e in plan if e.file == path]
    if not names:
        return []
    matched = [f for f in flows if f.event in names]
    leftover_names = [n for n in names if n not in {f.event for f in flows}]
    leftover_flows = [f for f in flows if f.event not in names]
    renamed = [replace(f, event=n) for f, n in zip(leftover_flows, leftover_names, strict=False)]
    return matched + renamed


class _Reader:
    """Reads workspace files (confined, never env files) and caches them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str | None] = {}
        self.encodings: dict[str, str] = {}  # paths not read as UTF-8

    def read(self, path: str) -> str | None:
        if path not in self._cache:
            try:
                full = confine(self.root, path)
                secret = is_env_file(full) and full.name not in load_vocabulary().env_templates  # .env.example is fine
                text = None if secret or not full.is_file() else self._decode(path, full.read_bytes())
            except (Refused, OSError, UnicodeDecodeError):
                text = None
            self._cache[path] = text
        return self._cache[path]

    def _decode(self, path: str, data: bytes) -> str:
        """The text with its line endings (CRLF stays); UTF-16 with a byte-order mark is read as such."""
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encodings[path] = "utf-16"
            return data.decode("utf-16")
        return data.decode("utf-8")

    def change(self, path: str, before: str | None, after: str, edits: list[PlannedEdit] | None = None) -> FileChange:
        return FileChange(path, before, after, edits or [], self.encodings.get(path, "utf-8"))

    def current(self, changes: dict[str, FileChange]):
        return lambda path: changes[path].after if path in changes else self.read(path)


def _add_edit(reader: _Reader, changes: dict[str, FileChange], edit: PlannedEdit) -> None:
    _add_edits(reader, changes, [edit])


def _add_edits(reader: _Reader, changes: dict[str, FileChange], edits: list[PlannedEdit]) -> None:
    """Edits of one file, planned on its current text, applied in one go."""
    path = edits[0].path
    for edit in (e for e in edits if e.create_file):
        if path not in changes and reader.read(path) is None:
            changes[path] = FileChange(path, None, edit.new_text, [edit])
        return  # never overwrite an existing (or already planned) file
    change = changes.get(path)
    if change is None:
        before = reader.read(path)
        if before is None:
            return
        change = changes[path] = reader.change(path, before, before)
    change.after = apply_edits(change.after, edits)
    change.edits.extend(edits)


def _plan_file(
    reader: _Reader,
    changes: dict[str, FileChange],
    path: str,
    package: Package,
    flows: list[Flow],
    plan: PackagePlan,
    sides: set[str],
    routes: FileRoutes | None = None,
) -> None:
    text = reader.read(path)
    if text is None or not flows:
        return
    snippets = BundledSnippets()
    exists = lambda p: p in changes or reader.read(p) is not None  # noqa: E731
    wanted = {(f.event, f.kind, f.symbol) for f in flows}
    current = text
    pending = list(flows)
    for _ in range(MAX_PASSES):
        batch: list[PlannedEdit] = []
        seen: set[tuple[object, ...]] = set()
        for flow in pending:
            for edit in plan_flow_tracking(current, path, flow, package, snippets, exists=exists):
                key = (edit.path, edit.span, edit.new_text, edit.create_file)
                if key in seen:
                    continue  # the import and the client module are shared by the file's flows
                seen.add(key)
                if edit.create_file:
                    _add_edit(reader, changes, edit)
                elif edit.path == path:
                    batch.append(edit)
                    sides.add(flow.side)
        if not batch:
            break
        current = apply_edits(current, batch)
        if path not in changes:
            changes[path] = reader.change(path, text, text)
        changes[path].edits.extend(batch)
        changes[path].after = current
        doc = analyze_document(path, current, package=package, routes=routes)
        pending = [_rename(f, flows) for f in doc.flows if (f.event, f.kind, f.symbol) in wanted or _renamed(f, flows)]
    doc = analyze_document(path, current, package=package, routes=routes)
    lines = {(f.kind, f.symbol): f for f in doc.flows}
    for flow in flows:
        if flow.tracked:
            continue  # identify/reset only: its event is reported where it is sent
        after = lines.get((flow.kind, flow.symbol), flow)
        plan.events.append(
            TrackedEvent(flow.event, path, flow.symbol, str(flow.kind), flow.side, after.insert_line + 1,
                         flow.needs_identify or after.identify_present, after.reset_present, flow.tracked)
        )


def _renamed(flow: Flow, wanted: list[Flow]) -> bool:
    return any(w.kind == flow.kind and w.symbol == flow.symbol for w in wanted)


def _rename(flow: Flow, wanted: list[Flow]) -> Flow:
    """A re-detected flow carries the (possibly user-renamed) event of the planned one."""
    for w in wanted:
        if w.kind == flow.kind and w.symbol == flow.symbol:
            return replace(flow, event=w.event, tracked=flow.tracked or w.tracked)
    return flow
