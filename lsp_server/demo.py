"""`make demo` / `posthog-lsp demo`: the whole job on the bundled sample app, offline, with no API key.

1. Scan the PostHog-free sample (`skills/demo/acme-shop`: a Next.js App Router storefront and a FastAPI
   service) and print packages, flows and diagnostics.
2. Integrate a copy deterministically (no model): print the diff and the setup report.
3. Run the integrated API's smoke path against a local ingestion sink and print the events that arrived.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import sink
from .agent.demo import integrate_copy
from .analysis.scan import scan
from .report import to_text
from .skills import bundled_skills_root

DEMO_TOKEN = "demo-local-token"  # not a PostHog key: events only ever reach the local sink


def demo_root() -> Path:
    return bundled_skills_root() / "demo" / "acme-shop"


def _heading(text: str) -> None:
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}", flush=True)


def run_demo(keep: bool = False) -> int:
    root = demo_root()
    if not root.is_dir():
        print(f"posthog-lsp demo: the sample app is missing ({root})", file=sys.stderr)
        return 2
    _heading("1/3 Scan: the bundled sample app Acme Shop (no API key, no network)")
    sys.stdout.write(to_text(scan(root), root_label="acme-shop (Next.js App Router + FastAPI)"))

    folder = Path(tempfile.mkdtemp(prefix="posthog-demo-"))
    copy = folder / "acme-shop"
    try:
        shutil.copytree(root, copy)
        _heading("2/3 Integrate PostHog (deterministic, offline): the diff, then the report")
        sys.stdout.flush()
        code = integrate_copy(copy)
        if code != 0:
            return code
        _heading("3/3 Run the integrated API against a local ingestion sink on 127.0.0.1")
        received = _smoke(copy / "api")
        if received is None:
            return 1
        for event in received:
            keys = ", ".join(sorted(k for k in event["properties"] if not k.startswith("$"))) or "-"
            print(f"  {event['event']:<24} distinct_id={event['distinct_id']!s:<38} properties: {keys}")
        print(f"\n{len(received)} event(s) received. Your own project: `posthog-lsp integrate PATH --dry-run`.")
        if keep:
            print(f"The integrated copy is in {copy}")
        return 0 if received else 1
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _smoke(api: Path) -> list[dict] | None:
    """Run the sample's smoke script in the integrated API folder; the events the sink received, or None."""
    server, url = sink.start()
    try:
        env = {**os.environ, "POSTHOG_HOST": url, "POSTHOG_PROJECT_TOKEN": DEMO_TOKEN, "PYTHONPATH": str(api)}
        script = demo_root().parent / "smoke_api.py"
        proc = subprocess.run([sys.executable, str(script)], cwd=api, env=env, capture_output=True, text=True,
                              timeout=120)
        print(proc.stdout.strip())
        if proc.returncode != 0:
            print(f"the integrated API failed:\n{proc.stderr[-4000:]}", file=sys.stderr)
            return None
        return [e for e in sink.all_events() if e["api_key"] == DEMO_TOKEN]
    finally:
        server.shutdown()
