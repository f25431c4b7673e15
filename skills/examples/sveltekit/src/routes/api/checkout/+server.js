import { json } from '@sveltejs/kit';
import { PRICES } from '$lib/server/auth';
import { posthog } from '$lib/server/posthog';

export async function POST({ request, locals }) {
  const user = locals.user;
  if (!user) return json({ error: 'login required' }, { status: 401 });
  const { plan } = await request.json();
  posthog.capture({
    distinctId: user.id,
    event: 'checkout_started',
    properties: { plan, amount_cents: PRICES[plan], currency: 'usd' },
    groups: { company: user.companyId },
  });
  await posthog.flush();
  user.plan = plan;
  return json({ plan });
}
