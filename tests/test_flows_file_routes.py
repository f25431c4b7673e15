"""Framework file routes in the cross-file machinery: a Remix / React Router `action`, a SvelteKit `actions.default`, a
Next.js route handler or a Nuxt `defineEventHandler` calling a helper or model function of another file is where the
flow is reported (it has the request and the user id), once; the helper it calls (`logout(request)`, `verifyLogin`,
`createUser`) is not reported again. The route's own path (`routes/join.tsx`) is evidence, as for a registered route.
A loader (a read), a route that is no flow and a helper nobody calls leave the helper's own flow as it was."""

from __future__ import annotations

from pathlib import Path

from lsp_server.analysis.scan import scan

SESSION = """import { createCookieSessionStorage, redirect } from "@remix-run/node";
const sessionStorage = createCookieSessionStorage({ cookie: { name: "__session" } });
export async function getSession(request: Request) {
  return sessionStorage.getSession(request.headers.get("Cookie"));
}
export async function getUserId(request: Request) {
  const session = await getSession(request);
  return session.get("userId");
}
export async function logout(request: Request) {
  const session = await getSession(request);
  return redirect("/", { headers: { "Set-Cookie": await sessionStorage.destroySession(session) } });
}
"""

USER_MODEL = """import bcrypt from "bcryptjs";
import { prisma } from "~/db.server";
export async function createUser(email: string, password: string) {
  const hashedPassword = await bcrypt.hash(password, 10);
  return prisma.user.create({ data: { email, password: { create: { hash: hashedPassword } } } });
}
export async function verifyLogin(email: string, password: string) {
  const userWithPassword = await prisma.user.findUnique({ where: { email }, include: { password: true } });
  if (!userWithPassword || !userWithPassword.password) return null;
  const isValid = await bcrypt.compare(password, userWithPassword.password.hash);
  if (!isValid) return null;
  return userWithPassword;
}
"""

LOGOUT_ROUTE = """import type { ActionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { logout } from "~/session.server";

export const action = async ({ request }: ActionArgs) => logout(request);

export const loader = async () => redirect("/");
"""

LOGIN_ROUTE = """import type { ActionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { verifyLogin } from "~/models/user.server";
import { createUserSession } from "~/session.server";

export const action = async ({ request }: ActionArgs) => {
  const formData = await request.formData();
  const email = formData.get("email") as string;
  const password = formData.get("password") as string;
  const user = await verifyLogin(email, password);
  if (!user) {
    return json({ errors: { email: "Invalid email or password" } }, { status: 400 });
  }
  return createUserSession({ request, userId: user.id, remember: false, redirectTo: "/" });
};
"""

JOIN_ROUTE = """import type { ActionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { createUser } from "~/models/user.server";
import { createUserSession } from "~/session.server";

export const action = async ({ request }: ActionArgs) => {
  const formData = await request.formData();
  const email = formData.get("email") as string;
  const password = formData.get("password") as string;
  if (password.length < 8) {
    return json({ errors: { password: "Password is too short" } }, { status: 400 });
  }
  const user = await createUser(email, password);
  return createUserSession({ request, userId: user.id, remember: false, redirectTo: "/" });
};
"""

