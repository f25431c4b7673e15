// A toy user store and cookie session. A real app uses its database and auth library (Lucia, Auth.js, Supabase).
import { randomBytes, randomUUID } from 'node:crypto';

export const PRICES = { starter: 900, pro: 2900 };
const users = new Map(); // email -> user
const sessions = new Map(); // session token -> user id

export function createUser(email, companyName) {
  const user = { id: randomUUID(), email, companyId: randomUUID(), companyName, plan: 'free' };
  users.set(email, user);
  return user;
}

export const findUser = (email) => users.get(email);
export const deleteUser = (user) => users.delete(user.email);

export function currentUser(cookies) {
  const userId = sessions.get(cookies.get('session') ?? '');
  return [...users.values()].find((u) => u.id === userId) ?? null;
}

export function startSession(cookies, user) {
  const token = randomBytes(16).toString('hex');
  sessions.set(token, user.id);
  cookies.set('session', token, { path: '/', httpOnly: true, sameSite: 'lax' });
}

export function endSession(cookies) {
  sessions.delete(cookies.get('session') ?? '');
  cookies.delete('session', { path: '/' });
}
