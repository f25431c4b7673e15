"""Command line: `posthog-lsp serve | mcp | scan | demo` (integrate lands with its own issue)."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posthog-lsp", description="PostHog integration assistant.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the language server on stdio (the default)")
    serve.add_argument("--stdio", action="store_true", help="accepted for editor compatibility")
    scan = sub.add_parser("scan", help="scan a folder and report flows and diagnostics")
    scan.add_argument("path", nargs="?", default=".")
    scan.add_argument("--format", choices=["text", "json", "sarif"], default="text")
    scan.add_argument("--exclude", action="append", default=[], help="gitignore-style pattern (repeatable)")
    mcp = sub.add_parser("mcp", help="run the MCP server (skills as posthog:// resources)")
    mcp.add_argument("--root", default=".", help="workspace root the tools are confined to")
    mcp.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP on 127.0.0.1:PORT")
    sub.add_parser("demo", help="scan the bundled sample app (no API key, no network)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command or "serve"
    if command == "serve":
        from .server import main as serve

        serve()
    elif command == "scan":
        from .report import run_scan

        sys.exit(run_scan(args.path, args.format, args.exclude))
    elif command == "mcp":
        from .mcp_server import main as mcp_main

        mcp_main(root=args.root, http_port=args.http)
    elif command == "demo":
        from .demo import run_demo

        sys.exit(run_demo())
