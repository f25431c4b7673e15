"""Pure edit planning: what to insert or rewrite, as data. Applied at the edge (LSP, CLI).

Contract shared by features/ (LSP), the CLI and the agent:
- `plan_flow_tracking(text, path, flow, package, snippets)` → edits that add the capture for a flow
  (plus identify for login/signup, reset for client logout, and the import/client setup the file lacks).
- `plan_quick_fix(text, path, finding, package, snippets)` → edits that fix one diagnostic (empty if none).
- `plan_ignore(text, path, finding)` → the `posthog-ignore: <code>` comment edit.
- `apply_edits(text, edits)` → the new text (pure; used by tests and the CLI).
Planning over already-edited text plans nothing (idempotency).

`snippets` is any `SnippetSource` (`BundledSnippets()` reads `skills/frameworks/<id>/snippets/`). The optional
keyword `exists(path) -> bool` lets the edge say whether a file (e.g. `lib/posthog-server.ts`) already exists;
without it a `create_file=True` edit is planned, which the edge must apply without overwriting an existing file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

if TYPE_CHECKING:
    from .apply import apply_edits
    from .fixes import flow_from_finding, plan_ignore, plan_quick_fix
    from .model import PlannedEdit
    from .planner import plan_flow_tracking
    from .snippets import BundledSnippets, SnippetSource

# Names load on first use: the language server answers `initialize` before the planner is imported.
_HOME = {  # public name → the submodule defining it
    "apply_edits": "apply",
    "flow_from_finding": "fixes",
    "plan_ignore": "fixes",
    "plan_quick_fix": "fixes",
    "PlannedEdit": "model",
    "plan_flow_tracking": "planner",
    "BundledSnippets": "snippets",
    "SnippetSource": "snippets",
}

__all__ = [
    "BundledSnippets",
    "PlannedEdit",
    "SnippetSource",
    "apply_edits",
    "flow_from_finding",
    "plan_flow_tracking",
    "plan_ignore",
    "plan_quick_fix",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOME, __all__)
