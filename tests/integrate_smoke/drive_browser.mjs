// A browser journey through an integrated React component under jsdom, with posthog-js sending to the sink:
// sign up, upgrade, cancel, log out, log in, delete the account. The app's backend is a stub answering its fetches.
// argv: <compiled dir> <module that renders or exports the page> [init module]
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const out = resolve(process.argv[2])
// The app's own copies (the same module instances its compiled code imports).
const fromApp = (path) => import(pathToFileURL(join(out, '..', 'node_modules', path)))
const realFetch = globalThis.fetch
const ME = { id: 'user-42', email: 'ada@example.com', companyId: 'c-7', companyName: 'Acme' }
globalThis.fetch = async (input, init) => {
  const url = new URL(String(input?.url ?? input), 'http://localhost:5173')
  if (url.host !== 'localhost:5173') return track(realFetch(input, init)) // posthog-js, to the sink
  const path = url.pathname.replace(/^\/api/, '')
  if (path === '/me') return new Response(null, { status: 401 })
  if (path === '/signup' || path === '/login') return Response.json(ME)
  return new Response(null, { status: 204 })
}
const settle = (ms = 100) => new Promise((ok) => setTimeout(ok, ms))
const inflight = new Set()
function track(request) {
  inflight.add(request)
  request.finally(() => inflight.delete(request)).catch(() => {})
  return request
}

document.body.innerHTML = '<div id="root"></div>'
if (process.argv[4]) await import(pathToFileURL(join(out, process.argv[4])))
const page = await import(pathToFileURL(join(out, process.argv[3])))
if (page.default) {
  const React = await fromApp('react/index.js')
  const { createRoot } = await fromApp('react-dom/client.js')
  createRoot(document.getElementById('root')).render(React.createElement(page.default))
}
await settle()

async function click(label) {
  const find = () => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === label)
  let button = find()
  for (let waited = 0; !button && waited < 5000; waited += 50) button = (await settle(50), find()) // a busy machine
  if (!button) throw new Error(`no "${label}" button in: ${document.body.innerHTML}`)
  button.click()
  await settle()
}

const posthog = (await fromApp('posthog-js/dist/module.mjs')).default
const ids = {}
await click('Sign up')
ids.signedUp = posthog.get_distinct_id()
await click('Upgrade to Pro')
await click('Cancel subscription')
await click('Log out')
ids.loggedOut = posthog.get_distinct_id()
await click('Log in')
ids.loggedIn = posthog.get_distinct_id()
await click('Delete account')
await settle(3200) // posthog-js sends its queue every 3 s: wait for that, then for every request to the sink
while (inflight.size) {
  await Promise.allSettled([...inflight])
  await settle(200)
}
console.log(JSON.stringify({ user_id: ME.id, ids }))
process.exit(0)
