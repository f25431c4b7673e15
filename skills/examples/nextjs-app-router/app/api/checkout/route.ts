import { PRICES, currentUser } from '../../../lib/auth'
import { getPostHogServer } from '../../../lib/posthog-server'

export async function POST(request: Request) {
  const user = currentUser(request)
  if (!user) return Response.json({ error: 'login required' }, { status: 401 })
  const { plan } = (await request.json()) as { plan: string }

  const posthog = getPostHogServer()
  posthog.capture({
    distinctId: user.id,
    event: 'checkout_started',
    properties: { plan, amount_cents: PRICES[plan], currency: 'usd' },
    groups: { company: user.companyId },
  })
  await posthog.flush()

  user.plan = plan
  return Response.json({ plan })
}
