'use client'

export function LogoutButton() {
  async function logout() {
    await fetch('/api/logout', { method: 'POST' })
    window.location.assign('/')
  }
  return <button onClick={logout}>Log out</button>
}
