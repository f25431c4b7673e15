"""What the editor can do, resolved once at `initialize` so features branch on plain booleans.

The user sees the richest behaviour their editor supports: pull diagnostics instead of push, versioned
and annotated workspace edits, lazily resolved source actions, dynamic file watchers — and a working
fallback everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types


def _get(obj: object, path: str) -> object:
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


@dataclass(frozen=True)
class ClientSupport:
    pull_diagnostics: bool = False
    diagnostic_refresh: bool = False
    code_lens_refresh: bool = False
    document_changes: bool = False
    create_files: bool = False
    change_annotations: bool = False
    code_action_resolve: bool = False  # the client resolves `edit` lazily through codeAction/resolve
    code_action_disabled: bool = False
    watched_files_registration: bool = False
    configuration: bool = False
    work_done_progress: bool = False
    apply_edit: bool = False
    code_action_literals: bool = True  # False: the client takes code actions only as Commands (LSP < 3.8 clients)
    # False: a CreateFile whose folder is missing fails (Neovim 0.7 errors, 0.11 opens an unsaved buffer when told to
    # ignore an existing file); the server then writes such files itself (new_files). Not announced by any client.
    creates_folders: bool = True

    @classmethod
    def from_capabilities(cls, caps: types.ClientCapabilities | None, client: str | None = None) -> ClientSupport:
        if caps is None:
            return cls(creates_folders=client != "Neovim")
        resolve = _get(caps, "text_document.code_action.resolve_support.properties") or []
        operations = _get(caps, "workspace.workspace_edit.resource_operations") or []
        return cls(
            # pull only when the editor can be asked to pull again (a package or route change elsewhere re-checks
            # its open files); Neovim up to 0.11 pulls without that, so it gets pushed diagnostics
            pull_diagnostics=_get(caps, "text_document.diagnostic") is not None
            and bool(_get(caps, "workspace.diagnostics.refresh_support")),
            diagnostic_refresh=bool(_get(caps, "workspace.diagnostics.refresh_support")),
            code_lens_refresh=bool(_get(caps, "workspace.code_lens.refresh_support")),
            # a client that announces resource operations (Neovim does, without documentChanges) applies them
            # only inside documentChanges, so it handles that form too
            document_changes=bool(_get(caps, "workspace.workspace_edit.document_changes")) or bool(operations),
            create_files=types.ResourceOperationKind.Create in operations,
            change_annotations=_get(caps, "workspace.workspace_edit.change_annotation_support") is not None,
            code_action_resolve="edit" in resolve,
            code_action_disabled=bool(_get(caps, "text_document.code_action.disabled_support")),
            watched_files_registration=bool(_get(caps, "workspace.did_change_watched_files.dynamic_registration")),
            configuration=bool(_get(caps, "workspace.configuration")),
            work_done_progress=bool(_get(caps, "window.work_done_progress")),
            apply_edit=bool(_get(caps, "workspace.apply_edit")),
            code_action_literals=_get(caps, "text_document.code_action.code_action_literal_support") is not None,
            creates_folders=client != "Neovim",
        )
