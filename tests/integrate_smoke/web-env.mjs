// `node --import <this file>`: the jsdom page of tests/node/browser-env.mjs, a browser's user agent (posthog-js
// ignores bots), and what a bundler does for compiled app code: extensionless relative imports resolve to .js,
// and Vite's `import.meta.env` becomes the VITE_* variables of the environment.
import { register } from 'node:module'
import '../node/browser-env.mjs'

Object.defineProperty(globalThis.navigator, 'userAgent', {
  value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
  configurable: true,
})
globalThis.__VITE_ENV__ = {
  DEV: false, PROD: true, MODE: 'test',
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('VITE_'))),
}
register('./web-hooks.mjs', import.meta.url)
