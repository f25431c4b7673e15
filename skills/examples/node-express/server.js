import { app } from './app.js'
import { posthog } from './posthog.js'

const server = app.listen(process.env.PORT ?? 3000, () => console.log(`listening on ${server.address().port}`))

// capture() only enqueues: send what is queued before the process exits.
async function stop() {
  server.close()
  await posthog.shutdown()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
