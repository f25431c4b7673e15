import { findUser, startSession } from '../../../lib/auth'
import { browserSession, getPostHogServer } from '../../../lib/posthog-server'

export async function POST(request: Request) {
  const { email } = (await request.json()) as { email: string; password: string }
  const user = findUser(email)
  if (!user) return Response.json({ error: 'unknown user' }, { status: 401 }) // any password works in this demo

  const posthog = getPostHogServer()
  posthog.capture({
    distinctId: user.id,
    event: 'user_logged_in',
    properties: { login_method: 'password', $set: { email }, ...browserSession(request) },
    groups: { company: user.companyId },
  })
  await posthog.flush()

  return Response.json(
    { id: user.id, email, companyId: user.companyId, companyName: user.companyName },
    { headers: { 'Set-Cookie': startSession(user) } },
  )
}
