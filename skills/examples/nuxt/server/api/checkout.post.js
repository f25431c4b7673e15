import { PRICES, requireUser } from '../utils/auth.js';
import { posthog } from '../utils/posthog.js';

export default defineEventHandler(async (event) => {
  const user = requireUser(event);
  const { plan } = await readBody(event);
  posthog.capture({
    distinctId: user.id,
    event: 'checkout_started',
    properties: { plan, amount_cents: PRICES[plan], currency: 'usd' },
    groups: { company: user.companyId },
  });
  await posthog.flush();
  user.plan = plan;
  return { plan };
});
