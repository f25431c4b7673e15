import { db } from '~/db.server';
import { posthog } from '~/posthog.server';

async function hashPassword(password: string) {
  return `hashed:${password}`; // bcrypt in a real app
}

export async function createUser(email: string, password: string) {
  const user = await db.user.create({ data: { email, passwordHash: await hashPassword(password) } });
  // the server is the witness of a signup: identify (person properties) and capture, as the new user's id
  posthog.identify({ distinctId: user.id, properties: { email } });
  posthog.capture({ distinctId: user.id, event: 'user_signed_up', properties: { signup_method: 'password' } });
  await posthog.flush();
  return user;
}

export async function verifyLogin(email: string, password: string) {
  const user = await db.user.findUnique({ where: { email } });
  if (!user || user.passwordHash !== (await hashPassword(password))) return null;
  return { id: user.id, email: user.email };
}
