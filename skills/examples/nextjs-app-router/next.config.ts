import type { NextConfig } from 'next'

// Reverse proxy: the browser sends events to /ingest on our own domain, which ad blockers leave alone.
const nextConfig: NextConfig = {
  async rewrites() {
    return [
      { source: '/ingest/static/:path*', destination: 'https://us-assets.i.posthog.com/static/:path*' },
      { source: '/ingest/array/:path*', destination: 'https://us-assets.i.posthog.com/array/:path*' },
      { source: '/ingest/:path*', destination: 'https://us.i.posthog.com/:path*' },
    ]
  },
  skipTrailingSlashRedirect: true, // PostHog API paths end in '/'
}

export default nextConfig
