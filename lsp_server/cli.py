"""Command line: `posthog-lsp serve | mcp | scan | demo | integrate`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

# What editors launch: served without building the parser (argparse costs the start-up ~7 ms)
_SERVE_ARGV = ([], ["serve"], ["serve", "--stdio"])


def build_parser() -> argparse.ArgumentParser:
    import argparse

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
    integrate = sub.add_parser("integrate", help="add PostHog to a project (deterministic, or with the agent)")
    integrate.add_argument("path", nargs="?", default=".")
    integrate.add_argument("--dry-run", action="store_true", help="print a unified diff and write nothing")
    integrate.add_argument("--yes", action="store_true", help="do not ask before writing")
    integrate.add_argument("--agent", choices=["auto", "on", "off"], default="auto",
                           help="auto: the agent when ANTHROPIC_API_KEY is set, else deterministic")
    integrate.add_argument("--region", choices=["us", "eu"], default="us")
    integrate.add_argument("--host", help="PostHog host (self-hosted, a proxy or a local sink)")
    integrate.add_argument("--package", metavar="DIR", help="only the package in DIR (monorepos)")
    integrate.add_argument("--api-key", help="project token (default: $POSTHOG_PROJECT_TOKEN)")
    sink = sub.add_parser("sink", help="a local ingestion sink on 127.0.0.1: see the events your app sends")
    sink.add_argument("--port", type=int, default=8765)
    sink.add_argument("--log", metavar="FILE", help="also append every raw request to FILE (JSON lines)")
    return parser


def serve() -> None:
    from .startup_cache import fast_imports

    with fast_imports():  # cached code generation, no GC during imports: see startup_cache
        from .server import main as run_server
    run_server()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv in _SERVE_ARGV:
        serve()
        return
    args = build_parser().parse_args(argv)
    command = args.command or "serve"
    if command == "serve":
        serve()
    elif command == "scan":
        from .report import run_scan

        if hasattr(sys.stdout, "reconfigure"):  # a file name that is not UTF-8 is printed as its own bytes, like ls
            sys.stdout.reconfigure(errors="surrogateescape")
        sys.exit(run_scan(args.path, args.format, args.exclude))
    elif command == "mcp":
        from .mcp_server import main as mcp_main

        mcp_main(root=args.root, http_port=args.http)
    elif command == "integrate":
        from .agent.run import IntegrateOptions, run_integrate

        options = IntegrateOptions(root=args.path, dry_run=args.dry_run, yes=args.yes, agent=args.agent,
                                   region=args.region, host=args.host, package=args.package, api_key=args.api_key)
        sys.exit(run_integrate(options))
    elif command == "sink":
        from .sink import main as sink_main

        sink_main(args.port, args.log)
    elif command == "demo":
        from .demo import run_demo

        sys.exit(run_demo())
