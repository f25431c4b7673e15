import { fail, redirect } from '@sveltejs/kit';
import { deleteUser, endSession } from '$lib/server/auth';
import { posthog } from '$lib/server/posthog';

export function load({ locals }) {
  if (!locals.user) redirect(303, '/login');
  return { user: { id: locals.user.id, email: locals.user.email, plan: locals.user.plan } };
}

export const actions = {
  cancel: async ({ request, locals }) => {
    const user = locals.user;
    if (!user) return fail(401);
    const reason = String((await request.formData()).get('reason') ?? '');
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
  },
  delete: async ({ cookies, locals }) => {
    const user = locals.user;
    if (!user) return fail(401);
    deleteUser(user);
    endSession(cookies);
    posthog.capture({ distinctId: user.id, event: 'account_deleted', groups: { company: user.companyId } });
    await posthog.flush();
    redirect(303, '/');
  },
};
