// What SvelteKit's Vite plugin gives server code at run time, for running generated code under plain Node:
// $env/dynamic/public (the PUBLIC_* variables), $app/environment, the $lib alias (src/lib), and @sveltejs/kit's
// redirect() / fail() / json(), which throw or return the same shapes as SvelteKit 2's.
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import path from 'node:path';

const modules = {
  '$env/dynamic/public':
    'export const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("PUBLIC_")));',
  '$app/environment': 'export const dev = false, browser = false, building = false, version = "test";',
  '@sveltejs/kit': [
    'export class Redirect { constructor(status, location) { this.status = status; this.location = location; } }',
    'export function redirect(status, location) { throw new Redirect(status, location); }',
    'export function fail(status, data) { return { status, data }; }',
    'export function json(data, init) { return Response.json(data, init); }',
    'export function error(status, body) { throw Object.assign(new Error(String(body)), { status }); }',
  ].join('\n'),
};

export async function resolve(specifier, context, next) {
  if (specifier in modules) {
    const source = encodeURIComponent(modules[specifier]);
    return { url: `data:text/javascript,${source}`, shortCircuit: true };
  }
  if (specifier.startsWith('$lib/')) {
    const file = path.join(process.cwd(), 'src', 'lib', specifier.slice(5));
    const found = [file, `${file}.js`, `${file}.mjs`, path.join(file, 'index.js')].find((f) => existsSync(f));
    return next(pathToFileURL(found ?? file).href, context);
  }
  return next(specifier, context);
}
