"""Where the bundled skills live: the repo's `skills/` in a checkout, `lsp_server/_skills` in a wheel."""

from __future__ import annotations

import logging
import tomllib
from functools import cache
from pathlib import Path
from typing import Any


@cache
def bundled_skills_root() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "skills", here / "_skills"):
        if (candidate / "events").is_dir() or (candidate / "detection").is_dir():
            return candidate
    return here.parent / "skills"


def load_detection_toml(name: str) -> dict[str, Any]:
    """`skills/detection/<name>` as a dict; {} (with a warning) when it is missing or broken."""
    path = bundled_skills_root() / "detection" / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        logging.getLogger(__name__).warning("%s unavailable (%s): using defaults", name, exc)
        return {}
