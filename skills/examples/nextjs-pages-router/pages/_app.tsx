// posthog-js is initialized in instrumentation-client.ts; the provider only hands that client to hooks.
import type { AppProps } from 'next/app'
import posthog from 'posthog-js'
import { PostHogProvider } from '@posthog/react'

export default function App({ Component, pageProps }: AppProps) {
  return (
    <PostHogProvider client={posthog}>
      <Component {...pageProps} />
    </PostHogProvider>
  )
}
