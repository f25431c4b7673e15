import { posthog } from '~/posthog.server';
import { destroyUserSession, getUserId } from '~/sessions.server';
import type { Route } from './+types/logout';

export async function action({ request }: Route.ActionArgs) {
  // the id while the session exists: destroyUserSession() ends it
  posthog.capture({ distinctId: await getUserId(request), event: 'user_logged_out' });
  await posthog.flush();
  return destroyUserSession(request);
}
