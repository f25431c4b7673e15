import { useEffect } from 'react';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData } from 'react-router';
import posthog from 'posthog-js';

import { getUserId } from './sessions.server';
import type { Route } from './+types/root';

export async function loader({ request }: Route.LoaderArgs) {
  return { userId: await getUserId(request) };
}

export default function App() {
  const { userId } = useLoaderData<typeof loader>();
  useEffect(() => {
    if (userId) posthog.identify(userId); // a returning user: the id the server sends too
  }, [userId]);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
