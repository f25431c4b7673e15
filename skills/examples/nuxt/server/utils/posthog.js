// The server's one posthog-node client (Nitro auto-imports server/utils; the API routes import it explicitly).
// Serverless presets may freeze a function once it answered, so every event is sent at once (flushAt: 1) and each
// handler awaits posthog.flush() before it returns.
import { PostHog } from 'posthog-node';

const key = process.env.NUXT_PUBLIC_POSTHOG_PUBLIC_KEY;

export const posthog = new PostHog(key ?? '', {
  host: process.env.NUXT_PUBLIC_POSTHOG_HOST || 'https://us.i.posthog.com',
  disabled: !key, // no key: the app works, nothing is sent
  flushAt: 1,
  flushInterval: 0,
});

/** The browser's PostHog session (posthog-js tracing_headers), to join a server event to its replay. */
export function browserSession(event) {
  const sessionId = getHeader(event, 'x-posthog-session-id');
  return sessionId ? { $session_id: sessionId } : {};
}