REMIX_BASE = {
    "package.json": '{"name": "app", "dependencies": {"@remix-run/node": "1.19.0", "@remix-run/react": "1.19.0"}}',
    "tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"~/*": ["./app/*"]}}}',
    "app/session.server.ts": SESSION,
    "app/models/user.server.ts": USER_MODEL,
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _flows(root: Path) -> dict[tuple[str, str], list[str]]:
    """(path, kind) → the symbols reporting it, for every flow a workspace scan of `root` finds."""
    out: dict[tuple[str, str], list[str]] = {}
    for doc in scan(root).documents:
        for flow in doc.flows:
            out.setdefault((flow.path, flow.kind.value), []).append(flow.symbol)
    return out


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n")) if needle in line)


# --- Remix / React Router: the action reports the flow, the helper it calls does not --------------------------------


def test_remix_logout_action_calling_the_session_helper_is_the_one_logout(tmp_path: Path):
    root = _write(tmp_path, {**REMIX_BASE, "app/routes/logout.tsx": LOGOUT_ROUTE})
    flows = _flows(root)
    logouts = {k: v for k, v in flows.items() if k[1] == "logout"}
    assert logouts == {("app/routes/logout.tsx", "logout"): ["action"]}  # not `logout` in app/session.server.ts


def test_remix_join_action_calling_create_user_is_the_signup_not_the_model(tmp_path: Path):
    root = _write(tmp_path, {**REMIX_BASE, "app/routes/join.tsx": JOIN_ROUTE})
    result = scan(root)
    signups = [f for doc in result.documents for f in doc.flows if f.kind.value == "signup"]
    assert [(f.path, f.symbol) for f in signups] == [("app/routes/join.tsx", "action")]
    [signup] = signups
    assert "route /join" in signup.evidence  # the file route's own path is the evidence
    assert signup.user_id_expr == "user.id"
    assert signup.insert_line == _line(JOIN_ROUTE, "createUser(email") + 1  # after the user exists, with its id


def test_remix_login_action_calling_verify_login_is_the_one_login(tmp_path: Path):
    root = _write(tmp_path, {**REMIX_BASE, "app/routes/login.tsx": LOGIN_ROUTE})
    logins = {k: v for k, v in _flows(root).items() if k[1] == "login"}
    assert logins == {("app/routes/login.tsx", "login"): ["action"]}  # not verifyLogin in the model


def test_the_three_indie_stack_routes_report_three_flows_and_no_helper(tmp_path: Path):
    routes = {"app/routes/logout.tsx": LOGOUT_ROUTE, "app/routes/login.tsx": LOGIN_ROUTE,
              "app/routes/join.tsx": JOIN_ROUTE}
    flows = _flows(_write(tmp_path, {**REMIX_BASE, **routes}))
    assert flows == {
        ("app/routes/logout.tsx", "logout"): ["action"],
        ("app/routes/login.tsx", "login"): ["action"],
        ("app/routes/join.tsx", "signup"): ["action"],
    }


def test_a_flat_route_path_with_a_ui_word_still_reports_the_helper_at_the_route(tmp_path: Path):
    # remix-auth's form strategy: `auth.form.login.ts`; "form" vetoes a component, not a route
    flows = _flows(_write(tmp_path, {**REMIX_BASE, "app/routes/auth.form.login.ts": LOGIN_ROUTE}))
    logins = {k: v for k, v in flows.items() if k[1] == "login"}
    assert logins == {("app/routes/auth.form.login.ts", "login"): ["action"]}


# --- SvelteKit, Next.js, Nuxt -----------------------------------------------------------------------------------


SVELTE_AUTH = """import { lucia } from "./lucia";
export async function signOutUser(sessionId: string, cookies: any) {
  await lucia.invalidateSession(sessionId);
  cookies.delete("auth_session", { path: "/" });
}
"""


def test_sveltekit_actions_default_calling_a_lib_sign_out_is_the_one_logout(tmp_path: Path):
    files = {
        "package.json": '{"name": "app", "devDependencies": {"@sveltejs/kit": "2.0.0"}}',
        "src/lib/server/auth.ts": SVELTE_AUTH,
        "src/routes/logout/+page.server.ts": (
            'import { redirect } from "@sveltejs/kit";\n'
            'import { signOutUser } from "$lib/server/auth";\n'
            "export const actions = {\n"
            "  default: async ({ locals, cookies }) => {\n"
            "    await signOutUser(locals.session.id, cookies);\n"
            '    throw redirect(303, "/");\n'
            "  },\n"
            "};\n"
        ),
    }
    root = _write(tmp_path / "app", files)
    alone = _flows(_write(tmp_path / "alone", {k: v for k, v in files.items() if "routes" not in k}))
    assert alone == {("src/lib/server/auth.ts", "logout"): ["signOutUser"]}  # the helper alone is a logout
    logouts = {k: v for k, v in _flows(root).items() if k[1] == "logout"}
    assert list(logouts) == [("src/routes/logout/+page.server.ts", "logout")]


def test_next_route_handler_calling_a_service_is_the_one_logout(tmp_path: Path):
    files = {
        "package.json": '{"name": "app", "dependencies": {"next": "14.0.0"}}',
        "lib/auth.ts": SVELTE_AUTH,
        "app/api/auth/logout/route.ts": (
            'import { cookies } from "next/headers";\n'
            'import { signOutUser } from "@/lib/auth";\n'
            "export async function POST(req: Request) {\n"
            '  await signOutUser(req.headers.get("x-session") ?? "", cookies());\n'
            "  return Response.json({ ok: true });\n"
            "}\n"
        ),
    }
    logouts = {k: v for k, v in _flows(_write(tmp_path, files)).items() if k[1] == "logout"}
    assert list(logouts) == [("app/api/auth/logout/route.ts", "logout")]


def test_nuxt_server_handler_calling_a_util_is_the_one_logout(tmp_path: Path):
    files = {
        "package.json": '{"name": "app", "dependencies": {"nuxt": "3.10.0"}}',
        "server/utils/auth.ts": SVELTE_AUTH,
        "server/api/logout.post.ts": (
            'import { signOutUser } from "~/server/utils/auth";\n'
            "export default defineEventHandler(async (event) => {\n"
            '  await signOutUser(getCookie(event, "sid") ?? "", event);\n'
            "  return { ok: true };\n"
            "});\n"
        ),
    }
    logouts = {k: v for k, v in _flows(_write(tmp_path, files)).items() if k[1] == "logout"}
    assert list(logouts) == [("server/api/logout.post.ts", "logout")]


# --- negatives: the helper keeps its own flow -----------------------------------------------------------------------


def test_a_loader_calling_the_helper_is_a_read_and_the_helper_keeps_its_logout(tmp_path: Path):
    route = (
        'import type { LoaderArgs } from "@remix-run/node";\n'
        'import { logout } from "~/session.server";\n'
        "export const loader = async ({ request }: LoaderArgs) => logout(request);\n"
    )
    flows = _flows(_write(tmp_path, {**REMIX_BASE, "app/routes/account.tsx": route}))
    assert flows.get(("app/session.server.ts", "logout")) == ["logout"]


def test_a_model_function_called_from_a_route_that_is_no_flow_keeps_its_signup(tmp_path: Path):
    route = (
        'import type { ActionArgs } from "@remix-run/node";\n'
        'import { json } from "@remix-run/node";\n'
        'import { createUser } from "~/models/user.server";\n'
        "export const action = async ({ request }: ActionArgs) => {\n"
        "  const formData = await request.formData();\n"
        '  const user = await createUser(String(formData.get("email")), String(formData.get("password")));\n'
        "  return json({ id: user.id });\n"
        "};\n"
    )
    flows = _flows(_write(tmp_path, {**REMIX_BASE, "app/routes/admin.users.tsx": route}))
    assert flows.get(("app/models/user.server.ts", "signup")) == ["createUser"]
    assert ("app/routes/admin.users.tsx", "signup") not in flows


def test_helpers_nobody_calls_keep_their_own_flows(tmp_path: Path):
    flows = _flows(_write(tmp_path, dict(REMIX_BASE)))
    assert flows.get(("app/session.server.ts", "logout")) == ["logout"]
    assert flows.get(("app/models/user.server.ts", "signup")) == ["createUser"]


def test_a_route_whose_model_already_captures_the_signup_is_tracked_not_flagged_again(tmp_path: Path):
    tracked_model = USER_MODEL.replace(
        "  return prisma.user.create(",
        "  const user = await prisma.user.create(",
    ).replace(
        "hash: hashedPassword } } } });\n",
        "hash: hashedPassword } } } });\n"
        '  posthog.capture({ distinctId: user.id, event: "user_signed_up" });\n'
        "  return user;\n",
    )
    assert "posthog.capture(" in tracked_model
    files = {
        **REMIX_BASE,
        "app/models/user.server.ts": 'import { posthog } from "~/posthog.server";\n' + tracked_model,
        "app/posthog.server.ts": 'import { PostHog } from "posthog-node";\nexport const posthog = new PostHog("k");\n',
        "app/routes/join.tsx": JOIN_ROUTE,
    }
    result = scan(_write(tmp_path, files))
    signups = [f for doc in result.documents for f in doc.flows if f.kind.value == "signup"]
    assert [(f.path, f.symbol, f.tracked) for f in signups] == [("app/routes/join.tsx", "action", True)]
    untracked = _write(tmp_path / "other", {**REMIX_BASE, "app/routes/join.tsx": JOIN_ROUTE})
    [signup] = [f for doc in scan(untracked).documents for f in doc.flows if f.kind.value == "signup"]
    assert not signup.tracked  # the same route over a model without a capture is untracked
