import { currentUser } from '../../../lib/auth'

// The logged-in user, so the browser can identify a returning session on load.
export async function GET(request: Request) {
  const user = currentUser(request)
  if (!user) return Response.json({ error: 'not logged in' }, { status: 401 })
  return Response.json({ id: user.id, email: user.email, companyId: user.companyId, companyName: user.companyName })
}
