"""famlink.governance."""
