// The browser side of the journey. The backend captures the business events (signup, login, checkout,
// cancellation, deletion); the browser identifies the person, groups them, and resets at logout.
import { useEffect, useState, type FormEvent } from 'react'
import { usePostHog } from '@posthog/react'
import { currentUser, post, type Me } from './api'

export function App() {
  const posthog = usePostHog()
  const [me, setMe] = useState<Me | null>(null)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')

  function signedIn(user: Me) {
    // Once per login (and on load for a returning session): same id and properties send nothing new.
    posthog.identify(user.id, { email: user.email })
    posthog.group('company', user.companyId, { name: user.companyName })
    setMe(user)
  }

  // A returning visitor who is already logged in is identified on load.
  useEffect(() => {
    currentUser().then((user) => user && signedIn(user))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  async function authenticate(path: '/signup' | '/login', event: FormEvent) {
    event.preventDefault()
    const user = await post<Me>(path, { email, password, company: 'Acme' })
    if (user) signedIn(user)
  }

  async function logout() {
    await post('/logout')
    posthog.reset() // only here: the next person on this device starts anonymous
    setMe(null)
  }

  async function deleteAccount() {
    await post('/account/delete')
    posthog.reset()
    setMe(null)
  }

  async function upgrade() {
    await post('/checkout', { plan: 'pro' })
    // A UI-only moment the server never sees: captured in the handler, after success.
    posthog.capture('upgrade_confirmation_viewed', { plan: 'pro' })
  }

  if (!me) {
    return (
      <form onSubmit={(e) => authenticate('/login', e)}>
        <input value={email} onChange={(e) => setEmail(e.target.value)} placeholder="email" />
        <input value={password} onChange={(e) => setPassword(e.target.value)} type="password" placeholder="password" />
        <button type="submit">Log in</button>
        <button type="button" onClick={(e) => authenticate('/signup', e)}>
          Sign up
        </button>
      </form>
    )
  }
  return (
    <main>
      <p>Signed in as {me.email}</p>
      <button onClick={upgrade}>Upgrade to Pro</button>
      <button onClick={() => post('/subscription/cancel', { reason: 'too_expensive' })}>Cancel subscription</button>
      <button onClick={deleteAccount}>Delete account</button>
      <button onClick={logout}>Log out</button>
    </main>
  )
}
