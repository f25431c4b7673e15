"""Open files: the editor sends incremental changes; each open, change or close re-checks or clears the file.

What the user sees: squiggles appear when a file opens, follow their typing (after a short pause) and
disappear when the file closes. pygls applies the text changes before these handlers run — splitting lines
the LSP way, so a form feed in Python or a U+2028 in a JS string never shifts an edit onto the wrong line.
"""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.workspace import TextDocument

from . import diagnostics, workspace_diagnostics
from .session import PosthogServer


def did_open(ls: PosthogServer, params: types.DidOpenTextDocumentParams) -> None:
    diagnostics.schedule(ls, params.text_document.uri, immediate=True)


def did_change(ls: PosthogServer, params: types.DidChangeTextDocumentParams) -> None:
    diagnostics.schedule(ls, params.text_document.uri)


def did_close(ls: PosthogServer, params: types.DidCloseTextDocumentParams) -> None:
    diagnostics.clear(ls, params.text_document.uri)
    workspace_diagnostics.track_closed(ls, params.text_document.uri)


_LSP_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lsp_lines(document: TextDocument) -> tuple[str, ...]:
    """Only CRLF, CR and LF end a line in LSP; `str.splitlines`, pygls' choice, also splits on form feeds etc."""
    source = document.source
    if "\r" in source:
        return tuple(_LSP_LINE.findall(source))
    parts = source.split("\n")  # LF only: the same lines, ~3x faster than the regex on every keystroke
    last = parts.pop()
    return (*(part + "\n" for part in parts), *((last,) if last else ()))


def register(server: PosthogServer) -> None:
    TextDocument.lines = property(_lsp_lines)  # type: ignore[assignment,method-assign]
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
