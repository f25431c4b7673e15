'use server'

import bcrypt from 'bcryptjs'
import { redirect } from 'next/navigation'
import { db } from '@/lib/db'
import { createSession, deleteSession } from '@/lib/session'

export async function signup(formData: FormData) {
  const email = String(formData.get('email') ?? '').toLowerCase()
  const password = String(formData.get('password') ?? '')
  if (!email || password.length < 8) {
    return { error: 'Enter an email and a password of at least 8 characters.' }
  }
  if (await db.user.findUnique({ where: { email } })) {
    return { error: 'An account with this email already exists.' }
  }
  const passwordHash = await bcrypt.hash(password, 10)
  const user = await db.user.create({ data: { email, passwordHash } })
  await createSession(user.id)
  redirect('/account')
}

export async function login(formData: FormData) {
  const email = String(formData.get('email') ?? '').toLowerCase()
  const password = String(formData.get('password') ?? '')
  const user = await db.user.findUnique({ where: { email } })
  if (!user) {
    return { error: 'Wrong email or password.' }
  }
  const valid = await bcrypt.compare(password, user.passwordHash)
  if (!valid) {
    return { error: 'Wrong email or password.' }
  }
  await createSession(user.id)
  redirect('/account')
}

export async function logout() {
  await deleteSession()
  redirect('/login')
}
