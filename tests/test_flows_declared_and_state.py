"""Flows found through what a function is registered for or what it writes, rather than its library calls:
Django / allauth signal receivers, handlers typed with a Stripe webhook event, a session written by a login, a
store that empties the signed-in state on logout, URLs built from a template, a password hashed by a method of
the request body. Also the names the user sees for file-routed default exports and anonymous listeners.
The sources live in tests/fixtures/shapes/mixed-stack (a small multi-stack app written for these tests; kept out of
tests/fixtures/apps, whose apps are integrated end to end)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_server.analysis.vocabulary import load
from tests.flows_support import flows_in_source

ROOT = Path(__file__).parent / "fixtures" / "shapes" / "mixed-stack"


def _source(path: str) -> str:
    return (ROOT / path).read_text()


def line_of(path: str, needle: str) -> int:
    return next(i for i, line in enumerate(_source(path).split("\n")) if needle in line)


@pytest.fixture(scope="module")
def mixed() -> dict:
    """Every flow of the mixed-stack sources keyed by (path, kind, symbol)."""
    found = {}
    for file in sorted(p for p in ROOT.rglob("*") if p.is_file()):
        rel = file.relative_to(ROOT).as_posix()
        for flow in flows_in_source(rel, file.read_text()):
            found[(flow.path, flow.kind.value, flow.symbol)] = flow
    return found


def test_allauth_signup_receiver_is_a_signup_that_asks_for_identify(mixed):
    flow = mixed[("backend/accounts/receivers.py", "signup", "welcome_new_member")]
    assert "receives signal 'user_signed_up'" in flow.evidence
    assert flow.needs_identify and flow.side == "server"
    assert flow.insert_line > line_of("backend/accounts/receivers.py", "def welcome_new_member")


def test_function_connected_to_user_logged_in_is_a_login(mixed):
    flow = mixed[("backend/accounts/receivers.py", "login", "note_last_seen")]
    assert "receives signal 'user_logged_in'" in flow.evidence


def test_receiver_of_an_unrelated_signal_is_no_flow(mixed):
    assert not [key for key in mixed if key[2] == "keep_search_index_fresh"]


def test_handler_typed_with_a_stripe_event_reports_that_event_without_its_case(mixed):
    flow = mixed[("api/billing/on-subscription-ended.ts", "subscription_cancelled", "markPlanEnded")]
    assert any("CustomerSubscriptionDeletedEvent" in e for e in flow.evidence)
    assert not [key for key in mixed if key[2] == "syncCustomer"]  # a Stripe.Customer is no event


def test_handler_typed_with_an_event_literal_reports_that_event():
    source = """
type Handlers = { "invoice.payment_failed": { data: { object: { customer: string } } } };

export async function warnOwner(payload: Handlers["invoice.payment_failed"]) {
  await mailer.send(payload.data.object.customer, "card-declined");
}
"""
    flows = flows_in_source("lib/billing/warn-owner.ts", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("payment_failed", "warnOwner")]


def test_login_that_writes_the_session_is_a_login_captured_after_the_write(mixed):
    flow = mixed[("api/routes/sessions.js", "login", "signIn")]
    assert flow.confidence >= 0.8 and "sets session.accountId" in flow.evidence
    write = line_of("api/routes/sessions.js", "ctx.session.accountId = account.id")
    assert flow.insert_line == write + 1  # after the write, inside the success branch, not after the 401
    assert flow.needs_identify


def test_session_write_without_a_login_name_is_no_flow(mixed):
    assert not [key for key in mixed if key[2] == "rememberCart"]


def test_store_logout_that_empties_the_signed_in_state_is_a_logout(mixed):
    flow = mixed[("web/src/state/useSession.js", "logout", "logout")]
    assert flow.side == "client" and flow.needs_reset
    assert not [key for key in mixed if key[2] in ("clearDraft", "remember")]


def test_logout_name_that_clears_nothing_of_the_session_stays_below_threshold():
    source = """
export const useFilters = create((set) => ({
  logout: () => set({ filter: "" }),
}));
"""
    assert flows_in_source("src/state/filters.js", source) == []


def test_login_url_built_from_a_base_url_template_is_evidence(mixed):
    flow = mixed[("web/src/services/session.service.ts", "login", "SessionService.login")]
    assert flow.confidence >= 0.7
    assert not [key for key in mixed if key[2] == "SessionService.fetchProfile"]


def test_password_hashed_by_a_method_of_the_body_plus_a_member_row_is_a_signup(mixed):
    flow = mixed[("backend/members/routes.py", "signup", "add_member")]
    assert flow.needs_identify
    assert not [key for key in mixed if key[2] == "change_password"]  # the same calls changing a password


def test_file_routed_default_export_is_named_by_its_route_file(mixed):
    path = "server/api/session/logout.post.ts"
    assert (path, "logout", path) in mixed


def test_anonymous_listener_is_named_by_its_target_and_event(mixed):
    assert ("web/public/checkout.js", "checkout_started", "payButton click") in mixed


def test_sveltekit_default_action_keeps_its_action_name():
    source = """
