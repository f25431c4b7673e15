import type { NextApiRequest, NextApiResponse } from 'next'
import { findUser, startSession } from '../../lib/auth'
import { browserSession, getPostHogServer } from '../../lib/posthog-server'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = findUser((req.body as { email: string }).email)
  if (!user) return res.status(401).json({ error: 'unknown user' }) // any password works in this demo
  startSession(res, user)

  const posthog = getPostHogServer()
  posthog.capture({
    distinctId: user.id,
    event: 'user_logged_in',
    properties: { login_method: 'password', $set: { email: user.email }, ...browserSession(req) },
    groups: { company: user.companyId },
  })
  await posthog.flush()

  res.status(200).json({ id: user.id, email: user.email, companyId: user.companyId, companyName: user.companyName })
}
