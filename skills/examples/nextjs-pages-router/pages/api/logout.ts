import type { NextApiRequest, NextApiResponse } from 'next'
import { currentUser, endSession } from '../../lib/auth'
import { getPostHogServer } from '../../lib/posthog-server'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = currentUser(req)
  if (user) {
    // Capture before the session ends: afterwards the user id is no longer known.
    const posthog = getPostHogServer()
    posthog.capture({ distinctId: user.id, event: 'user_logged_out', groups: { company: user.companyId } })
    await posthog.flush()
  }
  endSession(req, res)
  res.status(204).end()
}
