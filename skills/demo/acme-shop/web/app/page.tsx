import Link from 'next/link'

export default function Home() {
  return (
    <main>
      <h1>Acme Shop</h1>
      <p>Everything you need, billed monthly.</p>
      <form action="/api/checkout" method="post">
        <button type="submit">Subscribe</button>
      </form>
      <Link href="/login">Log in</Link>
    </main>
  )
}
