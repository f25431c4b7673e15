import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';

import { posthog } from '~/posthog.server';
import { destroyUserSession, getUserId } from '~/session.server';

export const action = async ({ request }: ActionFunctionArgs) => {
  // read the id while the session exists: destroyUserSession() ends it (no session: an anonymous event)
  posthog.capture({ distinctId: await getUserId(request), event: 'user_logged_out' });
  await posthog.flush();
  return destroyUserSession(request);
};

export const loader = async () => redirect('/');
