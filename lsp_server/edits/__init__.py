"""Pure edit planning: what to insert or rewrite, as data. Applied at the edge (LSP, CLI).

Contract shared by features/ (LSP), the CLI and the agent:
- `plan_flow_tracking(text, path, flow, package, snippets)` → edits that add the capture for a flow
  (plus identify for login/signup, reset for client logout, and the import/client setup the file lacks).
- `plan_quick_fix(text, path, finding, package, snippets)` → edits that fix one diagnostic (empty if none).
- `plan_ignore(text, path, finding)` → the `posthog-ignore: <code>` comment edit.
- `apply_edits(text, edits)` → the new text (pure; used by tests and the CLI).
Planning over already-edited text plans nothing (idempotency).
"""

from __future__ import annotations

from .model import PlannedEdit

__all__ = ["PlannedEdit"]
