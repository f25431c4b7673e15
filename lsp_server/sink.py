"""A local PostHog ingestion sink (stdlib only): point an app at it to see which events it really sends.

The demo and the execution tests send real SDK traffic here; `posthog-lsp sink [PORT]` runs it for you.

Verified with posthog-python 7.91.1 (v0 /batch/ and opt-in v1 /i/v1/analytics/events),
posthog-node 5.70.0 and posthog-js 1.449.2.

Every request is recorded as {method, path, query, headers, body_len, decode, body} where
`body` is the decoded JSON (gunzipped by Content-Encoding *or* by the 1f 8b magic bytes, since
posthog-js sends gzip as text/plain without Content-Encoding; form-encoded data=<base64> from
sendBeacon is decoded too). `events(record)` flattens a record into normalized events.

Standalone:  posthog-lsp sink [PORT] [LOG.jsonl]     (LOG also from env POSTHOG_SINK_LOG;
             default: requests.jsonl in the current directory)
In-process:  srv, url = start(); ...; RECORDS holds the records; srv.shutdown()
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

RECORDS: list[dict] = []
LOG_PATH: str | None = None  # set by main(); None = keep records in memory only
_lock = threading.Lock()


def decode(body: bytes, headers) -> tuple[object, list[str]]:
    enc = (headers.get("Content-Encoding") or "").lower()
    raw, note = body, []
    if enc == "gzip" or raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
        note.append("gunzip")
    elif enc == "deflate":
        raw = zlib.decompress(raw)
        note.append("inflate")
    text = raw.decode("utf-8", "replace")
    if "application/x-www-form-urlencoded" in (headers.get("Content-Type") or ""):
        q = parse_qs(text)
        note.append("form")
        if "data" in q:
            d = q["data"][0]
            try:
                return json.loads(base64.b64decode(d)), [*note, "base64"]
            except Exception:
                try:
                    return json.loads(d), note
                except Exception:
                    return d, note
        return q, note
    try:
        return json.loads(text), note
    except Exception:
        return text[:2000], [*note, "raw"]


def events(record: dict) -> list[dict]:
    """Normalize one recorded request into [{event, distinct_id, properties, $set, $set_once,
    api_key, lib}]. Handles /batch/ and /e/ ({"batch": [...]}), single-event bodies, and v1."""
    body = record.get("body")
    if not isinstance(body, dict) or record["path"].startswith(("/flags", "/decide")):
        return []
    items = body.get("batch") if isinstance(body.get("batch"), list) else [body]
    auth = record["headers"].get("Authorization", "")
    key = body.get("api_key") or (auth[7:] if auth.startswith("Bearer ") else None)
    out = []
    for e in items:
        if not isinstance(e, dict) or "event" not in e:
            continue
        props = e.get("properties") or {}
        out.append(
            {
                "event": e["event"],
                # server SDKs: top-level distinct_id; posthog-js: properties.distinct_id
                "distinct_id": e.get("distinct_id", props.get("distinct_id")),
                "properties": props,
                # python set()/set_once() and posthog-js identify put these at the event's top level,
                # posthog-node identify and capture(..., {"$set": ...}) put them in properties
                "$set": e.get("$set", props.get("$set")),
                "$set_once": e.get("$set_once", props.get("$set_once")),
                "api_key": key or props.get("token"),
                "lib": props.get("$lib") or record["headers"].get("PostHog-Sdk-Info"),
            }
        )
    return out


def all_events() -> list[dict]:
    with _lock:
        return [ev for rec in RECORDS for ev in events(rec)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self, code: int, data: bytes, ctype: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
        self.send_header("Access-Control-Allow-Credentials", "true")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        u = urlparse(self.path)
        decoded, note = decode(body, self.headers) if body else (None, [])
        rec = {
            "method": self.command,
            "path": u.path,
            "query": parse_qs(u.query),
            "headers": dict(self.headers.items()),
            "body_len": n,
            "decode": note,
            "body": decoded,
        }
        with _lock:
            RECORDS.append(rec)
            if LOG_PATH:
                with open(LOG_PATH, "a") as f:
                    f.write(json.dumps(rec) + "\n")
        path = u.path
        if path.startswith(("/flags", "/decide")):
            resp = {"flags": {}, "featureFlags": {}, "featureFlagPayloads": {}, "errorsWhileComputingFlags": False}
        elif path.startswith("/i/v1/"):
            # posthog-python capture_mode="v1" requires a per-uuid results map, else CaptureV1Error
            batch = decoded.get("batch", []) if isinstance(decoded, dict) else []
            resp = {"results": {e.get("uuid"): {"result": "ok"} for e in batch if isinstance(e, dict)}}
        elif self.command == "GET" and path.endswith(".js"):
            return self._reply(200, b"", "application/javascript")  # /array/<token>/config.js, /static/*
        elif self.command == "GET" and path.startswith("/array/"):
            resp = {}  # remote config JSON
        else:
            resp = {"status": 1}
        self._reply(200, json.dumps(resp).encode())

    do_POST = do_GET = do_PUT = _handle

    def do_OPTIONS(self) -> None:  # CORS preflight from a real browser
        self._reply(204, b"", "text/plain")

    def log_message(self, *a) -> None:
        pass


def start(port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


def main(port: int = 8765, log_path: str | None = None) -> None:
    """`posthog-lsp sink [--port N] [--log FILE]`: print each event as it arrives, keep raw requests in FILE."""
    global LOG_PATH
    LOG_PATH = log_path or os.environ.get("POSTHOG_SINK_LOG")
    srv = ThreadingHTTPServer(("127.0.0.1", port), _Printing)
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    print(f"PostHog sink on {url}: set POSTHOG_HOST (or your framework's host variable) to it", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        srv.serve_forever()


class _Printing(Handler):
    def _handle(self) -> None:
        before = len(RECORDS)
        super()._handle()
        with _lock:
            new = RECORDS[before:]
        for record in new:
            for ev in events(record):
                print(f"{ev['event']:<28} distinct_id={ev['distinct_id']}  lib={ev['lib']}", flush=True)

    do_POST = do_GET = do_PUT = _handle


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8765, sys.argv[2] if len(sys.argv) > 2 else None)
