import { currentUser, endSession } from '../utils/auth.js';
import { posthog } from '../utils/posthog.js';

export default defineEventHandler(async (event) => {
  const user = currentUser(event);
  if (user) {
    // Capture before the session ends: afterwards the user is no longer known.
    posthog.capture({ distinctId: user.id, event: 'user_logged_out', groups: { company: user.companyId } });
    await posthog.flush();
  }
  endSession(event);
  return { ok: true };
});