import { redirect } from "@sveltejs/kit";

export const actions = {
  default: async ({ request, cookies }) => {
    const form = await request.formData();
    if (await verify(form.get("email"), form.get("password"))) {
      cookies.set("sid", await openSession(form.get("email")), { path: "/" });
      throw redirect(303, "/");
    }
  },
};
"""
    flows = flows_in_source("src/routes/login/+page.server.ts", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("login", "default")]


@pytest.mark.parametrize(
    "path",
    ["backend/accounts/receivers.py", "api/billing/on-subscription-ended.ts", "api/routes/sessions.js"],
)
def test_a_scan_selects_files_whose_only_evidence_is_new(path):
    assert load().might_contain_flow(_source(path))


def test_delete_route_on_the_callers_own_resource_is_an_account_deletion(mixed):
    flow = mixed[("api/members/members.controller.ts", "account_deleted", "MembersController.leave")]
    assert any("deletes the caller's own account" in e for e in flow.evidence)
    assert not [key for key in mixed if key[2] == "MembersController.dropAvatar"]  # DELETE of a sub-resource


def test_stub_delete_me_route_is_no_flow():
    source = """
@Controller("users")
export class UsersController {
  @Delete("me")
  remove() {
    return "todo";
  }
}
"""
    assert flows_in_source("src/users/users.controller.ts", source) == []


def test_server_action_named_delete_session_is_a_logout(mixed):
    assert ("web/app/session/actions.ts", "logout", "deleteSession") in mixed


def test_flask_signout_that_deletes_the_session_key_is_a_logout(mixed):
    flow = mixed[("backend/web/views.py", "logout", "signout")]
    assert "clears session" in flow.evidence
    assert flow.insert_line == line_of("backend/web/views.py", 'return redirect("/")')  # after the `del`
    assert not [key for key in mixed if key[2] == "forget_cart"]


def test_mongo_insert_into_a_members_collection_with_a_hashed_password_is_a_signup(mixed):
    flow = mixed[("pages/api/members/create.js", "signup", "handler")]
    assert flow.needs_identify


def test_callback_nested_in_a_listener_is_named_by_the_listener(mixed):
    assert ("web/public/pay.js", "checkout_started", 'document.getElementById("buy") click') in mixed


AUTH_CONFIG = """
import NextAuth from "next-auth";
import Google from "next-auth/providers/google";
import { prisma } from "@/lib/prisma";

export const { handlers, auth } = NextAuth({
  providers: [Google],
  events: {
    async createUser({ user }) {
      await prisma.wallet.create({ data: { ownerId: user.id, credits: 10 } });
    },
    signIn: async ({ user }) => {
      await prisma.visit.create({ data: { userId: user.id } });
    },
  },
  callbacks: {
    async signIn({ user }) {
      return user.email?.endsWith("@example.org") ?? false;
    },
  },
});
"""


def test_auth_js_events_are_server_side_signup_and_login_that_ask_for_identify():
    flows = {(f.kind.value, f.symbol): f for f in flows_in_source("src/auth.ts", AUTH_CONFIG)}
    assert set(flows) == {("signup", "createUser"), ("login", "signIn")}  # callbacks.signIn may still refuse
    assert all(f.side == "server" and f.needs_identify for f in flows.values())


def test_an_events_object_outside_an_auth_library_is_no_flow():
    source = AUTH_CONFIG.replace('from "next-auth"', 'from "./emitter"').replace("next-auth/providers/google", "./g")
    assert flows_in_source("src/bus.ts", source) == []


def test_request_config_object_url_names_the_flow_of_its_handler():
    source = """
export default {
  methods: {
    submitForm() {
      this.$axios({ method: "post", url: "/api/accounts/register", data: this.form }).then(() => {
        this.$router.push("/welcome");
      });
    },
    loadPosts() {
      this.$axios({ method: "get", url: "/api/posts" }).then((r) => (this.posts = r.data));
    },
  },
};
"""
    flows = flows_in_source("src/components/RegisterForm.js", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("signup", "submitForm")]


def test_new_password_set_in_a_function_named_for_the_reset_completes_it():
    source = """
async function resetPassword() {
  const next = document.getElementById("next-password").value;
  const { error } = await supabase.auth.updateUser({ password: next });
  if (error) return showError(error.message);
  window.location.href = "/signin";
}

async function changePassword(next) {
  await supabase.auth.updateUser({ password: next });
}

async function saveDisplayName(name) {
  await supabase.auth.updateUser({ data: { name } });
}
"""
    flows = flows_in_source("public/reset.js", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("password_reset", "resetPassword")]


def test_delete_of_someone_elses_profile_by_id_is_no_self_deletion():
    source = """
@Controller("orgs")
export class OrgsController {
  @Delete(":orgId/profile")
  async dropProfile(@Param("orgId") orgId: string) {
    await this.orgs.clearProfile(orgId);
  }
}
"""
    assert flows_in_source("src/orgs/orgs.controller.ts", source) == []
