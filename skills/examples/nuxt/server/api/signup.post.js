import { createUser, startSession } from '../utils/auth.js';
import { browserSession, posthog } from '../utils/posthog.js';

export default defineEventHandler(async (event) => {
  const { email, company = '' } = await readBody(event);
  const user = createUser(email, company);
  startSession(event, user);

  posthog.groupIdentify({ groupType: 'company', groupKey: user.companyId, properties: { name: company }, distinctId: user.id });
  // Signups are captured on the server, where ad blockers cannot drop them. Email: person property only.
  posthog.capture({
    distinctId: user.id,
    event: 'user_signed_up',
    properties: { signup_method: 'email', $set: { email, plan: user.plan }, ...browserSession(event) },
    groups: { company: user.companyId },
  });
  await posthog.flush();
  return { id: user.id, email: user.email, plan: user.plan };
});
