import { login, signup } from './actions'

export default function LoginPage() {
  return (
    <main>
      <h1>Welcome back</h1>
      <form>
        <input name="email" type="email" placeholder="you@example.com" required />
        <input name="password" type="password" placeholder="Password" required />
        <button formAction={login}>Log in</button>
        <button formAction={signup}>Create account</button>
      </form>
    </main>
  )
}
