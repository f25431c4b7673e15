import { currentUser, endSession } from '../../../lib/auth'
import { getPostHogServer } from '../../../lib/posthog-server'

export async function POST(request: Request) {
  const user = currentUser(request)
  if (user) {
    // Capture before the session ends: afterwards the user id is no longer known.
    const posthog = getPostHogServer()
    posthog.capture({ distinctId: user.id, event: 'user_logged_out', groups: { company: user.companyId } })
    await posthog.flush()
  }
  return new Response(null, { status: 204, headers: { 'Set-Cookie': endSession(request) } })
}
