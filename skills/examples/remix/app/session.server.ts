import { createCookieSessionStorage, redirect } from '@remix-run/node';

export const sessionStorage = createCookieSessionStorage({
  cookie: {
    name: '__session',
    httpOnly: true,
    path: '/',
    sameSite: 'lax',
    secrets: [process.env.SESSION_SECRET ?? 'dev-only-secret'],
  },
});

const USER_SESSION_KEY = 'userId';

async function getSession(request: Request) {
  return sessionStorage.getSession(request.headers.get('Cookie'));
}

export async function getUserId(request: Request): Promise<string | undefined> {
  return (await getSession(request)).get(USER_SESSION_KEY);
}

export async function createUserSession({ request, userId }: { request: Request; userId: string }) {
  const session = await getSession(request);
  session.set(USER_SESSION_KEY, userId);
  return redirect('/', { headers: { 'Set-Cookie': await sessionStorage.commitSession(session) } });
}

export async function destroyUserSession(request: Request) {
  const session = await getSession(request);
  return redirect('/', { headers: { 'Set-Cookie': await sessionStorage.destroySession(session) } });
}
