"""famlink.exchange."""
