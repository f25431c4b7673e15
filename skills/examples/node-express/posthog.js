// The one PostHog client for this process, configured from the environment.
import { PostHog } from 'posthog-node'

const token = process.env.POSTHOG_PROJECT_TOKEN

if (!token) {
  // A missing key must not break the app, but it must not fail silently either.
  console.warn(
    'POSTHOG_PROJECT_TOKEN variable required by PostHog is missing or un-configured, this causes events ' +
      'to be silently missed. This warning stops once POSTHOG_PROJECT_TOKEN is configured.'
  )
}

export const posthog = new PostHog(token, {
  host: process.env.POSTHOG_HOST ?? 'https://us.i.posthog.com',
  disabled: !token, // no token: send nothing instead of failing requests
  enableExceptionAutocapture: true,
})
