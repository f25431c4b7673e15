"""The one PostHog client for this app, configured from the environment."""

import atexit
import logging
import os

from posthog import Posthog

POSTHOG_HOST = os.environ.get("POSTHOG_HOST", "https://us.i.posthog.com")
_token = os.environ.get("POSTHOG_PROJECT_TOKEN")

if not _token:
    # A missing key must not break the app, but it must not fail silently either.
    logging.getLogger(__name__).warning(
        "POSTHOG_PROJECT_TOKEN variable required by PostHog is missing or un-configured, "
        "this causes events to be silently missed. This warning stops once POSTHOG_PROJECT_TOKEN is configured."
    )

posthog = Posthog(
    _token or "",
    host=POSTHOG_HOST,
    disabled=not _token,
    enable_exception_autocapture=True,
)

# Events are queued and sent in the background: send what is left when the process exits.
atexit.register(posthog.shutdown)
