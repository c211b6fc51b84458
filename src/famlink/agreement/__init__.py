"""famlink.agreement."""
