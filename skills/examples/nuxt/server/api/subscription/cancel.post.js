import { requireUser } from '../../utils/auth.js';
import { posthog } from '../../utils/posthog.js';

export default defineEventHandler(async (event) => {
  const user = requireUser(event);
  const { reason = '' } = await readBody(event);
  const plan = user.plan;
  user.plan = 'free';
  posthog.capture({
    distinctId: user.id,
    event: 'subscription_cancelled',
    properties: { plan, reason },
    groups: { company: user.companyId },
  });
  await posthog.flush();
  return { plan: user.plan };
});
