// Turn billing-provider webhooks into PostHog events: an AWS Lambda handler and a stdin worker.
//   Worker:  POSTHOG_PROJECT_TOKEN=phc_... node billing-webhook.js < events.jsonl
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { posthog } from './posthog.js'

// Billing event type -> PostHog event (names from the taxonomy).
const EVENTS = {
  'customer.subscription.created': 'subscription_created',
  'customer.subscription.updated': 'subscription_changed',
  'customer.subscription.deleted': 'subscription_cancelled',
  'invoice.paid': 'payment_succeeded',
  'invoice.payment_failed': 'payment_failed',
}

// The provider knows its customer id; analytics needs our user id. A real app looks this up in its database.
const CUSTOMERS = { cus_123: { userId: '42', companyId: '7' } }

export function handle(webhook) {
  const event = EVENTS[webhook.type]
  const owner = CUSTOMERS[webhook.data.customer]
  if (!event || !owner) return null
  const { plan, amount, currency } = webhook.data
  posthog.capture({
    distinctId: owner.userId,
    event,
    properties: { plan, amount_cents: amount, currency },
    groups: { company: owner.companyId },
    uuid: webhook.uuid, // the provider's event id as a UUID keeps retried deliveries from double counting
  })
  return event
}

// AWS Lambda entry point.
export async function handler(event) {
  const tracked = handle(JSON.parse(event.body))
  await posthog.flush() // before returning: the function may be frozen afterwards
  return { statusCode: 200, body: JSON.stringify({ tracked }) }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim()) handle(JSON.parse(line))
  }
  await posthog.shutdown() // a script: send what is queued, then exit
}
