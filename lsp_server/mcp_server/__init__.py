"""mcp_server (being built)."""
