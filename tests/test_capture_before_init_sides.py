"""`capture-before-init` per side: a posthog-node client set up on the server does not start posthog-js in the browser.

What the user sees: after "Track user_logged_out" in a SvelteKit/Next.js component of an app whose only PostHog
client is the server one, the browser capture is flagged (it is dropped silently) until posthog-js is initialised.
"""

from __future__ import annotations

from pathlib import Path

from lsp_server.analysis.scan import scan

SERVER_MODULE = """import { PostHog } from 'posthog-node'

export const posthog = new PostHog(process.env.POSTHOG_PROJECT_TOKEN, { host: process.env.POSTHOG_HOST })
"""
SERVER_ROUTE = """import { posthog } from '../lib/posthog-server'

export async function POST(request) {
  posthog.capture({ distinctId: 'u_1', event: 'user_logged_out' })
  return new Response(null, { status: 204 })
}
"""
CLIENT_BUTTON = """'use client'
import posthog from 'posthog-js'

export function SignOut() {
  return <button onClick={() => { posthog.capture('user_logged_out'); posthog.reset() }}>Sign out</button>
}
"""
CLIENT_INIT = """import posthog from 'posthog-js'

posthog.init(process.env.NEXT_PUBLIC_POSTHOG_KEY, { api_host: process.env.NEXT_PUBLIC_POSTHOG_HOST })
"""
PACKAGE = '{"dependencies": {"next": "15.4.0", "posthog-js": "1.449.2", "posthog-node": "5.70.0"}}'


def _app(root: Path, files: dict[str, str]) -> dict[str, list[str]]:
    for rel, text in {"package.json": PACKAGE, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = scan(root)
    return {d.path: [f.code for f in d.findings] for d in result.documents}


def test_browser_capture_is_flagged_when_only_the_server_client_is_set_up(tmp_path: Path):
    found = _app(tmp_path, {"lib/posthog-server.js": SERVER_MODULE, "app/api/logout/route.js": SERVER_ROUTE,
                            "app/sign-out.jsx": CLIENT_BUTTON})
    assert "posthog/capture-before-init" in found["app/sign-out.jsx"]
    assert "posthog/capture-before-init" not in found.get("app/api/logout/route.js", [])


def test_browser_init_clears_the_browser_capture_and_the_server_stays_clear(tmp_path: Path):
    found = _app(tmp_path, {"lib/posthog-server.js": SERVER_MODULE, "app/api/logout/route.js": SERVER_ROUTE,
                            "app/sign-out.jsx": CLIENT_BUTTON, "instrumentation-client.js": CLIENT_INIT})
    assert "posthog/capture-before-init" not in found["app/sign-out.jsx"]
    assert "posthog/capture-before-init" not in found.get("app/api/logout/route.js", [])


def test_server_capture_is_flagged_when_only_posthog_js_is_set_up(tmp_path: Path):
    found = _app(tmp_path, {"app/api/logout/route.js": SERVER_ROUTE, "instrumentation-client.js": CLIENT_INIT})
    assert "posthog/capture-before-init" in found["app/api/logout/route.js"]
    messages = [f.message for d in scan(tmp_path).documents for f in d.findings if d.path.endswith("route.js")]
    assert any(m.startswith("posthog-node is never initialised") for m in messages)


def test_no_init_anywhere_keeps_the_package_wide_message(tmp_path: Path):
    result_codes = _app(tmp_path, {"app/sign-out.jsx": CLIENT_BUTTON})
    assert "posthog/capture-before-init" in result_codes["app/sign-out.jsx"]
    messages = [f.message for d in scan(tmp_path).documents for f in d.findings
                if f.code == "posthog/capture-before-init"]
    assert messages and all(m.startswith("No PostHog initialisation in this package") for m in messages)
