import type { ActionFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form } from '@remix-run/react';

import { createUser } from '~/models/user.server';
import { createUserSession } from '~/session.server';

export const action = async ({ request }: ActionFunctionArgs) => {
  const form = await request.formData();
  const email = String(form.get('email'));
  const password = String(form.get('password'));
  if (password.length < 8) {
    return json({ error: 'Password is too short' }, { status: 400 });
  }
  const user = await createUser(email, password); // captures the signup (app/models/user.server.ts)
  return createUserSession({ request, userId: user.id });
};

export default function Join() {
  return (
    <Form method="post">
      <input name="email" type="email" />
      <input name="password" type="password" />
      <button type="submit">Create account</button>
    </Form>
  );
}
