"""famlink.roles.research."""
