// Drive the Express airplane over real HTTP on 127.0.0.1, then shut the PostHog client down. An app without
// posthog.js (integrated by posthog-lsp) must send what is queued on its own before Node exits.
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { join, resolve } from 'node:path'
import journey from './journey.cjs'

const { runJourney } = journey

const dir = resolve(process.argv[2])
const { app } = await import(pathToFileURL(join(dir, 'app.js')))
const client = existsSync(join(dir, 'posthog.js')) ? await import(pathToFileURL(join(dir, 'posthog.js'))) : null

const server = app.listen(0, '127.0.0.1')
await new Promise((ok) => server.once('listening', ok))
const base = `http://127.0.0.1:${server.address().port}`
let cookie = ''

async function post(path, payload, headers) {
  const resp = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, ...headers },
    body: payload ? JSON.stringify(payload) : undefined,
  })
  const setCookie = resp.headers.get('set-cookie')
  if (setCookie) cookie = setCookie.split(';')[0]
  const text = await resp.text()
  return [resp.status, text ? JSON.parse(text) : null]
}

const result = await runJourney((path, payload, headers) => post(`/${path}`, payload, headers))
server.close()
server.closeAllConnections()
await client?.posthog.shutdown()
console.log(JSON.stringify(result))
