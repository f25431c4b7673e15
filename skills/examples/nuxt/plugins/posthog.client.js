// The only posthog.init of the app. The `.client` suffix keeps it out of server rendering; the key comes from
// runtimeConfig.public at run time, so a missing key leaves PostHog off and the app working.
import posthog from 'posthog-js';

export default defineNuxtPlugin(() => {
  const config = useRuntimeConfig().public;
  if (config.posthogPublicKey) {
    posthog.init(config.posthogPublicKey, {
      api_host: config.posthogHost || 'https://us.i.posthog.com',
      defaults: '2026-01-30',
      // Sends X-POSTHOG-SESSION-ID with $fetch calls to our API: server events join the session replay.
      tracing_headers: [window.location.hostname],
    });
  } else if (import.meta.dev) {
    console.warn('NUXT_PUBLIC_POSTHOG_PUBLIC_KEY is not set: PostHog sends nothing.');
  }
  return { provide: { posthog } };
});
