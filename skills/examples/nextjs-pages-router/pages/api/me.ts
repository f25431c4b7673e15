import type { NextApiRequest, NextApiResponse } from 'next'
import { currentUser } from '../../lib/auth'

// The logged-in user, so the browser can identify a returning session on load.
export default function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = currentUser(req)
  if (!user) return res.status(401).json({ error: 'not logged in' })
  res.status(200).json({ id: user.id, email: user.email, companyId: user.companyId, companyName: user.companyName })
}
