"""Server logs in the editor's output panel (`window/logMessage`), from any thread, never onto stdout.

What the user sees: "PostHog" output with scan results, skipped files and any internal error with its
traceback, while stdout stays reserved for the protocol.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from lsprotocol import types
from pygls.lsp.server import LanguageServer

LEVELS = [
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
]


class ClientLogHandler(logging.Handler):
    """Forwards records to the client; records from worker threads hop onto the event loop first.

    Records logged before the session is initialised (e.g. a bad setting in initializationOptions) are kept
    and sent once the client can receive them."""

    def __init__(self, server: LanguageServer) -> None:
        super().__init__(logging.INFO)
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self.early: list[types.LogMessageParams] = []

    def connect(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        early, self.early = self.early, []
        for params in early:
            self.server.window_log_message(params)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            kind = next((t for level, t in LEVELS if record.levelno >= level), types.MessageType.Log)
            params = types.LogMessageParams(type=kind, message=self.format(record))
            if self.loop is None:
                if len(self.early) < 200:
                    self.early.append(params)
                return
            try:
                on_loop = asyncio.get_running_loop() is self.loop
            except RuntimeError:
                on_loop = False
            if on_loop:
                self.server.window_log_message(params)
            elif not self.loop.is_closed():
                self.loop.call_soon_threadsafe(self.server.window_log_message, params)
        except Exception:
            self.handleError(record)


def configure_stderr() -> None:
    """Before the client connects, logs go to stderr (editors show it; stdout carries LSP)."""
    level = os.environ.get("POSTHOG_LSP_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pygls").setLevel(logging.WARNING)  # pygls logs every message at INFO


def _handler(server: LanguageServer) -> ClientLogHandler | None:
    return next((h for h in logging.getLogger("lsp_server").handlers if getattr(h, "server", None) is server), None)


def forward_to_client(server: LanguageServer) -> None:
    """Called once the session is initialised, on the event loop: send what was logged so far, then live."""
    handler = _handler(server)
    if handler is not None and handler.loop is None:
        handler.connect(asyncio.get_running_loop())
        logging.getLogger("lsp_server").propagate = False  # editors also show stderr: log each line once


def register(server: LanguageServer) -> None:
    if _handler(server) is None:
        handler = ClientLogHandler(server)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logging.getLogger("lsp_server").addHandler(handler)
