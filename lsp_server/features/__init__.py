"""features (being built)."""
