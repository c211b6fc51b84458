"""famlink.linkage."""
