// Call the Pages Router API routes (compiled to CommonJS) the way Next.js does: a parsed JSON body,
// parsed cookies, and a response with status/json/end/setHeader.
const { join, resolve } = require('node:path')
const { runJourney } = require('./journey.cjs')

const out = resolve(process.argv[2])
let cookie = ''

function fakeResponse() {
  const res = { statusCode: 200, headers: {}, body: null, done: false }
  res.status = (code) => ((res.statusCode = code), res)
  res.setHeader = (name, value) => ((res.headers[name.toLowerCase()] = value), res)
  res.json = (data) => ((res.body = data), (res.done = true), res)
  res.end = () => ((res.done = true), res)
  return res
}

async function post(name, payload, headers) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  const cookies = Object.fromEntries(cookie ? [cookie.split('=')] : [])
  const req = { method: 'POST', headers: { ...lower, cookie }, cookies, body: payload ?? {}, query: {} }
  const res = fakeResponse()
  await require(join(out, 'pages', 'api', ...name.split('/'))).default(req, res)
  if (!res.done) throw new Error(`${name} did not respond`)
  const setCookie = res.headers['set-cookie']
  if (setCookie) cookie = setCookie.split(';')[0]
  return [res.statusCode, res.body]
}

async function main() {
  const result = await runJourney(post)
  // No shutdown: the routes' own `await posthog.flush()` must already have sent everything.
  console.log(JSON.stringify(result))
  process.exit(0)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
