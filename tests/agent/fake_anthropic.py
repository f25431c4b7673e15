"""Tiny fake Anthropic Messages API on 127.0.0.1 (stdlib only). Verified against anthropic 2.10.0.

Copied from the team's reference snippets; adds scripted HTTP errors ({"status": 401, "error_type": ...}).

Behaviour: if SCRIPT is non-empty, each request pops its first entry
({"stop_reason": ..., "content": [...]}) as the reply. Otherwise: if the last user message
contains a tool_result -> reply end_turn text; else, if tools were offered -> reply with a
tool_use for the first tool (input {"a": 2, "b": 3}).
Supports "stream": true with SSE events (message_start ... message_stop).
Records each request (path, body, anthropic-beta header) in REQUESTS.

In-process:  srv, url = start(); Anthropic(api_key="x", base_url=url, max_retries=0)
Standalone:  python fake_messages_server.py [PORT]   then export ANTHROPIC_BASE_URL=http://127.0.0.1:PORT
"""
from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUESTS: list[dict] = []
SCRIPT: list[dict] = []  # optional canned replies, consumed in order
REJECT_THREADS = False  # True: answer requests carrying "thread" with thread_unsupported_request


def _has_tool_result(body: dict) -> bool:
    msgs = body.get("messages") or []
    if not msgs:
        return False
    content = msgs[-1].get("content")
    return isinstance(content, list) and any(b.get("type") == "tool_result" for b in content)


def make_message(body: dict) -> dict:
    usage = {"input_tokens": 10, "output_tokens": 5,
             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    base = {"id": f"msg_{uuid.uuid4().hex[:12]}", "type": "message", "role": "assistant",
            "model": body.get("model", "fake"), "stop_sequence": None, "usage": usage}
    if SCRIPT:
        step = SCRIPT.pop(0)
        return {**base, "stop_reason": step.get("stop_reason", "end_turn"), "content": step["content"]}
    tools = body.get("tools") or []
    if tools and not _has_tool_result(body):
        tool = tools[0]
        return {**base, "stop_reason": "tool_use", "content": [
            {"type": "text", "text": "Let me call a tool."},
            {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:12]}", "name": tool["name"],
             "input": {"a": 2, "b": 3}},
        ]}
    result_text = ""
    if _has_tool_result(body):
        tr = next(b for b in body["messages"][-1]["content"] if b.get("type") == "tool_result")
        c = tr.get("content")
        result_text = c if isinstance(c, str) else "".join(x.get("text", "") for x in (c or []))
    return {**base, "stop_reason": "end_turn",
            "content": [{"type": "text", "text": f"Done. Tool said: {result_text}"}]}


def sse_events(msg: dict):
    """Yield (event, data) pairs in the order the real API streams them."""
    start = {**msg, "content": [], "stop_reason": None, "usage": {**msg["usage"], "output_tokens": 1}}
    yield "message_start", {"type": "message_start", "message": start}
    for i, block in enumerate(msg["content"]):
        if block["type"] == "text":
            yield "content_block_start", {"type": "content_block_start", "index": i,
                                          "content_block": {"type": "text", "text": ""}}
            yield "content_block_delta", {"type": "content_block_delta", "index": i,
                                          "delta": {"type": "text_delta", "text": block["text"]}}
        elif block["type"] == "tool_use":
            yield "content_block_start", {"type": "content_block_start", "index": i,
                                          "content_block": {**block, "input": {}}}
            yield "content_block_delta", {"type": "content_block_delta", "index": i,
                                          "delta": {"type": "input_json_delta",
                                                    "partial_json": json.dumps(block["input"])}}
        yield "content_block_stop", {"type": "content_block_stop", "index": i}
    yield "message_delta", {"type": "message_delta",
                            "delta": {"stop_reason": msg["stop_reason"], "stop_sequence": None},
                            "usage": {"output_tokens": msg["usage"]["output_tokens"]}}
    yield "message_stop", {"type": "message_stop"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):  # quiet
        pass

    def do_POST(self):
        n = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(n) or b"{}")
        REQUESTS.append({"path": self.path, "body": body,
                         "anthropic-beta": self.headers.get("anthropic-beta")})
        if not self.path.startswith("/v1/messages"):
            self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
            return
        if REJECT_THREADS and body.get("thread") is not None:
            self._json(400, {"type": "error", "error": {
                "type": "invalid_request_error", "message": "threads unsupported",
                "details": {"error_code": "thread_unsupported_request", "unsupported": ["fake_server"]}}})
            return
        if SCRIPT and "status" in SCRIPT[0]:
            step = SCRIPT.pop(0)
            self._json(step["status"], {"type": "error", "error": {"type": step["error_type"], "message": "scripted"}})
            return
        msg = make_message(body)
        if body.get("stream"):
            payload = "".join(f"event: {e}\ndata: {json.dumps(d)}\n\n" for e, d in sse_events(msg)).encode()
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", "req_fake")
            self.end_headers()
            self.wfile.write(payload)
        else:
            self._json(200, msg)

    def _json(self, code: int, obj: dict):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", "req_fake")
        self.end_headers()
        self.wfile.write(data)


def start(port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


if __name__ == "__main__":
    import sys

    srv, url = start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        srv.shutdown()
