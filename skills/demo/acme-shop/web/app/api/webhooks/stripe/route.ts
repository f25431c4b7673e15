import { NextResponse } from 'next/server'
import type Stripe from 'stripe'
import { db } from '@/lib/db'
import { stripe } from '@/lib/stripe'

export async function POST(request: Request) {
  const signature = request.headers.get('stripe-signature') ?? ''
  let event: Stripe.Event
  try {
    event = stripe.webhooks.constructEvent(await request.text(), signature, process.env.STRIPE_WEBHOOK_SECRET ?? '')
  } catch {
    return NextResponse.json({ error: 'invalid signature' }, { status: 400 })
  }

  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object
      if (session.client_reference_id && typeof session.subscription === 'string') {
        await db.user.update({
          where: { id: session.client_reference_id },
          data: { stripeCustomerId: String(session.customer), subscriptionId: session.subscription },
        })
      }
      break
    }
    case 'invoice.payment_failed': {
      const invoice = event.data.object
      console.warn('payment failed for customer', invoice.customer)
      break
    }
    case 'customer.subscription.deleted': {
      const subscription = event.data.object
      console.info('subscription ended', subscription.id)
      break
    }
  }
  return NextResponse.json({ received: true })
}
