import { createUser } from '../../../lib/auth'

export async function POST(request: Request) {
  const { email } = (await request.json()) as { email: string }
  const user = createUser(email)
  return Response.json({ id: user.id }, { status: 201 })
}
