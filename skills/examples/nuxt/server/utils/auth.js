// A toy user store and cookie session. A real app uses its database and an auth module (nuxt-auth-utils, Auth.js).
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

export function currentUser(event) {
  const userId = sessions.get(getCookie(event, 'session') ?? '');
  return [...users.values()].find((u) => u.id === userId) ?? null;
}

export function requireUser(event) {
  const user = currentUser(event);
  if (!user) throw createError({ statusCode: 401, statusMessage: 'login required' });
  return user;
}

export function startSession(event, user) {
  const token = randomBytes(16).toString('hex');
  sessions.set(token, user.id);
  setCookie(event, 'session', token, { path: '/', httpOnly: true, sameSite: 'lax' });
}

export function endSession(event) {
  sessions.delete(getCookie(event, 'session') ?? '');
  deleteCookie(event, 'session', { path: '/' });
}
