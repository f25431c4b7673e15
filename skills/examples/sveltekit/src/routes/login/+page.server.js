import { fail, redirect } from '@sveltejs/kit';
import { findUser, startSession } from '$lib/server/auth';
import { browserSession, posthog } from '$lib/server/posthog';

export const actions = {
  default: async ({ request, cookies }) => {
    const email = String((await request.formData()).get('email'));
    const user = findUser(email); // any password works in this demo
    if (!user) return fail(401, { email, error: 'unknown user' });
    startSession(cookies, user);

    posthog.capture({
      distinctId: user.id,
      event: 'user_logged_in',
      properties: { login_method: 'password', $set: { email }, ...browserSession(request) },
      groups: { company: user.companyId },
    });
    await posthog.flush();
    redirect(303, '/account');
  },
};
