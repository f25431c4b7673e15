// Browser side of sign-in: the server already captured the business events; the browser only learns who the user
// is (identify, so replays and pageviews belong to them) and forgets them at sign-out (reset).
import posthog from 'posthog-js';

export function useAuth() {
  const user = useState('user', () => null);

  async function login(email, password) {
    user.value = await $fetch('/api/login', { method: 'POST', body: { email, password } });
    posthog.identify(user.value.id, { email: user.value.email });
  }

  async function logout() {
    await $fetch('/api/logout', { method: 'POST' });
    user.value = null;
    posthog.reset();
  }

  // A returning session: the browser learns who this is on load (the same id again costs nothing).
  async function restore() {
    user.value = await $fetch('/api/me');
    if (user.value) posthog.identify(user.value.id, { email: user.value.email });
  }

  return { user, login, logout, restore };
}
