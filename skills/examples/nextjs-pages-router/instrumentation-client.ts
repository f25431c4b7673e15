// Next.js 15.3+ runs this file in the browser before the app: the one place posthog-js is initialized.
import posthog from 'posthog-js'

const key = process.env.NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN

if (key) {
  posthog.init(key, {
    api_host: '/ingest', // the reverse proxy in next.config.ts
    ui_host: 'https://us.posthog.com',
    defaults: '2026-01-30',
    capture_exceptions: true,
    // Our API routes receive X-POSTHOG-DISTINCT-ID / X-POSTHOG-SESSION-ID and join this session.
    tracing_headers: [window.location.hostname],
  })
} else if (process.env.NODE_ENV === 'development') {
  console.warn(
    'NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN variable required by PostHog is missing or un-configured, this causes events ' +
      'to be silently missed. This warning stops once NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN is configured.',
  )
}
