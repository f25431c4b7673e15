import { cookies } from 'next/headers'

const COOKIE = 'acme_session'

export async function createSession(userId: string): Promise<void> {
  const store = await cookies()
  store.set(COOKIE, userId, { httpOnly: true, sameSite: 'lax', path: '/' })
}

export async function getSessionUserId(): Promise<string | undefined> {
  const store = await cookies()
  return store.get(COOKIE)?.value
}

export async function deleteSession(): Promise<void> {
  const store = await cookies()
  store.delete(COOKIE)
}
