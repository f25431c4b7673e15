import { currentUser, deleteUser, endSession } from '../../../../lib/auth'
import { getPostHogServer } from '../../../../lib/posthog-server'

export async function POST(request: Request) {
  const user = currentUser(request)
  if (!user) return Response.json({ error: 'login required' }, { status: 401 })

  const posthog = getPostHogServer()
  posthog.capture({ distinctId: user.id, event: 'account_deleted', groups: { company: user.companyId } })
  await posthog.flush()

  deleteUser(user)
  return new Response(null, { status: 204, headers: { 'Set-Cookie': endSession(request) } })
}
