"""famlink.identifiers."""
