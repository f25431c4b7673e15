import { startTransition, StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { HydratedRouter } from 'react-router/dom';
import posthog from 'posthog-js';

// The browser entry runs only in the browser, before hydration: the one place posthog-js is initialised.
const key = import.meta.env.VITE_PUBLIC_POSTHOG_KEY;
if (key) {
  posthog.init(key, {
    api_host: import.meta.env.VITE_PUBLIC_POSTHOG_HOST || 'https://us.i.posthog.com',
    defaults: '2026-01-30',
    capture_exceptions: true,
  });
} else if (import.meta.env.DEV) {
  console.warn('VITE_PUBLIC_POSTHOG_KEY is not set: PostHog events are not sent.');
}

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <HydratedRouter />
    </StrictMode>,
  );
});
