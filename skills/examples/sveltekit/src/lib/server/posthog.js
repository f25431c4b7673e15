// The server's one posthog-node client, imported as $lib/server/posthog (SvelteKit keeps $lib/server out of the
// browser bundle). Serverless adapters may freeze a function once it answered, so every event is sent at once
// (flushAt: 1) and each action or endpoint awaits posthog.flush() before it redirects or responds.
import { PostHog } from 'posthog-node';
import { env } from '$env/dynamic/public';

const key = env.PUBLIC_POSTHOG_KEY;

export const posthog = new PostHog(key ?? '', {
  host: env.PUBLIC_POSTHOG_HOST || 'https://us.i.posthog.com',
  disabled: !key, // no key: the app works, nothing is sent
  flushAt: 1,
  flushInterval: 0,
});

/** The browser's PostHog session (posthog-js tracing_headers), to join a server event to its replay. */
export function browserSession(request) {
  const sessionId = request.headers.get('x-posthog-session-id');
  return sessionId ? { $session_id: sessionId } : {};
}
