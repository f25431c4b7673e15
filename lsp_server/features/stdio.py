"""Reading the editor's messages: stdin read by the event loop itself when it is a pipe (what editors launch us with).

pygls reads each message with three blocking reads in its thread pool (header, blank line, body): three thread hops
per keystroke, each waiting for the GIL behind a running analysis. A pipe can be watched by the event loop (epoll)
instead, so a message is read where it is handled. Anything else (a regular file, a shared terminal, Windows) keeps
pygls' own reader.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
import threading
from typing import TYPE_CHECKING, BinaryIO

from pygls.io_ import StdoutWriter, run_async

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


class _PipeReader:
    """pygls' AsyncReader over an asyncio stream: `readexactly` returns what is left at end of input, as a blocking
    `read(n)` does (pygls stops on a short body), instead of raising."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self._stream = stream

    async def readline(self) -> bytes:
        try:
            return await self._stream.readline()
        except ValueError:  # a header line over the stream's limit: no LSP client sends one; end the session
            return b""

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self._stream.readexactly(n)
        except asyncio.IncompleteReadError as exc:
            return exc.partial


def pollable(stdin: BinaryIO, stdout: BinaryIO) -> bool:
    """Whether the event loop can watch `stdin`: a pipe or socket on POSIX, not the same open file as `stdout`
    (the loop makes stdin non-blocking, which would also make a shared stdout drop writes)."""
    if sys.platform == "win32":
        return False
    try:
        fd_in, fd_out = stdin.fileno(), stdout.fileno()
        st_in, st_out = os.fstat(fd_in), os.fstat(fd_out)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test's BytesIO)
        return False
    if not (stat.S_ISFIFO(st_in.st_mode) or stat.S_ISSOCK(st_in.st_mode)):
        return False
    return (st_in.st_dev, st_in.st_ino) != (st_out.st_dev, st_out.st_ino)


def serve(server: LanguageServer, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Run `server` on `stdin` / `stdout` (a pipe, see `pollable`) until the client exits or closes stdin."""
    server._stop_event = stop = threading.Event()  # what pygls' own IO server sets up
    server.protocol.set_writer(StdoutWriter(stdout))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=1 << 20)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
        await run_async(stop_event=stop, reader=_PipeReader(stream), protocol=server.protocol, logger=log,
                        error_handler=server.report_server_error)

    try:
        asyncio.run(main())
    except BrokenPipeError:
        log.error("Connection to the client is lost! Shutting down the server.")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
