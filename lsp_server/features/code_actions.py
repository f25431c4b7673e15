"""The lightbulb: fix a PostHog diagnostic, silence it on one line, or add tracking to a flow.

What the user sees:
- on a PostHog squiggle: the rule's quick fix (preferred) and "Ignore <code> on this line";
- inside a signup/login/checkout/... function that sends no event: "Track <event> with PostHog";
- in Source Actions: "Add PostHog events for all flows in this file" (`source.posthog.trackAll`), whose
  edit is computed only when chosen (codeAction/resolve) and refused if the file changed meanwhile.
Editors without codeAction/resolve get that edit inline; editors that cannot create files get a command that
writes the new PostHog module (see `new_files`); editors that only take Commands get each action as a command
that applies its edit through workspace/applyEdit.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from ..analysis.model import DocumentAnalysis, Finding, Flow
from . import new_files, planning
from .diagnostics import SOURCE
from .positions import contains
from .session import PosthogServer, Snapshot
from .workspace_edit import label_of, to_workspace_edit

log = logging.getLogger(__name__)
TRACK_KIND = "refactor.rewrite.posthog"
TRACK_ALL_KIND = "source.posthog.trackAll"
TRACK_ALL_TITLE = "Add PostHog events for all flows in this file"
KINDS = [types.CodeActionKind.QuickFix, TRACK_KIND, TRACK_ALL_KIND]
APPLY_EDIT = "posthog.applyEdit"  # what an action becomes for editors that take only Commands


def _wanted(kind: str, only: list[str] | None) -> bool:
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


def match_finding(analysis: DocumentAnalysis, snap: Snapshot, diag: types.Diagnostic) -> Finding | None:
    """The current finding behind a (possibly older) diagnostic: same code, same place."""
    data = diag.data if isinstance(diag.data, dict) else {}
    span = data.get("span")
    for finding in analysis.findings:
        if finding.code != diag.code:
            continue
        if snap.lines.range(finding.span) == diag.range:
            return finding
        s = finding.span
        if isinstance(span, list) and span == [s.start_line, s.start_col, s.end_line, s.end_col]:
            return finding
    return None


def track_title(flow: Flow) -> str:
    return f"Track {flow.event} with PostHog"


def _edit(ls: PosthogServer, planned: list[Any], snap: Snapshot) -> tuple[types.WorkspaceEdit | None, Any]:
    """The edit the editor applies, and the command writing the new files it cannot create itself (or None).

    An editor announcing no `workspace/applyEdit` (Vim's ALE) runs only the command of an action that has both: the
    command then applies the edit too, unless the document changed since (the editor applied it first, as LSP says).
    """
    edits, files = new_files.split(ls, planned, snap.root)
    new_files.expect(ls, edits, snap.root)
    edit, command = to_workspace_edit(ls, edits, snap), new_files.command(files)
    if command is not None and edit is not None and not ls.support.apply_edit:
        unstructured = ls.protocol._converter.unstructure(edit)
        guard = {"uri": snap.uri, "version": snap.version}
        command = types.Command(title=command.title, command=APPLY_EDIT,
                                arguments=[label_of(planned, command.title), unstructured, files, guard])
    return edit, command


async def _diagnostic_actions(ls: PosthogServer, snap: Snapshot, analysis: DocumentAnalysis, diags: list[Any]):
    actions: list[types.CodeAction] = []
    for diag in diags:
        if diag.source != SOURCE:
            continue
        finding = match_finding(analysis, snap, diag)
        if finding is None:
            continue  # stale diagnostic: the next check replaces it
        fix = await planning.quick_fix(ls, snap, finding)
        edit, command = _edit(ls, fix, snap)
        if edit or command:
            title = label_of(fix, f"Fix {finding.code}")
            actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                                            edit=edit, command=command, is_preferred=True))
        ignore = await planning.ignore(ls, snap, finding)
        if edit := to_workspace_edit(ls, ignore, snap):
            actions.append(types.CodeAction(title=f"Ignore {finding.code} on this line",
                                            kind=types.CodeActionKind.QuickFix, diagnostics=[diag], edit=edit))
    return actions


async def _track_actions(ls: PosthogServer, snap: Snapshot, flows: list[Flow], rng: types.Range, taken: list[Any]):
    """"Track <event> with PostHog" for each untracked flow around the cursor (unless a quick fix already is)."""
    line, col = snap.lines.point(rng.start)
    actions: list[types.CodeAction] = []
    for flow in flows:
        if not contains(flow.span, line, col):
            continue
        planned = await planning.track_flows(ls, snap, [flow])
        edit, command = _edit(ls, planned, snap)
        if (edit or command) and all((a.edit, a.command) != (edit, command) for a in taken + actions):
            title = label_of(planned, track_title(flow))
            actions.append(types.CodeAction(title=title, kind=TRACK_KIND, edit=edit, command=command))
    return actions


async def code_action(
    ls: PosthogServer, params: types.CodeActionParams
) -> list[types.CodeAction] | list[types.Command] | None:
    snap = ls.snapshot(params.text_document.uri)
    if snap is None or not ls.settings.enable:
        return None
    analysis = await ls.analyze(snap)
    only = [str(k) for k in params.context.only] if params.context.only else None
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        actions += await _diagnostic_actions(ls, snap, analysis, list(params.context.diagnostics))
    untracked = [flow for flow in analysis.flows if not flow.tracked]
    if _wanted(TRACK_KIND, only):
        actions += await _track_actions(ls, snap, untracked, params.range, actions)
    if untracked and _wanted(TRACK_ALL_KIND, only):
        action = types.CodeAction(
            title=TRACK_ALL_TITLE, kind=TRACK_ALL_KIND, data={"uri": snap.uri, "version": snap.version}
        )
        if ls.support.code_action_resolve:
            actions.append(action)  # the edit is computed only if the user picks it
        elif (resolved := await resolve(ls, action)).disabled is None:
            actions.append(resolved)
    if not ls.support.code_action_literals and ls.support.apply_edit:
        return [as_command(ls, action) for action in actions]
    return actions


def as_command(ls: PosthogServer, action: types.CodeAction) -> types.Command:
    """An action as a Command for editors without code action literals: the server applies its edit on request."""
    edit = ls.protocol._converter.unstructure(action.edit) if action.edit is not None else None
    files = action.command.arguments[0] if action.command is not None and action.command.arguments else []
    return types.Command(title=action.title, command=APPLY_EDIT, arguments=[action.title, edit, files])


async def apply_edit(ls: PosthogServer, title: str, edit: Any, files: Any = None, *rest: Any) -> dict[str, Any]:
    """`posthog.applyEdit` handler: apply an action's edit through workspace/applyEdit, then write its new files.

    With a `guard` ({uri, version}: an action that also carries the edit), the edit is sent only while the document
    is still at that version; an editor that did not announce applyEdit (ALE handles it, never answers) is not waited
    for."""
    applied = True
    guard = rest[0] if rest else None  # pygls passes exactly the arguments given: 3, or 4 with a guard
    if isinstance(guard, dict):
        snap = ls.snapshot(str(guard.get("uri", "")))
        if snap is None or snap.version != guard.get("version"):
            edit = None  # the editor applied the action's edit itself (or the file changed): files only
    if edit:
        structured = ls.protocol._converter.structure(edit, types.WorkspaceEdit)
        params = types.ApplyWorkspaceEditParams(edit=structured, label=title)
        if ls.support.apply_edit:
            applied = (await ls.workspace_apply_edit_async(params)).applied
        else:
            ls.workspace_apply_edit(params)
    created = new_files.write(new_files.in_workspace(ls, files)) if applied else []
    await new_files.refresh(ls, created)
    return {"applied": applied, "created": created}


async def resolve(ls: PosthogServer, action: types.CodeAction) -> types.CodeAction:
    """Compute the "track all flows" edit; refuse it if the file changed since the action was offered."""
    data = action.data if isinstance(action.data, dict) else {}
    snap = ls.snapshot(str(data.get("uri", "")))
    if snap is None or snap.version != data.get("version"):
        action.disabled = types.CodeActionDisabled(reason="The file changed; open the actions again.")
        action.edit = None
        return action
    analysis = await ls.analyze(snap)
    flows = [flow for flow in analysis.flows if not flow.tracked]
    planned = await planning.track_flows(ls, snap, flows)
    action.edit, action.command = _edit(ls, planned, snap)
    if action.edit is None and action.command is None:
        action.disabled = types.CodeActionDisabled(reason="Every flow in this file already sends an event.")
    log.info("%s: %d flow(s), %d planned edit(s)", TRACK_ALL_TITLE, len(flows), len(planned))
    return action


def register(server: PosthogServer) -> None:
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=True)
    )(code_action)
    server.feature(types.CODE_ACTION_RESOLVE)(resolve)
    server.command(APPLY_EDIT)(apply_edit)
    new_files.register(server)
