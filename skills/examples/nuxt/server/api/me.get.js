import { currentUser } from '../utils/auth.js';

export default defineEventHandler((event) => {
  const user = currentUser(event);
  return user ? { id: user.id, email: user.email, plan: user.plan } : null;
});
