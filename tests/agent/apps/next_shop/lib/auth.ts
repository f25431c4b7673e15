// A toy user store: a real app uses its database and auth library.
export type User = { id: string; email: string }

const users = new Map<string, User>()

export function createUser(email: string): User {
  const user = { id: String(users.size + 1), email }
  users.set(email, user)
  return user
}

export function findUser(email: string): User | undefined {
  return users.get(email)
}

export function authenticateUser(email: string, password: string): User | undefined {
  const user = users.get(email)
  return user && password.length > 0 ? user : undefined
}
