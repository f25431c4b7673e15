"""Where an event is sent from when several places in a package look like the same flow.

Caller and callee (a controller and its service), a route handler and the session helper it calls, the browser
and the server: each would send the event, and every action would count twice. One place per event and package
wins; the browser keeps identify and reset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ..analysis.model import Flow, Package
from ..analysis.workspace import package_for
from ..edits import BundledSnippets, plan_flow_tracking


def one_place_per_event(
    flows: list[Flow], packages: list[Package], placeable: Callable[[Flow], int] = lambda flow: 2
) -> tuple[list[Flow], list[Flow]]:
    """(the flows whose file sends their event, browser flows kept for identify/reset only).

    A package that would send `user_logged_out` from its route handler, a session helper and the browser sends
    it once, from the best place: one the planner can edit (not a route registration line) after the success,
    where the user's id is known, on the server (ad blockers cannot drop it), in a request handler (which flushes
    before it returns), then the most certain detection. Other request handlers with the user's id stay (signup
    by email and by OAuth are two places, not two layers). When that place is on the server, the browser still
    identifies (with a known id) and resets: those flows come back marked tracked, so only those calls are planned.
    """
    groups: dict[tuple[str, str], list[Flow]] = {}
    for flow in flows:
        owner = package_for(flow.path, packages)
        groups.setdefault((owner.path if owner else "", flow.event), []).append(flow)
    homes: list[Flow] = []
    support: list[Flow] = []
    for group in groups.values():
        rank = {id(f): _placement(f, placeable(f) if len(group) > 1 else 2) for f in group}
        best = max(group, key=lambda f: rank[id(f)])
        # Several editable request handlers with the user's id are alternatives (email and OAuth signup), not layers.
        places = {f.path for f in group if f.path == best.path or rank[id(f)][1:5] == rank[id(best)][1:5] == (
            2, True, True, True)}
        homes += [f for f in group if f.path in places]
        if best.side != "server":
            continue
        for flow in group:
            if flow.path in places or flow.side != "client" or flow.tracked:
                continue
            kept = replace(flow, tracked=True, needs_identify=flow.needs_identify and flow.user_id_expr is not None)
            if _needs_identity(kept):
                support.append(kept)
    return sorted(homes, key=lambda f: (f.path, f.span.start_line)), support


def _placement(flow: Flow, placeable: int) -> tuple[bool, int, bool, bool, bool, float]:
    name = flow.path.rsplit("/", 1)[-1]
    handler = "/api/" in f"/{flow.path}" or name.startswith("route.") or flow.symbol.split(" ")[0] in _METHODS
    return (flow.tracked, placeable, flow.user_id_expr is not None, flow.side == "server", handler, flow.confidence)


def placeability(read: Callable[[str], str | None], packages: list[Package]) -> Callable[[Flow], int]:
    """2: the capture can go in after the success; 1: only in a `.then` on a `return auth.signIn(...)` of a function
    that is not async (its caller awaits it); 0: nowhere (a route registration line)."""
    snippets = BundledSnippets()

    def placeable(flow: Flow) -> int:
        text = read(flow.path)
        owner = package_for(flow.path, packages)
        if text is None or owner is None:
            return 0
        edits = plan_flow_tracking(text, flow.path, replace(flow, needs_identify=False, needs_reset=False), owner,
                                   snippets, exists=lambda p: read(p) is not None)
        if not any(e.path == flow.path and not e.create_file for e in edits):
            return 0
        if flow.path.endswith(".py") or flow.anchor is None:
            return 2  # Python returns what it computed; only JS hands back a pending promise
        lines = text.splitlines()
        anchor = lines[flow.anchor.start_line] if flow.anchor.start_line < len(lines) else ""
        # in an async function the planner awaits it (`const result = await …`): the capture follows the success
        awaited = any(e.path == flow.path and re.match(r"const \w+ = await ", e.new_text) for e in edits)
        return 1 if _RETURNS_PENDING_CALL.match(anchor) and not awaited else 2

    return placeable


# `return auth.signInWithEmailAndPassword(...)`: the promise goes back unawaited (a response object does not count).
_RETURNS_PENDING_CALL = re.compile(
    r"\s*return\s+(?!(?:await|new|yield|Response|NextResponse|res|reply|ctx|c|redirect|json|render)\b)"
    r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*\("
)


_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def _needs_identity(flow: Flow) -> bool:
    return (flow.needs_identify and not flow.identify_present) or (flow.needs_reset and not flow.reset_present)
