"""Where the bundled skills live: the repo's `skills/` in a checkout, `lsp_server/_skills` in a wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def bundled_skills_root() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "skills", here / "_skills"):
        if (candidate / "events").is_dir() or (candidate / "detection").is_dir():
            return candidate
    return here.parent / "skills"
