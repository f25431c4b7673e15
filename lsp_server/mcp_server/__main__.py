"""`python -m lsp_server.mcp_server [--root DIR] [--http PORT]`: the MCP server without the CLI's other commands."""

import argparse

from . import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m lsp_server.mcp_server")
    parser.add_argument("--root", default=".")
    parser.add_argument("--http", type=int, metavar="PORT")
    args = parser.parse_args()
    main(root=args.root, http_port=args.http)
