"""LSP features, one module per feature; the only code that speaks lsprotocol and UTF-16 positions.

`session` holds the shared state, `positions` converts coordinates, `workspace_edit` turns planned edits
into WorkspaceEdits; every other module registers the handlers for one thing the user sees.
"""
