"""Late session-5 held-out shapes, each with a look-alike that must stay silent: the app's own request helpers
(`fetchPost(url)`, `apiDelete(url)`) read as requests, remix-auth's strategy-less `authenticate(request, {
successRedirect })` as a login start, and a server action misnamed `signup()` that only signs out as a logout. Each
snippet is a small app written for this test."""

from __future__ import annotations

from lsp_server.analysis.vocabulary import load
from tests.flows_support import flows_in_source


def _flows(path: str, source: str) -> dict[str, object]:
    """The flows of one snippet by kind; a file holding a flow must pass the scan prefilter (by its text or path)."""
    found = flows_in_source(path, source)
    vocab = load()
    assert not found or vocab.might_contain_flow(source) or vocab.path_may_hold_flow(path), "a scan would skip it"
    return {f.kind.value: f for f in found}


# --- the app's request helpers ------------------------------------------------------------------------------------

WRAPPER_DELETE = """
"use client";
import { postJson } from "@/lib/http";

export function DangerZone() {
  return (
    <button onClick={async () => { await apiDelete("/api/user/delete-account"); window.location.href = "/bye"; }}>
      Close my account
    </button>
  );
}
"""

WRAPPER_GET = """
"use client";
export function Feed() {
  const refresh = async () => { const items = await fetchPosts("/api/account/delete-requests"); setItems(items); };
  return <button onClick={refresh}>Reload</button>;
}
"""

WRAPPER_CANCEL = """
export const stopPlan = async (planId) => {
  await fetchPost(`/api/billing/subscription/cancel`, { planId });
  toast("Your plan ends at the end of the period");
};
"""


def test_a_click_posting_through_the_apps_delete_helper_to_an_account_url_is_an_account_deletion():
    flows = _flows("src/components/DangerZone.tsx", WRAPPER_DELETE)
    assert "account_deleted" in flows
    assert any("account" in e for e in flows["account_deleted"].evidence)


def test_a_helper_that_fetches_posts_from_an_account_url_is_no_request_that_writes():
    assert _flows("src/components/Feed.tsx", WRAPPER_GET) == {}


def test_a_cancel_function_posting_through_fetch_post_to_a_subscription_url_is_a_cancellation():
    flows = _flows("src/billing/actions.js", WRAPPER_CANCEL)
    assert set(flows) == {"subscription_cancelled"}


WRAPPER_LOGOUT = """
import { apiPost } from "./api";

export const logout = async () => {
  await apiPost("/auth/logout");
  router.push("/");
};
"""


def test_a_logout_function_posting_through_api_post_to_a_logout_url_is_a_logout():
    flows = _flows("src/session.ts", WRAPPER_LOGOUT)
    assert set(flows) == {"logout"}
    assert flows["logout"].insert_line == WRAPPER_LOGOUT.splitlines().index('  await apiPost("/auth/logout");') + 1


def test_a_logout_function_calling_a_helper_named_like_a_list_loader_is_no_logout():
    source = WRAPPER_LOGOUT.replace("apiPost", "apiPosts")
    assert _flows("src/session.ts", source) == {}


# --- remix-auth without a strategy name -------------------------------------------------------------------------

REMIX_SOCIAL = """
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticator } from "~/services/auth.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return authenticator.authenticate(request, { successRedirect: "/app", failureRedirect: "/welcome?e=1" });
}
export { loader as action };
"""

REMIX_GUARD = """
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticator } from "~/services/auth.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authenticator.isAuthenticated(request, { failureRedirect: "/welcome" });
  return { user };
}
"""


def test_remix_auth_authenticate_with_the_request_first_and_a_success_redirect_is_a_login_start():
    flows = _flows("app/routes/oauth.gitlab.tsx", REMIX_SOCIAL)
    assert set(flows) == {"login"}
    assert not flows["login"].needs_identify
    assert flows["login"].insert_line == REMIX_SOCIAL.splitlines().index(
        '  return authenticator.authenticate(request, { successRedirect: "/app", failureRedirect: "/welcome?e=1" });'
    )


def test_remix_auth_is_authenticated_guard_with_a_failure_redirect_is_no_login():
    assert _flows("app/routes/dashboard.tsx", REMIX_GUARD) == {}


# --- a call of the opposite auth kind beats the function's name ------------------------------------------------

MISNAMED_ACTION = """
'use server'
import { redirect } from 'next/navigation'
import { createClient } from '@/lib/supabase/server'

export async function signup() {
  const supabase = await createClient()
  const { error } = await supabase.auth.signOut()
  if (error) redirect('/problem')
  redirect('/')
}
"""

REAL_SIGNUP_ACTION = """
'use server'
import { redirect } from 'next/navigation'
import { createClient } from '@/lib/supabase/server'

export async function signup(formData: FormData) {
  const supabase = await createClient()
  const { error } = await supabase.auth.signUp({
    email: String(formData.get('email')),
    password: String(formData.get('password')),
  })
  if (error) redirect('/problem')
  redirect('/welcome')
}
"""


def test_a_server_action_named_signup_that_only_signs_out_is_a_logout_without_identify():
    flows = _flows("app/session/actions.ts", MISNAMED_ACTION)
    assert set(flows) == {"logout"}
    assert not flows["logout"].needs_identify


def test_a_server_action_named_signup_that_signs_up_stays_a_signup():
    flows = _flows("app/session/actions.ts", REAL_SIGNUP_ACTION)
    assert set(flows) == {"signup"}
    assert flows["signup"].needs_identify
