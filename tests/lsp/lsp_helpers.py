"""What an editor does with the server's answers: apply edits (UTF-16 positions), send changes, wait for squiggles.

Written independently of `lsp_server.features.positions` so the two can disagree — and a test fail.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

LANGUAGE = {".py": "python", ".ts": "typescript", ".tsx": "typescriptreact", ".js": "javascript",
            ".jsx": "javascriptreact", ".svelte": "svelte", ".vue": "vue"}


# -- applying edits the way an editor does ------------------------------------------------------------------------
def _offset(text: str, pos: types.Position) -> int:
    """Offset (code points) of an LSP position counted in UTF-16 code units."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    if pos.line >= len(starts):
        return len(text)
    start = starts[pos.line]
    end = starts[pos.line + 1] if pos.line + 1 < len(starts) else len(text)
    line = text[start:end].rstrip("\r\n")
    units = 0
    for i, ch in enumerate(line):
        if units >= pos.character:
            return start + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return start + len(line)


def apply_text_edits(text: str, edits: list[Any]) -> str:
    """Apply TextEdits; inserts at the same position keep their array order (LSP rule)."""
    spans = [(_offset(text, e.range.start), _offset(text, e.range.end), i, e.new_text) for i, e in enumerate(edits)]
    for start, end, _, new in sorted(spans, key=lambda s: (s[0], s[2]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def apply_workspace_edit(files: dict[str, str], edit: types.WorkspaceEdit) -> dict[str, str]:
    """Apply a WorkspaceEdit to `{uri: text}`; CreateFile adds an empty file."""
    files = dict(files)
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            files.setdefault(change.uri, "")
        elif isinstance(change, types.TextDocumentEdit):
            files[change.text_document.uri] = apply_text_edits(files.get(change.text_document.uri, ""), change.edits)
        else:
            raise AssertionError(f"unexpected resource operation {change!r}")
    for uri, edits in (edit.changes or {}).items():
        files[uri] = apply_text_edits(files.get(uri, ""), edits)
    return files


# -- session and documents ------------------------------------------------------------------------------------------
async def initialize(
    client: LanguageClient,
    root: Path,
    options: dict[str, Any] | None = None,
    capabilities: types.ClientCapabilities | None = None,
    folders: list[Path] | None = None,
) -> types.InitializeResult:
    """Initialise like VS Code and wait until the start-up scan is over (so its re-check is not mistaken for ours).

    `folders`: a multi-root workspace (VS Code sends the first folder as the root URI too)."""
    # no MCP guidance server unless a test asks for it: each would cost a process start (tests/lsp/test_lsp_guidance)
    opts = {"diagnosticsDelay": 0, "mcp": {"mode": "off"}, **(options or {})}
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities or pytest_lsp.client_capabilities("visual-studio-code"),
            initialization_options=opts,  # the VS Code client sends the bare `posthog` section
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders or [root]],
        )
    )
    await wait_for(lambda: any(r and r[-1].kind == "end" for r in client.progress_reports.values()))
    return result


def write(root: Path, rel: str, text: str) -> str:
    """Put a file on disk (so scope and package detection see it) and return its URI."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path.as_uri()


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=LANGUAGE[Path(uri).suffix], version=version, text=text
            )
        )
    )


def replace_doc(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def edit_doc(client: LanguageClient, uri: str, version: int, edits: list[types.TextEdit]) -> None:
    """Incremental sync: send the edits as range changes (applied in order, each against the previous text)."""
    changes = [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=changes
        )
    )


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the server")
        await asyncio.sleep(0.01)


async def diagnostics_at(client: LanguageClient, uri: str, version: int | None) -> list[types.Diagnostic]:
    """The diagnostics published for `uri` at `version` (the last such publish)."""

    def matching() -> list[types.PublishDiagnosticsParams]:
        return [p for p in client.published if p.uri == uri and p.version == version]

    await wait_for(lambda: bool(matching()))
    return list(matching()[-1].diagnostics)


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


async def code_actions(
    client: LanguageClient, uri: str, rng: types.Range, diagnostics: list[types.Diagnostic] = (), only: Any = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
    actions = list(result or [])
    assert all(isinstance(a, types.CodeAction) for a in actions), actions
    return actions


def point(line: int, character: int) -> types.Range:
    return types.Range(start=types.Position(line, character), end=types.Position(line, character))


def position_of(text: str, needle: str) -> types.Position:
    """Where `needle` first starts, in UTF-16 units (as an editor would report the cursor)."""
    offset = text.index(needle)
    before = text[:offset]
    line = len(re.findall(r"\r\n|\r|\n", before))
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return types.Position(line, sum(2 if ord(c) > 0xFFFF else 1 for c in before[line_start:]))


async def apply_action(
    client: LanguageClient, uri: str, text: str, version: int, edit: types.WorkspaceEdit
) -> tuple[str, dict[str, str]]:
    """Apply `edit` like an editor: the document changes arrive at the server as incremental didChange events
    (last range first, so earlier ranges stay valid). Returns the new text and any other files touched."""
    files = apply_workspace_edit({uri: text}, edit)
    own: list[Any] = []
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri:
            assert change.text_document.version == version  # versioned: refused by a real editor if stale
            own += change.edits
    own += (edit.changes or {}).get(uri, [])
    order = sorted(range(len(own)), key=lambda i: (_offset(text, own[i].range.start), i), reverse=True)
    edit_doc(client, uri, version + 1, [own[i] for i in order])
    assert apply_text_edits(text, own) == files[uri]
    return files.pop(uri), files
