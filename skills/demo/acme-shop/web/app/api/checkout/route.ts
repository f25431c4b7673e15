import { NextResponse } from 'next/server'
import { db } from '@/lib/db'
import { getSessionUserId } from '@/lib/session'
import { stripe } from '@/lib/stripe'

export async function POST(request: Request) {
  const userId = await getSessionUserId()
  if (!userId) {
    return NextResponse.redirect(new URL('/login', request.url), 303)
  }
  const user = await db.user.findUnique({ where: { id: userId } })
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: user?.email,
    client_reference_id: userId,
    line_items: [{ price: process.env.STRIPE_PRICE_ID, quantity: 1 }],
    success_url: new URL('/account?checkout=success', request.url).toString(),
    cancel_url: new URL('/', request.url).toString(),
  })
  return NextResponse.redirect(session.url ?? '/', 303)
}
