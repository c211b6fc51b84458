"""famlink.roles.council."""
