import { cookies } from 'next/headers'
import { authenticateUser } from '../../../lib/auth'

export async function POST(request: Request) {
  const { email, password } = (await request.json()) as { email: string; password: string }
  const user = authenticateUser(email, password)
  if (!user) {
    return Response.json({ error: 'Wrong email or password' }, { status: 401 })
  }
  const jar = await cookies()
  jar.set('session', user.id, { httpOnly: true })
  return Response.json({ id: user.id })
}
