"""`make demo` / `posthog-lsp demo`: scan the bundled PostHog-free sample app and print what posthog-lsp finds.

No API key, no network: the sample (`skills/demo/acme-shop`, a Next.js App Router storefront and a FastAPI
service) is read from disk and reported in the same text format as `posthog-lsp scan`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .analysis.scan import scan
from .report import to_text
from .skills import bundled_skills_root


def demo_root() -> Path:
    return bundled_skills_root() / "demo" / "acme-shop"


def run_demo() -> int:
    root = demo_root()
    if not root.is_dir():
        print(f"posthog-lsp demo: the sample app is missing ({root})", file=sys.stderr)
        return 2
    print("posthog-lsp demo: scanning the bundled sample app Acme Shop (no API key, no network)\n")
    sys.stdout.write(to_text(scan(root), root_label="acme-shop (Next.js App Router + FastAPI)"))
    print(
        "\nNext: `posthog-lsp scan PATH` on your own project (--format json|sarif for scripts and CI),"
        "\nor open a project in VS Code with the extension for quick fixes that add these PostHog calls."
    )
    return 0
