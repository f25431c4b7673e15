// SvelteKit runs this file once in the browser when the app starts: the only posthog.init of the app.
import posthog from 'posthog-js';
import { dev } from '$app/environment';
import { env } from '$env/dynamic/public';

const key = env.PUBLIC_POSTHOG_KEY;
if (key) {
  posthog.init(key, {
    api_host: env.PUBLIC_POSTHOG_HOST || 'https://us.i.posthog.com',
    defaults: '2026-01-30',
    capture_exceptions: true,
    tracing_headers: [window.location.hostname], // our actions and endpoints get X-POSTHOG-* headers
  });
} else if (dev) {
  console.warn('PUBLIC_POSTHOG_KEY is not set: PostHog events are not sent.');
}
