"""Existing PostHog usage is found in every SDK style, and nothing else is mistaken for it."""

from __future__ import annotations

import pytest

from lsp_server.analysis.model import PosthogCall
from lsp_server.analysis.parsing import language_for_path, parse
from lsp_server.analysis.usage import find_posthog_calls


def calls_in(path: str, source: str) -> list[PosthogCall]:
    language = language_for_path(path)
    assert language is not None
    doc = parse(source, language)
    assert doc is not None
    return find_posthog_calls(doc, path)


def summary(calls: list[PosthogCall]) -> list[tuple[str, str, str, str | None]]:
    return [(c.kind, c.sdk, c.receiver, c.event) for c in calls]


def test_posthog_js_init_capture_identify_group_reset_are_found():
    calls = calls_in(
        "src/main.ts",
        """import posthog from 'posthog-js'
posthog.init(import.meta.env.VITE_PUBLIC_POSTHOG_KEY, { api_host: 'https://us.i.posthog.com' })
export function onLogin(user) {
  posthog.identify(user.id, { email: user.email })
  posthog.group('company', user.orgId)
  posthog.capture('user_logged_in', { method: 'password' })
}
export function onLogout() { posthog.reset() }
""",
    )
    assert summary(calls) == [
        ("init", "posthog-js", "posthog", None),
        ("identify", "posthog-js", "posthog", None),
        ("group", "posthog-js", "posthog", None),
        ("capture", "posthog-js", "posthog", "user_logged_in"),
        ("reset", "posthog-js", "posthog", None),
    ]
    assert calls[1].property_keys == ("email",)
    assert calls[3].property_keys == ("method",)
    assert calls[3].span.start_line == 5 and calls[3].span.start_col == 2
    assert calls[3].text == "posthog.capture('user_logged_in', { method: 'password' })"


def test_react_hook_client_with_optional_chaining_is_found():
    calls = calls_in(
        "app/login/page.tsx",
        """'use client'
import { usePostHog } from '@posthog/react'
export default function Login() {
  const posthog = usePostHog()
  const ph = usePostHog()
  async function submit() {
    posthog?.capture(`login_submitted`, { remember, 'plan-id': 1, [dynamic]: 2, ...rest })
    ph!.identify(user.id)
  }
  return <form onSubmit={submit} />
}
""",
    )
    assert summary(calls) == [
        ("capture", "posthog-react", "posthog", "login_submitted"),
        ("identify", "posthog-react", "ph", None),
    ]
    assert calls[0].property_keys == ("remember", "plan-id")


def test_posthog_provider_with_api_key_counts_as_init():
    calls = calls_in(
        "src/App.jsx",
        """import { PostHogProvider } from '@posthog/react'
export const App = () => <PostHogProvider apiKey={key} options={{ api_host: host }}><Main /></PostHogProvider>
export const Wrapped = () => <PostHogProvider client={posthog}><Main /></PostHogProvider>
""",
    )
    assert summary(calls) == [("init", "posthog-react", "PostHogProvider", None)]


def test_posthog_node_constructor_capture_identify_flush_shutdown_are_found():
    calls = calls_in(
        "server/track.ts",
        """import { PostHog } from 'posthog-node'
const client = new PostHog(process.env.POSTHOG_PROJECT_TOKEN!, { host: process.env.POSTHOG_HOST })
export async function signup(user: User) {
  client.capture({ distinctId: user.id, event: 'user_signed_up', properties: { plan: user.plan, source } })
  client.identify({ distinctId: user.id, properties: { email: user.email } })
  await client.captureImmediate({ distinctId: user.id, event: 'trial_started' })
  await client.flush()
  await client.shutdown()
}
""",
    )
    assert summary(calls) == [
        ("init", "posthog-node", "client", None),
        ("capture", "posthog-node", "client", "user_signed_up"),
        ("identify", "posthog-node", "client", None),
        ("capture", "posthog-node", "client", "trial_started"),
        ("flush", "posthog-node", "client", None),
        ("shutdown", "posthog-node", "client", None),
    ]
    assert calls[1].property_keys == ("plan", "source")
    assert calls[2].property_keys == ("email",)
    assert all(c.legacy is None for c in calls)


