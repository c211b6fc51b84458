"""famlink.roles.department."""
