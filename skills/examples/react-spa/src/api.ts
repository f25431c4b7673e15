// A backend shaped like the server model airplanes; signup, login and GET /me answer with a Me.
export const API_URL = import.meta.env.VITE_API_URL ?? window.location.origin

export type Me = { id: string; email: string; companyId: string; companyName: string }

export async function post<T = unknown>(path: string, body?: object): Promise<T | null> {
  const res = await fetch(API_URL + path, {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  })
  if (!res.ok) throw new Error(`${path} failed: ${res.status}`)
  return res.status === 204 ? null : ((await res.json()) as T)
}

export async function currentUser(): Promise<Me | null> {
  const res = await fetch(API_URL + '/me', { credentials: 'include' })
  return res.ok ? ((await res.json()) as Me) : null
}
