"""famlink.roles."""
