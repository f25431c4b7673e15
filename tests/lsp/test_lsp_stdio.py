"""The server reads its pipe in the event loop (features/stdio.py): messages of any size arrive whole, a message split
across many writes is put together, and the server ends when the editor closes its stdin — as with pygls' reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from lsp_server.features import stdio


def _frame(message: dict) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(out) -> dict:
    length = 0
    while True:
        line = out.readline()
        assert line, "the server closed its stdout"
        if line == b"\r\n":
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return json.loads(out.read(length))


def _wait_for(out, predicate) -> dict:
    while True:
        message = _read_message(out)
        if predicate(message):
            return message


def _start(tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lsp_server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, cwd=tmp_path,
    )


def _initialize(server: subprocess.Popen, root: Path) -> None:
    params = {"processId": None, "rootUri": root.as_uri(), "capabilities": {},
              "initializationOptions": {"diagnosticsDelay": 0, "mcp": {"mode": "off"}}}
    server.stdin.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}))
    server.stdin.flush()
    assert _wait_for(server.stdout, lambda m: m.get("id") == 1)["result"]["capabilities"]
    server.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))


def test_a_pipe_is_read_by_the_event_loop_and_a_non_pipe_is_left_to_pygls(tmp_path: Path):
    (in_r, in_w), (out_r, out_w) = os.pipe(), os.pipe()
    with open(in_r, "rb") as stdin, open(out_w, "wb") as stdout, open(in_w, "wb"), open(out_r, "rb"):
        assert stdio.pollable(stdin, stdout)  # what editors launch the server with
        assert not stdio.pollable(stdin, stdin)  # one open file for both (a terminal): never made non-blocking
    regular = tmp_path / "messages.bin"
    regular.write_bytes(b"")
    with regular.open("rb") as stdin, (tmp_path / "out.bin").open("wb") as stdout:
        assert not stdio.pollable(stdin, stdout)  # a regular file cannot be watched: pygls' reader


def test_a_large_document_and_a_message_split_into_single_bytes_arrive_whole(tmp_path: Path):
    server = _start(tmp_path)
    try:
        _initialize(server, tmp_path)
        big = "export const helper = () => 1;\n" * 100_000  # ~3 MB: more than the stream's buffer limit
        uri = (tmp_path / "big.ts").as_uri()
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "typescript", "version": 1, "text": big}}}))
        server.stdin.flush()
        published = _wait_for(server.stdout, lambda m: m.get("method") == "textDocument/publishDiagnostics")
        assert published["params"]["uri"] == uri and published["params"]["version"] == 1
        for byte in _frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None}):
            server.stdin.write(bytes([byte]))
            server.stdin.flush()
        assert _wait_for(server.stdout, lambda m: m.get("id") == 2)["result"] is None
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit", "params": None}))
        server.stdin.flush()
        assert server.wait(timeout=20) == 0
    finally:
        server.kill()
        server.wait()


def test_the_server_ends_when_the_editor_closes_its_stdin(tmp_path: Path):
    server = _start(tmp_path)
    try:
        _initialize(server, tmp_path)
        server.stdin.write(b"Content-Length: 500\r\n\r\n{\"jsonrpc\"")  # the editor dies mid-message
        server.stdin.close()
        started = time.monotonic()
        server.wait(timeout=20)
        assert time.monotonic() - started < 20
    finally:
        server.kill()
        server.wait()
