"""guidance (being built)."""
