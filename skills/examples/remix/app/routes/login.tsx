import type { ActionFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form } from '@remix-run/react';

import { verifyLogin } from '~/models/user.server';
import { posthog } from '~/posthog.server';
import { createUserSession } from '~/session.server';

export const action = async ({ request }: ActionFunctionArgs) => {
  const form = await request.formData();
  const email = String(form.get('email'));
  const user = await verifyLogin(email, String(form.get('password')));
  if (!user) {
    return json({ error: 'Invalid email or password' }, { status: 400 });
  }
  posthog.identify({ distinctId: user.id, properties: { email } });
  posthog.capture({ distinctId: user.id, event: 'user_logged_in', properties: { login_method: 'password' } });
  await posthog.flush();
  return createUserSession({ request, userId: user.id });
};

export default function Login() {
  return (
    <Form method="post">
      <input name="email" type="email" />
      <input name="password" type="password" />
      <button type="submit">Log in</button>
    </Form>
  );
}
