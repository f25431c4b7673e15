// The classic Remix compiler gives the browser no process.env: on the server this component writes the public key
// and host into the page, in the browser it reads them back (same markup, so hydration matches) and initialises
// posthog-js once. Rendered first in app/root.tsx's <body>.
import { useEffect } from 'react';
import posthog from 'posthog-js';

const ENV_NAME = '__POSTHOG_ENV__';

function readEnv() {
  if (typeof document === 'undefined') {
    return { key: process.env.POSTHOG_PROJECT_TOKEN || '', host: process.env.POSTHOG_HOST || '' };
  }
  return Reflect.get(window, ENV_NAME) || { key: '', host: '' };
}

export function PostHogInit({ userId }: { userId?: string }) {
  const env = readEnv();
  useEffect(() => {
    if (!env.key) return; // no key: no analytics, the app still works
    posthog.init(env.key, {
      api_host: env.host || 'https://us.i.posthog.com',
      defaults: '2026-01-30',
      capture_exceptions: true,
    });
  }, [env.key, env.host]);
  useEffect(() => {
    // a returning visitor with a session: the same id the server sends (identify with the same id is a no-op)
    if (env.key && userId) posthog.identify(userId);
  }, [env.key, userId]);
  const json = JSON.stringify({ key: env.key, host: env.host }).replace(/</g, '\\u003c');
  return <script dangerouslySetInnerHTML={{ __html: `window.${ENV_NAME} = ${json};` }} />;
}
