import { findUser, startSession } from '../utils/auth.js';
import { browserSession, posthog } from '../utils/posthog.js';

export default defineEventHandler(async (event) => {
  const { email } = await readBody(event);
  const user = findUser(email); // any password works in this demo
  if (!user) throw createError({ statusCode: 401, statusMessage: 'unknown user' });
  startSession(event, user);

  posthog.capture({
    distinctId: user.id,
    event: 'user_logged_in',
    properties: { login_method: 'password', $set: { email }, ...browserSession(event) },
    groups: { company: user.companyId },
  });
  await posthog.flush();
  return { id: user.id, email: user.email, plan: user.plan };
});
