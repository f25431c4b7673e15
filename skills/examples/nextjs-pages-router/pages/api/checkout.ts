import type { NextApiRequest, NextApiResponse } from 'next'
import { PRICES, currentUser } from '../../lib/auth'
import { getPostHogServer } from '../../lib/posthog-server'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = currentUser(req)
  if (!user) return res.status(401).json({ error: 'login required' })
  const { plan } = req.body as { plan: string }

  const posthog = getPostHogServer()
  posthog.capture({
    distinctId: user.id,
    event: 'checkout_started',
    properties: { plan, amount_cents: PRICES[plan], currency: 'usd' },
    groups: { company: user.companyId },
  })
  await posthog.flush()

  user.plan = plan
  res.status(200).json({ plan })
}
