// The server's one posthog-node client. Route handlers can be frozen right after they return, so every
// event is sent at once (flushAt: 1) and each handler awaits posthog.flush() before responding.
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
export function browserSession(request: Request): { $session_id?: string } {
  const sessionId = request.headers.get('x-posthog-session-id')
  return sessionId ? { $session_id: sessionId } : {}
}
