import type { NextApiRequest, NextApiResponse } from 'next'
import { createUser, startSession } from '../../lib/auth'
import { browserSession, getPostHogServer } from '../../lib/posthog-server'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const { email, company = '' } = req.body as { email: string; password: string; company?: string }
  const user = createUser(email, company)
  startSession(res, user)

  const posthog = getPostHogServer()
  posthog.groupIdentify({ groupType: 'company', groupKey: user.companyId, properties: { name: company }, distinctId: user.id })
  // Signups are captured on the server, where ad blockers cannot drop them. Email: person property only.
  posthog.capture({
    distinctId: user.id,
    event: 'user_signed_up',
    properties: { signup_method: 'email', $set: { email, plan: user.plan }, ...browserSession(req) },
    groups: { company: user.companyId },
  })
  await posthog.flush() // before responding: the function may be frozen afterwards

  res.status(201).json({ id: user.id, email, companyId: user.companyId, companyName: company })
}
