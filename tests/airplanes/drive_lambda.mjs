// Invoke the Node airplane's Lambda handler per stdin line, then exit without shutdown().
import { createInterface } from 'node:readline'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const { handler } = await import(pathToFileURL(join(resolve(process.argv[2]), 'billing-webhook.js')))
for await (const line of createInterface({ input: process.stdin })) {
  console.log((await handler({ body: line })).body)
}
process.exit(0) // a frozen function runs nothing after returning
