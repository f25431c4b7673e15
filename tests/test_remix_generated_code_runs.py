"""A Remix app integrated by `posthog-lsp integrate` runs: its actions send the events with the real posthog-node to
the local sink, as the user, before they return (a serverless host freezes right after), and the app type-checks.

The app is tests/fixtures/remix/classic. Its TypeScript is compiled by tsc; Remix's own runtime (`json`,
`redirect`, cookie sessions) is replaced by a few lines of web-standard code so the actions run under plain Node.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from lsp_server.agent.run import IntegrateOptions, run_integrate
from tests import sink
from tests.integrate_smoke.apps import TSC, TYPECHECK_MODULES, link_node_modules

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "remix" / "classic"
AIRPLANE = Path(__file__).resolve().parent.parent / "skills" / "examples" / "remix"
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not TSC.exists() or not (TYPECHECK_MODULES / "posthog-node").is_dir(),
    reason="needs node and the packages in tests/typecheck (make typecheck-deps)",
)

REMIX_NODE = """\
// Remix's server runtime, reduced to what the fixture uses (web-standard Responses, a JSON cookie session).
export const json = (data, init = {}) =>
  new Response(JSON.stringify(data), { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
export const redirect = (url, init = {}) =>
  new Response(null, { status: 302, headers: { Location: url, ...init.headers } });
export function createCookieSessionStorage({ cookie }) {
  const read = (header) => {
    const raw = (header || '').split(/;\\s*/).find((part) => part.startsWith(cookie.name + '='));
    const value = raw ? raw.slice(cookie.name.length + 1) : '';
    return value ? JSON.parse(Buffer.from(value, 'base64url').toString()) : {};
  };
  return {
    async getSession(header) {
      const data = read(header);
      return { get: (k) => data[k], set: (k, v) => { data[k] = v; }, data };
    },
    async commitSession(session) {
      return `${cookie.name}=${Buffer.from(JSON.stringify(session.data)).toString('base64url')}; Path=/`;
    },
    async destroySession() {
      return `${cookie.name}=; Max-Age=0; Path=/`;
    },
  };
}
"""
REMIX_REACT = "export const Form = () => null, Links = () => null, Meta = () => null, Outlet = () => null,\n" \
    "  Scripts = () => null, ScrollRestoration = () => null, useLoaderData = () => ({});\n"
HOOKS = """\
// Resolve the compiled app as Remix's compiler would: `~/` is app/, extensionless relative imports are .js.
const stubs = { '@remix-run/node': './remix-node.mjs', '@remix-run/react': './remix-react.mjs' };
export async function resolve(specifier, context, next) {
  if (stubs[specifier]) return next(new URL(stubs[specifier], import.meta.url).href, context);
  if (specifier.startsWith('~/')) {
    return next(new URL(`./.out/app/${specifier.slice(2)}.js`, import.meta.url).href, context);
  }
  if (specifier.startsWith('.') && !/\\.[cm]?js$/.test(specifier)) return next(`${specifier}.js`, context);
  return next(specifier, context);
}
"""
DRIVER = """\
import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
const { action: join } = await import('./.out/app/routes/join.js');
const { action: login } = await import('./.out/app/routes/login.js');
const { action: logout } = await import('./.out/app/routes/logout.js');
const post = (path, fields, cookie) => new Request(`http://app${path}`, {
  method: 'POST', body: new URLSearchParams(fields), headers: cookie ? { Cookie: cookie } : {},
});
const args = (request) => ({ request, params: {}, context: {} });
let res = await join(args(post('/join', { email: 'ada@example.com', password: 'correct-horse' })));
const cookie = res.headers.get('Set-Cookie').split(';')[0];
res = await logout(args(post('/logout', {}, cookie)));
if (!res.headers.get('Set-Cookie').includes('Max-Age=0')) process.exit(3);
await logout(args(post('/logout', {})));  // a visitor without a session
res = await login(args(post('/login', { email: 'ada@example.com', password: 'wrong' })));
if (res.status !== 400) process.exit(4);
res = await login(args(post('/login', { email: 'ada@example.com', password: 'correct-horse' })));
if (res.status !== 302) process.exit(5);
process.exit(0);  // like a serverless host: frozen once the handler returned, no shutdown()
"""
SSR = """\
import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
const { createElement } = await import('react');
const { renderToString } = await import('react-dom/server');
const { PostHogInit } = await import('./.out/app/posthog-init.js');
const server = renderToString(createElement(PostHogInit));
globalThis.window = globalThis;  // now "the browser": the page's inline script runs before hydration
globalThis.document = {};
new Function(server.replace(/^<script>/, '').replace(/<\\/script>$/, ''))();
const client = renderToString(createElement(PostHogInit));
console.log(JSON.stringify({ server, client, env: globalThis.__POSTHOG_ENV__ }));
"""
BUILD = """\
// Compile app/**/*.ts(x) to ES modules in .out/app, file by file (what Remix's compiler does, minus bundling).
const fs = require('node:fs'), path = require('node:path'), ts = require('typescript');
const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.ReactJSX };
for (const file of fs.readdirSync('app', { recursive: true })) {
  if (!/\\.tsx?$/.test(file) || file.endsWith('.d.ts')) continue;
  const source = fs.readFileSync(path.join('app', file), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: options });
  const out = path.join('.out', 'app', file.replace(/\\.tsx?$/, '.js'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, outputText);
}
"""
TYPES = """\
declare module '@remix-run/node' {
  export type ActionFunctionArgs = { request: Request; params: Record<string, string | undefined>; context: unknown };
  export type LoaderFunctionArgs = ActionFunctionArgs;
  export function json<T>(data: T, init?: ResponseInit): Response;
  export function redirect(url: string, init?: ResponseInit): Response;
  export interface Session { get(key: string): any; set(key: string, value: unknown): void }
  export function createCookieSessionStorage(options: { cookie: Record<string, unknown> }): {
    getSession(cookie: string | null): Promise<Session>;
    commitSession(session: Session): Promise<string>;
    destroySession(session: Session): Promise<string>;
  };
}
declare module '@remix-run/react' {
  import type { FC, ReactNode } from 'react';
  export const Form: FC<{ method: string; children?: ReactNode }>;
  export const Links: FC, Meta: FC, Outlet: FC, Scripts: FC, ScrollRestoration: FC;
  export function useLoaderData<T>(): T extends (...args: any[]) => Promise<Response> ? any : any;
}
"""


@pytest.fixture(scope="module")
def integrated(tmp_path_factory):
    root = tmp_path_factory.mktemp("remix") / "app"
    shutil.copytree(FIXTURE, root)
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("POSTHOG_PROJECT_TOKEN", raising=False)  # the .env gets an empty key, never the runner's
        assert run_integrate(IntegrateOptions(root=root, yes=True, agent="off", out=out, err=err)) == 0, err.getvalue()
    link_node_modules(root, TYPECHECK_MODULES)
    return root


@pytest.fixture(scope="module")
def airplane(tmp_path_factory):
    """The Remix model airplane as shipped (its PostHog code written by hand)."""
    root = tmp_path_factory.mktemp("airplane") / "app"
    shutil.copytree(AIRPLANE, root)
    link_node_modules(root, TYPECHECK_MODULES)
    return root


@pytest.fixture(scope="module")
def sink_url():
    server, url = sink.start()
    yield url
    server.shutdown()


def _build(root: Path) -> None:
    """The app's TypeScript as ES modules in .out, with the stand-ins for Remix's runtime and the resolver."""
    if (root / ".out" / "package.json").is_file():
        return
    (root / "build.cjs").write_text(BUILD)
    build = subprocess.run(["node", "build.cjs"], cwd=root, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr[-3000:]
    (root / ".out" / "package.json").write_text('{"type": "module"}\n')
    for name, text in (("remix-node.mjs", REMIX_NODE), ("remix-react.mjs", REMIX_REACT), ("hooks.mjs", HOOKS),
                       ("driver.mjs", DRIVER), ("ssr.mjs", SSR)):
        (root / name).write_text(text)


@needs_node
@pytest.mark.parametrize("app", ["integrated", "airplane"])
def test_remix_actions_send_signup_logout_and_login_as_the_user_before_returning(app, request, sink_url):
    root = request.getfixturevalue(app)
    _build(root)
    token = "phc_remix_" + uuid.uuid4().hex
    env = {**os.environ, "POSTHOG_PROJECT_TOKEN": token, "POSTHOG_HOST": sink_url, "NODE_ENV": "test"}
    proc = subprocess.run(["node", "driver.mjs"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [(e["event"], e["distinct_id"]) for e in sink.all_events() if e["api_key"] == token]
    user = "u_1"
    anonymous = [d for e, d in events if e == "user_logged_out" and d != user]
    assert [e for e in events if e[1] == user] == [
        ("$identify", user), ("user_signed_up", user), ("user_logged_out", user), ("$identify", user),
        ("user_logged_in", user),
    ]
    assert len(anonymous) == 1 and anonymous[0] not in ("undefined", "null", "")  # no session: anonymous
    assert len(events) == 6  # the failed login sent nothing


@pytest.fixture(scope="module")
def typechecked(integrated, airplane):
    """tsc over both apps at once (two processes): {name: (exit code, output)}."""
    procs = {}
    for name, root in (("integrated", integrated), ("airplane", airplane)):
        (root / "remix.env.d.ts").write_text(TYPES)
        procs[name] = subprocess.Popen([str(TSC), "-p", "tsconfig.json", "--types", "node"], cwd=root,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return {name: (proc.wait(timeout=180), proc.stdout.read() if proc.stdout else "") for name, proc in procs.items()}


@needs_node
@pytest.mark.parametrize("app", ["integrated", "airplane"])
def test_remix_app_type_checks_with_the_real_posthog_packages(app, request, typechecked):
    code, output = typechecked[app]
    assert code == 0, output[-3000:]
    root = request.getfixturevalue(app)
    assert (root / "app" / "posthog-init.tsx").is_file() and (root / "app" / "posthog.server.ts").is_file()


@needs_node
@pytest.mark.parametrize("app", ["integrated", "airplane"])
def test_remix_root_passes_the_key_to_the_browser_with_markup_that_hydrates_unchanged(app, request):
    """Server render writes the key and host into the page (escaped); the browser reads them back and renders the
    same markup, so React hydrates without a mismatch."""
    root = request.getfixturevalue(app)
    _build(root)
    host = "https://ph.example.com/</script><b>x"
    env = {**os.environ, "POSTHOG_PROJECT_TOKEN": "phc_public_token", "POSTHOG_HOST": host, "NODE_ENV": "test"}
    proc = subprocess.run(["node", "ssr.mjs"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["env"] == {"key": "phc_public_token", "host": host}
    assert out["server"] == out["client"] and out["server"].count("</script>") == 1

