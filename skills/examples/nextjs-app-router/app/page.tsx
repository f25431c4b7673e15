'use client'
// The browser side: identify after signup/login, group by company, reset after logout.
// Business events themselves are captured by the route handlers in app/api.
import { useEffect, useState, type FormEvent } from 'react'
import posthog from 'posthog-js'

type Me = { id: string; email: string; companyId: string; companyName: string }

async function post(path: string, body?: object): Promise<Response> {
  return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) })
}

function identify(me: Me) {
  posthog.identify(me.id, { email: me.email }) // once per login: merges the anonymous visit into the user
  posthog.group('company', me.companyId, { name: me.companyName })
}

export default function Home() {
  const [me, setMe] = useState<Me | null>(null)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')

  // A returning visitor who is already logged in is identified on load (same id and properties: nothing new sent).
  useEffect(() => {
    fetch('/api/me')
      .then((res) => (res.ok ? (res.json() as Promise<Me>) : null))
      .then((user) => {
        if (user) {
          identify(user)
          setMe(user)
        }
      })
  }, [])

  async function authenticate(path: '/api/signup' | '/api/login', event: FormEvent) {
    event.preventDefault()
    const res = await post(path, { email, password, company: 'Acme' })
    if (!res.ok) return
    const user = (await res.json()) as Me
    identify(user)
    setMe(user)
  }

  async function logout() {
    await post('/api/logout')
    posthog.reset() // the next person on this device starts anonymous
    setMe(null)
  }

  async function deleteAccount() {
    await post('/api/account/delete')
    posthog.reset()
    setMe(null)
  }

  if (!me) {
    return (
      <form onSubmit={(e) => authenticate('/api/login', e)}>
        <input value={email} onChange={(e) => setEmail(e.target.value)} placeholder="email" />
        <input value={password} onChange={(e) => setPassword(e.target.value)} type="password" placeholder="password" />
        <button type="submit">Log in</button>
        <button type="button" onClick={(e) => authenticate('/api/signup', e)}>
          Sign up
        </button>
      </form>
    )
  }
  return (
    <main>
      <p>Signed in as {me.email}</p>
      <button onClick={() => post('/api/checkout', { plan: 'pro' })}>Upgrade to Pro</button>
      <button onClick={() => post('/api/subscription/cancel', { reason: 'too_expensive' })}>Cancel subscription</button>
      <button onClick={deleteAccount}>Delete account</button>
      <button onClick={logout}>Log out</button>
    </main>
  )
}
