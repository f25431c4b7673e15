'use server'

import { redirect } from 'next/navigation'
import { db } from '@/lib/db'
import { deleteSession, getSessionUserId } from '@/lib/session'
import { stripe } from '@/lib/stripe'

export async function cancelSubscription() {
  const userId = await getSessionUserId()
  if (!userId) redirect('/login')
  const user = await db.user.findUnique({ where: { id: userId } })
  if (!user?.subscriptionId) {
    return { error: 'No active subscription.' }
  }
  await stripe.subscriptions.cancel(user.subscriptionId)
  await db.user.update({ where: { id: user.id }, data: { subscriptionId: null } })
  return { ok: true }
}

export async function deleteAccount() {
  const userId = await getSessionUserId()
  if (!userId) redirect('/login')
  const user = await db.user.findUnique({ where: { id: userId } })
  if (user?.subscriptionId) {
    await stripe.subscriptions.cancel(user.subscriptionId)
  }
  await db.user.delete({ where: { id: userId } })
  await deleteSession()
  redirect('/')
}
