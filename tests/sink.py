"""The local ingestion sink the execution tests point the real SDKs at (it lives in the package: `lsp_server.sink`)."""

from lsp_server.sink import RECORDS, all_events, decode, events, start

__all__ = ["RECORDS", "all_events", "decode", "events", "start"]