def test_node_clients_from_require_class_fields_factories_and_typed_parameters_are_found():
    calls = calls_in(
        "lib/analytics.ts",
        """const { PostHog } = require('posthog-node')
class Analytics {
  private ph = new PostHog(key)
  track() { this.ph.capture({ distinctId: 'u', event: 'a' }) }
}
function getClient() { return new PostHog(key, { flushAt: 1 }) }
getClient().capture({ distinctId: 'u', event: 'b' })
export function report(client: PostHog) { client.capture({ distinctId: 'u', event: 'c' }) }
""",
    )
    events = [(c.kind, c.receiver, c.event) for c in calls if c.kind == "capture"]
    assert events == [("capture", "this.ph", "a"), ("capture", "getClient()", "b"), ("capture", "client", "c")]
    assert all(c.sdk == "posthog-node" for c in calls)
    assert [c.kind for c in calls].count("init") == 2


def test_project_wrapper_module_client_is_found_by_import():
    calls = calls_in(
        "app/api/checkout/route.ts",
        """import { posthog } from '@/lib/posthog-server'
import getPostHogClient from '../lib/posthog'
export async function POST() {
  posthog.capture({ distinctId: id, event: 'checkout_started' })
  const ph = getPostHogClient()
  ph.capture({ distinctId: id, event: 'checkout_viewed' })
}
""",
    )
    assert [(c.receiver, c.sdk, c.event) for c in calls] == [
        ("posthog", "posthog-node", "checkout_started"),
        ("ph", "posthog-node", "checkout_viewed"),
    ]


def test_python_module_api_and_key_assignment_are_found():
    calls = calls_in(
        "app/analytics.py",
        """import os
import posthog
posthog.project_api_key = os.environ["POSTHOG_PROJECT_TOKEN"]
posthog.host = "https://us.i.posthog.com"
def on_signup(user):
    posthog.capture("user_signed_up", distinct_id=str(user.id), properties={"plan": user.plan, "$set": {"a": 1}})
    posthog.set(distinct_id=str(user.id), properties={"email": user.email})
    posthog.flush()
""",
    )
    assert summary(calls) == [
        ("init", "posthog-python", "posthog", None),
        ("capture", "posthog-python", "posthog", "user_signed_up"),
        ("set", "posthog-python", "posthog", None),
        ("flush", "posthog-python", "posthog", None),
    ]
    assert calls[1].property_keys == ("plan", "$set")
    assert calls[2].property_keys == ("email",)


def test_python_client_instance_and_context_api_are_found():
    calls = calls_in(
        "app/views.py",
        """from posthog import Posthog, identify_context, new_context
ph = Posthog(os.environ["POSTHOG_PROJECT_TOKEN"], host="https://us.i.posthog.com")
class Service:
    def __init__(self):
        self.client = Posthog("k")
    def login(self, user):
        with new_context():
            identify_context(str(user.pk))
            ph.capture("user_logged_in", properties={"method": "password"})
            self.client.set(distinct_id=str(user.pk), properties={"plan": "pro"})
ph.shutdown()
""",
    )
    assert summary(calls) == [
        ("init", "posthog-python", "ph", None),
        ("init", "posthog-python", "self.client", None),
        ("identify_context", "posthog-python", "", None),
        ("capture", "posthog-python", "ph", "user_logged_in"),
        ("set", "posthog-python", "self.client", None),
        ("shutdown", "posthog-python", "ph", None),
    ]


def test_python_alias_import_and_wrapper_module_are_found():
    calls = calls_in(
        "app/tasks.py",
        """import posthog as analytics
from app.telemetry import posthog_client
analytics.capture("report_exported", distinct_id="u1")
posthog_client.capture("report_shared", distinct_id="u1")
""",
    )
    assert [(c.receiver, c.event) for c in calls] == [
        ("analytics", "report_exported"),
        ("posthog_client", "report_shared"),
    ]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("a.ts", "const client = new Stripe(key); client.capture('x'); ph.capture('y'); analytics.capture('z')"),
        ("a.ts", "import mixpanel from 'mixpanel-browser'; mixpanel.identify('u'); mixpanel.reset()"),
        ("a.py", "client = boto3.client('s3')\nclient.capture('x')\nph.capture('y')\nsentry.capture('z')"),
        ("a.py", "from app import analytics\nanalytics.identify('u')"),
    ],
)
def test_other_clients_named_like_posthog_ones_are_not_posthog(path: str, source: str):
    assert calls_in(path, source) == []


