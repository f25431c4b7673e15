"""Flow detector (being built): finds signup/login/logout/... flows in a parsed document."""

from __future__ import annotations

from collections.abc import Sequence

from .model import Flow, Package, PosthogCall
from .parsing import ParsedDocument


def detect_flows(
    doc: ParsedDocument, path: str, *, calls: Sequence[PosthogCall] = (), package: Package | None = None
) -> list[Flow]:
    return []
