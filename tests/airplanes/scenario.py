"""The user journey every model airplane is driven through, independent of the web framework."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# post(path, json_body, headers) -> (status, parsed JSON body or None)
Post = Callable[[str, dict[str, Any] | None, dict[str, str]], tuple[int, Any]]

EMAIL = "ada@example.com"
# What the browser's posthog-js would send with tracing_headers enabled.
TRACING = {"X-POSTHOG-DISTINCT-ID": "anon-device-1", "X-POSTHOG-SESSION-ID": "session-1"}


def run(post: Post) -> dict[str, Any]:
    """Signup, logout, login, checkout, cancel, delete; returns the user id and every status code."""
    statuses = []
    status, body = post("/signup", {"email": EMAIL, "password": "pw", "company": "Acme"}, TRACING)
    statuses.append(status)
    user_id = str(body["id"])
    for path, payload in [
        ("/logout", None),
        ("/login", {"email": EMAIL, "password": "any password"}),
        ("/checkout", {"plan": "pro"}),
        ("/subscription/cancel", {"reason": "too_expensive"}),
        ("/account/delete", None),
    ]:
        statuses.append(post(path, payload, {})[0])
    return {"user_id": user_id, "statuses": statuses}


def enter(app_dir: str) -> None:
    """Import the airplane's modules as top-level modules, the way its README runs it."""
    sys.path.insert(0, str(Path(app_dir).resolve()))


def report(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)
