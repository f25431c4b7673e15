"""The MCP client side: `posthog://` guidance (snippets, docs, event names, detection data) for the editor.

`GuidanceClient(root).start()` runs the bundled MCP server and keeps a cache fresh; `McpSnippets` is the
snippet source the edit planner reads. Both fall back to the bundled skills when MCP is unavailable.
"""

from .client import GuidanceClient, bundled_server_command
from .snippets import McpSnippets

__all__ = ["GuidanceClient", "McpSnippets", "bundled_server_command"]
