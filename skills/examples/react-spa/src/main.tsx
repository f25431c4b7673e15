import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import posthog from 'posthog-js'
import { PostHogProvider } from '@posthog/react'
import { App } from './App'
import { API_URL } from './api'

const key = import.meta.env.VITE_PUBLIC_POSTHOG_KEY

// Initialize once, before anything renders.
if (key) {
  posthog.init(key, {
    api_host: import.meta.env.VITE_PUBLIC_POSTHOG_HOST ?? 'https://us.i.posthog.com',
    defaults: '2026-01-30', // current behaviour, including pageviews on client-side navigation
    capture_exceptions: true,
    // The backend's middleware reads X-POSTHOG-DISTINCT-ID / X-POSTHOG-SESSION-ID from these hosts.
    tracing_headers: [new URL(API_URL).hostname],
  })
} else if (import.meta.env.DEV) {
  console.warn(
    'VITE_PUBLIC_POSTHOG_KEY variable required by PostHog is missing or un-configured, this causes events ' +
      'to be silently missed. This warning stops once VITE_PUBLIC_POSTHOG_KEY is configured.',
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PostHogProvider client={posthog}>
      <App />
    </PostHogProvider>
  </StrictMode>,
)
