import { redirect } from '@sveltejs/kit';
import { createUser, startSession } from '$lib/server/auth';
import { browserSession, posthog } from '$lib/server/posthog';

export const actions = {
  default: async ({ request, cookies }) => {
    const form = await request.formData();
    const email = String(form.get('email'));
    const company = String(form.get('company') ?? '');
    const user = createUser(email, company);
    startSession(cookies, user);

    posthog.groupIdentify({ groupType: 'company', groupKey: user.companyId, properties: { name: company }, distinctId: user.id });
    // Signups are captured on the server, where ad blockers cannot drop them. Email: person property only.
    posthog.capture({
      distinctId: user.id,
      event: 'user_signed_up',
      properties: { signup_method: 'email', $set: { email, plan: user.plan }, ...browserSession(request) },
      groups: { company: user.companyId },
    });
    await posthog.flush(); // before redirect(), which throws
    redirect(303, '/account');
  },
};
