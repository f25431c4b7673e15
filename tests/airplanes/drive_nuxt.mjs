// Call the Nuxt airplane's Nitro handlers (server/api/*.post.js) as Nitro would: `node drive_nuxt.mjs <app>`.
// Nitro auto-imports h3's helpers; here they are globals over a tiny event object holding headers, body and cookies.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { runJourney } = require('./journey.cjs');
const app = resolve(process.argv[2] ?? '.');
const jar = new Map();

class HTTPError extends Error {
  constructor({ statusCode, statusMessage }) {
    super(statusMessage);
    this.statusCode = statusCode;
  }
}
Object.assign(globalThis, {
  defineEventHandler: (handler) => handler,
  readBody: async (event) => event.body,
  getHeader: (event, name) => event.headers.get(name) ?? undefined,
  getCookie: (event, name) => jar.get(name),
  setCookie: (event, name, value) => jar.set(name, value),
  deleteCookie: (event, name) => jar.delete(name),
  createError: (options) => new HTTPError(options),
});

const handler = async (route) => (await import(pathToFileURL(join(app, 'server', 'api', route)).href)).default;

async function post(name, payload, headers) {
  const event = { headers: new Headers(headers ?? {}), body: payload ?? {}, path: `/api/${name}` };
  let status = 200;
  try {
    await (await handler(`${name}.post.js`))(event);
  } catch (thrown) {
    if (!(thrown instanceof HTTPError)) throw thrown;
    status = thrown.statusCode;
  }
  const me = await (await handler('me.get.js'))({ headers: new Headers(), body: null });
  return [status, me];
}

const result = await runJourney(post);
// No shutdown: the handlers' own `await posthog.flush()` must already have sent everything.
console.log(JSON.stringify(result));
process.exit(0);
