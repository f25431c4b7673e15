import { currentUser } from '$lib/server/auth';

/** Puts the signed-in user (or null) on `locals` for every load, action and endpoint. */
export async function handle({ event, resolve }) {
  event.locals.user = currentUser(event.cookies);
  return resolve(event);
}
