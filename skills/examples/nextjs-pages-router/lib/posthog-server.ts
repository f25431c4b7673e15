// The server's one posthog-node client. API routes can be frozen right after they respond, so every event
// is sent at once (flushAt: 1) and each route awaits posthog.flush() before responding.
import type { NextApiRequest } from 'next'
import { PostHog } from 'posthog-node'

let client: PostHog | undefined

export function getPostHogServer(): PostHog {
  if (!client) {
    const key = process.env.NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN
    client = new PostHog(key ?? '', {
      host: process.env.NEXT_PUBLIC_POSTHOG_HOST ?? 'https://us.i.posthog.com',
      disabled: !key, // no key: requests keep working, nothing is sent
      flushAt: 1,
      flushInterval: 0,
    })
  }
  return client
}

/** The browser's PostHog session (from posthog-js tracing_headers), to join server events to its replay. */
export function browserSession(req: NextApiRequest): { $session_id?: string } {
  const sessionId = req.headers['x-posthog-session-id']
  return typeof sessionId === 'string' ? { $session_id: sessionId } : {}
}
