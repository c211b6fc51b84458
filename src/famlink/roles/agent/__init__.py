"""famlink.roles.agent."""
