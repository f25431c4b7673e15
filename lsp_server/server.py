"""The language server: wiring only. Creates the server and registers one module per feature.

`posthog-lsp serve` and `python -m lsp_server` run it on stdio, which is what editors launch.
"""

from __future__ import annotations

from . import __version__
from .features import (
    code_actions,
    code_lens,
    commands,
    diagnostics,
    documents,
    integrate,
    lifecycle,
    logs,
    workspace,
)
from .features.session import PosthogServer

# Each module registers its handlers; a new feature (e.g. the `posthog.integrate` workflow) is one more module here.
FEATURES = (logs, lifecycle, documents, diagnostics, code_actions, code_lens, commands, workspace, integrate)


def create_server() -> PosthogServer:
    server = PosthogServer("posthog-lsp", __version__)
    for feature in FEATURES:
        feature.register(server)
    return server


def main() -> None:
    logs.configure_stderr()
    create_server().start_io()
