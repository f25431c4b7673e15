// Call the App Router route handlers (compiled to CommonJS) with real Request objects, as Next.js would.
const { join, resolve } = require('node:path')
const { runJourney } = require('./journey.cjs')

const out = resolve(process.argv[2])
const route = (name) => require(join(out, 'app', 'api', ...name.split('/'), 'route.js'))
let cookie = ''

async function post(name, payload, headers) {
  const request = new Request(`http://localhost:3000/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, ...headers },
    body: payload ? JSON.stringify(payload) : undefined,
  })
  const resp = await route(name).POST(request)
  const setCookie = resp.headers.get('set-cookie')
  if (setCookie) cookie = setCookie.split(';')[0]
  const text = await resp.text()
  return [resp.status, text ? JSON.parse(text) : null]
}

async function main() {
  const result = await runJourney(post)
  // No shutdown: the handlers' own `await posthog.flush()` must already have sent everything.
  console.log(JSON.stringify(result))
  process.exit(0)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
