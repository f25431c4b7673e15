"""Asking `lsp_server.edits` for edits, off the event loop, against the text analysis saw.

What the user sees: quick fixes, "Track …" actions and lenses that insert exactly what the edit planner
decided (from the bundled snippets), or nothing at all when planning fails — never a half edit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from ..analysis.model import Finding, Flow, Package
from ..edits.model import PlannedEdit
from .session import PosthogServer, Snapshot

if TYPE_CHECKING:  # the planner loads after `initialize` (start-up), on first use
    from ..edits import BundledSnippets, SnippetSource

log = logging.getLogger(__name__)


@cache
def _bundled() -> BundledSnippets:
    from ..edits import BundledSnippets

    return BundledSnippets()


def _snippets(ls: PosthogServer) -> SnippetSource:
    """Through MCP when the guidance client runs (skill edits apply at once), else the bundled files."""
    if ls.guidance is None:
        return _bundled()
    from ..guidance.snippets import McpSnippets

    return McpSnippets(ls.guidance)


def _guarded(plan: Callable[..., Any], *args: Any, **kwargs: Any) -> list[PlannedEdit]:
    try:
        result = plan(*args, **kwargs)
        return [result] if isinstance(result, PlannedEdit) else list(result or [])
    except Exception:  # the planner promises not to raise; if it does, offer no edit rather than a broken one
        log.exception("edit planning (%s) failed", plan.__name__)
        return []


def _exists(ls: PosthogServer, snap: Snapshot | None = None) -> Callable[[str], bool]:
    """Whether a file of the document's workspace folder exists (on disk or as an open buffer): the planner never
    recreates it."""
    root = (snap.root if snap is not None else None) or ls.root

    def exists(rel_path: str) -> bool:
        return (root is not None and (root / rel_path).exists()) or ls.is_open(ls.uri_for(rel_path, root))

    return exists


def _track(snap: Snapshot, ls: PosthogServer, flows: Sequence[Flow]) -> list[PlannedEdit]:
    from ..edits import plan_flow_tracking

    package, snippets, text = ls.package_for(snap.path, snap.root), _snippets(ls), snap.analysis_text
    planned: list[PlannedEdit] = []
    for flow in flows:
        planned += _guarded(plan_flow_tracking, text, snap.path, flow, package, snippets, exists=_exists(ls, snap))
    return _with_sdk(ls, snap, planned)


def _fix(snap: Snapshot, ls: PosthogServer, finding: Finding) -> list[PlannedEdit]:
    from ..edits import plan_quick_fix

    package = ls.package_for(snap.path, snap.root)
    if finding.code == "posthog/capture-before-init":
        return _browser_init(ls, snap, package, finding)
    return _with_sdk(ls, snap, _guarded(
        plan_quick_fix, snap.analysis_text, snap.path, finding, package, _snippets(ls), exists=_exists(ls, snap)
    ))


# the SDK an edit's new import needs, by what the import names (the created server module imports the server SDK)
_SIDES = (("posthog-js", "client"), ("posthog-node", "server"), ("from posthog import", "server"))


def _with_sdk(ls: PosthogServer, snap: Snapshot, planned: list[PlannedEdit]) -> list[PlannedEdit]:
    """The edits, plus the package manifest line for a PostHog SDK they import and the package does not declare
    (as Integrate adds it): without it the app no longer builds."""
    package = ls.package_for(snap.path, snap.root)
    sides = {side for e in planned for marker, side in _SIDES if marker in e.new_text}
    # an editor announcing no workspace-edit support (ALE) opens each edited file in turn: without `hidden` a second
    # file fails half-way (E37), so it gets the edit of the document alone
    if package is None or not sides or not ls.support.document_changes:
        return planned
    from ..edits.setup import plan_dependencies

    added = _guarded(plan_dependencies, package, sides, _reader(ls, snap))
    return planned + [e for e in added if not e.create_file]  # a manifest that exists, never a new one


def _reader(ls: PosthogServer, snap: Snapshot) -> Callable[[str], str | None]:
    """A package file's text as the editor has it (open buffer) or as saved."""
    from .workspace_edit import _disk_text

    def read(rel: str) -> str | None:
        other = ls.snapshot(ls.uri_for(rel, snap.root))
        return other.text if other is not None else _disk_text(ls, rel, snap.root)

    return read


def _browser_init(ls: PosthogServer, snap: Snapshot, package: Package | None, finding: Finding) -> list[PlannedEdit]:
    """posthog-js captures in a package that never initialises it: the framework's init (as Integrate writes it:
    hooks.client.ts, instrumentation-client.ts, a provider, the entry file), the dependency and the env names."""
    data = finding.data or {}
    if package is None or data.get("sdk") not in ("posthog-js", "posthog-react") or not ls.support.document_changes:
        return []
    from ..edits.setup import plan_setup

    plan = plan_setup(package, {"client"}, _reader(ls, snap))
    # titled by its main edit ("Create src/hooks.client.ts (initialises posthog-js …)", "Initialise PostHog in …");
    # a plan that writes no init (a classic script page: only the manifest line) is no fix, the docs say how
    return plan.edits if any(".init(" in e.new_text for e in plan.edits) else []


def _ignore(snap: Snapshot, finding: Finding) -> list[PlannedEdit]:
    from ..edits import plan_ignore

    return _guarded(plan_ignore, snap.analysis_text, snap.path, finding)


async def _in_pool(ls: PosthogServer, fn: Callable[..., list[PlannedEdit]], *args: Any) -> list[PlannedEdit]:
    try:
        return await asyncio.get_running_loop().run_in_executor(ls.thread_pool, fn, *args)
    except Exception:  # e.g. BundledSnippets missing: no edit, the server lives on
        log.exception("edit planning failed")
        return []


_PLAN_CACHE_SIZE = 256


async def _memo(ls: PosthogServer, snap: Snapshot, key: object, fn: Callable[..., list[PlannedEdit]], *args: Any):
    """Editors ask for code actions on every cursor move: plan once per document version and settings/guidance
    generation. A kept plan that creates a file is planned again once that file exists."""
    if snap.version is None:
        return await _in_pool(ls, fn, *args)
    cache = ls.plan_cache
    full = (snap.uri, snap.version, ls.generation, key)
    planned = cache.get(full)
    exists = _exists(ls, snap)
    if planned is not None and not any(e.create_file and exists(e.path) for e in planned):
        return planned
    planned = await _in_pool(ls, fn, *args)
    if len(cache) >= _PLAN_CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[full] = planned
    return planned


async def track_flows(ls: PosthogServer, snap: Snapshot, flows: Sequence[Flow]) -> list[PlannedEdit]:
    return await _memo(ls, snap, ("track", tuple(flows)), _track, snap, ls, list(flows))


async def quick_fix(ls: PosthogServer, snap: Snapshot, finding: Finding) -> list[PlannedEdit]:
    return await _memo(ls, snap, ("fix", finding.code, finding.span, repr(finding.data)), _fix, snap, ls, finding)


async def ignore(ls: PosthogServer, snap: Snapshot, finding: Finding) -> list[PlannedEdit]:
    return await _memo(ls, snap, ("ignore", finding.code, finding.span), _ignore, snap, finding)
