"""famlink.disclosure."""
