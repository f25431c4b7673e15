"""agent (being built)."""
