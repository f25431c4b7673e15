import { redirect } from '@sveltejs/kit';
import { endSession } from '$lib/server/auth';
import { posthog } from '$lib/server/posthog';

export const actions = {
  default: async ({ cookies, locals }) => {
    if (locals.user) {
      // Capture before the session ends: afterwards the user is no longer known.
      posthog.capture({ distinctId: locals.user.id, event: 'user_logged_out', groups: { company: locals.user.companyId } });
      await posthog.flush();
    }
    endSession(cookies);
    redirect(303, '/');
  },
};
