"""Open files: the editor sends incremental changes; each open, change or close re-checks or clears the file.

What the user sees: squiggles appear when a file opens, follow their typing (after a short pause) and
disappear when the file closes. pygls applies the text changes before these handlers run.
"""

from __future__ import annotations

from lsprotocol import types

from . import diagnostics
from .session import PosthogServer


def did_open(ls: PosthogServer, params: types.DidOpenTextDocumentParams) -> None:
    diagnostics.schedule(ls, params.text_document.uri, immediate=True)


def did_change(ls: PosthogServer, params: types.DidChangeTextDocumentParams) -> None:
    diagnostics.schedule(ls, params.text_document.uri)


def did_close(ls: PosthogServer, params: types.DidCloseTextDocumentParams) -> None:
    diagnostics.clear(ls, params.text_document.uri)


def register(server: PosthogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
