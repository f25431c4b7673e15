// The one PostHog client for this process. Serverless: every event is sent at once and each invocation
// awaits flush(), because a frozen function never sends its queue.
import { PostHog } from 'posthog-node'

const token = process.env.POSTHOG_PROJECT_TOKEN

if (!token) {
  console.warn(
    'POSTHOG_PROJECT_TOKEN variable required by PostHog is missing or un-configured, this causes events ' +
      'to be silently missed. This warning stops once POSTHOG_PROJECT_TOKEN is configured.'
  )
}

export const posthog = new PostHog(token, {
  host: process.env.POSTHOG_HOST ?? 'https://us.i.posthog.com',
  disabled: !token,
  flushAt: 1,
  flushInterval: 0,
})
