// Call the SvelteKit airplane's hooks, form actions and endpoint as SvelteKit would: `node --import
// tests/node/sveltekit-env.mjs drive_sveltekit.mjs` from the app folder ($env, $app and $lib resolved there).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { runJourney } = require('./journey.cjs');
const app = resolve(process.argv[2] ?? '.');
const load = (rel) => import(pathToFileURL(join(app, 'src', rel)).href);

const { handle } = await load('hooks.server.js');
const jar = new Map();
const cookies = {
  get: (name) => jar.get(name),
  set: (name, value) => jar.set(name, value),
  delete: (name) => jar.delete(name),
};
// journey step -> [module under src/routes, action name (null: the endpoint's POST)]
const ROUTES = {
  signup: ['signup/+page.server.js', 'default'],
  login: ['login/+page.server.js', 'default'],
  logout: ['logout/+page.server.js', 'default'],
  checkout: ['api/checkout/+server.js', null],
  'subscription/cancel': ['account/+page.server.js', 'cancel'],
  'account/delete': ['account/+page.server.js', 'delete'],
};

async function post(name, payload, headers) {
  const [module, action] = ROUTES[name];
  const routes = await load(join('routes', module));
  const body = action ? new FormData() : JSON.stringify(payload ?? {});
  if (action) for (const [k, v] of Object.entries(payload ?? {})) body.set(k, v);
  const request = new Request(`http://localhost:5173/${name}`, { method: 'POST', headers, body });
  const event = { request, cookies, locals: {}, url: new URL(request.url), params: {} };
  let status = 200;
  let result;
  await handle({
    event,
    resolve: async () => {
      try {
        result = action ? await routes.actions[action](event) : await routes.POST(event);
        if (result instanceof Response) status = result.status;
        else if (result && typeof result.status === 'number') status = result.status; // fail(...)
      } catch (thrown) {
        if (typeof thrown?.location !== 'string') throw thrown;
        status = 200; // an enhanced form gets { type: 'redirect' } with 200
      }
    },
  });
  const account = await load('routes/account/+page.server.js');
  let user = null;
  await handle({ event: { cookies, locals: {} }, resolve: async (e) => { user = e.locals.user; } });
  return [status, user ? (await account.load({ locals: { user } })).user : null];
}

const result = await runJourney(post);
// No shutdown: the actions' own `await posthog.flush()` must already have sent everything.
console.log(JSON.stringify(result));
process.exit(0);
