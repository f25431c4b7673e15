import { createUser, startSession } from '../../../lib/auth'
import { browserSession, getPostHogServer } from '../../../lib/posthog-server'

export async function POST(request: Request) {
  const { email, company = '' } = (await request.json()) as { email: string; password: string; company?: string }
  const user = createUser(email, company)

  const posthog = getPostHogServer()
  posthog.groupIdentify({ groupType: 'company', groupKey: user.companyId, properties: { name: company }, distinctId: user.id })
  // Signups are captured on the server, where ad blockers cannot drop them. Email: person property only.
  posthog.capture({
    distinctId: user.id,
    event: 'user_signed_up',
    properties: { signup_method: 'email', $set: { email, plan: user.plan }, ...browserSession(request) },
    groups: { company: user.companyId },
  })
  await posthog.flush()

  return Response.json({ id: user.id, email, companyId: user.companyId, companyName: company }, {
    status: 201,
    headers: { 'Set-Cookie': startSession(user) },
  })
}
