import type { NextApiRequest, NextApiResponse } from 'next'
import { currentUser, deleteUser, endSession } from '../../../lib/auth'
import { getPostHogServer } from '../../../lib/posthog-server'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = currentUser(req)
  if (!user) return res.status(401).json({ error: 'login required' })

  const posthog = getPostHogServer()
  posthog.capture({ distinctId: user.id, event: 'account_deleted', groups: { company: user.companyId } })
  await posthog.flush()

  deleteUser(user)
  endSession(req, res)
  res.status(204).end()
}
