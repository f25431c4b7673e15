"""posthog-lsp: the PostHog integration assistant that lives in the editor."""

__version__ = "0.1.0"
