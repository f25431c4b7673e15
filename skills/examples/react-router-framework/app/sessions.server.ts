import { createCookieSessionStorage, redirect } from 'react-router';

const { getSession, commitSession, destroySession } = createCookieSessionStorage<{ userId: string }>({
  cookie: { name: '__session', httpOnly: true, sameSite: 'lax', secrets: [process.env.SESSION_SECRET ?? 'dev-only'] },
});

export async function getUserId(request: Request): Promise<string | undefined> {
  return (await getSession(request.headers.get('Cookie'))).get('userId');
}

export async function commitUserSession(request: Request, userId: string) {
  const session = await getSession(request.headers.get('Cookie'));
  session.set('userId', userId);
  return redirect('/', { headers: { 'Set-Cookie': await commitSession(session) } });
}

export async function destroyUserSession(request: Request) {
  const session = await getSession(request.headers.get('Cookie'));
  return redirect('/login', { headers: { 'Set-Cookie': await destroySession(session) } });
}
