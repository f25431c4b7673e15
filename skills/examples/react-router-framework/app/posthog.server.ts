import { PostHog } from 'posthog-node';

// The dev server loads .env into process.env too, so the server reads the same names as the browser.
const key = process.env.VITE_PUBLIC_POSTHOG_KEY;

// Loaders and actions may be frozen right after the response (serverless): send each event at once, and
// `await posthog.flush()` before returning.
export const posthog = new PostHog(key ?? '', {
  host: process.env.VITE_PUBLIC_POSTHOG_HOST,
  disabled: !key,
  flushAt: 1,
  flushInterval: 0,
});
