"""famlink.risk."""