def test_bound_only_names_count_when_bound_to_posthog():
    calls = calls_in("a.py", "from posthog import Posthog\nclient = Posthog('k')\nclient.capture('evt')\n")
    assert [(c.kind, c.receiver) for c in calls] == [("init", "client"), ("capture", "client")]


def test_stale_calls_are_marked_legacy_with_the_reason():
    py = calls_in(
        "a.py",
        """import posthog
posthog.api_key = "k"
posthog.capture("user_1", "signed_up", {"plan": "pro"})
posthog.capture("signed_up", {"plan": "pro"})
posthog.identify("user_1", {"email": "a@b.co"})
posthog.capture("signed_up", distinct_id="user_1")
""",
    )
    assert [(c.kind, c.event, c.legacy) for c in py] == [
        ("init", None, "python_api_key"),
        ("capture", "signed_up", "python_positional_capture"),
        ("capture", "signed_up", "python_positional_properties"),
        ("identify", None, "python_identify"),
        ("capture", "signed_up", None),
    ]
    assert py[1].property_keys == ("plan",)
    node = calls_in(
        "a.js",
        """const { PostHog } = require('posthog-node')
const client = new PostHog(key)
client.capture('user_1', 'signed_up', { plan: 'pro' })
client.identify('user_1')
client.shutdownAsync()
""",
    )
    assert [(c.kind, c.event, c.legacy) for c in node] == [
        ("init", None, None),
        ("capture", "signed_up", "node_positional_capture"),
        ("identify", None, "node_positional_identify"),
        ("shutdown", None, "node_shutdown_async"),
    ]


def test_positional_capture_is_current_api_in_posthog_js():
    calls = calls_in("a.ts", "import posthog from 'posthog-js'\nposthog.capture('signed_up', { plan: 'pro' })\n")
    assert [(c.sdk, c.event, c.legacy) for c in calls] == [("posthog-js", "signed_up", None)]


def test_dynamic_event_names_have_no_event():
    calls = calls_in("a.ts", "import posthog from 'posthog-js'\nposthog.capture(`e_${kind}`)\nposthog.capture(name)\n")
    py = calls_in("a.py", "import posthog\nposthog.capture(f'evt_{kind}', distinct_id='u')\n")
    assert [c.event for c in calls + py] == [None, None, None]


def test_non_ascii_text_gives_character_columns():
    calls = calls_in("a.ts", "import posthog from 'posthog-js'\nconst é = '日本'; posthog.capture('x')\n")
    assert calls[0].span.start_col == len("const é = '日本'; ")


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("a.ts", "import posthog from 'posthog-js'\nposthog.capture(\n"),
        ("a.ts", "import { PostHog } from 'posthog-node'\nnew PostHog(\nclient.capture({ event: "),
        ("a.tsx", "<PostHogProvider apiKey= \nposthog?.capture(`${"),
        ("a.py", "import posthog\nposthog.capture('u', 'e', {'a': \nposthog.identify(**"),
        ("a.py", "from posthog import (\n"),
        ("a.js", "\x00\x01\x02 posthog.capture('x')"),
        ("a.ts", ""),
    ],
)
def test_broken_sources_never_raise(path: str, source: str):
    calls_in(path, source)  # must not raise; results on broken code are best-effort


def test_browser_global_and_python_module_class_are_recognised():
    js = calls_in("a.js", "window.posthog?.capture('clicked_buy')\n")
    assert [(c.sdk, c.receiver, c.event) for c in js] == [("posthog-js", "window.posthog", "clicked_buy")]
    py = calls_in("a.py", "import posthog\nclient = posthog.Posthog('k')\nclient.capture('e', distinct_id='u')\n")
    assert [(c.kind, c.receiver) for c in py] == [("init", "client"), ("capture", "client")]


def test_flush_on_the_apps_own_client_module_is_posthog_node_like_its_capture():
    source = """import { posthog } from '@/lib/posthog-server'
export async function POST() {
  posthog.capture({ distinctId: 'u1', event: 'checkout_started' })
  await posthog.flush()
}
"""
    found = {c.kind: c.sdk for c in calls_in("app/api/checkout/route.ts", source)}
    assert found == {"capture": "posthog-node", "flush": "posthog-node"}
