import { PostHog } from 'posthog-node'

export const posthog = new PostHog('phc_9fYk2LrQe7XwT4aBcD1mN8sVuHjZ3pKx6oGtE5iW0qR', {
  host: 'https://us.i.posthog.com',
})
