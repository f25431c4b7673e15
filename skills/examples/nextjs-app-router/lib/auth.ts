// A toy user store and cookie session. A real app uses its database and auth library.
import { randomBytes, randomUUID } from 'node:crypto'

export type User = { id: string; email: string; companyId: string; companyName: string; plan: string }

const users = new Map<string, User>() // email -> user
const sessions = new Map<string, string>() // session token -> user id

export const PRICES: Record<string, number> = { starter: 900, pro: 2900 }

export function createUser(email: string, companyName: string): User {
  const user = { id: randomUUID(), email, companyId: randomUUID(), companyName, plan: 'free' }
  users.set(email, user)
  return user
}

export function findUser(email: string): User | undefined {
  return users.get(email)
}

export function deleteUser(user: User): void {
  users.delete(user.email)
}

function sessionToken(request: Request): string | undefined {
  return /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1]
}

export function currentUser(request: Request): User | undefined {
  const userId = sessions.get(sessionToken(request) ?? '')
  return [...users.values()].find((u) => u.id === userId)
}

export function startSession(user: User): string {
  const token = randomBytes(16).toString('hex')
  sessions.set(token, user.id)
  return `session=${token}; Path=/; HttpOnly; SameSite=Lax`
}

export function endSession(request: Request): string {
  sessions.delete(sessionToken(request) ?? '')
  return 'session=; Path=/; Max-Age=0'
}
