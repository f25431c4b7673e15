import type { NextApiRequest, NextApiResponse } from 'next'
import { currentUser } from '../../../lib/auth'
import { getPostHogServer } from '../../../lib/posthog-server'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = currentUser(req)
  if (!user) return res.status(401).json({ error: 'login required' })
  const { reason = 'unspecified' } = (req.body ?? {}) as { reason?: string }

  const posthog = getPostHogServer()
  posthog.capture({
    distinctId: user.id,
    event: 'subscription_cancelled',
    properties: { plan: user.plan, reason, $set: { plan: 'free' } },
    groups: { company: user.companyId },
  })
  await posthog.flush()

  user.plan = 'free'
  res.status(204).end()
}
