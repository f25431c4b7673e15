// `node --import <this file>`: a jsdom page as the global browser environment, and bundler-style resolution,
// so browser code that imports posthog-js runs unchanged in Node.
import { register } from 'node:module';
import { JSDOM } from 'jsdom';

register('./browser-resolve.mjs', import.meta.url);

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost:5173/login' });
for (const name of ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'HTMLElement']) {
  Object.defineProperty(globalThis, name, { value: dom.window[name], configurable: true, writable: true });
}
