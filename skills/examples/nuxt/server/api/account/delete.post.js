import { deleteUser, endSession, requireUser } from '../../utils/auth.js';
import { posthog } from '../../utils/posthog.js';

export default defineEventHandler(async (event) => {
  const user = requireUser(event);
  deleteUser(user);
  endSession(event);
  posthog.capture({ distinctId: user.id, event: 'account_deleted', groups: { company: user.companyId } });
  await posthog.flush();
  return { ok: true };
});
