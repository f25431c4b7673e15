import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData } from '@remix-run/react';

import { PostHogInit } from './posthog-init';
import { getUserId } from '~/session.server';

export const loader = async ({ request }: LoaderFunctionArgs) => {
  return json({ userId: await getUserId(request) });
};

export default function App() {
  const { userId } = useLoaderData<typeof loader>();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <Meta />
        <Links />
      </head>
      <body>
        <PostHogInit userId={userId} />
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
