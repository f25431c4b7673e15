"""The Integrate PostHog workflow: stages, sandboxed tools, deterministic and agent runners."""
