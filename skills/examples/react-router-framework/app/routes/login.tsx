import { Form } from 'react-router';

import { posthog } from '~/posthog.server';
import { commitUserSession } from '~/sessions.server';
import type { Route } from './+types/login';

const USERS = [{ id: 'u_1', email: 'ada@example.com', password: 'correct-horse' }]; // a database in a real app

export async function action({ request }: Route.ActionArgs) {
  const form = await request.formData();
  const email = String(form.get('email'));
  const user = USERS.find((u) => u.email === email && u.password === form.get('password'));
  if (!user) {
    return { error: 'Invalid email or password' };
  }
  posthog.identify({ distinctId: user.id, properties: { email } });
  posthog.capture({ distinctId: user.id, event: 'user_logged_in', properties: { login_method: 'password' } });
  await posthog.flush();
  return commitUserSession(request, user.id);
}

export default function Login() {
  return (
    <Form method="post">
      <input name="email" type="email" />
      <input name="password" type="password" />
      <button type="submit">Log in</button>
    </Form>
  );
}
