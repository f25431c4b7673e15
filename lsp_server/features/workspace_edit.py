"""Planned edits (pure data from `lsp_server.edits`) as a WorkspaceEdit the editor can apply and undo.

What the user sees: one undoable change, labelled per event ("Track user_logged_in with PostHog") when the
editor shows change annotations, versioned so that an edit planned for an older text is refused instead of
corrupting the file, with new files (e.g. a PostHog client module) created when the editor allows it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from ..analysis.model import Span
from ..edits import PlannedEdit
from .positions import LineIndex, encoding_name
from .session import PosthogServer, Snapshot

log = logging.getLogger(__name__)


def _disk_text(ls: PosthogServer, rel_path: str, root: Path | None = None) -> str | None:
    base = root or ls.root or Path.cwd()
    try:
        return (base / rel_path).read_bytes().decode("utf-8", "replace")  # keep CRLF and BOM: positions count them
    except OSError:
        return None


def dedupe(edits: Sequence[PlannedEdit]) -> list[PlannedEdit]:
    """Several flows may plan the same import or client setup: keep the first of identical edits."""
    seen: set[tuple[str, object, str]] = set()
    result = []
    for edit in edits:
        key = (edit.path, edit.span, edit.new_text)
        if key not in seen:
            seen.add(key)
            result.append(edit)
    return result


def _target(
    ls: PosthogServer, path: str, snap: Snapshot | None, creates: bool
) -> tuple[str, int | None, LineIndex] | None:
    """The URI, version and lines an edit to `path` is expressed against (open buffer, disk, or a new file)."""
    if snap is not None and path == snap.path:
        return snap.uri, snap.version, snap.lines
    root = snap.root if snap is not None else None  # paths are relative to the document's workspace folder
    uri = ls.uri_for(path, root)
    other = ls.snapshot(uri)
    if other is not None:
        return uri, other.version, other.lines
    text = "" if creates else _disk_text(ls, path, root)
    if text is None:
        log.warning("planned edit for missing file %s dropped", path)
        return None
    encoding = snap.lines.encoding if snap is not None else encoding_name(ls.workspace.position_encoding)
    return uri, None, LineIndex(text, encoding)


def _annotations(planned: Sequence[PlannedEdit], confirm: bool = False) -> dict[str, types.ChangeAnnotation]:
    """One labelled change per planned event or fix ("Track user_logged_in with PostHog")."""
    return {
        group: types.ChangeAnnotation(
            label=label_of([e for e in planned if e.group == group], group), needs_confirmation=confirm
        )
        for group in dict.fromkeys(e.group for e in planned)
    }


def to_workspace_edit(
    ls: PosthogServer, planned: Sequence[PlannedEdit], snap: Snapshot | None, *, confirm: bool = False
) -> types.WorkspaceEdit | None:
    """None when there is nothing to do or the editor cannot apply it (e.g. creating files unsupported).

    `snap` is the document the request came from (None for workspace-wide commands); `confirm` asks the editor
    to preview each annotated change before applying it.
    """
    planned = dedupe(planned)
    support = ls.support
    if not planned:
        return None
    if any(e.create_file for e in planned) and not (support.document_changes and support.create_files):
        log.info("the client cannot create files; offering no edit that needs one")
        return None
    annotated = support.change_annotations and support.document_changes
    by_path: dict[str, list[PlannedEdit]] = {}
    for edit in planned:
        by_path.setdefault(edit.path, []).append(edit)

    document_changes: list[types.TextDocumentEdit | types.CreateFile] = []
    changes: dict[str, list[types.TextEdit]] = {}
    for path, edits in by_path.items():
        creates = any(e.create_file for e in edits)
        target = _target(ls, path, snap, creates)
        if target is None:
            return None
        uri, version, lines = target
        text_edits: list[types.TextEdit | types.AnnotatedTextEdit] = []
        for edit in edits:
            rng = lines.range(edit.span if not edit.create_file else Span(0, 0, 0, 0))
            new_text = lines.new_text(edit.new_text)
            if annotated:
                text_edits.append(types.AnnotatedTextEdit(range=rng, new_text=new_text, annotation_id=edit.group))
            else:
                text_edits.append(types.TextEdit(range=rng, new_text=new_text))
        if creates:
            # Neovim creates the file (and its folder) only without ignoreIfExists, and would then truncate an existing
            # one: ask to ignore only when the file is there (planning creates no file that exists)
            fs_path = to_fs_path(uri)
            there = bool(fs_path) and Path(fs_path).exists()
            options = types.CreateFileOptions(overwrite=False, ignore_if_exists=there)
            # annotated too, so a file whose changes the user unticks in the preview is not created empty
            group = next(e.group for e in edits if e.create_file) if annotated else None
            document_changes.append(types.CreateFile(uri=uri, options=options, annotation_id=group))
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        document_changes.append(types.TextDocumentEdit(text_document=identifier, edits=text_edits))
        changes[uri] = [types.TextEdit(range=e.range, new_text=e.new_text) for e in text_edits]
    if support.document_changes:
        annotations = _annotations(planned, confirm) if annotated else None
        return types.WorkspaceEdit(document_changes=document_changes, change_annotations=annotations)
    return types.WorkspaceEdit(changes=changes)


def label_of(planned: Sequence[PlannedEdit], fallback: str) -> str:
    """What the change does, in the planner's words: the label of its main edit (the biggest in-file insertion,
    not the import, the created module or the manifest line a quick fix adds)."""
    main = [e for e in planned if not e.create_file and e.label and e.group != "posthog_setup"]  # setup.SETUP_GROUP
    main = main or [e for e in planned if e.label]
    return max(main, key=lambda e: len(e.new_text)).label if main else fallback
