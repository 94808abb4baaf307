"""Demo: the deterministic synthetic city and its scenarios."""
