"""Existing PostHog usage (being built): init/capture/identify/reset/... calls in every SDK style."""

from __future__ import annotations

from .model import PosthogCall
from .parsing import ParsedDocument


def find_posthog_calls(doc: ParsedDocument, path: str) -> list[PosthogCall]:
    return []
