import { PostHog } from 'posthog-node';

const key = process.env.POSTHOG_PROJECT_TOKEN;
if (!key && process.env.NODE_ENV !== 'production') {
  console.warn('POSTHOG_PROJECT_TOKEN is not set: PostHog events are not sent.');
}

// One server client for loaders and actions; `.server` keeps posthog-node out of the browser bundle. On a
// serverless host the function may be frozen right after the response, so each event is sent at once and
// actions `await posthog.flush()` before returning.
export const posthog = new PostHog(key ?? '', {
  host: process.env.POSTHOG_HOST,
  disabled: !key,
  flushAt: 1,
  flushInterval: 0,
});
