"""A planned edit: pure data, positions in code points (see analysis.model.Span)."""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.model import Span


@dataclass(frozen=True, slots=True)
class PlannedEdit:
    path: str  # relative to the workspace root, '/' separators
    span: Span  # the replaced range; an empty span is an insertion
    new_text: str
    label: str  # what the user sees, e.g. "Track user_logged_in with PostHog"
    group: str  # one change annotation per planned event or fix, e.g. "user_logged_in"
    create_file: bool = False  # the file does not exist yet; new_text is its whole content
