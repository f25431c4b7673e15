import { currentUser } from '../../../../lib/auth'
import { getPostHogServer } from '../../../../lib/posthog-server'

export async function POST(request: Request) {
  const user = currentUser(request)
  if (!user) return Response.json({ error: 'login required' }, { status: 401 })
  const { reason = 'unspecified' } = (await request.json().catch(() => ({}))) as { reason?: string }

  const posthog = getPostHogServer()
  posthog.capture({
    distinctId: user.id,
    event: 'subscription_cancelled',
    properties: { plan: user.plan, reason, $set: { plan: 'free' } },
    groups: { company: user.companyId },
  })
  await posthog.flush()

  user.plan = 'free'
  return new Response(null, { status: 204 })
}
