"""Lenses above untracked flows: "Track user_logged_in" over a login handler that sends no event.

What the user sees: one click inserts the PostHog capture (and identify/reset where the flow needs it)
through `posthog.trackFlow`; the lens disappears once the flow is tracked.
"""

from __future__ import annotations

from lsprotocol import types

from ..analysis.model import Span
from .commands import TRACK_FLOW
from .session import PosthogServer


async def code_lens(ls: PosthogServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    snap = ls.snapshot(params.text_document.uri)
    if snap is None or not ls.settings.enable or not ls.support.apply_edit:  # the lens runs workspace/applyEdit
        return []
    analysis = await ls.analyze(snap)
    lenses = []
    for flow in analysis.flows:
        if flow.tracked:
            continue
        start = Span(flow.span.start_line, flow.span.start_col, flow.span.start_line, flow.span.start_col)
        command = types.Command(
            title=f"Track {flow.event}",
            command=TRACK_FLOW,
            arguments=[snap.uri, snap.version, str(flow.kind), flow.span.start_line],
        )
        lenses.append(types.CodeLens(range=snap.lines.range(start), command=command))
    return lenses


def register(server: PosthogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(code_lens)
