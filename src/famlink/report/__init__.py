"""famlink.report."""
